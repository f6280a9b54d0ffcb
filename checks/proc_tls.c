/* SPDX-License-Identifier: MIT */
/*
 * proc-tls: the value of each --tls-canary __thread variable in every thread.
 * Verdict rules: a thread whose value differs fails and is named; fewer
 * threads read than /proc/PID/task lists warns; a canary that cannot be read
 * at all is an error; a process with no libc TLS (pure Go) is skipped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

/* The baseline's canary of the same symbol, for the expected value when none was given. */
static const struct rc_snap_canary *baseline_canary(const struct rc_snapshot *b, const char *symbol)
{
	for (size_t i = 0; b && i < b->n_canaries; i++)
		if (strcmp(b->canaries[i].symbol, symbol) == 0)
			return &b->canaries[i];
	return NULL;
}

/* The value every thread of the baseline agreed on, if they did. */
static bool baseline_value(const struct rc_snap_canary *c, uint64_t *v)
{
	bool have = false;

	for (size_t i = 0; c && i < c->n_values; i++) {
		if (!c->values[i].ok)
			continue;
		if (have && c->values[i].value != *v)
			return false;
		*v = c->values[i].value;
		have = true;
	}
	return have;
}

static void check_canary(const struct rc_snapshot *s, const struct rc_snapshot *b,
			 const struct rc_snap_canary *c, struct rc_check_result *res,
			 size_t *not_applicable, size_t *unreadable)
{
	uint64_t expected = c->expected;
	bool has_expected = c->has_expected;
	size_t ok = 0, wrong = 0, failed = 0;
	struct rc_finding *f;
	const char *source = "--tls-canary";

	if (c->not_applicable) {
		(*not_applicable)++;
		f = rc_result_add(res, RC_SEV_INFO, "tls.not_applicable", "%s: %s", c->symbol,
				  c->note[0] ? c->note : c->error);
		rc_finding_str(f, "symbol", c->symbol);
		return;
	}
	if (c->error[0]) {
		(*unreadable)++;
		rc_result_error(res, "canary %s: %s", c->symbol, c->error);
		return;
	}
	if (!has_expected && baseline_value(baseline_canary(b, c->symbol), &expected)) {
		has_expected = true;
		source = "the baseline";
	}
	f = rc_result_add(res, RC_SEV_INFO, "tls.method", "%s (%zu bytes, in %s) read with %s%s%s",
			  c->symbol, c->size, c->object, rc_tls_method_name(c->method),
			  c->note[0] ? ": " : "", c->note);
	rc_finding_str(f, "symbol", c->symbol);
	rc_finding_str(f, "method", rc_tls_method_name(c->method));
	rc_finding_str(f, "object", c->object);
	for (size_t i = 0; i < c->n_values; i++) {
		const struct rc_snap_tls_value *v = &c->values[i];

		if (!v->ok) {
			failed++;
			f = rc_result_add(res, RC_SEV_WARN, "tls.thread_unreadable",
					  "%s could not be read in thread %d (%s): %s", c->symbol,
					  v->tid, v->name, v->error);
			rc_finding_int(f, "tid", v->tid);
			rc_finding_str(f, "thread", v->name);
			continue;
		}
		if (has_expected && v->value != expected) {
			wrong++;
			f = rc_result_add(res, RC_SEV_FAIL, "tls.canary_mismatch",
					  "%s is 0x%" PRIx64
					  " in thread %d (%s), expected 0x%" PRIx64
					  " (from %s): this thread's C context did not survive",
					  c->symbol, v->value, v->tid, v->name, expected, source);
			rc_finding_str(f, "symbol", c->symbol);
			rc_finding_int(f, "tid", v->tid);
			rc_finding_str(f, "thread", v->name);
			rc_finding_hex(f, "value", v->value);
			rc_finding_hex(f, "expected", expected);
			continue;
		}
		ok++;
	}
	if (has_expected && !wrong && ok)
		f = rc_result_add(res, RC_SEV_INFO, "tls.canary_ok",
				  "%s is 0x%" PRIx64 " in all %zu threads read", c->symbol,
				  expected, ok);
	else if (!has_expected)
		f = rc_result_add(res, RC_SEV_INFO, "tls.canary_values",
				  "%s read in %zu threads (no expected value given)", c->symbol,
				  ok);
	else
		f = NULL;
	if (f) {
		rc_finding_str(f, "symbol", c->symbol);
		rc_finding_uint(f, "threads", ok);
	}
	if (c->n_values < s->n_threads) {
		f = rc_result_add(res, RC_SEV_WARN, "tls.threads_missing",
				  "%s was read in %zu threads but /proc/%d/task lists %zu",
				  c->symbol, c->n_values, s->pid, s->n_threads);
		rc_finding_uint(f, "read", c->n_values);
		rc_finding_uint(f, "threads", s->n_threads);
	}
	(void)failed;
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_snapshot *s = ctx->now;
	size_t not_applicable = 0, unreadable = 0;

	if (!s->n_canaries) {
		rc_result_skip(res, "no --tls-canary SYMBOL=VALUE given");
		return 0;
	}
	for (size_t i = 0; i < s->n_canaries; i++)
		check_canary(s, ctx->baseline, &s->canaries[i], res, &not_applicable, &unreadable);
	rc_result_metric(res, "threads", (int64_t)s->n_threads);
	rc_result_metric(res, "canaries", (int64_t)s->n_canaries);
	if (not_applicable == s->n_canaries)
		rc_result_skip(res, "%s",
			       s->canaries[0].note[0] ? s->canaries[0].note : s->canaries[0].error);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"tls.not_applicable", "tls.method",	   "tls.thread_unreadable", "tls.canary_mismatch",
	"tls.canary_ok",      "tls.canary_values", "tls.threads_missing",   NULL,
};

const struct rc_check rc_check_proc_tls = {
	.id = "proc-tls",
	.summary = "__thread canary values in every thread of the process (C context survival)",
	.explain = "Reads each --tls-canary SYMBOL=VALUE __thread variable in every thread of "
		   "process PID, read-only: through glibc's libthread_db (the same library gdb "
		   "uses, no thread is stopped), or, when libthread_db cannot serve a static or "
		   "mismatched process, by computing the executable's static TLS block from each "
		   "thread's fs_base (each thread is stopped for microseconds with PTRACE_SEIZE "
		   "and PTRACE_INTERRUPT and always detached). The report names the method.\n\n"
		   "A canary is a thread-local variable that the program sets when its C context "
		   "is ready (a cgo library initialised, a per-thread cache warmed). After a "
		   "reload every thread starts with the initial value, so a thread whose canary "
		   "is not the expected value has lost its C context: the check fails and names "
		   "the thread (tid and name). Without a value on the command line the baseline "
		   "snapshot's value is expected. Fewer threads read than /proc/PID/task lists "
		   "warns. A canary that cannot be read (no such variable, wrong size) is an "
		   "error; a process without C thread-local storage (pure Go) is skipped.\n\n"
		   "To fix: make the new binary set up its C context in every thread it creates, "
		   "including threads created before the reload signal is handled.",
	.needs = RC_NEEDS_PROCESS,
	.codes = finding_codes,
	.run = run,
};
