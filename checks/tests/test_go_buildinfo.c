/* SPDX-License-Identifier: MIT */
/* go-buildinfo on the Go fixtures: downgrades, -race, cgo flips, non-Go input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

START_TEST(dep_downgrade_warns)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_go_buildinfo, "go_funcs_changed");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = checktest_find(&t, "go.dep_downgraded");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "module"), "example.com/reloaddep");
	ck_assert_str_eq(checktest_detail_str(f, "old_version"), "v1.2.0");
	ck_assert_str_eq(checktest_detail_str(f, "new_version"), "v1.1.0");
	ck_assert_int_eq(checktest_count(&t, "go.buildinfo"), 2);
	ck_assert_int_eq(checktest_count(&t, "go.version_changed"), 0);
	ck_assert_int_eq(checktest_metric(&t, "deps_changed"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(upgrade_is_information)
{
	struct checktest t;

	checktest_run_paths(&t, &rc_check_go_buildinfo, "go_funcs_changed/new",
			    "go_funcs_changed/old");
	ck_assert_int_ne(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_int_eq(checktest_count(&t, "go.dep_downgraded"), 0);
	checktest_expect(checktest_find(&t, "go.dep_upgraded"), RC_SEV_INFO);
	checktest_release(&t);
}
END_TEST

START_TEST(race_build_warns)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_buildinfo, "go_race");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(checktest_find(&t, "go.race"));
	checktest_release(&t);
}
END_TEST

START_TEST(cgo_flip_warns)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_go_buildinfo, "go_cgo_gone");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = checktest_find(&t, "go.cgo_flipped");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "old"), "1");
	ck_assert_str_eq(checktest_detail_str(f, "new"), "0");
	checktest_release(&t);
}
END_TEST

START_TEST(same_build_passes)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_go_buildinfo, "go/pure/plain", "go/pure/plain");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = checktest_find(&t, "go.buildinfo");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(checktest_detail_str(f, "go_version"), "go1."));
	ck_assert_str_eq(checktest_detail_str(f, "module"), "example.com/reloadfix");
	ck_assert_int_eq(checktest_count(&t, "go.setting_changed"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(not_go_skips)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_buildinfo, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "Go"));
	checktest_release(&t);
}
END_TEST

START_TEST(go_to_c_warns)
{
	struct checktest t;

	checktest_run_paths(&t, &rc_check_go_buildinfo, "go/pure/plain", "identical/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(checktest_find(&t, "go.not_go"));
	checktest_release(&t);
}
END_TEST

static Suite *go_buildinfo_suite(void)
{
	return checktest_suite(
		"go_buildinfo",
		(const struct checktest_tcase[]){
			{"deps", {dep_downgrade_warns, upgrade_is_information}},
			{"settings", {race_build_warns, cgo_flip_warns, same_build_passes}},
			{"not_go", {not_go_skips, go_to_c_warns}},
			{NULL}});
}

int main(void)
{
	return checktest_main(go_buildinfo_suite());
}
