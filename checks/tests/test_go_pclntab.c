/* SPDX-License-Identifier: MIT */
/* go-pclntab on the Go fixtures: stripped, -s -w and PIE builds keep names; a broken table fails. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

static void assert_same_functions(struct checktest *t)
{
	ck_assert_int_eq(rc_result_verdict(t->res), RC_VERDICT_PASS);
	ck_assert_int_gt(checktest_metric(t, "new_funcs"), 500);
	ck_assert_int_eq(checktest_metric(t, "old_funcs"), checktest_metric(t, "new_funcs"));
	ck_assert_int_eq(checktest_metric(t, "added"), 0);
	ck_assert_int_eq(checktest_metric(t, "removed"), 0);
	ck_assert_int_eq(checktest_metric(t, "resized"), 0);
}

START_TEST(sw_build_keeps_table)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_pclntab, "go_sw");
	assert_same_functions(&t);
	checktest_release(&t);
}
END_TEST

START_TEST(stripped_build_keeps_table)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_pclntab, "go_stripped");
	assert_same_functions(&t);
	checktest_release(&t);
}
END_TEST

START_TEST(pie_build_found)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_pclntab, "go_pie");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_gt(checktest_metric(&t, "new_funcs"), 500);
	ck_assert_int_eq(checktest_metric(&t, "added"), 0);
	ck_assert_int_eq(checktest_metric(&t, "removed"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(function_diff_by_package)
{
	struct checktest t;
	const struct rc_finding *f;
	bool main_pkg = false;

	checktest_run(&t, &rc_check_go_pclntab, "go_funcs_changed");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_ge(checktest_count(&t, "go.func_added"), 3);
	ck_assert_int_ge(checktest_count(&t, "go.func_removed"), 2);
	for (f = rc_result_findings(t.res); f; f = f->next)
		if (!strcmp(f->code, "go.package_changed") &&
		    !strcmp(checktest_detail_str(f, "package"), "main"))
			main_pkg = true;
	ck_assert(main_pkg);
	f = checktest_find(&t, "go.func_added");
	ck_assert_ptr_nonnull(strstr(checktest_detail_str(f, "name"), "."));
	checktest_release(&t);
}
END_TEST

START_TEST(broken_table_fails)
{
	struct checktest t;

	const struct rc_finding *f;

	/* The section is there but its magic is gone: inconsistent, not absent. */
	checktest_run(&t, &rc_check_go_pclntab, "go_pclntab_broken");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_find(&t, "go.pclntab_invalid");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(checktest_detail_str(f, "reason"), "magic"));
	checktest_release(&t);
}
END_TEST

START_TEST(lost_table_in_c_binary_fails)
{
	struct checktest t;

	checktest_run_paths(&t, &rc_check_go_pclntab, "go/pure/plain", "identical/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(checktest_find(&t, "go.pclntab_missing"));
	checktest_release(&t);
}
END_TEST

START_TEST(not_go_skips)
{
	struct checktest t;

	checktest_run(&t, &rc_check_go_pclntab, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	checktest_release(&t);
}
END_TEST

static Suite *go_pclntab_suite(void)
{
	return checktest_suite(
		"go_pclntab",
		(const struct checktest_tcase[]){
			{"survives",
			 {sw_build_keeps_table, stripped_build_keeps_table, pie_build_found}},
			{"diff", {function_diff_by_package}},
			{"health",
			 {broken_table_fails, lost_table_in_c_binary_fails, not_go_skips}},
			{NULL}});
}

int main(void)
{
	return checktest_main(go_pclntab_suite());
}
