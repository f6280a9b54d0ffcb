/* SPDX-License-Identifier: MIT */
/* proc-tls on hand-built snapshots: wrong threads are named, unreadable is an error. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

START_TEST(all_threads_ok)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	proctest_add_canary(&s, "rc_canary", 0x5eed, 0x5eed, -1, 0);
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(proctest_find(&t, "tls.canary_ok"));
	ck_assert_ptr_nonnull(strstr(proctest_find(&t, "tls.method")->message, "thread_db"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(wrong_thread_fails_by_name)
{
	struct rc_snapshot s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&s);
	proctest_add_canary(&s, "rc_canary", 0x5eed, 0x5eed, 101, 0xbad);
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_int_eq(proctest_count(&t, "tls.canary_mismatch"), 1);
	f = proctest_find(&t, "tls.canary_mismatch");
	ck_assert_str_eq(proctest_detail(f, "thread"), "worker");
	ck_assert_ptr_nonnull(strstr(f->message, "thread 101 (worker)"));
	ck_assert_ptr_nonnull(strstr(f->message, "0xbad"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(missing_threads_warn)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	proctest_add_canary(&s, "rc_canary", 1, 1, -1, 0);
	s.canaries[0].n_values = 1;
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "tls.threads_missing"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(unreadable_is_error)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	proctest_add_canary(&s, "nope", 1, 1, -1, 0);
	snprintf(s.canaries[0].error, sizeof(s.canaries[0].error), "no __thread variable 'nope'");
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "nope"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(pure_go_skips)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	proctest_add_canary(&s, "c", 1, 1, -1, 0);
	s.canaries[0].not_applicable = true;
	s.canaries[0].n_values = 0;
	snprintf(s.canaries[0].note, sizeof(s.canaries[0].note), "no C thread-local storage");
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "no C thread-local"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(no_canary_skips)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	proctest_run(&t, &rc_check_proc_tls, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(baseline_value_expected)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	proctest_add_canary(&b, "rc_canary", 0, 7, -1, 0);
	proctest_add_canary(&s, "rc_canary", 0, 7, 100, 0);
	b.canaries[0].has_expected = s.canaries[0].has_expected = false;
	proctest_run(&t, &rc_check_proc_tls, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(
		strstr(proctest_find(&t, "tls.canary_mismatch")->message, "from the baseline"));
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

static Suite *proc_tls_suite(void)
{
	return checktest_suite("proc_tls",
			       (const struct checktest_tcase[]){
				       {"canaries",
					{all_threads_ok, wrong_thread_fails_by_name,
					 missing_threads_warn, unreadable_is_error, pure_go_skips,
					 no_canary_skips, baseline_value_expected}},
				       {NULL}});
}

int main(void)
{
	return checktest_main(proc_tls_suite());
}
