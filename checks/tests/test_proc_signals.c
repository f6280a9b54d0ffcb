/* SPDX-License-Identifier: MIT */
/* proc-signals on hand-built snapshots: lost handlers fail by name, new masks warn. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

#define BIT(sig) (1ULL << ((sig)-1))

START_TEST(lists_without_baseline)
{
	struct rc_snapshot s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&s);
	proctest_run(&t, &rc_check_proc_signals, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = proctest_find(&t, "signals.current");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "catches SIGHUP SIGUSR2"));
	ck_assert_ptr_nonnull(strstr(f->message, "ignores SIGPIPE"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(lost_handler_fails_by_name)
{
	struct rc_snapshot b, s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	s.sig_caught &= ~BIT(SIGHUP);
	proctest_run(&t, &rc_check_proc_signals, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "signals.handler_lost");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(proctest_detail(f, "signal"), "SIGHUP");
	ck_assert_ptr_nonnull(strstr(f->message, "SIGHUP handler is gone: the next SIGHUP will "
						 "now terminate the process"));
	ck_assert_int_eq(proctest_count(&t, "signals.handler_lost"), 1);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(new_ignore_and_block_warn)
{
	struct rc_snapshot b, s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	s.sig_ignored |= BIT(SIGTERM);
	s.threads[0].blocked |= BIT(SIGUSR1);
	s.threads[1].blocked |= BIT(SIGINT);
	proctest_run(&t, &rc_check_proc_signals, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = proctest_find(&t, "signals.newly_ignored");
	ck_assert_str_eq(proctest_detail(f, "signal"), "SIGTERM");
	ck_assert_int_eq(proctest_count(&t, "signals.newly_blocked"), 2);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(added_handler_informs)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	s.sig_caught |= BIT(SIGTERM);
	proctest_run(&t, &rc_check_proc_signals, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(proctest_find(&t, "signals.handler_added"));
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

/* The Go runtime catches every signal: say that /proc cannot see signal.Notify. */
START_TEST(go_runtime_informs)
{
	struct rc_snapshot s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&s);
	proctest_run(&t, &rc_check_proc_signals, &s, NULL, NULL);
	ck_assert_int_eq(proctest_count(&t, "signals.go_runtime"), 0);
	proctest_done(&t);
	snprintf(s.exe_go_build_id, sizeof(s.exe_go_build_id), "aaa/bbb/ccc/ddd");
	s.sig_caught = ~0ULL;
	proctest_run(&t, &rc_check_proc_signals, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = proctest_find(&t, "signals.go_runtime");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, RC_SEV_INFO);
	ck_assert_ptr_nonnull(strstr(f->message, "signal.Notify"));
	ck_assert_str_eq(proctest_detail(f, "go_build_id"), "aaa/bbb/ccc/ddd");
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

static Suite *proc_signals_suite(void)
{
	return checktest_suite(
		"proc_signals",
		(const struct checktest_tcase[]){
			{"signals",
			 {lists_without_baseline, lost_handler_fails_by_name,
			  new_ignore_and_block_warn, added_handler_informs, go_runtime_informs}},
			{NULL}});
}

int main(void)
{
	return checktest_main(proc_signals_suite());
}
