/* SPDX-License-Identifier: MIT */
/*
 * The report model. Findings, details and metrics live in an arena owned by the
 * report (lib/arena.c, over 64 KiB blocks), so a check that records tens of
 * thousands of findings makes a few dozen allocations, not one per field.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>
#include <reloadcheck/report.h>

#include "arena.h"
#include "json.h"

#define ARENA_BLOCK (64 * 1024)

struct hint {
	struct hint *next;
	const char *code, *text;
};

struct rc_check_result {
	struct rc_report *report;
	const char *id;
	enum rc_verdict verdict;	       /* policy applied */
	enum rc_verdict verdict_before_policy; /* the first rc_result_finish's */
	enum rc_verdict fail_on;	       /* RC_VERDICT_FAIL, or RC_VERDICT_WARN */
	bool finished;			       /* rc_result_finish ran once */
	bool decided;			       /* skip or error set explicitly */
	const char *reason;
	uint64_t duration_ms;
	struct rc_metric *metrics, *metrics_tail;
	struct hint *hints;
	struct rc_finding *findings, *findings_tail;
	size_t counts[3];
	size_t suppressed;
};

struct input {
	bool set;
	const char *role;
	const char *path;
	uint64_t size;
	const char *build_id;
};

struct rc_report {
	struct rci_arena arena;
	struct rc_check_result **checks;
	size_t n_checks, cap_checks;
	struct input inputs[2];
	long pid;
	const char *pprof_url;
	const char *tool_version;
	uint64_t duration_ms;
	uint64_t start_ms; /* CLOCK_MONOTONIC at rc_report_new */
	bool clock_stopped;
	int64_t created;
	const char *error;
	bool have_reload;
	struct rc_report_reload reload;
};

const char *rc_verdict_name(enum rc_verdict v)
{
	switch (v) {
	case RC_VERDICT_PASS:
		return "pass";
	case RC_VERDICT_SKIP:
		return "skip";
	case RC_VERDICT_WARN:
		return "warn";
	case RC_VERDICT_FAIL:
		return "fail";
	case RC_VERDICT_ERROR:
		return "error";
	}
	return "error";
}

const char *rc_severity_name(enum rc_severity s)
{
	switch (s) {
	case RC_SEV_INFO:
		return "info";
	case RC_SEV_WARN:
		return "warn";
	case RC_SEV_FAIL:
		return "fail";
	}
	return "fail";
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct rc_report *rc_report_new(void)
{
	struct rc_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	rci_arena_init(&r->arena, ARENA_BLOCK, ARENA_BLOCK);
	r->pid = -1;
	r->created = (int64_t)time(NULL);
	r->start_ms = monotonic_ms();
	r->tool_version = "unknown";
	return r;
}

void rc_report_free(struct rc_report *r)
{
	if (!r)
		return;
	rci_arena_release(&r->arena);
	free(r->checks);
	free(r);
}

static const char *dup_or_null(struct rci_arena *a, const char *s)
{
	return s ? rci_arena_strndup(a, s, strlen(s)) : NULL;
}

void rc_report_set_input(struct rc_report *r, const char *role, const char *path, uint64_t size,
			 const char *build_id_hex)
{
	struct input *in = &r->inputs[strcmp(role, "old") == 0 ? 0 : 1];

	in->set = true;
	in->role = in == &r->inputs[0] ? "old" : "new";
	in->path = dup_or_null(&r->arena, path);
	in->size = size;
	in->build_id = dup_or_null(&r->arena, build_id_hex);
}

void rc_report_set_pid(struct rc_report *r, long pid)
{
	r->pid = pid;
}

void rc_report_set_pprof_url(struct rc_report *r, const char *url)
{
	r->pprof_url = dup_or_null(&r->arena, url);
}

void rc_report_set_tool_version(struct rc_report *r, const char *version)
{
	r->tool_version = dup_or_null(&r->arena, version);
}

void rc_report_set_duration_ms(struct rc_report *r, uint64_t ms)
{
	r->duration_ms = ms;
	r->clock_stopped = true;
}

void rc_report_stop_clock(struct rc_report *r)
{
	if (r->clock_stopped)
		return;
	r->duration_ms = monotonic_ms() - r->start_ms;
	r->clock_stopped = true;
}

void rc_report_set_created(struct rc_report *r, int64_t unix_seconds)
{
	r->created = unix_seconds;
}

void rc_report_set_reload(struct rc_report *r, const struct rc_report_reload *rl)
{
	r->reload = *rl;
	r->reload.reason = dup_or_null(&r->arena, rl->reason);
	r->reload.signal = dup_or_null(&r->arena, rl->signal);
	r->reload.command = dup_or_null(&r->arena, rl->command);
	r->reload.output_tail = dup_or_null(&r->arena, rl->output_tail);
	r->reload.found_by = dup_or_null(&r->arena, rl->found_by);
	r->reload.evidence = dup_or_null(&r->arena, rl->evidence);
	r->have_reload = true;
}

const struct rc_report_reload *rc_report_reload(const struct rc_report *r)
{
	return r->have_reload ? &r->reload : NULL;
}

void rc_report_set_error(struct rc_report *r, const char *message)
{
	r->error = dup_or_null(&r->arena, message);
}

struct rc_check_result *rc_report_add_check(struct rc_report *r, const char *id)
{
	struct rc_check_result *res;

	if (RC_GROW(r->checks, r->cap_checks, r->n_checks + 1) < 0) {
		r->arena.oom = true;
		return NULL;
	}
	res = rci_arena_alloc(&r->arena, sizeof(*res));
	if (!res)
		return NULL;
	memset(res, 0, sizeof(*res));
	res->report = r;
	res->id = id;
	res->fail_on = RC_VERDICT_FAIL;
	r->checks[r->n_checks++] = res;
	return res;
}

size_t rc_report_check_count(const struct rc_report *r)
{
	return r->n_checks;
}

struct rc_check_result *rc_report_check(const struct rc_report *r, size_t i)
{
	return i < r->n_checks ? r->checks[i] : NULL;
}

/* The worst-of rule; @before picks the checks' verdicts before the policy. */
static enum rc_verdict combine(const struct rc_report *r, bool before)
{
	enum rc_verdict worst = r->error ? RC_VERDICT_ERROR : RC_VERDICT_PASS;
	bool failed = false;

	for (size_t i = 0; i < r->n_checks; i++) {
		const struct rc_check_result *c = r->checks[i];
		enum rc_verdict v = before ? c->verdict_before_policy : c->verdict;

		failed |= v == RC_VERDICT_FAIL;
		if (v > worst)
			worst = v;
	}
	/* A fail decides the gate even when another check could not run. */
	if (failed)
		return RC_VERDICT_FAIL;
	/* "skip" is no verdict for a whole report: all-skipped is a pass. */
	return worst == RC_VERDICT_SKIP ? RC_VERDICT_PASS : worst;
}

enum rc_verdict rc_report_verdict(const struct rc_report *r)
{
	return combine(r, false);
}

enum rc_verdict rc_report_verdict_before_policy(const struct rc_report *r)
{
	return combine(r, true);
}

enum rc_exit rc_report_exit_status(const struct rc_report *r)
{
	switch (rc_report_verdict(r)) {
	case RC_VERDICT_FAIL:
		return RC_EXIT_FAIL;
	case RC_VERDICT_ERROR:
		return RC_EXIT_CANNOT_CHECK;
	default:
		return RC_EXIT_PASS;
	}
}

size_t rc_report_count(const struct rc_report *r, enum rc_verdict v)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_checks; i++)
		n += r->checks[i]->verdict == v;
	return n;
}

int rc_report_status(const struct rc_report *r)
{
	return r->arena.oom ? -RC_ENOMEM : 0;
}

const char *rc_result_id(const struct rc_check_result *res)
{
	return res->id;
}

enum rc_verdict rc_result_verdict(const struct rc_check_result *res)
{
	return res->verdict;
}

const char *rc_result_reason(const struct rc_check_result *res)
{
	return res->reason;
}

static void result_decide(struct rc_check_result *res, enum rc_verdict v, const char *fmt,
			  va_list ap)
{
	/* An error outranks a skip; the first reason of a kind wins. */
	if (res->decided && res->verdict >= v)
		return;
	res->decided = true;
	res->verdict = v;
	res->reason = rci_arena_vprintf(&res->report->arena, fmt, ap);
}

void rc_result_skip(struct rc_check_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_decide(res, RC_VERDICT_SKIP, fmt, ap);
	va_end(ap);
}

void rc_result_error(struct rc_check_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result_decide(res, RC_VERDICT_ERROR, fmt, ap);
	va_end(ap);
}

void rc_result_finish(struct rc_check_result *res)
{
	enum rc_verdict v = res->verdict;

	if (!res->decided) {
		if (res->counts[RC_SEV_FAIL])
			v = RC_VERDICT_FAIL;
		else if (res->counts[RC_SEV_WARN])
			v = RC_VERDICT_WARN;
		else
			v = RC_VERDICT_PASS;
	}
	if (!res->finished) {
		res->verdict_before_policy = v;
		res->finished = true;
	}
	if (v == RC_VERDICT_WARN && res->fail_on == RC_VERDICT_WARN)
		v = RC_VERDICT_FAIL;
	res->verdict = v;
}

void rc_result_set_fail_on(struct rc_check_result *res, enum rc_verdict level)
{
	res->fail_on = level == RC_VERDICT_WARN ? RC_VERDICT_WARN : RC_VERDICT_FAIL;
}

enum rc_verdict rc_result_fail_on(const struct rc_check_result *res)
{
	return res->fail_on;
}

enum rc_verdict rc_result_verdict_before_policy(const struct rc_check_result *res)
{
	return res->finished ? res->verdict_before_policy : res->verdict;
}

void rc_result_set_duration_ms(struct rc_check_result *res, uint64_t ms)
{
	res->duration_ms = ms;
}

uint64_t rc_result_duration_ms(const struct rc_check_result *res)
{
	return res->duration_ms;
}

void rc_result_metric(struct rc_check_result *res, const char *key, int64_t value)
{
	struct rc_metric *m;

	for (m = res->metrics; m; m = (struct rc_metric *)m->next) {
		if (strcmp(m->key, key) == 0) {
			m->value = value;
			return;
		}
	}
	m = rci_arena_alloc(&res->report->arena, sizeof(*m));
	if (!m)
		return;
	*m = (struct rc_metric){.key = key, .value = value};
	if (res->metrics_tail)
		res->metrics_tail->next = m;
	else
		res->metrics = m;
	res->metrics_tail = m;
}

void rc_result_hint(struct rc_check_result *res, const char *code, const char *text)
{
	struct hint *h, **tail = &res->hints;

	for (h = res->hints; h; h = h->next) {
		if (strcmp(h->code, code) == 0) {
			h->text = text;
			return;
		}
		tail = &h->next;
	}
	h = rci_arena_alloc(&res->report->arena, sizeof(*h));
	if (!h)
		return;
	*h = (struct hint){.code = code, .text = text};
	*tail = h;
}

const char *rc_result_hint_for(const struct rc_check_result *res, const char *code)
{
	for (const struct hint *h = res->hints; h; h = h->next)
		if (strcmp(h->code, code) == 0)
			return h->text;
	return NULL;
}

const struct rc_metric *rc_result_metrics(const struct rc_check_result *res)
{
	return res->metrics;
}

/* A finding as this file keeps it: the public part, its detail list's end, its arena. */
struct finding_rec {
	struct rc_finding pub;
	struct rc_detail *detail_tail;
	struct rci_arena *arena;
};

static struct finding_rec *finding_rec(struct rc_finding *f)
{
	return (struct finding_rec *)((char *)f - offsetof(struct finding_rec, pub));
}

static struct rc_finding *finding_link(struct rc_check_result *res, enum rc_severity sev,
				       const char *code, const char *message)
{
	struct finding_rec *rec;
	struct rc_finding *f;

	if (!message)
		return NULL;
	rec = rci_arena_alloc(&res->report->arena, sizeof(*rec));
	if (!rec)
		return NULL;
	*rec = (struct finding_rec){.pub = {.code = code, .severity = sev, .message = message},
				    .arena = &res->report->arena};
	f = &rec->pub;
	if (res->findings_tail)
		res->findings_tail->next = f;
	else
		res->findings = f;
	res->findings_tail = f;
	res->counts[sev]++;
	return f;
}

struct rc_finding *rc_result_vadd(struct rc_check_result *res, enum rc_severity sev,
				  const char *code, const char *fmt, va_list ap)
{
	return finding_link(res, sev, code, rci_arena_vprintf(&res->report->arena, fmt, ap));
}

struct rc_finding *rc_result_add_parts(struct rc_check_result *res, enum rc_severity sev,
				       const char *code, const struct rc_str *parts, size_t n)
{
	size_t total = 0;
	char *msg, *p;

	for (size_t i = 0; i < n; i++)
		total += parts[i].len;
	msg = rci_arena_alloc(&res->report->arena, total + 1);
	if (!msg)
		return NULL;
	p = msg;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, parts[i].s, parts[i].len);
		p += parts[i].len;
	}
	*p = '\0';
	return finding_link(res, sev, code, msg);
}

struct rc_finding *rc_result_add(struct rc_check_result *res, enum rc_severity sev,
				 const char *code, const char *fmt, ...)
{
	struct rc_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = rc_result_vadd(res, sev, code, fmt, ap);
	va_end(ap);
	return f;
}

const struct rc_finding *rc_result_findings(const struct rc_check_result *res)
{
	return res->findings;
}

size_t rc_result_finding_count(const struct rc_check_result *res, enum rc_severity sev)
{
	return res->counts[sev];
}

size_t rc_result_suppressed_count(const struct rc_check_result *res)
{
	return res->suppressed;
}

struct rc_finding *rc_result_findings_mut(struct rc_check_result *res)
{
	return res->findings;
}

void rc_result_set_severity(struct rc_check_result *res, struct rc_finding *f, enum rc_severity sev)
{
	if (!f->suppressed) {
		res->counts[f->severity]--;
		res->counts[sev]++;
	}
	f->severity = sev;
}

void rc_result_suppress(struct rc_check_result *res, struct rc_finding *f, const char *reason)
{
	const char *r = dup_or_null(&res->report->arena, reason ? reason : "");

	if (f->suppressed || !r)
		return;
	f->suppressed = r;
	res->counts[f->severity]--;
	res->suppressed++;
}

static struct rci_arena *finding_arena(struct rc_finding *f)
{
	return finding_rec(f)->arena;
}

static struct rc_detail *detail_new(struct rc_finding *f, const char *key, enum rc_detail_type type)
{
	struct finding_rec *rec;
	struct rc_detail *d;

	if (!f)
		return NULL;
	rec = finding_rec(f);
	d = rci_arena_alloc(rec->arena, sizeof(*d));
	if (!d)
		return NULL;
	*d = (struct rc_detail){.key = key, .type = type};
	if (rec->detail_tail)
		rec->detail_tail->next = d;
	else
		f->detail = d;
	rec->detail_tail = d;
	return d;
}

void rc_finding_strn(struct rc_finding *f, const char *key, const char *s, size_t len)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_STR);

	if (!d)
		return;
	d->v.s = rci_arena_strndup(finding_arena(f), s, len);
	d->len = d->v.s ? (uint32_t)len : 0;
	if (!d->v.s)
		d->v.s = "";
}

void rc_finding_str(struct rc_finding *f, const char *key, const char *s)
{
	if (!s) {
		detail_new(f, key, RC_DETAIL_STR); /* v.s NULL: written as null */
		return;
	}
	rc_finding_strn(f, key, s, strlen(s));
}

void rc_finding_strn_borrowed(struct rc_finding *f, const char *key, const char *s, size_t len)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_STR);

	if (!d)
		return;
	d->v.s = s;
	d->len = s ? (uint32_t)len : 0;
}

void rc_finding_str_borrowed(struct rc_finding *f, const char *key, const char *s)
{
	rc_finding_strn_borrowed(f, key, s, s ? strlen(s) : 0);
}

void rc_finding_int(struct rc_finding *f, const char *key, int64_t v)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_INT);

	if (d)
		d->v.i = v;
}

void rc_finding_uint(struct rc_finding *f, const char *key, uint64_t v)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_UINT);

	if (d)
		d->v.u = v;
}

void rc_finding_hex(struct rc_finding *f, const char *key, uint64_t v)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_HEX);

	if (d)
		d->v.u = v;
}

void rc_finding_bool(struct rc_finding *f, const char *key, bool v)
{
	struct rc_detail *d = detail_new(f, key, RC_DETAIL_BOOL);

	if (d)
		d->v.b = v;
}

/* ---- JSON output ---- */

static void write_detail_value(struct rci_json *j, const struct rc_detail *d)
{
	char buf[32];

	switch (d->type) {
	case RC_DETAIL_STR:
		if (d->v.s)
			rci_json_stringn(j, d->v.s, d->len);
		else
			rci_json_null(j);
		break;
	case RC_DETAIL_INT:
		rci_json_int(j, d->v.i);
		break;
	case RC_DETAIL_UINT:
		rci_json_uint(j, d->v.u);
		break;
	case RC_DETAIL_HEX: {
		static const char digits[] = "0123456789abcdef";
		size_t n = sizeof(buf);
		uint64_t v = d->v.u;

		do {
			buf[--n] = digits[v & 15];
			v >>= 4;
		} while (v);
		buf[--n] = 'x';
		buf[--n] = '0';
		rci_json_stringn(j, buf + n, sizeof(buf) - n);
		break;
	}
	case RC_DETAIL_BOOL:
		rci_json_bool(j, d->v.b);
		break;
	}
}

static void write_input(struct rci_json *j, const struct input *in)
{
	rci_json_key(j, in->role);
	rci_json_begin_object(j);
	rci_json_key(j, "path");
	rci_json_string(j, in->path ? in->path : "");
	rci_json_key(j, "size");
	rci_json_uint(j, in->size);
	rci_json_key(j, "build_id");
	if (in->build_id)
		rci_json_string(j, in->build_id);
	else
		rci_json_null(j);
	rci_json_end_object(j);
}

static void write_check(struct rci_json *j, const struct rc_check_result *res)
{
	rci_json_begin_object(j);
	rci_json_key(j, "id");
	rci_json_string(j, res->id);
	rci_json_key(j, "verdict");
	rci_json_string(j, rc_verdict_name(res->verdict));
	rci_json_key(j, "verdict_before_policy");
	rci_json_string(j, rc_verdict_name(rc_result_verdict_before_policy(res)));
	if (res->fail_on == RC_VERDICT_WARN) {
		rci_json_key(j, "fail_on");
		rci_json_string(j, "warn");
	}
	if (res->reason) {
		rci_json_key(j, "reason");
		rci_json_string(j, res->reason);
	}
	rci_json_key(j, "duration_ms");
	rci_json_uint(j, res->duration_ms);
	if (res->suppressed) {
		rci_json_key(j, "suppressed");
		rci_json_uint(j, res->suppressed);
	}
	rci_json_key(j, "metrics");
	rci_json_begin_object(j);
	for (const struct rc_metric *m = res->metrics; m; m = m->next) {
		rci_json_key(j, m->key);
		rci_json_int(j, m->value);
	}
	rci_json_end_object(j);
	if (res->hints) {
		rci_json_key(j, "hints");
		rci_json_begin_object(j);
		for (const struct hint *h = res->hints; h; h = h->next) {
			rci_json_key(j, h->code);
			rci_json_string(j, h->text);
		}
		rci_json_end_object(j);
	}
	rci_json_key(j, "findings");
	rci_json_begin_array(j);
	for (const struct rc_finding *f = res->findings; f; f = f->next) {
		rci_json_begin_object(j);
		rci_json_key(j, "code");
		rci_json_string(j, f->code);
		rci_json_key(j, "severity");
		rci_json_string(j, rc_severity_name(f->severity));
		rci_json_key(j, "message");
		rci_json_string(j, f->message);
		if (f->suppressed) {
			rci_json_key(j, "suppressed");
			rci_json_string(j, f->suppressed);
		}
		rci_json_key(j, "detail");
		rci_json_begin_object(j);
		for (const struct rc_detail *d = f->detail; d; d = d->next) {
			rci_json_key(j, d->key);
			write_detail_value(j, d);
		}
		rci_json_end_object(j);
		rci_json_end_object(j);
	}
	rci_json_end_array(j);
	rci_json_end_object(j);
}

static void json_opt_string(struct rci_json *jp, const char *key, const char *v)
{
	if (v) {
		rci_json_key(jp, key);
		rci_json_string(jp, v);
	}
}

static void write_reload(struct rci_json *jp, const struct rc_report_reload *rl)
{
	rci_json_key(jp, "reload");
	rci_json_begin_object(jp);
	rci_json_key(jp, "preflight");
	rci_json_string(jp, rl->refused ? "refused" : rl->forced ? "forced" : "pass");
	json_opt_string(jp, "reason", rl->reason);
	if (rl->triggered) {
		rci_json_key(jp, "trigger");
		rci_json_begin_object(jp);
		json_opt_string(jp, "signal", rl->signal);
		json_opt_string(jp, "command", rl->command);
		if (rl->command) {
			rci_json_key(jp, "exit_status");
			if (rl->exit_status >= 0)
				rci_json_int(jp, rl->exit_status);
			else
				rci_json_null(jp);
			rci_json_key(jp, "output_tail");
			rci_json_string(jp, rl->output_tail ? rl->output_tail : "");
		}
		rci_json_end_object(jp);
	}
	if (rl->new_pid > 0) {
		rci_json_key(jp, "new_pid");
		rci_json_int(jp, rl->new_pid);
		json_opt_string(jp, "found_by", rl->found_by);
		json_opt_string(jp, "evidence", rl->evidence);
	}
	rci_json_end_object(jp);
}

int rc_report_write_json(const struct rc_report *r, FILE *out, struct rc_err *err)
{
	int rc;
	struct rci_json *jp = malloc(sizeof(*jp)); /* a 64 KiB buffer: not on the stack */
	char created[32];
	time_t t = (time_t)r->created;
	struct tm tm;
	enum rc_verdict v = rc_report_verdict(r);
	static const enum rc_verdict order[] = {RC_VERDICT_PASS, RC_VERDICT_WARN, RC_VERDICT_FAIL,
						RC_VERDICT_SKIP, RC_VERDICT_ERROR};

	if (!jp || r->arena.oom) {
		free(jp);
		return rc_err_set(err, -RC_ENOMEM, "out of memory while building the report");
	}
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);

	rci_json_init(jp, out, true);
	rci_json_begin_object(jp);
	rci_json_key(jp, "schema");
	rci_json_string(jp, RC_REPORT_SCHEMA);
	rci_json_key(jp, "tool");
	rci_json_begin_object(jp);
	rci_json_key(jp, "name");
	rci_json_string(jp, "reloadcheck");
	rci_json_key(jp, "version");
	rci_json_string(jp, r->tool_version ? r->tool_version : "unknown");
	rci_json_end_object(jp);
	rci_json_key(jp, "created");
	rci_json_string(jp, created);
	rci_json_key(jp, "duration_ms");
	rci_json_uint(jp, r->duration_ms);
	rci_json_key(jp, "inputs");
	rci_json_begin_object(jp);
	for (int i = 0; i < 2; i++)
		if (r->inputs[i].set)
			write_input(jp, &r->inputs[i]);
	if (r->pid >= 0) {
		rci_json_key(jp, "pid");
		rci_json_int(jp, r->pid);
	}
	if (r->pprof_url) {
		rci_json_key(jp, "pprof_url");
		rci_json_string(jp, r->pprof_url);
	}
	rci_json_end_object(jp);
	rci_json_key(jp, "verdict");
	rci_json_string(jp, rc_verdict_name(v));
	if (r->error) {
		rci_json_key(jp, "error");
		rci_json_string(jp, r->error);
	}
	if (r->have_reload)
		write_reload(jp, &r->reload);
	rci_json_key(jp, "verdict_before_policy");
	rci_json_string(jp, rc_verdict_name(rc_report_verdict_before_policy(r)));
	rci_json_key(jp, "exit_code");
	rci_json_int(jp, rc_report_exit_status(r));
	rci_json_key(jp, "summary");
	rci_json_begin_object(jp);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		rci_json_key(jp, rc_verdict_name(order[i]));
		rci_json_uint(jp, rc_report_count(r, order[i]));
	}
	rci_json_end_object(jp);
	rci_json_key(jp, "checks");
	rci_json_begin_array(jp);
	for (size_t i = 0; i < r->n_checks; i++)
		write_check(jp, r->checks[i]);
	rci_json_end_array(jp);
	rci_json_end_object(jp);
	rc = rci_json_finish(jp);
	free(jp);
	if (rc != 0 || fputc('\n', out) == EOF || ferror(out))
		return rc_err_set(err, -RC_EIO, "cannot write the report: write error");
	return 0;
}

uint64_t rc_report_duration_ms(const struct rc_report *r)
{
	return r->duration_ms;
}

int64_t rc_report_created(const struct rc_report *r)
{
	return r->created;
}
