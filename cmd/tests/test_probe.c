/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `reloadcheck probe` against real running processes: the
 * targets built from testdata/probe/ (target, target_v2, gotarget, gopure)
 * are started as children of the test, their stdout piped until their ready
 * line, then probed by the built binary (RC_BIN) through fork/execve.
 *
 * After every probe the target must still be running, with no thread stopped
 * or traced (/proc/PID/task/TID/status: State not T or t, TracerPid 0): a
 * probe that leaves a production process stopped is worse than no probe.
 * Every JSON report is validated against the report schema and every saved
 * snapshot against the snapshot schema with validate_report.py.
 *
 * Targets never outlive a test: a checked teardown kills and reaps them; if a
 * test dies first (failed assertion, timeout), its targets get SIGKILL from
 * PR_SET_PDEATHSIG and, since the runner is a child subreaper, are reaped by
 * an unchecked teardown in the runner process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "rctest.h"
#include "runlib.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SNAPSHOT_SCHEMA RC_SRC "/lib/schema/snapshot-v1.schema.json"
#define TARGET RC_FIXTURES "/probe/target"
#define TARGET_V2 RC_FIXTURES "/probe/target_v2"
#define GOTARGET RC_FIXTURES "/probe/gotarget"
#define GOPURE RC_FIXTURES "/probe/gopure"

#define CANARY 0x5eed0001u
#define CANARY_ARG "rc_canary=0x5eed0001"
#define SMALL_ARG "rc_small=7"

/* How long a target may take to print its ready line. */
#define READY_TIMEOUT_MS 20000

/* ---- small helpers ---- */

/*
 * @path is an executable on the PATH (or an absolute path); NULL if not found.
 * No ck_assert here: main() calls it (need_gdb), outside any test.
 */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	dirs = strdup(path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p;

		if (asprintf(&p, "%s/%s", d, name) < 0)
			break;
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(dirs);
	return found;
}

/* @a and @b name the same file (an exe path from /proc is canonical). */
static void assert_same_file(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);

	ck_assert_msg(ra && rb && !strcmp(ra, rb), "'%s' is not '%s'", a, b);
	free(ra);
	free(rb);
}

/* ---- JSON ---- */

/*
 * An unsigned value that JSON may carry as a number or, when it does not fit
 * a double exactly, as a decimal or 0x-hex string.
 */
static uint64_t json_u64(const cJSON *obj, const char *key)
{
	const cJSON *v = json_item(obj, key);
	char *end;
	uint64_t x;

	if (cJSON_IsNumber(v)) {
		ck_assert_msg(v->valuedouble >= 0, "member '%s' is negative", key);
		return (uint64_t)v->valuedouble;
	}
	ck_assert_msg(cJSON_IsString(v), "member '%s' is missing or not a number/string", key);
	errno = 0;
	x = strtoull(v->valuestring, &end, 0);
	ck_assert_msg(!errno && end != v->valuestring && !*end,
		      "member '%s' = '%s' is not an unsigned integer", key, v->valuestring);
	return x;
}

/* ---- schema validation ---- */

/* Snapshots are not reports: the schema only, not the report's summary rules. */
static void validate_snapshot(const char *path)
{
	validate_files(SNAPSHOT_SCHEMA, true, (const char *const[]){path, NULL});
}

/* ---- targets ---- */

/* Remove the copy of RC_BIN and its directory, if a test made one. */
static void remove_tmp_bin(void)
{
	char *slash;

	if (!kill_list->tmp_bin[0])
		return;
	unlink(kill_list->tmp_bin);
	slash = strrchr(kill_list->tmp_bin, '/');
	if (slash) {
		*slash = '\0';
		rmdir(kill_list->tmp_bin);
	}
	kill_list->tmp_bin[0] = '\0';
}

/* Unchecked teardown, in the runner (a subreaper): what a dead test left behind. */
static void orphans_teardown(void)
{
	kill_list_teardown();
	remove_tmp_bin();
}

/* Start @argv as a target with its stdout piped to us. */
static void target_spawn(struct child *t, const char *const argv[])
{
	child_spawn(t, argv);
}

/* Wait for a C target's ready line: `pid P port N threads N ready[ v2]`. */
static void target_wait_ready(struct child *t, bool v2)
{
	int pid, port, threads, end = 0;

	ck_assert_msg(read_line(t->out, t->line, sizeof(t->line), READY_TIMEOUT_MS),
		      "target %d: no ready line within %d ms", (int)t->pid, READY_TIMEOUT_MS);
	ck_assert_msg(sscanf(t->line, "pid %d port %d threads %d ready%n", &pid, &port, &threads,
			     &end) == 3 &&
			      end > 0,
		      "target %d: unexpected line '%s'", (int)t->pid, t->line);
	ck_assert_int_eq(pid, t->pid);
	ck_assert_msg(!strcmp(t->line + end, v2 ? " v2" : ""), "target %d: '%s' is not the %s line",
		      (int)t->pid, t->line, v2 ? "v2" : "v1");
	ck_assert_int_gt(port, 0);
	t->port = port;
	t->threads = threads;
}

/* `TARGET N [more args]`, started and ready. */
static void target_start(struct child *t, const char *const argv[])
{
	target_spawn(t, argv);
	target_wait_ready(t, false);
}

/* A Go target, started and ready: `pid P ready`. */
static void go_target_start(struct child *t, const char *path)
{
	int pid, end = 0;

	target_spawn(t, (const char *const[]){path, NULL});
	ck_assert_msg(read_line(t->out, t->line, sizeof(t->line), READY_TIMEOUT_MS),
		      "%s: no ready line within %d ms", path, READY_TIMEOUT_MS);
	ck_assert_msg(sscanf(t->line, "pid %d ready%n", &pid, &end) == 1 && end > 0 &&
			      !t->line[end],
		      "%s: unexpected line '%s'", path, t->line);
	ck_assert_int_eq(pid, t->pid);
}

/* Kill @t and reap it. */
static void target_stop(struct child *t)
{
	child_stop(t);
}

/* The value of field @key ("State:", "TracerPid:") in the status file @path, blanks skipped. */
static bool status_field(const char *path, const char *key, char *val, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)))
			continue;
		snprintf(val, size, "%s", line + strlen(key) + strspn(line + strlen(key), " \t"));
		val[strcspn(val, "\n")] = '\0';
		found = true;
	}
	fclose(f);
	return found;
}

/* The thread ids of @pid, sorted; their number in *@n. */
static int *task_tids(pid_t pid, size_t *n)
{
	char dir[64];
	DIR *d;
	struct dirent *de;
	int *tids = NULL;
	size_t cap = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			tids = realloc(tids, cap * sizeof(*tids));
			ck_assert_ptr_nonnull(tids);
		}
		tids[(*n)++] = (int)strtol(de->d_name, NULL, 10);
	}
	closedir(d);
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			int x = tids[j];

			tids[j] = tids[j - 1];
			tids[j - 1] = x;
		}
	return tids;
}

/* The tid of @pid's thread named @name (its comm), or 0. */
static int tid_named(pid_t pid, const char *name)
{
	size_t n;
	int *tids = task_tids(pid, &n), found = 0;

	for (size_t i = 0; i < n && !found; i++) {
		char path[96], comm[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, tids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			if (!strcmp(comm, name))
				found = tids[i];
		}
		fclose(f);
	}
	free(tids);
	return found;
}

/*
 * @pid (our child) is alive, and none of its threads is stopped or traced:
 * the probe (or gdb) let go of it. @after names what just ran.
 */
static void assert_running(pid_t pid, const char *after)
{
	size_t n;
	int *tids;

	ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "target %d is gone after %s", (int)pid,
		      after);
	tids = task_tids(pid, &n);
	ck_assert_msg(n > 0, "target %d has no threads after %s", (int)pid, after);
	for (size_t i = 0; i < n; i++) {
		char path[96], state[64], tracer[64];

		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, tids[i]);
		if (!status_field(path, "State:", state, sizeof(state)))
			continue; /* the thread exited */
		ck_assert_msg(status_field(path, "TracerPid:", tracer, sizeof(tracer)), "%s", path);
		ck_assert_msg(state[0] && !strchr("TtZX", state[0]),
			      "target %d thread %d is in state '%s' after %s", (int)pid, tids[i],
			      state, after);
		ck_assert_msg(!strcmp(tracer, "0"),
			      "target %d thread %d is traced (TracerPid %s) after %s", (int)pid,
			      tids[i], tracer, after);
	}
	free(tids);
}

/* ---- running the probe ---- */

struct probe {
	struct run r;
	cJSON *report;	 /* the JSON report written with --output */
	cJSON *snapshot; /* the snapshot written with --save, or NULL */
	char *report_path, *snapshot_path;
};

/*
 * Run `probe --pid PID --format json --output RC_TMP/<name>.json
 * [--save RC_TMP/<name>.snap.json] EXTRA...` against the live target @pid;
 * check the exit status against the report, validate the report and the
 * snapshot, and check that the target is still running and untraced. The
 * status must be 0, 1 or 3 and agree with the verdict; callers check which.
 */
static void probe_json(struct probe *p, pid_t pid, const char *name, bool save,
		       const char *const extra[])
{
	const char *argv[64] = {RC_BIN, "probe", "--pid"};
	char *pid_s = pid_str(pid), *rname, *sname;
	size_t n = 3;

	*p = (struct probe){0};
	ck_assert_int_ge(asprintf(&rname, "%s.json", name), 0);
	ck_assert_int_ge(asprintf(&sname, "%s.snap.json", name), 0);
	p->report_path = fresh_path(rname);
	argv[n++] = pid_s;
	argv[n++] = "--format";
	argv[n++] = "json";
	argv[n++] = "--output";
	argv[n++] = p->report_path;
	if (save) {
		p->snapshot_path = fresh_path(sname);
		argv[n++] = "--save";
		argv[n++] = p->snapshot_path;
	}
	for (size_t i = 0; extra && extra[i]; i++) {
		ck_assert_uint_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	run(&p->r, argv);
	assert_running(pid, "the probe");
	ck_assert_msg(p->r.status == 0 || p->r.status == 1 || p->r.status == 3,
		      "probe of %d (%s): exit %d; stderr:\n%s", (int)pid, name, p->r.status,
		      p->r.err.p);
	p->report = load_run_report(&p->r, p->report_path);
	ck_assert_int_eq((int)json_num(json_obj(p->report, "inputs"), "pid"), (int)pid);
	if (save) {
		p->snapshot = load_json(p->snapshot_path);
		validate_snapshot(p->snapshot_path);
		ck_assert_str_eq(json_str(p->snapshot, "schema"), "reloadcheck/snapshot/v1");
		ck_assert_int_eq((int)json_num(p->snapshot, "pid"), (int)pid);
	}
	free(pid_s);
	free(rname);
	free(sname);
}

/* Probe @p exited @status with the overall verdict @verdict. */
static void assert_probe_result(const struct probe *p, int status, const char *verdict)
{
	ck_assert_msg(p->r.status == status, "exit %d; stderr:\n%s", p->r.status, p->r.err.p);
	ck_assert_str_eq(json_str(p->report, "verdict"), verdict);
}

static void probe_free(struct probe *p)
{
	run_free(&p->r);
	cJSON_Delete(p->report);
	cJSON_Delete(p->snapshot);
	free(p->report_path);
	free(p->snapshot_path);
	*p = (struct probe){0};
}

/* The snapshot's canary record for @symbol. */
static const cJSON *snap_canary(const cJSON *snap, const char *symbol)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_arr(snap, "canaries"))
	{
		if (!strcmp(json_str(c, "symbol"), symbol))
			return c;
	}
	ck_abort_msg("snapshot has no canary '%s'", symbol);
	return NULL;
}

/*
 * @symbol was read in exactly the threads @pid has now (one value per tid in
 * /proc/PID/task) and every value is @want.
 */
static void assert_canary_everywhere(const cJSON *snap, pid_t pid, const char *symbol,
				     uint64_t want)
{
	const cJSON *c = snap_canary(snap, symbol), *values = json_arr(c, "values"), *v;
	size_t n, seen = 0;
	int *tids = task_tids(pid, &n);

	ck_assert_msg((size_t)cJSON_GetArraySize(values) == n,
		      "%s: %d values, the process has %zu threads", symbol,
		      cJSON_GetArraySize(values), n);
	cJSON_ArrayForEach(v, values)
	{
		int tid = (int)json_num(v, "tid");
		bool known = false;

		for (size_t i = 0; i < n; i++)
			if (tids[i] == tid) {
				known = true;
				tids[i] = -1; /* each tid once */
			}
		ck_assert_msg(known, "%s: tid %d is not (or twice) a thread of %d", symbol, tid,
			      (int)pid);
		ck_assert_msg(cJSON_IsTrue(json_item(v, "ok")), "%s: tid %d not read: %s", symbol,
			      tid, show(v));
		ck_assert_msg(json_u64(v, "value") == want,
			      "%s: tid %d has %#" PRIx64 ", expected %#" PRIx64, symbol, tid,
			      json_u64(v, "value"), want);
		seen++;
	}
	ck_assert_uint_eq(seen, n);
	free(tids);
}

/* A listeners.current finding for tcp 127.0.0.1:@port. */
static bool lists_port(const cJSON *check, int port)
{
	char addr[64];
	const cJSON *f;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	for (size_t i = 0; (f = find_code(check, "listeners.current", i)) != NULL; i++) {
		const cJSON *d = json_obj(f, "detail");
		const cJSON *a = json_item(d, "address"), *proto = json_item(d, "proto");

		if (cJSON_IsString(a) && !strcmp(a->valuestring, addr) && cJSON_IsString(proto) &&
		    !strcmp(proto->valuestring, "tcp"))
			return true;
	}
	return false;
}

/* ---- (a) a healthy target passes every check ---- */

START_TEST(healthy_target_passes)
{
	struct child t;
	struct probe p;
	const cJSON *tls, *id, *sig, *lis, *f;
	struct run r;
	char *pid_s;

	target_start(&t, (const char *const[]){TARGET, "8", NULL});
	ck_assert_int_eq(t.threads, 8);
	probe_json(&p, t.pid, "healthy", true,
		   (const char *const[]){"--tls-canary", CANARY_ARG, "--tls-canary", SMALL_ARG,
					 "--expect-binary", TARGET, NULL});
	assert_probe_result(&p, 0, "pass");

	tls = check_with_verdict(p.report, "proc-tls", "pass");
	ck_assert_uint_eq(count_code(tls, "tls.canary_mismatch"), 0);
	ck_assert_uint_ge(count_code(tls, "tls.canary_ok"), 1);
	ck_assert_uint_ge(count_code(tls, "tls.method"), 1);
	ck_assert_uint_eq(count_code(tls, "tls.threads_missing"), 0);
	/* 8 workers + main, in both canaries. */
	ck_assert_uint_eq((size_t)cJSON_GetArraySize(
				  json_arr(snap_canary(p.snapshot, "rc_canary"), "values")),
			  9);
	ck_assert_uint_eq(
		(size_t)cJSON_GetArraySize(json_arr(snap_canary(p.snapshot, "rc_small"), "values")),
		9);
	assert_canary_everywhere(p.snapshot, t.pid, "rc_canary", CANARY);
	assert_canary_everywhere(p.snapshot, t.pid, "rc_small", 7);
	ck_assert_int_eq((int)json_num(snap_canary(p.snapshot, "rc_canary"), "size"), 8);
	ck_assert_int_eq((int)json_num(snap_canary(p.snapshot, "rc_small"), "size"), 4);

	id = check_with_verdict(p.report, "proc-identity", "pass");
	ck_assert_uint_eq(count_code(id, "proc.binary_match"), 1);
	ck_assert_uint_eq(count_code(id, "proc.exe"), 1);
	ck_assert_uint_eq(count_code(id, "proc.binary_mismatch"), 0);
	ck_assert_uint_eq(count_code(id, "proc.exe_deleted"), 0);
	ck_assert_uint_eq(count_code(id, "proc.exe_replaced"), 0);

	lis = check_with_verdict(p.report, "proc-listeners", "pass");
	ck_assert_msg(lists_port(lis, t.port), "no listeners.current for tcp 127.0.0.1:%d: %s",
		      t.port, show(lis));

	sig = check_with_verdict(p.report, "proc-signals", "pass");
	f = find_code(sig, "signals.current", 0);
	ck_assert_msg(f != NULL, "no signals.current: %s", codes_of(sig));
	{
		char *s = show(f);

		ck_assert_msg(strstr(s, "SIGHUP") && strstr(s, "SIGUSR2"),
			      "signals.current does not list SIGHUP and SIGUSR2: %s", s);
		free(s);
	}
	/* The snapshot's SigCgt: bit 0 SIGHUP, bit 11 SIGUSR2; and their names. */
	{
		const cJSON *sigs = json_obj(p.snapshot, "signals"), *nm;
		uint64_t caught = json_u64(sigs, "caught");
		bool hup = false, usr2 = false;

		ck_assert_msg((caught & 0x801) == 0x801,
			      "caught %#" PRIx64 " lacks SIGHUP or SIGUSR2", caught);
		cJSON_ArrayForEach(nm, json_arr(sigs, "caught_names"))
		{
			hup |= cJSON_IsString(nm) && !strcmp(nm->valuestring, "SIGHUP");
			usr2 |= cJSON_IsString(nm) && !strcmp(nm->valuestring, "SIGUSR2");
		}
		ck_assert_msg(hup && usr2, "caught_names lacks SIGHUP or SIGUSR2: %s", show(sigs));
	}
	probe_free(&p);

	/* The text report agrees: exit 0, verdict first. */
	pid_s = pid_str(t.pid);
	run(&r, (const char *const[]){RC_BIN, "probe", "--pid", pid_s, "--no-color", "--tls-canary",
				      CANARY_ARG, "--expect-binary", TARGET, NULL});
	assert_running(t.pid, "the text probe");
	ck_assert_msg(r.status == 0, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(!strncmp(r.out.p, "reloadcheck: PASS", strlen("reloadcheck: PASS")),
		      "text report does not start with the verdict:\n%s", r.out.p);
	run_free(&r);
	free(pid_s);
	target_stop(&t);
}
END_TEST

/* ---- (b) the running exe is not the expected binary ---- */

START_TEST(expect_binary_mismatch_fails)
{
	struct child t;
	struct probe p;
	const cJSON *id;

	target_start(&t, (const char *const[]){TARGET, "2", NULL});
	probe_json(&p, t.pid, "mismatch", false,
		   (const char *const[]){"--expect-binary", TARGET_V2, NULL});
	assert_probe_result(&p, 1, "fail");
	id = check_with_verdict(p.report, "proc-identity", "fail");
	ck_assert_uint_eq(count_code(id, "proc.binary_mismatch"), 1);
	ck_assert_uint_eq(count_code(id, "proc.binary_match"), 0);
	/* The other checks have nothing against this process. */
	assert_verdict(find_check(p.report, "proc-signals"), "pass");
	assert_verdict(find_check(p.report, "proc-listeners"), "pass");
	assert_verdict(find_check(p.report, "proc-tls"), "skip");
	probe_free(&p);
	target_stop(&t);
}
END_TEST

/* ---- (c) a self-reload to v2 that loses a handler and a canary ---- */

START_TEST(reload_to_v2_is_caught)
{
	struct child t;
	struct probe base, after;
	const cJSON *sig, *tls, *lis, *id, *f, *d, *name;
	int port, bad_tid;
	char *snap_copy;

	target_start(&t, (const char *const[]){TARGET, "8", TARGET_V2, NULL});
	port = t.port;
	probe_json(
		&base, t.pid, "reload-before", true,
		(const char *const[]){"--tls-canary", CANARY_ARG, "--expect-binary", TARGET, NULL});
	assert_probe_result(&base, 0, "pass");
	assert_canary_everywhere(base.snapshot, t.pid, "rc_canary", CANARY);

	ck_assert_int_eq(kill(t.pid, SIGUSR2), 0);
	target_wait_ready(&t, true);
	ck_assert_int_eq(t.port, port);
	bad_tid = tid_named(t.pid, "rc-w1");
	ck_assert_msg(bad_tid > 0, "target_v2 has no thread rc-w1");

	/* The baseline is read from a file the probe did not just write. */
	snap_copy = fresh_path("reload-baseline.json");
	{
		char *text = read_file(base.snapshot_path);
		FILE *out = fopen(snap_copy, "w");

		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(fputs(text, out) >= 0, 1);
		ck_assert_int_eq(fclose(out), 0);
		free(text);
	}
	probe_json(&after, t.pid, "reload-after", true,
		   (const char *const[]){"--baseline", snap_copy, "--expect-binary", TARGET_V2,
					 "--tls-canary", CANARY_ARG, NULL});
	assert_probe_result(&after, 1, "fail");

	sig = check_with_verdict(after.report, "proc-signals", "fail");
	ck_assert_msg(count_code(sig, "signals.handler_lost") == 1, "findings: %s", codes_of(sig));
	f = find_code(sig, "signals.handler_lost", 0);
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "signal"), "SIGHUP");
	ck_assert_msg(strstr(json_str(f, "message"), "SIGHUP"), "message: %s",
		      json_str(f, "message"));
	ck_assert_uint_eq(count_code(sig, "signals.newly_blocked"), 0);
	ck_assert_uint_eq(count_code(sig, "signals.newly_ignored"), 0);

	tls = check_with_verdict(after.report, "proc-tls", "fail");
	ck_assert_msg(count_code(tls, "tls.canary_mismatch") == 1, "findings: %s", codes_of(tls));
	f = find_code(tls, "tls.canary_mismatch", 0);
	d = json_obj(f, "detail");
	ck_assert_msg((int)json_num(d, "tid") == bad_tid, "mismatch in tid %d, rc-w1 is %d: %s",
		      (int)json_num(d, "tid"), bad_tid, show(f));
	name = json_item(d, "thread");
	if (!cJSON_IsString(name))
		name = json_item(d, "name");
	ck_assert_msg(cJSON_IsString(name) && !strcmp(name->valuestring, "rc-w1"),
		      "mismatch detail has no thread name rc-w1: %s", show(f));
	ck_assert_uint_eq(json_u64(d, "value"), 0xbad);
	ck_assert_uint_eq(json_u64(d, "expected"), CANARY);
	/* The other 8 threads are fine, the bad one is in the snapshot too. */
	{
		const cJSON *v;
		size_t good = 0, bad = 0;

		cJSON_ArrayForEach(v, json_arr(snap_canary(after.snapshot, "rc_canary"), "values"))
		{
			if ((int)json_num(v, "tid") == bad_tid) {
				ck_assert_uint_eq(json_u64(v, "value"), 0xbad);
				bad++;
			} else {
				ck_assert_uint_eq(json_u64(v, "value"), CANARY);
				good++;
			}
		}
		ck_assert_uint_eq(bad, 1);
		ck_assert_uint_eq(good, 8);
	}

	/* The snapshots agree: v2 runs, without a SIGHUP handler. */
	assert_same_file(json_str(json_obj(base.snapshot, "exe"), "path"), TARGET);
	assert_same_file(json_str(json_obj(after.snapshot, "exe"), "path"), TARGET_V2);
	ck_assert_uint_eq(json_u64(json_obj(base.snapshot, "signals"), "caught") & 0x801, 0x801);
	ck_assert_uint_eq(json_u64(json_obj(after.snapshot, "signals"), "caught") & 0x801, 0x800);

	lis = check_with_verdict(after.report, "proc-listeners", "pass");
	ck_assert_uint_eq(count_code(lis, "listeners.lost"), 0);
	ck_assert_msg(lists_port(lis, port), "listener 127.0.0.1:%d not listed: %s", port,
		      show(lis));

	id = find_check(after.report, "proc-identity");
	ck_assert_uint_eq(count_code(id, "proc.exe_changed"), 1);
	ck_assert_uint_eq(count_code(id, "proc.exe_unchanged"), 0);
	ck_assert_uint_eq(count_code(id, "proc.binary_match"), 1);
	assert_verdict(id, "pass");

	probe_free(&base);
	probe_free(&after);
	free(snap_copy);
	target_stop(&t);
}
END_TEST

/* ---- a baseline that had one more listener and one handler less ---- */

static void write_json(const char *path, const cJSON *j)
{
	char *text = cJSON_Print(j);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

START_TEST(baseline_listener_lost_handler_added)
{
	struct child t;
	struct probe base, after;
	cJSON *edited, *lis, *l, *names, *n;
	cJSON *sigs;
	char *path = fresh_path("edited-baseline.json"), caught[32];
	const cJSON *c, *f;
	uint64_t mask;

	target_start(&t, (const char *const[]){TARGET, "2", NULL});
	probe_json(&base, t.pid, "edit-base", true, NULL);
	ck_assert_int_eq(base.r.status, 0);

	/* Before: also listening on 127.0.0.1:1, and SIGUSR2 not caught. */
	edited = cJSON_Duplicate(base.snapshot, 1);
	ck_assert_ptr_nonnull(edited);
	lis = cJSON_GetObjectItemCaseSensitive(edited, "listeners");
	ck_assert(cJSON_IsArray(lis));
	l = cJSON_CreateObject();
	cJSON_AddStringToObject(l, "proto", "tcp");
	cJSON_AddStringToObject(l, "address", "127.0.0.1:1");
	cJSON_AddNumberToObject(l, "inode", 1);
	cJSON_AddNumberToObject(l, "fd", 99);
	cJSON_AddItemToArray(lis, l);
	sigs = cJSON_GetObjectItemCaseSensitive(edited, "signals");
	mask = json_u64(sigs, "caught");
	ck_assert_uint_eq(mask & 0x800, 0x800);
	snprintf(caught, sizeof(caught), "0x%016" PRIx64, mask & ~(uint64_t)0x800);
	cJSON_ReplaceItemInObjectCaseSensitive(sigs, "caught", cJSON_CreateString(caught));
	names = cJSON_GetObjectItemCaseSensitive(sigs, "caught_names");
	for (int i = cJSON_GetArraySize(names) - 1; i >= 0; i--) {
		n = cJSON_GetArrayItem(names, i);
		if (cJSON_IsString(n) && !strcmp(n->valuestring, "SIGUSR2"))
			cJSON_DeleteItemFromArray(names, i);
	}
	write_json(path, edited);
	validate_snapshot(path);

	probe_json(&after, t.pid, "edit-after", false,
		   (const char *const[]){"--baseline", path, NULL});
	ck_assert_msg(after.r.status == 1, "exit %d; stderr:\n%s", after.r.status, after.r.err.p);

	c = check_with_verdict(after.report, "proc-listeners", "fail");
	ck_assert_msg(count_code(c, "listeners.lost") == 1, "findings: %s", codes_of(c));
	f = find_code(c, "listeners.lost", 0);
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "address"), "127.0.0.1:1");
	ck_assert_uint_eq(count_code(c, "listeners.new"), 0);
	ck_assert_msg(lists_port(c, t.port), "live listener not listed: %s", show(c));

	c = check_with_verdict(after.report, "proc-signals", "pass");
	ck_assert_msg(count_code(c, "signals.handler_added") == 1, "findings: %s", codes_of(c));
	f = find_code(c, "signals.handler_added", 0);
	ck_assert_str_eq(json_str(json_obj(f, "detail"), "signal"), "SIGUSR2");
	ck_assert_uint_eq(count_code(c, "signals.handler_lost"), 0);

	/* Same process, same exe as the baseline: the reload did not happen. */
	c = find_check(after.report, "proc-identity");
	ck_assert_uint_eq(count_code(c, "proc.exe_unchanged"), 1);
	ck_assert_uint_eq(count_code(c, "proc.exe_changed"), 0);

	cJSON_Delete(edited);
	probe_free(&base);
	probe_free(&after);
	free(path);
	target_stop(&t);
}
END_TEST

/* ---- (d) a cgo program: the canary in every Go thread ---- */

START_TEST(go_cgo_every_thread)
{
	struct child t;
	struct probe p;
	size_t before = 0, now = 0;
	int tries = 0;

	go_target_start(&t, GOTARGET);
	/* Go may start a thread at any time; retry until the count held still. */
	for (;;) {
		int *tids = task_tids(t.pid, &before);

		free(tids);
		probe_json(&p, t.pid, "gocgo", true,
			   (const char *const[]){"--tls-canary", "rc_go_canary=0x600d", NULL});
		tids = task_tids(t.pid, &now);
		free(tids);
		if (before == now || ++tries == 5)
			break;
		probe_free(&p);
	}
	ck_assert_msg(before == now, "the thread count kept changing (%zu, %zu)", before, now);
	assert_probe_result(&p, 0, "pass");
	/* The Go runtime's own threads and the 4 locked ones plus main, at least. */
	ck_assert_uint_ge(now, 6);
	assert_verdict(find_check(p.report, "proc-tls"), "pass");
	assert_canary_everywhere(p.snapshot, t.pid, "rc_go_canary", 0x600d);
	probe_free(&p);
	target_stop(&t);
}
END_TEST

/* ---- (e) pure Go: no libc TLS to read ---- */

START_TEST(go_pure_tls_skips)
{
	struct child t;
	struct probe p;
	const cJSON *tls, *reason;

	go_target_start(&t, GOPURE);
	probe_json(&p, t.pid, "gopure", true,
		   (const char *const[]){"--tls-canary", CANARY_ARG, NULL});
	assert_probe_result(&p, 0, "pass");
	tls = check_with_verdict(p.report, "proc-tls", "skip");
	reason = json_item(tls, "reason");
	ck_assert_msg(cJSON_IsString(reason) && (strstr(reason->valuestring, "Go") ||
						 strstr(reason->valuestring, "libc")),
		      "skip reason does not mention Go or libc: %s", show(tls));
	ck_assert_uint_eq(count_code(tls, "tls.canary_mismatch"), 0);
	ck_assert_uint_eq(count_code(tls, "tls.canary_ok"), 0);
	ck_assert_msg(
		cJSON_IsTrue(json_item(snap_canary(p.snapshot, "rc_canary"), "not_applicable")),
		"snapshot canary is not marked not_applicable: %s",
		show(snap_canary(p.snapshot, "rc_canary")));
	probe_free(&p);
	target_stop(&t);
}
END_TEST

/* ---- a canary symbol the process does not have ---- */

START_TEST(unknown_symbol_is_an_error)
{
	struct child t;
	struct probe p;
	const cJSON *tls, *reason;

	target_start(&t, (const char *const[]){TARGET, "2", NULL});
	probe_json(&p, t.pid, "nosymbol", true,
		   (const char *const[]){"--tls-canary", "rc_no_such_canary=1", "--tls-canary",
					 CANARY_ARG, NULL});
	ck_assert_msg(p.r.status == 3, "exit %d; stderr:\n%s", p.r.status, p.r.err.p);
	tls = check_with_verdict(p.report, "proc-tls", "error");
	reason = json_item(tls, "reason");
	ck_assert_msg(cJSON_IsString(reason) && strstr(reason->valuestring, "rc_no_such_canary"),
		      "error reason does not name the symbol: %s", show(tls));
	/* The rest of the probe still ran, and the canary that exists was read. */
	assert_verdict(find_check(p.report, "proc-identity"), "pass");
	assert_verdict(find_check(p.report, "proc-signals"), "pass");
	assert_verdict(find_check(p.report, "proc-listeners"), "pass");
	assert_canary_everywhere(p.snapshot, t.pid, "rc_canary", CANARY);
	probe_free(&p);
	target_stop(&t);
}
END_TEST

/* ---- the executable swapped or deleted on disk under the running process ---- */

/* @path := a copy of @src, written beside it and renamed over it (a deploy). */
static void install_file(const char *src, const char *path)
{
	char *cmd;

	ck_assert_int_ge(
		asprintf(&cmd, "cp '%s' '%s.new' && mv -f '%s.new' '%s'", src, path, path, path),
		0);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	free(cmd);
}

START_TEST(exe_swapped_then_deleted_warns)
{
	char *dir = fresh_path("swap"), *app;
	struct child t;
	struct probe p;
	const cJSON *id, *f;

	ck_assert_msg(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir %s", dir);
	ck_assert_int_ge(asprintf(&app, "%s/app", dir), 0);
	install_file(TARGET, app);
	target_start(&t, (const char *const[]){app, "2", NULL});

	probe_json(&p, t.pid, "swap-before", false, NULL);
	id = check_with_verdict(p.report, "proc-identity", "pass");
	ck_assert_uint_eq(count_code(id, "proc.exe_replaced") + count_code(id, "proc.exe_deleted"),
			  0);
	probe_free(&p);

	/* A new build renamed over the path: the path now names a different file. */
	install_file(TARGET_V2, app);
	probe_json(&p, t.pid, "swap-replaced", true, NULL);
	ck_assert_int_eq(p.r.status, 0);
	ck_assert_str_eq(json_str(p.report, "verdict"), "warn");
	ck_assert(cJSON_IsTrue(json_item(json_obj(p.snapshot, "exe"), "replaced")));
	id = check_with_verdict(p.report, "proc-identity", "warn");
	ck_assert_msg(count_code(id, "proc.exe_replaced") == 1,
		      "a binary renamed over the running one is not proc.exe_replaced: %s",
		      show(id));
	f = find_code(id, "proc.exe_replaced", 0);
	ck_assert_msg(!strstr(json_str(f, "message"), "read nothing"), "message: %s",
		      json_str(f, "message"));
	probe_free(&p);

	/* --fail-on warn turns the warning into a fail: exit 1 and the report agree. */
	probe_json(&p, t.pid, "swap-fail-on", false,
		   (const char *const[]){"--fail-on", "warn", NULL});
	ck_assert_int_eq(p.r.status, 1);
	ck_assert_str_eq(json_str(p.report, "verdict"), "fail");
	ck_assert_str_eq(json_str(p.report, "verdict_before_policy"), "warn");
	probe_free(&p);

	/* Gone altogether. */
	ck_assert_int_eq(unlink(app), 0);
	probe_json(&p, t.pid, "swap-deleted", true, NULL);
	ck_assert_int_eq(p.r.status, 0);
	id = check_with_verdict(p.report, "proc-identity", "warn");
	ck_assert_msg(count_code(id, "proc.exe_deleted") == 1, "findings: %s", codes_of(id));
	ck_assert_uint_eq(count_code(id, "proc.exe_replaced"), 0);
	ck_assert(cJSON_IsTrue(json_item(json_obj(p.snapshot, "exe"), "deleted")));
	ck_assert(!cJSON_IsTrue(json_item(json_obj(p.snapshot, "exe"), "replaced")));
	probe_free(&p);
	target_stop(&t);
	rmdir(dir);
	free(app);
	free(dir);
}
END_TEST

/* ---- (f) a pid that no longer exists ---- */

START_TEST(missing_pid_is_3)
{
	pid_t pid = fork();
	struct run r;
	char *pid_s, *path = fresh_path("missing.json");
	cJSON *j;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	pid_s = pid_str(pid);

	run(&r, (const char *const[]){RC_BIN, "probe", "--pid", pid_s, NULL});
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(one_line(&r.err), "stderr is not one line:\n%s", r.err.p);
	ck_assert_msg(strstr(r.err.p, pid_s), "stderr does not name pid %s: %s", pid_s, r.err.p);
	ck_assert_msg(r.out.len == 0, "stdout not empty:\n%s", r.out.p);
	run_free(&r);

	/* JSON on stdout. */
	run(&r, (const char *const[]){RC_BIN, "probe", "--pid", pid_s, "--format", "json", NULL});
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(one_line(&r.err), "stderr is not one line:\n%s", r.err.p);
	ck_assert_msg(strstr(r.err.p, pid_s), "stderr does not name pid %s: %s", pid_s, r.err.p);
	j = load_error_report(path, &r.out);
	ck_assert_int_eq((int)json_num(json_obj(j, "inputs"), "pid"), (int)pid);
	/* The report says why, like stderr. */
	ck_assert_msg(strstr(json_str(j, "error"), pid_s), "error does not name pid %s: %s", pid_s,
		      json_str(j, "error"));
	cJSON_Delete(j);
	run_free(&r);

	/* And with --output. */
	run(&r, (const char *const[]){RC_BIN, "probe", "--pid", pid_s, "--format", "json",
				      "--output", path, NULL});
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_msg(r.out.len == 0, "stdout not empty with --output:\n%s", r.out.p);
	validate_report(path);
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "error");
	cJSON_Delete(j);
	run_free(&r);
	free(pid_s);
	free(path);
}
END_TEST

/* ---- (g) targets that exit while being probed ---- */

static void *reaper(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return NULL;
}

#define N_EXITING 20

START_TEST(exit_mid_probe_is_never_a_crash)
{
	char *reports[N_EXITING + 1] = {0};
	int n_reports = 0, by_status[4] = {0};

	for (int i = 0; i < N_EXITING; i++) {
		char ms[16], name[64], *pid_s, *path;
		struct child t;
		struct run r;
		pthread_t th;
		/* Even rounds: reaped as soon as it exits; odd: a zombie until after the probe. */
		bool reap_now = i % 2 == 0;

		/* 0..9 ms after the ready line, each delay with both ways of reaping. */
		snprintf(ms, sizeof(ms), "%d", i / 2 % 10);
		target_start(&t, (const char *const[]){TARGET, "50", "--exit-after-ms", ms, NULL});
		if (reap_now)
			ck_assert_int_eq(pthread_create(&th, NULL, reaper, &t.pid), 0);
		pid_s = pid_str(t.pid);
		snprintf(name, sizeof(name), "exiting-%d.json", i);
		path = fresh_path(name);
		run(&r, (const char *const[]){RC_BIN, "probe", "--pid", pid_s, "--format", "json",
					      "--output", path, "--tls-canary", CANARY_ARG,
					      "--tls-canary", SMALL_ARG, NULL});
		/* run() already failed the test on a signal. */
		ck_assert_msg(r.status == 0 || r.status == 1 || r.status == 3,
			      "round %d: exit %d; stderr:\n%s", i, r.status, r.err.p);
		by_status[r.status]++;
		if (r.status == 3)
			ck_assert_msg(strstr(r.err.p, "exited") ||
					      strstr(r.err.p, "does not exist") ||
					      strstr(r.err.p, "no such process") ||
					      strstr(r.err.p, "No such process"),
				      "round %d: exit 3 but stderr does not say the process "
				      "exited:\n%s",
				      i, r.err.p);
		if (access(path, F_OK) == 0)
			reports[n_reports++] = path;
		else
			free(path);
		run_free(&r);
		if (reap_now) {
			ck_assert_int_eq(pthread_join(th, NULL), 0);
		} else {
			while (waitpid(t.pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		kill_list_forget(t.pid);
		close(t.out);
		free(pid_s);
	}
	/* Every report written is a whole, valid report. */
	ck_assert_int_eq(n_reports, N_EXITING);
	validate_reports((const char *const *)reports);
	for (int i = 0; i < n_reports; i++) {
		cJSON *j = load_json(reports[i]);
		int code = (int)json_num(j, "exit_code");

		if (code == 3) {
			const char *e = json_str(j, "error");

			ck_assert_str_eq(json_str(j, "verdict"), "error");
			ck_assert_msg(strstr(e, "exited") || strstr(e, "does not exist"),
				      "%s: error does not say the process exited: %s", reports[i],
				      e);
		}
		cJSON_Delete(j);
		free(reports[i]);
	}
	fprintf(stderr, "exit_mid_probe: %d rounds: exit 0 x%d, 1 x%d, 3 x%d\n", N_EXITING,
		by_status[0], by_status[1], by_status[3]);
}
END_TEST

/* ---- (h) a process the user may not trace ---- */

START_TEST(permission_denied_is_3)
{
	char dir[] = "/tmp/rcprobe.XXXXXX", *bin, *setpriv, *pid_s;
	struct child t;
	struct run r;
	cJSON *j;
	char *text, *cp;

	setpriv = find_program("setpriv");
	ck_assert_ptr_nonnull(setpriv);
	/* A copy that nobody (65534) can execute, wherever the build tree is. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_ge(asprintf(&bin, "%s/reloadcheck", dir), 0);
	ck_assert_uint_lt(strlen(bin), sizeof(kill_list->tmp_bin));
	/* Removed by the runner even if this test dies. */
	snprintf(kill_list->tmp_bin, sizeof(kill_list->tmp_bin), "%s", bin);
	ck_assert_int_ge(asprintf(&cp, "cp %s %s && chmod 755 %s", RC_BIN, bin, bin), 0);
	ck_assert_int_eq(system(cp), 0);

	target_start(&t, (const char *const[]){TARGET, "2", NULL});
	pid_s = pid_str(t.pid);
	run(&r,
	    (const char *const[]){setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin,
				  "probe", "--pid", pid_s, "--tls-canary", CANARY_ARG, NULL});
	assert_running(t.pid, "the unprivileged probe");
	ck_assert_msg(r.status == 3, "exit %d; stdout:\n%s\nstderr:\n%s", r.status, r.out.p,
		      r.err.p);
	ck_assert_msg(one_line(&r.err), "stderr is not one line:\n%s", r.err.p);
	ck_assert_msg(strstr(r.err.p, pid_s), "stderr does not name pid %s: %s", pid_s, r.err.p);
	ck_assert_msg(strcasestr(r.err.p, "permission"), "stderr does not say permission: %s",
		      r.err.p);
	ck_assert_msg(strstr(r.err.p, "CAP_SYS_PTRACE") || strcasestr(r.err.p, "same user"),
		      "stderr names no remedy (CAP_SYS_PTRACE, same user): %s", r.err.p);
	run_free(&r);

	run(&r, (const char *const[]){setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
				      bin, "probe", "--pid", pid_s, "--format", "json", NULL});
	assert_running(t.pid, "the unprivileged JSON probe");
	ck_assert_msg(r.status == 3, "exit %d; stderr:\n%s", r.status, r.err.p);
	text = fresh_path("denied.json");
	j = load_error_report(text, &r.out);
	ck_assert_msg(strcasestr(json_str(j, "error"), "permission"),
		      "error does not say permission: %s", json_str(j, "error"));
	cJSON_Delete(j);
	run_free(&r);

	remove_tmp_bin();
	free(text);
	free(cp);
	free(bin);
	free(setpriv);
	free(pid_s);
	target_stop(&t);
}
END_TEST

/* ---- (i) usage errors ---- */

/* A usage error: exit 2, nothing on stdout, a message on stderr. */
static void expect_usage_error(const char *const argv[], const char *mention, pid_t target)
{
	struct run r;

	run(&r, argv);
	if (target > 0)
		assert_running(target, "a usage error");
	assert_usage_error(&r, argv, mention);
}

START_TEST(usage_errors_are_2)
{
	struct child t;
	char *p;

	target_start(&t, (const char *const[]){TARGET, "1", NULL});
	p = pid_str(t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", NULL}, "--pid", t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--tls-canary", CANARY_ARG, NULL},
			   "--pid", t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", "abc", NULL}, "abc",
			   t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", "12x", NULL}, "12x",
			   t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", "", NULL}, NULL, t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", p, "--tls-canary",
						 "nonsense", NULL},
			   "nonsense", t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--tls-canary", "x=0xZZ", NULL},
		"0xZZ", t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--tls-canary", "=7", NULL},
		NULL, t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--tls-canary", "x=", NULL},
		NULL, t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", p, "--tls-canary",
						 "x=0x10000000000000000", NULL},
			   NULL, t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--format", "xml", NULL}, "xml",
		t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--fail-on", "bogus", NULL},
		"bogus", t.pid);
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--no-such-option", NULL},
		"--no-such-option", t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", NULL}, "--pid", t.pid);
	/* diff's options are not probe's; the message names the option, not its argument. */
	expect_usage_error(
		(const char *const[]){RC_BIN, "probe", "--pid", p, "--sysroot", "/", NULL},
		"--sysroot", t.pid);
	expect_usage_error((const char *const[]){RC_BIN, "probe", "--pid", p, "extra", NULL},
			   "extra", t.pid);
	free(p);
	target_stop(&t);
}
END_TEST

/* ---- (j) the probe and gdb read the same values ---- */

/*
 * Parse `thread apply all print/x rc_canary` output: "Thread N (... (LWP TID)
 * ...):" followed by "$K = 0xV". Fills @tids/@vals (up to @max); returns the count.
 */
static size_t parse_gdb(const char *out, int *tids, uint64_t *vals, size_t max)
{
	size_t n = 0;
	int tid = 0;

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *lwp = strstr(p, "(LWP ");
		const char *eol = strchr(p, '\n');
		unsigned long long v;
		int k;

		if (!strncmp(p, "Thread ", 7) && lwp && (!eol || lwp < eol)) {
			tid = (int)strtol(lwp + 5, NULL, 10);
			continue;
		}
		if (tid && sscanf(p, "$%d = %llx", &k, &v) == 2) {
			ck_assert_uint_lt(n, max);
			tids[n] = tid;
			vals[n] = v;
			n++;
			tid = 0;
		}
	}
	return n;
}

/*
 * Round 0: `target 4`, rc_canary 0x5eed0001 everywhere. Round 1: `target_v2 4`
 * started directly, where thread rc-w1 holds 0xbad: per-tid values differ, so
 * a probe that mixed up threads would disagree with gdb.
 */
START_TEST(gdb_agrees_with_probe)
{
	const char *exe = _i ? TARGET_V2 : TARGET;
	struct child t;
	struct probe p;
	struct run r;
	char *gdb = find_program("gdb"), *pid_s;
	int tids[64], bad_tid = 0;
	uint64_t vals[64];
	size_t n, n_bad = 0;
	const cJSON *values, *v;

	ck_assert_ptr_nonnull(gdb);
	target_spawn(&t, (const char *const[]){exe, "4", NULL});
	target_wait_ready(&t, _i == 1);
	if (_i) {
		bad_tid = tid_named(t.pid, "rc-w1");
		ck_assert_int_gt(bad_tid, 0);
	}
	probe_json(&p, t.pid, _i ? "gdb-v2" : "gdb", true,
		   (const char *const[]){"--tls-canary", CANARY_ARG, NULL});
	ck_assert_msg(p.r.status == (_i ? 1 : 0), "exit %d; stderr:\n%s", p.r.status, p.r.err.p);

	pid_s = pid_str(t.pid);
	run(&r,
	    (const char *const[]){gdb, "-nx", "-batch", "-iex", "set debuginfod enabled off", "-p",
				  pid_s, "-ex", "thread apply all print/x rc_canary", NULL});
	ck_assert_msg(r.status == 0, "gdb exit %d:\n%s%s", r.status, r.out.p, r.err.p);
	assert_running(t.pid, "gdb");
	n = parse_gdb(r.out.p, tids, vals, 64);
	ck_assert_msg(n == 5, "gdb printed %zu values, expected 5:\n%s", n, r.out.p);

	values = json_arr(snap_canary(p.snapshot, "rc_canary"), "values");
	ck_assert_int_eq(cJSON_GetArraySize(values), 5);
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		ck_assert_uint_eq(vals[i], tids[i] == bad_tid ? 0xbad : CANARY);
		n_bad += vals[i] == 0xbad;
		cJSON_ArrayForEach(v, values)
		{
			if ((int)json_num(v, "tid") != tids[i])
				continue;
			ck_assert_msg(json_u64(v, "value") == vals[i],
				      "tid %d: probe %#" PRIx64 ", gdb %#" PRIx64, tids[i],
				      json_u64(v, "value"), vals[i]);
			found = true;
		}
		ck_assert_msg(found, "gdb's LWP %d is not in the probe's snapshot", tids[i]);
	}
	ck_assert_uint_eq(n_bad, _i ? 1 : 0);
	/* The target still answers after gdb: probe it again. */
	probe_free(&p);
	probe_json(&p, t.pid, _i ? "gdb-v2-after" : "gdb-after", false,
		   (const char *const[]){"--tls-canary", CANARY_ARG, NULL});
	ck_assert_int_eq(p.r.status, _i ? 1 : 0);
	probe_free(&p);
	run_free(&r);
	free(pid_s);
	free(gdb);
	target_stop(&t);
}
END_TEST

/* ---- suite ---- */

static TCase *tcase(Suite *s, const char *name, int timeout)
{
	return kill_list_tcase(s, name, timeout, orphans_teardown);
}

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc;

	tcase_add_test(tcase(s, "healthy", 60), healthy_target_passes);
	tcase_add_test(tcase(s, "binary_mismatch", 60), expect_binary_mismatch_fails);
	tcase_add_test(tcase(s, "reload_v2", 60), reload_to_v2_is_caught);
	tcase_add_test(tcase(s, "baseline_edits", 60), baseline_listener_lost_handler_added);
	tcase_add_test(tcase(s, "go_cgo", 60), go_cgo_every_thread);
	tcase_add_test(tcase(s, "go_pure", 60), go_pure_tls_skips);
	tcase_add_test(tcase(s, "unknown_symbol", 60), unknown_symbol_is_an_error);
	tcase_add_test(tcase(s, "exe_swapped", 60), exe_swapped_then_deleted_warns);
	tcase_add_test(tcase(s, "missing_pid", 60), missing_pid_is_3);
	tcase_add_test(tcase(s, "exit_mid_probe", 120), exit_mid_probe_is_never_a_crash);
	tc = tcase(s, "permission_denied", 60);
	tcase_set_tags(tc, "root-setpriv");
	tcase_add_test(tc, permission_denied_is_3);
	tcase_add_test(tcase(s, "usage_errors", 60), usage_errors_are_2);
	tc = tcase(s, "gdb_cross_check", 60);
	tcase_set_tags(tc, "gdb");
	tcase_add_loop_test(tc, gdb_agrees_with_probe, 0, 2);
	return s;
}

/* Running the probe as nobody takes root, and setpriv to drop to nobody. */
static const char *need_root_setpriv(void)
{
	const char *why = rc_test_need_root();
	char *setpriv;

	if (why)
		return why;
	setpriv = find_program("setpriv");
	why = setpriv ? NULL : "setpriv (util-linux) not found on PATH";
	free(setpriv);
	return why;
}

static const char *need_gdb(void)
{
	char *gdb = find_program("gdb");
	const char *why = gdb ? NULL : "gdb not found on PATH";

	free(gdb);
	return why;
}

static const struct rc_test_need needs[] = {
	{"root-setpriv", need_root_setpriv},
	{"gdb", need_gdb},
};

int main(int argc, char **argv)
{
	SRunner *sr = kill_list_runner(probe_suite());

	if (!sr)
		return 1;
	return rc_test_run(sr, needs, sizeof(needs) / sizeof(needs[0]), argc, argv);
}
