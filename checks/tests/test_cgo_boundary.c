/* SPDX-License-Identifier: MIT */
/* cgo-boundary on the Go fixtures: exports, C calls, C TLS, cgo removed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

START_TEST(export_removed_fails)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_cgo_boundary, "go_export_removed");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_find(&t, "cgo.export_removed");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "name"), "GoName");
	ck_assert_int_eq(checktest_count(&t, "cgo.export_removed"), 1);
	ck_assert_ptr_nonnull(checktest_find(&t, "cgo.call_added"));
	ck_assert_int_eq(checktest_metric(&t, "old_exports"), 2);
	ck_assert_int_eq(checktest_metric(&t, "new_exports"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(cgo_gone_fails)
{
	struct checktest t;

	checktest_run(&t, &rc_check_cgo_boundary, "go_cgo_gone");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(checktest_find(&t, "cgo.removed"));
	checktest_release(&t);
}
END_TEST

START_TEST(same_build_lists_boundary)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_cgo_boundary, "go/cgo/plain", "go/cgo/plain");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(checktest_find(&t, "cgo.present"));
	ck_assert_int_eq(checktest_metric(&t, "new_exports"), 2);
	ck_assert_int_ge(checktest_metric(&t, "new_c_calls"), 2);
	f = checktest_find(&t, "cgo.tls_var");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "name"), "rc_canary");
	ck_assert_int_eq(checktest_metric(&t, "c_tls_vars"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(stripped_build_keeps_exports)
{
	struct checktest t;

	checktest_run(&t, &rc_check_cgo_boundary, "go_stripped");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_metric(&t, "new_exports"), 2);
	ck_assert_int_eq(checktest_count(&t, "cgo.export_removed"), 0);
	/* .symtab is gone, but the TLS variable is exported, so .dynsym still names it. */
	ck_assert_str_eq(checktest_detail_str(checktest_find(&t, "cgo.tls_var"), "name"),
			 "rc_canary");
	checktest_release(&t);
}
END_TEST

START_TEST(pure_go_skips)
{
	struct checktest t;

	checktest_run(&t, &rc_check_cgo_boundary, "go_sw");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "cgo"));
	checktest_release(&t);
}
END_TEST

START_TEST(not_go_skips)
{
	struct checktest t;

	checktest_run(&t, &rc_check_cgo_boundary, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	checktest_release(&t);
}
END_TEST

static Suite *cgo_boundary_suite(void)
{
	return checktest_suite(
		"cgo_boundary",
		(const struct checktest_tcase[]){
			{"breaks", {export_removed_fails, cgo_gone_fails}},
			{"lists", {same_build_lists_boundary, stripped_build_keeps_exports}},
			{"skips", {pure_go_skips, not_go_skips}},
			{NULL}});
}

int main(void)
{
	return checktest_main(cgo_boundary_suite());
}
