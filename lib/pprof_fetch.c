/* SPDX-License-Identifier: MIT */
/*
 * Pulling a Go pprof endpoint: the index, the goroutine text and a CPU profile,
 * each outcome recorded for the checks rather than returned as an error, since
 * a broken endpoint is a finding, not a failure to run.
 *
 * Only one CPU profile can run in a Go process at a time; a second request
 * gets HTTP 500 "cpu profiling already in use". That is contention (another
 * collector is sampling), so it is retried with back-off until the deadline
 * and reported as such, never as a broken endpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/http.h>
#include <reloadcheck/pprof.h>

#include "procfs.h"

#define DEFAULT_SECONDS 5
#define AUX_TIMEOUT_S 10.0		    /* index and goroutine requests */
#define MAX_PROFILE_FILE ((size_t)64 << 20) /* compressed, as the HTTP cap */
#define CONTENTION_TEXT "cpu profiling already in use"
#define BACKOFF_FIRST_S 0.5
#define BACKOFF_MAX_S 5.0
#define EXCERPT_MAX 200

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s};

	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The first line of a body, at most EXCERPT_MAX bytes, control bytes as '?'. */
static void excerpt(const unsigned char *body, size_t len, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < EXCERPT_MAX && n + 1 < size; i++) {
		unsigned char c = body[i];

		if (c == '\n' || c == '\r')
			break;
		buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

/* "HTTP 404" or "HTTP 404: first line of the body". */
static void status_error(const struct rc_http_response *r, const char *hint, char *buf, size_t size)
{
	char text[EXCERPT_MAX + 1];

	excerpt(r->body, r->body_len, text, sizeof(text));
	if (hint)
		snprintf(buf, size, "HTTP %ld: %s", r->status, hint);
	else if (text[0])
		snprintf(buf, size, "HTTP %ld: %s", r->status, text);
	else
		snprintf(buf, size, "HTTP %ld", r->status);
}

/* True when the content type's media type (before any ';') is @want. */
static bool media_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void content_type_error(const char *ct, const char *want, char *buf, size_t size)
{
	if (ct[0])
		snprintf(buf, size, "content type '%s', expected %s", ct, want);
	else
		snprintf(buf, size, "no content type, expected %s", want);
}

static void record_response(struct rc_pprof_request *q, const struct rc_http_response *r)
{
	q->transport_ok = true;
	q->status = r->status;
	snprintf(q->content_type, sizeof(q->content_type), "%s", r->content_type);
	q->elapsed_s = r->elapsed_s;
}

/*
 * Normalise @base_url into @buf: no trailing '/', no "/debug/pprof" suffix.
 * Only http(s) URLs without query or fragment are accepted.
 */
static int normalise_base(const char *base_url, char *buf, size_t size, struct rc_err *err)
{
	static const char suffix[] = "/debug/pprof";
	const char *host;
	size_t len;

	if (!base_url || !base_url[0])
		return rc_err_set(err, -RC_EINVAL, "pprof: no endpoint URL given");
	if (strncasecmp(base_url, "http://", 7) == 0)
		host = base_url + 7;
	else if (strncasecmp(base_url, "https://", 8) == 0)
		host = base_url + 8;
	else
		return rc_err_set(err, -RC_EINVAL, "'%s': not an http:// or https:// URL",
				  base_url);
	if (!host[0] || host[0] == '/')
		return rc_err_set(err, -RC_EINVAL, "'%s': URL has no host", base_url);
	if (strpbrk(base_url, "?# \t\r\n"))
		return rc_err_set(err, -RC_EINVAL,
				  "'%s': base URL has a query, fragment or blank; give "
				  "scheme://host:port",
				  base_url);
	len = strlen(base_url);
	/* Room for the longest path appended, "/debug/pprof/profile?seconds=" and digits. */
	if (len + 48 >= size)
		return rc_err_set(err, -RC_EINVAL, "'%.64s...': URL too long", base_url);
	memcpy(buf, base_url, len + 1);
	while (len > 0 && buf[len - 1] == '/')
		buf[--len] = '\0';
	if (len >= sizeof(suffix) - 1 &&
	    strcasecmp(buf + len - (sizeof(suffix) - 1), suffix) == 0) {
		len -= sizeof(suffix) - 1;
		buf[len] = '\0';
		while (len > 0 && buf[len - 1] == '/')
			buf[--len] = '\0';
	}
	if ((size_t)(host - base_url) >= len)
		return rc_err_set(err, -RC_EINVAL, "'%s': URL has no host", base_url);
	return 0;
}

/* utime + stime of @pid in seconds: 0 or -1. */
static int read_cpu_seconds(int pid, double *out)
{
	struct rci_stat st;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0 || rci_read_stat(pid, 0, &st, NULL) < 0)
		return -1;
	*out = (double)(st.utime + st.stime) / (double)hz;
	return 0;
}

/* GNU build-id of /proc/PID/exe as hex into @buf; left "" on any failure. */
static void read_exe_build_id(int pid, char *buf, size_t size)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	rc_elf_build_id_of_path(path, buf, size, NULL);
}

static void init_fetch(struct rc_pprof_fetch *out)
{
	memset(out, 0, sizeof(*out));
	out->summary.goroutines = -1;
}

static void fill_http_opts(const struct rc_pprof_fetch_opts *o, double timeout_s,
			   struct rc_http_opts *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->timeout_ms = (long)(timeout_s * 1000.0);
	if (h->timeout_ms < 1)
		h->timeout_ms = 1;
	for (i = 0; i < o->n_headers && i < RC_HTTP_MAX_HEADERS; i++)
		h->headers[i] = o->headers[i];
	h->n_headers = i;
	h->cacert = o->cacert;
	h->insecure = o->insecure;
}

/*
 * One GET of @url for request @q into @r, bodies up to @max_body (0: the
 * default); false, with q->error set, when nothing came back.
 */
static bool get_once(const char *url, const struct rc_pprof_fetch_opts *o, double timeout_s,
		     size_t max_body, struct rc_pprof_request *q, struct rc_http_response *r)
{
	struct rc_http_opts ho;
	struct rc_err e = {0};

	fill_http_opts(o, timeout_s, &ho);
	ho.max_body = max_body;
	q->attempted = true;
	if (rc_http_get(url, &ho, r, &e) < 0) {
		snprintf(q->error, sizeof(q->error), "%s", e.msg);
		return false;
	}
	record_response(q, r);
	return true;
}

static void fetch_index(const char *base, const struct rc_pprof_fetch_opts *o, double timeout_s,
			struct rc_pprof_request *q)
{
	struct rc_http_response r = {0};
	char url[640];

	snprintf(url, sizeof(url), "%s/debug/pprof/", base);
	if (!get_once(url, o, timeout_s, (size_t)1 << 20, q, &r))
		return;
	if (r.status == 404)
		status_error(&r, "the net/http/pprof handler is not registered", q->error,
			     sizeof(q->error));
	else if (r.status != 200)
		status_error(&r, NULL, q->error, sizeof(q->error));
	else if (!media_type_is(r.content_type, "text/html"))
		content_type_error(r.content_type, "text/html", q->error, sizeof(q->error));
	rc_http_response_release(&r);
}

static void fetch_goroutines(const char *base, const struct rc_pprof_fetch_opts *o,
			     double timeout_s, struct rc_pprof_fetch *out)
{
	struct rc_pprof_request *q = &out->goroutine;
	struct rc_http_response r = {0};
	struct rc_err e = {0};
	char url[640];

	snprintf(url, sizeof(url), "%s/debug/pprof/goroutine?debug=1", base);
	if (!get_once(url, o, timeout_s, 0, q, &r))
		return;
	if (r.status != 200)
		status_error(&r, NULL, q->error, sizeof(q->error));
	else if (rc_pprof_parse_goroutines((const char *)r.body, r.body_len, url, &out->summary,
					   &e) < 0)
		snprintf(q->error, sizeof(q->error), "%s", e.msg);
	rc_http_response_release(&r);
}

/* Decode @data into out->summary, keeping the goroutine fields parsed before. */
static void decode_into(const unsigned char *data, size_t len, const struct rc_pprof_limits *lim,
			const char *what, struct rc_pprof_fetch *out)
{
	struct rc_pprof_summary *tmp = malloc(sizeof(*tmp));
	struct rc_err e = {0};

	if (!tmp) {
		snprintf(out->profile.error, sizeof(out->profile.error),
			 "'%s': out of memory decoding the profile", what);
		return;
	}
	memset(tmp, 0, sizeof(*tmp));
	if (rc_pprof_decode(data, len, lim, what, tmp, &e) < 0) {
		snprintf(out->profile.error, sizeof(out->profile.error), "%s", e.msg);
	} else {
		tmp->goroutines = out->summary.goroutines;
		memcpy(tmp->top_goroutine_stack, out->summary.top_goroutine_stack,
		       sizeof(tmp->top_goroutine_stack));
		out->summary = *tmp;
		out->profile_ok = true;
	}
	free(tmp);
}

/*
 * Progress: "cpu profile" with the time into the current attempt out of the
 * requested length; while waiting out contention, PROGRESS_BUSY with the time
 * since the first attempt out of the whole timeout.
 */
#define PROGRESS_PROFILE "cpu profile"
#define PROGRESS_BUSY "cpu profile: busy elsewhere, retrying"

struct profile_progress {
	const struct rc_pprof_fetch_opts *o;
	double total_s;
};

static void profile_progress(void *arg, double elapsed_s, size_t received)
{
	struct profile_progress *p = arg;

	p->o->progress(p->o->progress_arg, PROGRESS_PROFILE, elapsed_s, p->total_s);
}

static bool is_contention(const struct rc_http_response *r)
{
	return r->status == 500 &&
	       memmem(r->body, r->body_len, CONTENTION_TEXT, sizeof(CONTENTION_TEXT) - 1);
}

static void fetch_profile(const char *base, const struct rc_pprof_fetch_opts *o, int seconds,
			  double timeout_s, struct rc_pprof_fetch *out)
{
	struct rc_pprof_request *q = &out->profile;
	struct profile_progress pp = {.o = o, .total_s = seconds};
	struct rc_http_opts ho;
	struct rc_http_response r = {0};
	struct rc_err e = {0};
	double t0 = now_s(), deadline = t0 + timeout_s, backoff = BACKOFF_FIRST_S;
	double cpu0 = 0, cpu1 = 0;
	bool cpu_ok = false;
	char url[640];

	snprintf(url, sizeof(url), "%s/debug/pprof/profile?seconds=%d", base, seconds);
	fill_http_opts(o, timeout_s, &ho);
	if (o->progress) {
		ho.progress = profile_progress;
		ho.progress_arg = &pp;
	}
	q->attempted = true;
	for (;;) {
		double left = deadline - now_s(), slack;
		int rc;

		ho.timeout_ms = (long)(left * 1000.0);
		if (ho.timeout_ms < 1)
			ho.timeout_ms = 1;
		cpu_ok = o->pid > 0 && read_cpu_seconds(o->pid, &cpu0) == 0;
		rc = rc_http_get(url, &ho, &r, &e);
		cpu_ok = cpu_ok && read_cpu_seconds(o->pid, &cpu1) == 0;
		if (rc < 0) {
			snprintf(q->error, sizeof(q->error), "%s", e.msg);
			q->transport_ok = false;
			q->status = 0;
			q->content_type[0] = '\0';
			break;
		}
		record_response(q, &r);
		if (!is_contention(&r))
			break;
		/*
		 * Another profile is running. Wait, but only while a retry can
		 * still finish its @seconds of sampling before the deadline.
		 */
		slack = deadline - now_s() - seconds;
		if (slack <= 0.05) {
			out->contended = true;
			status_error(&r, NULL, q->error, sizeof(q->error));
			break;
		}
		rc_http_response_release(&r);
		if (o->progress)
			o->progress(o->progress_arg, PROGRESS_BUSY, now_s() - t0, timeout_s);
		sleep_s(backoff < slack ? backoff : slack);
		backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : backoff * 2;
		out->contention_retries++;
	}
	q->elapsed_s = now_s() - t0; /* back-off included */
	if (cpu_ok) {
		out->have_cpu = true;
		out->cpu_seconds = cpu1 - cpu0;
	}
	if (!q->transport_ok || out->contended)
		goto out;
	if (r.status != 200)
		status_error(&r, NULL, q->error, sizeof(q->error));
	else if (!media_type_is(r.content_type, "application/octet-stream"))
		content_type_error(r.content_type, "application/octet-stream", q->error,
				   sizeof(q->error));
	else
		decode_into(r.body, r.body_len, &o->limits, url, out);
out:
	rc_http_response_release(&r);
}

int rc_pprof_fetch(const char *base_url, const struct rc_pprof_fetch_opts *opts,
		   struct rc_pprof_fetch *out, struct rc_err *err)
{
	static const struct rc_pprof_fetch_opts defaults;
	const struct rc_pprof_fetch_opts *o = opts ? opts : &defaults;
	char base[sizeof(out->url)];
	double timeout_s, aux_timeout_s;
	int seconds, ret;

	if (!out)
		return rc_err_set(err, -RC_EINVAL, "pprof: no result given");
	init_fetch(out);
	ret = normalise_base(base_url, base, sizeof(base), err);
	if (ret < 0)
		return ret;
	if (o->seconds < 0)
		return rc_err_set(err, -RC_EINVAL, "'%s': profile length %d s is negative", base,
				  o->seconds);
	if (o->timeout_s < 0)
		return rc_err_set(err, -RC_EINVAL, "'%s': timeout %.1f s is negative", base,
				  o->timeout_s);
	if (o->n_headers > RC_HTTP_MAX_HEADERS)
		return rc_err_set(err, -RC_EINVAL, "'%s': more than %d request headers", base,
				  RC_HTTP_MAX_HEADERS);
	seconds = o->seconds ? o->seconds : DEFAULT_SECONDS;
	timeout_s = o->timeout_s > 0 ? o->timeout_s : seconds * 1.5 + 5;
	aux_timeout_s = timeout_s < AUX_TIMEOUT_S ? timeout_s : AUX_TIMEOUT_S;
	snprintf(out->url, sizeof(out->url), "%s", base);
	out->seconds = seconds;

	if (o->pid > 0)
		read_exe_build_id(o->pid, out->exe_build_id, sizeof(out->exe_build_id));
	fetch_index(base, o, aux_timeout_s, &out->index);
	/*
	 * Nothing answered at all (refused, unresolvable, TLS, timeout): the
	 * other endpoints would fail the same way, the profile only after its
	 * whole timeout. Leave them unattempted.
	 */
	if (!out->index.transport_ok)
		return 0;
	fetch_goroutines(base, o, aux_timeout_s, out);
	fetch_profile(base, o, seconds, timeout_s, out);
	return 0;
}

int rc_pprof_fetch_file(const char *path, const struct rc_pprof_fetch_opts *opts,
			struct rc_pprof_fetch *out, struct rc_err *err)
{
	static const struct rc_pprof_fetch_opts defaults;
	const struct rc_pprof_fetch_opts *o = opts ? opts : &defaults;
	struct rc_pprof_request *q;
	const unsigned char *data = (const unsigned char *)"";
	void *map = MAP_FAILED;
	struct rc_err e = {0};
	struct stat st;
	int fd = -1, ret = 0;

	if (!out)
		return rc_err_set(err, -RC_EINVAL, "pprof: no result given");
	init_fetch(out);
	if (!path || !path[0])
		return rc_err_set(err, -RC_EINVAL, "pprof: no profile file given");
	q = &out->profile;
	snprintf(out->url, sizeof(out->url), "%s", path);
	out->from_file = true;
	q->attempted = true;
	if (o->pid > 0)
		read_exe_build_id(o->pid, out->exe_build_id, sizeof(out->exe_build_id));

	/*
	 * The file is the caller's input: one that cannot be read, or does not
	 * decode as a profile, is an error (could not check), not a verdict on an
	 * endpoint.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = rc_err_set(&e, errno == EACCES ? -RC_EACCES : -RC_EIO,
				 "'%s': cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = rc_err_set(&e, -RC_EIO, "'%s': cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = rc_err_set(&e, -RC_EIO, "'%s': not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > MAX_PROFILE_FILE) {
		ret = rc_err_set(&e, -RC_EFORMAT, "'%s': profile larger than %zu MiB", path,
				 MAX_PROFILE_FILE >> 20);
		goto out;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = rc_err_set(&e, -RC_EIO, "'%s': cannot map: %s", path,
					 strerror(errno));
			goto out;
		}
		data = map;
	}
	q->transport_ok = true;
	decode_into(data, (size_t)st.st_size, &o->limits, path, out);
	if (!out->profile_ok)
		ret = rc_err_set(&e, -RC_EFORMAT, "%s", q->error);
out:
	if (ret < 0) {
		snprintf(q->error, sizeof(q->error), "%s", e.msg);
		if (err)
			*err = e;
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	return ret;
}

bool rc_pprof_cpu_profile_in_flight(const char *base_url, const struct rc_pprof_fetch_opts *opts)
{
	struct rc_http_opts ho;
	struct rc_http_response resp = {0};
	char base[512], url[600];
	bool busy = false;

	if (normalise_base(base_url, base, sizeof(base), NULL) != 0)
		return false;
	snprintf(url, sizeof(url), "%s/debug/pprof/goroutine?debug=2", base);
	fill_http_opts(opts, 5.0, &ho);
	if (rc_http_get(url, &ho, &resp, NULL) == 0 && resp.status == 200 && resp.body)
		busy = strstr((const char *)resp.body, "runtime/pprof.profileWriter") ||
		       strstr((const char *)resp.body, "net/http/pprof.Profile");
	rc_http_response_release(&resp);
	return busy;
}
