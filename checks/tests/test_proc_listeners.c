/* SPDX-License-Identifier: MIT */
/* proc-listeners on hand-built snapshots: a lost listener fails, a new one informs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

START_TEST(lost_listener_fails)
{
	struct rc_snapshot b, s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	proctest_add_listener(&b, RC_SOCK_TCP, "127.0.0.1:8080");
	proctest_add_listener(&b, RC_SOCK_UNIX, "/run/app.sock");
	proctest_add_listener(&s, RC_SOCK_TCP, "127.0.0.1:8080");
	proctest_add_listener(&s, RC_SOCK_TCP6, "[::1]:9090");
	proctest_run(&t, &rc_check_proc_listeners, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "listeners.lost");
	ck_assert_str_eq(proctest_detail(f, "address"), "/run/app.sock");
	ck_assert_str_eq(proctest_detail(f, "proto"), "unix");
	ck_assert_int_eq(proctest_count(&t, "listeners.lost"), 1);
	f = proctest_find(&t, "listeners.new");
	ck_assert_str_eq(proctest_detail(f, "address"), "[::1]:9090");
	ck_assert_int_eq(proctest_count(&t, "listeners.current"), 2);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(same_port_other_proto_is_lost)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	proctest_add_listener(&b, RC_SOCK_UDP, "0.0.0.0:53");
	proctest_add_listener(&s, RC_SOCK_TCP, "0.0.0.0:53");
	proctest_run(&t, &rc_check_proc_listeners, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(survived_passes)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	proctest_add_listener(&b, RC_SOCK_TCP, "127.0.0.1:8080");
	proctest_add_listener(&s, RC_SOCK_TCP, "127.0.0.1:8080");
	proctest_run(&t, &rc_check_proc_listeners, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(proctest_count(&t, "listeners.lost"), 0);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(expected_listener_missing_fails)
{
	struct rc_snapshot s;
	struct proctest t;
	static const char *const want[] = {"tcp 127.0.0.1:8080", "unix /run/app.sock"};
	struct rc_ctx ctx;

	proctest_snapshot(&s);
	proctest_add_listener(&s, RC_SOCK_TCP, "127.0.0.1:8080");
	ctx = (struct rc_ctx){.now = &s, .expected_listeners = want, .n_expected_listeners = 2};
	t.res = checktest_run_ctx(&rc_check_proc_listeners, &ctx, &t.report);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_int_eq(proctest_count(&t, "listeners.expected_missing"), 1);
	ck_assert_str_eq(
		proctest_detail(proctest_find(&t, "listeners.expected_missing"), "expected"),
		"unix /run/app.sock");
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

static Suite *proc_listeners_suite(void)
{
	return checktest_suite("proc_listeners",
			       (const struct checktest_tcase[]){
				       {"listeners",
					{lost_listener_fails, same_port_other_proto_is_lost,
					 survived_passes, expected_listener_missing_fails}},
				       {NULL}});
}

int main(void)
{
	return checktest_main(proc_listeners_suite());
}
