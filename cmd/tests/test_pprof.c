/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `reloadcheck pprof` against real Go net/http/pprof
 * servers: testdata/pprof/server (built as pprof/server and pprof/server_b,
 * which differ only in their GNU build-id) is started as a child of the test
 * in one of its modes (hot, idle, nopprof, swap), its stdout piped until its
 * ready line, then pulled by the built binary (RC_BIN) through fork/execve.
 *
 * Every JSON report is validated against the report schema and every saved
 * summary against the pprof summary schema with validate_report.py; the
 * server must still be running after every run. Profiles are 1 s long
 * (--seconds 1) so the suite stays well under a minute.
 *
 * Servers never outlive a test: a checked teardown kills and reaps them; if a
 * test dies first (failed assertion, timeout), they get SIGKILL from
 * PR_SET_PDEATHSIG and, since the runner is a child subreaper, are reaped by
 * an unchecked teardown in the runner process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "rctest.h"
#include "runlib.h"

#include <arpa/inet.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SUMMARY_SCHEMA RC_SRC "/lib/schema/pprof-summary-v1.schema.json"
#define SERVER RC_FIXTURES "/pprof/server"
#define SERVER_B RC_FIXTURES "/pprof/server_b"

/* The GNU build-ids testdata/CMakeLists.txt gives the two builds (-ldflags=-B). */
#define BUILD_ID_A "72632d70726f662d7365727665722d61"
#define BUILD_ID_B "72632d70726f662d7365727665722d62"

/* How long a server may take to print its ready line. */
#define READY_TIMEOUT_MS 20000

/* ---- JSON ---- */

/* The one finding of @check with @code, of severity @sev. */
static const cJSON *the_finding(const cJSON *check, const char *code, const char *sev)
{
	const cJSON *f;

	ck_assert_msg(count_code(check, code) == 1, "check %s: %zu findings %s, expected 1 (%s)",
		      json_str(check, "id"), count_code(check, code), code, codes_of(check));
	f = find_code(check, code, 0);
	ck_assert_msg(!strcmp(json_str(f, "severity"), sev), "%s: severity %s, expected %s: %s",
		      code, json_str(f, "severity"), sev, show(f));
	return f;
}

/* ---- schema validation ---- */

/* Summaries are not reports: the schema only, not the report's summary rules. */
static void validate_summary(const char *path)
{
	validate_files(SUMMARY_SCHEMA, true, (const char *const[]){path, NULL});
}

/* ---- servers ---- */

/* Start @bin -mode @mode with its stdout piped to us and wait for `pid P port N ready`. */
static void server_start(struct child *s, const char *bin, const char *mode)
{
	const char *const argv[] = {bin, "-mode", mode, NULL};
	int pid_seen, end = 0;

	child_spawn(s, argv);

	ck_assert_msg(read_line(s->out, s->line, sizeof(s->line), READY_TIMEOUT_MS),
		      "%s -mode %s: no ready line within %d ms", bin, mode, READY_TIMEOUT_MS);
	ck_assert_msg(sscanf(s->line, "pid %d port %d ready%n", &pid_seen, &s->port, &end) == 2 &&
			      end > 0 && !s->line[end],
		      "%s -mode %s: unexpected line '%s'", bin, mode, s->line);
	ck_assert_int_eq(pid_seen, s->pid);
	ck_assert_int_gt(s->port, 0);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
}

/* Kill @s and reap it. */
static void server_stop(struct child *s)
{
	child_stop(s);
}

/* @s is still running after @after. */
static void assert_alive(const struct child *s, const char *after)
{
	ck_assert_msg(waitpid(s->pid, NULL, WNOHANG) == 0, "server %d is gone after %s",
		      (int)s->pid, after);
}

/* ---- raw HTTP/1.0, for what the test itself asks a server ---- */

struct http {
	int status;
	char content_type[128];
	struct buf raw;	  /* the whole response */
	const char *body; /* into raw */
	size_t body_len;
};

/* Connect to 127.0.0.1:@port and send `GET @target HTTP/1.0`; returns the socket. */
static int http_send(int port, const char *target)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char req[512];
	int n;

	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		      "connect to port %d: %s", port, strerror(errno));
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", target,
		     port);
	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert_int_eq(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
	return fd;
}

/*
 * Read the response on @fd to its end (an HTTP/1.0 server closes the
 * connection after it) within @timeout_ms, close @fd and parse the status
 * line, Content-Type and body into @h.
 */
static void http_recv(int fd, int timeout_ms, struct http *h)
{
	long long deadline = mono_ms() + timeout_ms;
	const char *eoh, *line;

	*h = (struct http){0};
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - mono_ms();
		char chunk[8192];
		ssize_t got;

		ck_assert_msg(left > 0, "no complete HTTP response within %d ms", timeout_ms);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		ck_assert_msg(got >= 0, "reading an HTTP response: %s", strerror(errno));
		if (got == 0)
			break;
		buf_add(&h->raw, chunk, (size_t)got);
	}
	close(fd);
	buf_add(&h->raw, "", 0);
	ck_assert_msg(sscanf(h->raw.p, "HTTP/1.%*d %d", &h->status) == 1,
		      "not an HTTP response: %.200s", h->raw.p);
	eoh = strstr(h->raw.p, "\r\n\r\n");
	ck_assert_msg(eoh != NULL, "HTTP response without the end of its header: %.200s", h->raw.p);
	h->body = eoh + 4;
	h->body_len = h->raw.len - (size_t)(h->body - h->raw.p);
	for (line = strstr(h->raw.p, "\r\n"); line && line < eoh; line = strstr(line + 2, "\r\n")) {
		if (!strncasecmp(line + 2, "Content-Type:", strlen("Content-Type:"))) {
			const char *v = line + 2 + strlen("Content-Type:");

			v += strspn(v, " ");
			snprintf(h->content_type, sizeof(h->content_type), "%.*s",
				 (int)strcspn(v, "\r"), v);
		}
	}
}

/* GET @target from 127.0.0.1:@port and wait for the whole answer. */
static void http_get(int port, const char *target, int timeout_ms, struct http *h)
{
	http_recv(http_send(port, target), timeout_ms, h);
}

/* ---- running `reloadcheck pprof` ---- */

struct pp {
	struct run r;
	cJSON *report;	/* the JSON report written with --output */
	cJSON *summary; /* the summary written with --save, or NULL */
	char *report_path, *summary_path;
};

/*
 * Run `pprof ARGS... --format json --output RC_TMP/<name>.json [--save
 * RC_TMP/<name>.summary.json]`; check the exit status against the report,
 * validate the report (and the summary) and check inputs.pprof_url is @url
 * when not NULL. The status must be 0, 1 or 3 and agree with the verdict;
 * callers check which.
 */
static void pprof_json(struct pp *p, const char *name, const char *url, bool save,
		       const char *const args[])
{
	const char *argv[64] = {RC_BIN, "pprof"};
	char *rname, *sname;
	size_t n = 2;

	*p = (struct pp){0};
	ck_assert_int_ge(asprintf(&rname, "%s.json", name), 0);
	ck_assert_int_ge(asprintf(&sname, "%s.summary.json", name), 0);
	p->report_path = fresh_path(rname);
	for (size_t i = 0; args[i]; i++) {
		ck_assert_uint_lt(n, sizeof(argv) / sizeof(argv[0]) - 8);
		argv[n++] = args[i];
	}
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n++] = "--output";
	argv[n++] = p->report_path;
	if (save) {
		p->summary_path = fresh_path(sname);
		argv[n++] = "--save";
		argv[n++] = p->summary_path;
	}
	argv[n] = NULL;
	run(&p->r, argv);
	ck_assert_msg(p->r.status == 0 || p->r.status == 1 || p->r.status == 3,
		      "pprof %s: exit %d; stderr:\n%s", name, p->r.status, p->r.err.p);
	p->report = load_run_report(&p->r, p->report_path);
	if (url)
		ck_assert_str_eq(json_str(json_obj(p->report, "inputs"), "pprof_url"), url);
	if (save) {
		ck_assert_msg(access(p->summary_path, F_OK) == 0, "--save %s: no file; stderr:\n%s",
			      p->summary_path, p->r.err.p);
		p->summary = load_json(p->summary_path);
		validate_summary(p->summary_path);
		ck_assert_str_eq(json_str(p->summary, "schema"), "reloadcheck/pprof-summary/v1");
	}
	free(rname);
	free(sname);
}

static void pp_free(struct pp *p)
{
	run_free(&p->r);
	cJSON_Delete(p->report);
	cJSON_Delete(p->summary);
	free(p->report_path);
	free(p->summary_path);
	*p = (struct pp){0};
}

/* `pprof --url S --seconds 1 [--pid P] [ARGS...]`, as pprof_json. */
static void pprof_url(struct pp *p, const char *name, const struct child *s, pid_t pid, bool save,
		      const char *const args[])
{
	const char *argv[48] = {"--url", s->url, "--seconds", "1"};
	char *pid_s = pid > 0 ? pid_str(pid) : NULL;
	size_t n = 4;

	if (pid_s) {
		argv[n++] = "--pid";
		argv[n++] = pid_s;
	}
	for (size_t i = 0; args && args[i]; i++) {
		ck_assert_uint_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	pprof_json(p, name, s->url, save, argv);
	assert_alive(s, name);
	free(pid_s);
}

/* The summary's top list entry for @func (by flat share), or NULL; its rank in *@rank. */
static const cJSON *summary_top(const cJSON *summary, const char *func, int *rank)
{
	const cJSON *e;
	int i = 0;

	cJSON_ArrayForEach(e, json_arr(summary, "top"))
	{
		if (!strcmp(json_str(e, "name"), func)) {
			if (rank)
				*rank = i;
			return e;
		}
		i++;
	}
	return NULL;
}

/* The summary's total of sample type @type/@unit (the number of samples for samples/count). */
static double summary_total(const cJSON *summary, const char *type, const char *unit)
{
	const cJSON *t, *totals = json_arr(summary, "totals");
	int i = 0;

	cJSON_ArrayForEach(t, json_arr(summary, "sample_types"))
	{
		if (!strcmp(json_str(t, "type"), type) && !strcmp(json_str(t, "unit"), unit)) {
			const cJSON *v = cJSON_GetArrayItem(totals, i);

			ck_assert_msg(cJSON_IsNumber(v), "totals[%d] is missing: %s", i,
				      show(totals));
			return v->valuedouble;
		}
		i++;
	}
	ck_abort_msg("the summary has no sample type %s/%s", type, unit);
	return 0;
}

/*
 * A profile of the hot server, whose main.burnHot asks for 60% of a core and
 * main.burnWarm for 10%: the top list is by flat, descending; main.burnHot is
 * in it with at least 30% (on a starved machine the two get closer, but
 * main.burnWarm never takes more than it asks for) and main.burnCold is not.
 */
static void assert_hot_summary(const cJSON *summary)
{
	const cJSON *top = json_arr(summary, "top"), *hot, *e;
	double prev = -1;

	cJSON_ArrayForEach(e, top)
	{
		ck_assert_msg(prev < 0 || json_num(e, "flat") <= prev,
			      "the top list is not by flat, descending: %s", show(top));
		prev = json_num(e, "flat");
	}
	hot = summary_top(summary, "main.burnHot", NULL);
	ck_assert_msg(hot != NULL, "main.burnHot is not in the top list: %s", show(top));
	ck_assert_msg(json_num(hot, "flat_share") >= 0.3 && json_num(hot, "flat_share") <= 1,
		      "main.burnHot holds %g of the profile: %s", json_num(hot, "flat_share"),
		      show(top));
	ck_assert_ptr_null(summary_top(summary, "main.burnCold", NULL));
}

/*
 * The report names the functions the profile sampled most (pprof.top): at most
 * 10, in the summary's order, main.burnHot among them with its share.
 */
static void assert_top_findings(const cJSON *ep, const cJSON *summary)
{
	const cJSON *f, *first = cJSON_GetArrayItem(json_arr(summary, "top"), 0);
	size_t n = 0;
	bool hot = false;

	ck_assert_ptr_nonnull(first);
	cJSON_ArrayForEach(f, json_arr(ep, "findings"))
	{
		const cJSON *d;

		if (strcmp(json_str(f, "code"), "pprof.top") != 0)
			continue;
		d = json_obj(f, "detail");
		if (n == 0)
			ck_assert_msg(!strcmp(json_str(d, "name"), json_str(first, "name")),
				      "the first pprof.top is not the summary's first: %s",
				      show(f));
		if (!strcmp(json_str(d, "name"), "main.burnHot")) {
			hot = true;
			ck_assert_msg(strtod(json_str(d, "flat_share"), NULL) >= 0.3,
				      "main.burnHot's share: %s", show(f));
		}
		n++;
	}
	ck_assert_msg(n >= 1 && n <= 10, "%zu pprof.top findings", n);
	ck_assert_msg(hot, "no pprof.top names main.burnHot");
}

/* A hot server's profile, saved as RC_TMP/<name>.summary.json; the server is stopped. */
static char *hot_baseline(const char *name)
{
	struct child s;
	struct pp p;
	char *path;

	server_start(&s, SERVER, "hot");
	pprof_url(&p, name, &s, s.pid, true, NULL);
	ck_assert_msg(p.r.status == 0, "baseline: exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	assert_verdict(find_check(p.report, "pprof-endpoint"), "pass");
	assert_hot_summary(p.summary);
	server_stop(&s);
	path = strdup(p.summary_path);
	ck_assert_ptr_nonnull(path);
	pp_free(&p);
	return path;
}

/* ---- (a) a hot server passes ---- */

START_TEST(hot_server_passes)
{
	struct child s;
	struct pp p;
	const cJSON *ep, *f, *d;
	char *text;

	server_start(&s, SERVER, "hot");
	pprof_url(&p, "hot", &s, s.pid, true, NULL);
	ck_assert_msg(p.r.status == 0, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "pass");
	ck_assert_int_eq((int)json_num(json_obj(p.report, "inputs"), "pid"), (int)s.pid);

	ep = check_with_verdict(p.report, "pprof-endpoint", "pass");
	the_finding(ep, "pprof.index", "info");
	f = the_finding(ep, "pprof.goroutines", "info");
	/* main, the two burners, the listener and the request being served at least. */
	ck_assert_msg(json_num(json_obj(f, "detail"), "goroutines") >= 4, "pprof.goroutines: %s",
		      show(f));
	ck_assert_msg(json_num(p.summary, "goroutines") ==
			      json_num(json_obj(f, "detail"), "goroutines"),
		      "the summary's goroutines differ from the report's");
	f = the_finding(ep, "pprof.profile", "info");
	d = json_obj(f, "detail");
	/*
	 * ~0.8 s of CPU at 100 Hz: dozens of samples, never none. The samples,
	 * not the Sample records Go aggregates them in (one per distinct stack).
	 */
	ck_assert_msg(json_num(d, "samples") == summary_total(p.summary, "samples", "count") &&
			      json_num(d, "samples") >= 10,
		      "pprof.profile: %s; the summary has %g samples", show(f),
		      summary_total(p.summary, "samples", "count"));
	ck_assert_msg(json_num(d, "period") == 10000000, "100 Hz is 10 ms: %s", show(f));
	ck_assert_msg(json_num(d, "duration_nanos") >= 0.8e9 && json_num(d, "duration_nanos") < 3e9,
		      "a 1 s profile: %s", show(f));
	ck_assert_uint_eq(count_code(ep, "pprof.no_samples"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.unsymbolized"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.no_functions"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.duration_off"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.contended"), 0);
	/* The profile's main mapping is the server, whose build-id --pid reads too. */
	ck_assert_uint_eq(count_code(ep, "pprof.build_id_mismatch"), 0);
	f = the_finding(ep, "pprof.build_id", "info");
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "profile_build_id"), BUILD_ID_A);
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "exe_build_id"), BUILD_ID_A);

	assert_verdict(find_check(p.report, "pprof-continuity"), "skip");

	/* The summary: the burners on top, a Go CPU profile; the report names them. */
	assert_hot_summary(p.summary);
	assert_top_findings(ep, p.summary);
	text = show(p.summary);
	ck_assert_msg(strstr(text, BUILD_ID_A), "the summary lacks the build-id: %s", text);
	free(text);
	pp_free(&p);

	/* The text report agrees. */
	{
		struct run r;

		run(&r, (const char *const[]){RC_BIN, "pprof", "--url", s.url, "--seconds", "1",
					      "--no-color", NULL});
		assert_alive(&s, "the text run");
		ck_assert_msg(r.status == 0, "exit %d; stderr:\n%s", r.status, r.err.p);
		ck_assert_msg(!strncmp(r.out.p, "reloadcheck: PASS", strlen("reloadcheck: PASS")),
			      "text report does not start with the verdict:\n%s", r.out.p);
		ck_assert_msg(strstr(r.out.p, "pprof.top") && strstr(r.out.p, "main.burnHot: "),
			      "the text report names no top function:\n%s", r.out.p);
		run_free(&r);
	}
	server_stop(&s);
}
END_TEST

/* ---- (b) a restart with a baseline: continuity passes ---- */

START_TEST(restart_continuity_passes)
{
	char *base = hot_baseline("restart-base");
	cJSON *old = load_json(base);
	struct child s;
	struct pp p;
	const cJSON *c, *f, *e;
	size_t union_n = 0;

	server_start(&s, SERVER, "hot");
	pprof_url(&p, "restart", &s, s.pid, true, (const char *const[]){"--baseline", base, NULL});
	ck_assert_msg(p.r.status == 0, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	assert_verdict(find_check(p.report, "pprof-endpoint"), "pass");
	c = find_check(p.report, "pprof-continuity");
	f = find_code(c, "pprof.hot_function_vanished", 0);
	ck_assert_msg(f == NULL, "a function vanished across a restart into the same build: %s",
		      f ? show(f) : "");
	assert_verdict(c, "pass");
	f = the_finding(c, "pprof.gap", "info");
	/* The baseline ended a moment ago: well under a minute, never negative. */
	ck_assert_msg(json_num(json_obj(f, "detail"), "gap_nanos") >= 0 &&
			      json_num(json_obj(f, "detail"), "gap_nanos") < 60e9,
		      "pprof.gap: %s", show(f));
	ck_assert_uint_eq(count_code(c, "pprof.hot_function_vanished"), 0);
	ck_assert_uint_eq(count_code(c, "pprof.period_changed"), 0);
	ck_assert_uint_eq(count_code(c, "pprof.sample_types_changed"), 0);
	ck_assert_uint_eq(count_code(c, "pprof.symbolization_dropped"), 0);
	ck_assert_uint_eq(count_code(c, "pprof.goroutines_changed"), 0);

	/* One top_diff row per function of the union of both top lists. */
	cJSON_ArrayForEach(e, json_arr(old, "top")) union_n++;
	cJSON_ArrayForEach(e, json_arr(p.summary, "top"))
	{
		union_n += summary_top(old, json_str(e, "name"), NULL) == NULL;
	}
	ck_assert_msg(count_code(c, "pprof.top_diff") == union_n,
		      "%zu pprof.top_diff rows, the top lists have %zu functions between them",
		      count_code(c, "pprof.top_diff"), union_n);
	for (size_t i = 0; (f = find_code(c, "pprof.top_diff", i)) != NULL; i++) {
		const cJSON *d = json_obj(f, "detail");
		const char *keys[] = {"old_share", "new_share", "change"};

		ck_assert_str_eq(json_str(f, "severity"), "info");
		for (size_t k = 0; k < 3; k++) {
			const char *v = json_str(d, keys[k]);
			char *end;

			strtod(v, &end);
			ck_assert_msg(end != v && !strcmp(end, "%"), "pprof.top_diff %s '%s': %s",
				      keys[k], v, show(f));
		}
		if (!strcmp(json_str(d, "function"), "main.burnHot")) {
			ck_assert_msg(strtod(json_str(d, "old_share"), NULL) >= 30 &&
					      strtod(json_str(d, "new_share"), NULL) >= 30,
				      "main.burnHot row: %s", show(f));
			union_n = 0; /* seen */
		}
	}
	ck_assert_msg(union_n == 0, "no pprof.top_diff row for main.burnHot");
	pp_free(&p);
	cJSON_Delete(old);
	server_stop(&s);
	free(base);
}
END_TEST

/* ---- (c) the hot function is gone after the restart ---- */

START_TEST(hot_function_vanishes)
{
	char *base = hot_baseline("swap-base");
	struct child s;
	struct pp p;
	const cJSON *c, *f;
	int hot = 0;

	server_start(&s, SERVER, "swap");
	pprof_url(&p, "swap", &s, s.pid, true, (const char *const[]){"--baseline", base, NULL});
	ck_assert_msg(p.r.status == 0, "a warning exits 0: exit %d; stderr:\n%s", p.r.status,
		      p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "warn");
	assert_verdict(find_check(p.report, "pprof-endpoint"), "pass");
	c = check_with_verdict(p.report, "pprof-continuity", "warn");
	/*
	 * main.burnHot vanished, once. main.burnWarm runs in both, but with
	 * 10% of a core a short profile on a starved machine may miss it:
	 * nothing else may vanish.
	 */
	ck_assert_uint_ge(count_code(c, "pprof.hot_function_vanished"), 1);
	for (size_t i = 0; (f = find_code(c, "pprof.hot_function_vanished", i)) != NULL; i++) {
		const char *fn = json_str(json_obj(f, "detail"), "function");

		ck_assert_str_eq(json_str(f, "severity"), "warn");
		ck_assert_msg(strstr(json_str(f, "message"), fn), "message does not name %s: %s",
			      fn, json_str(f, "message"));
		if (!strcmp(fn, "main.burnHot"))
			hot++;
		else
			ck_assert_msg(!strcmp(fn, "main.burnWarm") &&
					      !summary_top(p.summary, "main.burnWarm", NULL),
				      "%s vanished: %s", fn, show(f));
	}
	ck_assert_msg(hot == 1, "main.burnHot vanished %d times: %s", hot, codes_of(c));
	ck_assert_ptr_null(summary_top(p.summary, "main.burnHot", NULL));
	ck_assert_ptr_nonnull(summary_top(p.summary, "main.burnCold", NULL));
	the_finding(c, "pprof.gap", "info");
	pp_free(&p);

	/* With --fail-on warn the same finding blocks. */
	pprof_url(&p, "swap-failon", &s, s.pid, false,
		  (const char *const[]){"--baseline", base, "--fail-on", "warn", NULL});
	ck_assert_msg(p.r.status == 1, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "fail");
	ck_assert_str_eq(json_str(p.report, "verdict_before_policy"), "warn");
	the_finding(find_check(p.report, "pprof-continuity"), "pprof.hot_function_vanished",
		    "warn");
	pp_free(&p);
	server_stop(&s);
	free(base);
}
END_TEST

/* ---- (d) an idle server: no samples warn, not fail ---- */

START_TEST(idle_no_samples_warns)
{
	struct child s;
	struct pp p;
	const cJSON *ep, *f;

	server_start(&s, SERVER, "idle");
	pprof_url(&p, "idle", &s, s.pid, false, NULL);
	ck_assert_msg(p.r.status == 0, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "warn");
	ep = check_with_verdict(p.report, "pprof-endpoint", "warn");
	f = the_finding(ep, "pprof.no_samples", "warn");
	ck_assert_msg(cJSON_IsFalse(json_item(json_obj(f, "detail"), "busy")),
		      "an idle process is not busy: %s", show(f));
	ck_assert_msg(json_num(json_obj(the_finding(ep, "pprof.profile", "info"), "detail"),
			       "samples") == 0,
		      "the idle profile has samples");
	the_finding(ep, "pprof.index", "info");
	the_finding(ep, "pprof.goroutines", "info");
	pp_free(&p);
	server_stop(&s);
}
END_TEST

/* ---- (e) no pprof handlers: the index is missing ---- */

START_TEST(nopprof_index_missing_fails)
{
	struct child s;
	struct pp p;
	const cJSON *ep, *f;
	char *text;

	server_start(&s, SERVER, "nopprof");
	pprof_url(&p, "nopprof", &s, s.pid, false, NULL);
	ck_assert_msg(p.r.status == 1, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "fail");
	ep = check_with_verdict(p.report, "pprof-endpoint", "fail");
	f = the_finding(ep, "pprof.index_missing", "fail");
	ck_assert_int_eq((int)json_num(json_obj(f, "detail"), "status"), 404);
	text = show(f);
	ck_assert_msg(strstr(text, "404"), "pprof.index_missing does not say 404: %s", text);
	free(text);
	ck_assert_uint_eq(count_code(ep, "pprof.index"), 0);
	pp_free(&p);
	server_stop(&s);
}
END_TEST

/* ---- (f) nothing listening: exit 3 ---- */

START_TEST(refused_is_3)
{
	/* Bound but not listening: connections are refused and nobody else gets the port. */
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char url[64], *path = fresh_path("refused.json");
	const cJSON *ep, *reason;
	struct run r;
	cJSON *j;

	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(sa.sin_port));

	run(&r, (const char *const[]){RC_BIN, "pprof", "--url", url, "--seconds", "1", NULL});
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(one_line(&r.err), "stderr is not one line:\n%s", r.err.p);
	ck_assert_msg(strstr(r.err.p, url), "stderr does not name %s: %s", url, r.err.p);
	ck_assert_msg(strcasestr(r.err.p, "connection refused"),
		      "stderr does not say connection refused: %s", r.err.p);
	ck_assert_msg(r.ms < 10000, "a refused connection took %lld ms", r.ms);
	run_free(&r);

	/* JSON on stdout: an error report that says why, like stderr. */
	run(&r, (const char *const[]){RC_BIN, "pprof", "--url", url, "--seconds", "1", "--format",
				      "json", NULL});
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(one_line(&r.err), "stderr is not one line:\n%s", r.err.p);
	write_file(path, r.out.p, r.out.len);
	validate_report(path);
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "error");
	ck_assert_int_eq((int)json_num(j, "exit_code"), 3);
	ck_assert_str_eq(json_str(json_obj(j, "inputs"), "pprof_url"), url);
	ep = check_with_verdict(j, "pprof-endpoint", "error");
	reason = json_item(ep, "reason");
	ck_assert_msg(
		cJSON_IsString(reason) && strcasestr(reason->valuestring, "connection refused") &&
			strstr(reason->valuestring, url),
		"pprof-endpoint's reason does not name %s and the refusal: %s", url, show(ep));
	cJSON_Delete(j);
	run_free(&r);
	close(fd);
	free(path);
}
END_TEST

/* ---- (g) another CPU profile is running: contention ---- */

START_TEST(contended_warns)
{
	struct child s;
	struct pp p;
	struct http h;
	const cJSON *ep, *f;
	long long deadline;
	int first;

	server_start(&s, SERVER, "hot");
	/* Someone else's 4 s CPU profile, left running on its own connection. */
	first = http_send(s.port, "/debug/pprof/profile?seconds=4");
	/*
	 * It has started when its handler sleeps: StartCPUProfile succeeded.
	 * The goroutine dump shows net/http/pprof.sleep from then on.
	 */
	deadline = mono_ms() + 3000;
	for (;;) {
		bool started;

		http_get(s.port, "/debug/pprof/goroutine?debug=1", 5000, &h);
		ck_assert_int_eq(h.status, 200);
		started = strstr(h.body, "net/http/pprof.sleep") != NULL;
		free(h.raw.p);
		if (started)
			break;
		ck_assert_msg(mono_ms() < deadline, "the first profile did not start within 3 s");
		usleep(10000);
	}
	/* --timeout 2 gives up at least 1.5 s before the first profile ends. */
	pprof_url(&p, "contended", &s, 0, false, (const char *const[]){"--timeout", "2", NULL});
	ck_assert_msg(p.r.status == 0, "a warning exits 0: exit %d; stderr:\n%s", p.r.status,
		      p.r.err.p);
	ck_assert_msg(p.r.ms >= 1000 && p.r.ms < 3500,
		      "contended run took %lld ms: it should retry until --timeout 2", p.r.ms);
	ep = check_with_verdict(p.report, "pprof-endpoint", "warn");
	f = the_finding(ep, "pprof.contended", "warn");
	ck_assert_msg(strstr(json_str(f, "message"), "already in use"), "message: %s",
		      json_str(f, "message"));
	ck_assert_uint_eq(count_code(ep, "pprof.profile_invalid"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.profile"), 0);
	the_finding(ep, "pprof.index", "info");
	the_finding(ep, "pprof.goroutines", "info");
	pp_free(&p);

	/* The other profile was not disturbed: it completes, a gzip'd profile. */
	http_recv(first, 10000, &h);
	ck_assert_msg(h.status == 200, "the first profile: HTTP %d: %.200s", h.status, h.body);
	ck_assert_msg(h.body_len > 2 && (unsigned char)h.body[0] == 0x1f &&
			      (unsigned char)h.body[1] == 0x8b,
		      "the first profile is not gzip (%zu bytes)", h.body_len);
	free(h.raw.p);
	assert_alive(&s, "the contended run");
	server_stop(&s);
}
END_TEST

/* ---- (h) a saved profile, offline ---- */

START_TEST(profile_file_offline)
{
	struct child s;
	struct http h;
	struct pp p;
	const cJSON *ep, *f;
	char *file = fresh_path("saved.pb.gz"), *cut = fresh_path("truncated.pb.gz");

	server_start(&s, SERVER, "hot");
	http_get(s.port, "/debug/pprof/profile?seconds=1", 10000, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.content_type, "application/octet-stream");
	ck_assert_msg(h.body_len > 100 && (unsigned char)h.body[0] == 0x1f &&
			      (unsigned char)h.body[1] == 0x8b,
		      "the profile is not gzip (%zu bytes)", h.body_len);
	write_file(file, h.body, h.body_len);
	write_file(cut, h.body, h.body_len / 2);
	free(h.raw.p);
	/* Offline from here. */
	server_stop(&s);

	pprof_json(&p, "file", NULL, true, (const char *const[]){"--profile", file, NULL});
	ck_assert_msg(p.r.status == 0, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "pass");
	ep = check_with_verdict(p.report, "pprof-endpoint", "pass");
	f = the_finding(ep, "pprof.profile", "info");
	ck_assert_msg(json_num(json_obj(f, "detail"), "samples") ==
				      summary_total(p.summary, "samples", "count") &&
			      json_num(json_obj(f, "detail"), "samples") >= 10,
		      "pprof.profile: %s; the summary has %g samples", show(f),
		      summary_total(p.summary, "samples", "count"));
	/* No endpoint was asked. */
	ck_assert_uint_eq(count_code(ep, "pprof.index"), 0);
	ck_assert_uint_eq(count_code(ep, "pprof.index_missing"), 0);
	assert_hot_summary(p.summary);
	assert_top_findings(ep, p.summary);
	pp_free(&p);

	/* A file that is not a whole profile is bad input: could not check (exit 3). */
	pprof_json(&p, "file-truncated", NULL, false,
		   (const char *const[]){"--profile", cut, NULL});
	ck_assert_msg(p.r.status == 3, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "error");
	ck_assert_msg(strcasestr(json_str(p.report, "error"), "truncated") &&
			      strstr(json_str(p.report, "error"), cut),
		      "the error does not name the file and say truncated: %s",
		      json_str(p.report, "error"));
	ck_assert_msg(strstr(p.r.err.p, cut) && strchr(p.r.err.p, '\n') &&
			      strchr(p.r.err.p, '\n') == strrchr(p.r.err.p, '\n'),
		      "stderr is not one line naming the file:\n%s", p.r.err.p);
	pp_free(&p);

	/* So is a file that is no profile at all. */
	pprof_json(&p, "file-passwd", NULL, false,
		   (const char *const[]){"--profile", "/etc/passwd", NULL});
	ck_assert_msg(p.r.status == 3, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	ck_assert_str_eq(json_str(p.report, "verdict"), "error");
	ck_assert_ptr_nonnull(strstr(p.r.err.p, "/etc/passwd"));
	pp_free(&p);
	free(file);
	free(cut);
}
END_TEST

/* ---- (i) usage errors ---- */

/* A usage error: exit 2, nothing on stdout, a message on stderr naming @mention. */
static void expect_usage_error(const char *const argv[], const char *mention)
{
	struct run r;
	struct buf args = {0};

	buf_add(&args, "", 0);
	for (size_t i = 1; argv[i]; i++) {
		buf_add(&args, " ", 1);
		buf_add(&args, argv[i], strlen(argv[i]));
	}
	run(&r, argv);
	ck_assert_msg(r.status == 2, "%s: exit %d, expected 2; stderr:\n%s", args.p, r.status,
		      r.err.p);
	ck_assert_msg(r.out.len == 0, "%s: stdout not empty on a usage error:\n%s", args.p,
		      r.out.p);
	ck_assert_msg(r.err.len > 0, "%s: no message on stderr", args.p);
	if (mention)
		ck_assert_msg(strstr(r.err.p, mention), "%s: stderr does not mention '%s':\n%s",
			      args.p, mention, r.err.p);
	run_free(&r);
	free(args.p);
}

START_TEST(usage_errors_are_2)
{
	/* Port 1: if an option were not checked first, the run would be a refusal (3). */
	const char *url = "http://127.0.0.1:1";

	expect_usage_error((const char *const[]){RC_BIN, "pprof", NULL}, "--url");
	expect_usage_error((const char *const[]){RC_BIN, "pprof", "--seconds", "1", NULL}, "--url");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--profile", "x.pb.gz", NULL},
		"--profile");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--seconds", "0", NULL},
		"--seconds");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--seconds", "x", NULL},
		"--seconds");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--header", "nocolon", NULL},
		"--header");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--timeout", "-1", NULL},
		"--timeout");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--format", "xml", NULL},
		"xml");
	expect_usage_error(
		(const char *const[]){RC_BIN, "pprof", "--url", url, "--no-such-option", NULL},
		"--no-such-option");
}
END_TEST

/* ---- a profile of one build against --pid of the other ---- */

START_TEST(build_id_mismatch_warns)
{
	struct child a, b;
	struct pp p;
	const cJSON *ep, *f;

	server_start(&a, SERVER, "hot");
	server_start(&b, SERVER_B, "idle");
	pprof_url(&p, "mismatch", &a, b.pid, false, NULL);
	assert_alive(&b, "the mismatch run");
	ck_assert_msg(p.r.status == 0, "a warning exits 0: exit %d; stderr:\n%s", p.r.status,
		      p.r.err.p);
	ep = check_with_verdict(p.report, "pprof-endpoint", "warn");
	f = the_finding(ep, "pprof.build_id_mismatch", "warn");
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "profile_build_id"), BUILD_ID_A);
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "exe_build_id"), BUILD_ID_B);
	ck_assert_uint_eq(count_code(ep, "pprof.build_id"), 0);
	pp_free(&p);
	server_stop(&a);
	server_stop(&b);
}
END_TEST

/* ---- suite ---- */

/* One TCase a test, each with 30 s and the kill list's teardown. */
static Suite *pprof_suite(void)
{
	Suite *s = suite_create("pprof");
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{"hot", hot_server_passes},
		{"restart", restart_continuity_passes},
		{"swap", hot_function_vanishes},
		{"idle", idle_no_samples_warns},
		{"nopprof", nopprof_index_missing_fails},
		{"refused", refused_is_3},
		{"contended", contended_warns},
		{"profile_file", profile_file_offline},
		{"usage", usage_errors_are_2},
		{"build_id_mismatch", build_id_mismatch_warns},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tcase_add_test(kill_list_tcase(s, cases[i].name, 30, kill_list_teardown),
			       cases[i].test);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr = kill_list_runner(pprof_suite());

	if (!sr)
		return 1;
	return rc_test_run(sr, NULL, 0, argc, argv);
}
