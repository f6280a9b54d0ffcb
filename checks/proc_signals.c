/* SPDX-License-Identifier: MIT */
/*
 * proc-signals: caught, ignored and blocked signals. Across execve caught
 * signals reset to their default action, ignored ones stay ignored and the
 * blocked mask is inherited. Verdict rules against a baseline: a signal that
 * was caught and is now default fails by name; a newly blocked or ignored
 * signal warns; a new handler informs.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

/* "SIGHUP SIGUSR2" for a mask, into @buf. */
static const char *mask_names(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int sig = 1; sig <= 64; sig++) {
		char name[24];
		int w;

		if (!(mask & (1ULL << (sig - 1))))
			continue;
		w = snprintf(buf + n, size - n, "%s%s", n ? " " : "",
			     rc_signal_name(sig, name, sizeof(name)));
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return n ? buf : "none";
}

/* What the default action of @sig does to the process, for messages. */
static const char *default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return "is now ignored by default";
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return "will now stop the process";
	case SIGCONT:
		return "now only continues the process";
	default:
		return "will now terminate the process";
	}
}

/* Blocked signals: the main thread's mask, and the union over all threads. */
static uint64_t main_blocked(const struct rc_snapshot *s)
{
	for (size_t i = 0; i < s->n_threads; i++)
		if (s->threads[i].tid == s->pid)
			return s->threads[i].blocked;
	return s->n_threads ? s->threads[0].blocked : 0;
}

static uint64_t any_blocked(const struct rc_snapshot *s)
{
	uint64_t m = 0;

	for (size_t i = 0; i < s->n_threads; i++)
		m |= s->threads[i].blocked;
	return m;
}

static void compare(const struct rc_snapshot *b, const struct rc_snapshot *s,
		    struct rc_check_result *res)
{
	uint64_t lost = b->sig_caught & ~s->sig_caught;
	uint64_t added = s->sig_caught & ~b->sig_caught;
	uint64_t ignored = s->sig_ignored & ~b->sig_ignored;
	uint64_t blocked = main_blocked(s) & ~main_blocked(b);
	uint64_t blocked_any = any_blocked(s) & ~any_blocked(b) & ~blocked;
	char buf[24];

	for (int sig = 1; sig <= 64; sig++) {
		uint64_t bit = 1ULL << (sig - 1);
		struct rc_finding *f = NULL;
		/* The name may be a static string rather than @buf. */
		const char *name = rc_signal_name(sig, buf, sizeof(buf));

		if (lost & bit)
			f = rc_result_add(res, RC_SEV_FAIL, "signals.handler_lost",
					  "%s handler is gone: the next %s %s%s", name, name,
					  default_action(sig),
					  sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2
						  ? " (reload and rotation signals are sent by "
						    "supervisors and logrotate)"
						  : "");
		else if (ignored & bit)
			f = rc_result_add(
				res, RC_SEV_WARN, "signals.newly_ignored",
				"%s is now ignored (it was not in the baseline): it stays "
				"ignored across every future exec",
				name);
		else if (blocked & bit)
			f = rc_result_add(
				res, RC_SEV_WARN, "signals.newly_blocked",
				"%s is now blocked in the main thread (it was not in the "
				"baseline): the blocked mask is inherited across exec, so it "
				"will queue instead of being handled",
				name);
		else if (blocked_any & bit)
			f = rc_result_add(
				res, RC_SEV_WARN, "signals.newly_blocked",
				"%s is now blocked in some thread (no thread blocked it in "
				"the baseline)",
				name);
		else if (added & bit)
			f = rc_result_add(res, RC_SEV_INFO, "signals.handler_added",
					  "%s has a handler now (it had none in the baseline)",
					  name);
		if (f) {
			rc_finding_str(f, "signal", name);
			rc_finding_int(f, "number", sig);
		}
	}
	rc_result_metric(res, "handlers_lost", __builtin_popcountll(lost));
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_snapshot *s = ctx->now;
	char caught[1024], ign[1024], blk[1024];
	struct rc_finding *f;

	f = rc_result_add(res, RC_SEV_INFO, "signals.current",
			  "process %d catches %s; ignores %s; main thread blocks %s", s->pid,
			  mask_names(s->sig_caught, caught, sizeof(caught)),
			  mask_names(s->sig_ignored, ign, sizeof(ign)),
			  mask_names(main_blocked(s), blk, sizeof(blk)));
	rc_finding_hex(f, "caught", s->sig_caught);
	rc_finding_hex(f, "ignored", s->sig_ignored);
	rc_finding_hex(f, "blocked", main_blocked(s));
	rc_result_metric(res, "caught", __builtin_popcountll(s->sig_caught));
	rc_result_metric(res, "ignored", __builtin_popcountll(s->sig_ignored));
	/*
	 * The Go runtime installs a handler for every signal at start-up
	 * (signal.Notify only routes them inside the process), so SigCgt looks
	 * the same whatever the program asked for.
	 */
	if (*s->exe_go_build_id) {
		f = rc_result_add(
			res, RC_SEV_INFO, "signals.go_runtime",
			"process %d is a Go program: the Go runtime installs handlers for "
			"every signal, so handler changes made with signal.Notify are "
			"invisible from /proc; check them in the program",
			s->pid);
		rc_finding_str(f, "go_build_id", s->exe_go_build_id);
	}
	if (ctx->baseline)
		compare(ctx->baseline, s, res);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"signals.handler_lost",
	"signals.newly_ignored",
	"signals.newly_blocked",
	"signals.handler_added",
	"signals.current",
	"signals.go_runtime",
	NULL,
};

const struct rc_check rc_check_proc_signals = {
	.id = "proc-signals",
	.summary = "caught, ignored and blocked signals, and what a reload changed",
	.explain = "Reads the signal dispositions of process PID from /proc/PID/status (SigCgt, "
		   "SigIgn) and each thread's blocked mask (/proc/PID/task/TID/status SigBlk). "
		   "Across execve, caught signals reset to their default action, ignored signals "
		   "stay ignored and the blocked mask is inherited, so a reload can silently lose "
		   "a handler or carry over a mask.\n\n"
		   "Against a --baseline snapshot taken before the reload: a signal that was "
		   "caught and now is not fails, by name (\"SIGHUP handler is gone: the next "
		   "SIGHUP will now terminate the process\") — the next reload or log-rotation "
		   "signal kills the service. A signal that is newly ignored or newly blocked "
		   "warns: it will be lost or queue forever. A new handler is information. "
		   "Without a baseline the current dispositions are listed.\n\n"
		   "A Go program (one with a Go build ID) gets signals.go_runtime: the Go "
		   "runtime catches every signal itself and signal.Notify only routes them "
		   "inside the process, so /proc cannot show a handler a new build dropped; "
		   "review the signal.Notify calls instead.\n\n"
		   "To fix: install every handler in the new binary before it announces "
		   "readiness, and reset the signal mask (sigprocmask) and ignored dispositions "
		   "before exec'ing the new binary.",
	.needs = RC_NEEDS_PROCESS,
	.codes = finding_codes,
	.run = run,
};
