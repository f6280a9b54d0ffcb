/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

static void assert_hex_id(const char *s)
{
	ck_assert_ptr_nonnull(s);
	/* --build-id=sha1 (the default) gives 20 bytes */
	ck_assert_uint_eq(strlen(s), 40);
	ck_assert_uint_eq(strspn(s, "0123456789abcdef"), 40);
}

START_TEST(test_identical)
{
	struct checktest t;
	const struct rc_finding *f;
	const char *o, *n;
	char want[160];

	checktest_run(&t, &rc_check_build_id, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_uint_eq(checktest_total(&t), 1);
	f = checktest_expect(checktest_find(&t, "build_id.identical"), RC_SEV_INFO);
	o = checktest_detail_str(f, "old");
	n = checktest_detail_str(f, "new");
	assert_hex_id(o);
	ck_assert_str_eq(o, n);
	snprintf(want, sizeof(want),
		 "OLD and NEW have the same build-id %s and the same bytes: the builds are "
		 "identical",
		 n);
	ck_assert_str_eq(f->message, want);
	ck_assert_int_eq(checktest_metric(&t, "new_build_id_bytes"), 20);
	checktest_release(&t);
}
END_TEST

START_TEST(test_reused_after_strip)
{
	struct checktest t;
	const struct rc_finding *f;

	/* strip keeps the note: same build-id, different bytes. */
	checktest_run(&t, &rc_check_build_id, "stripped_new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "build_id.identical"), 0);
	f = checktest_find(&t, "build_id.reused");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "old"), checktest_detail_str(f, "new"));
	ck_assert_ptr_nonnull(strstr(f->message, "different bytes"));
	checktest_release(&t);
}
END_TEST

START_TEST(test_go_build_id)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_build_id, "go_funcs_changed");
	f = checktest_expect(checktest_find(&t, "build_id.go"), RC_SEV_INFO);
	ck_assert_ptr_nonnull(strstr(f->message, "changed"));
	/* The Go build ID is four slash-separated hashes. */
	ck_assert_ptr_nonnull(strchr(checktest_detail_str(f, "new"), '/'));
	ck_assert_str_ne(checktest_detail_str(f, "old"), checktest_detail_str(f, "new"));
	/* No GNU build-id in either, but the Go build IDs tell them apart: no warning. */
	ck_assert_int_eq(checktest_count(&t, "build_id.missing"), 0);
	f = checktest_find(&t, "build_id.go_only");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "old_go_build_id"),
			 checktest_detail_str(checktest_find(&t, "build_id.go"), "old"));
	ck_assert_str_eq(checktest_detail_str(f, "new_go_build_id"),
			 checktest_detail_str(checktest_find(&t, "build_id.go"), "new"));
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	checktest_release(&t);
	checktest_run(&t, &rc_check_build_id, "identical");
	ck_assert_int_eq(checktest_count(&t, "build_id.go"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_changed)
{
	struct checktest t;
	const struct rc_finding *f;
	const char *o, *n;

	checktest_run(&t, &rc_check_build_id, "tls_added");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "build_id.identical"), 0);
	f = checktest_expect(checktest_find(&t, "build_id.changed"), RC_SEV_INFO);
	o = checktest_detail_str(f, "old");
	n = checktest_detail_str(f, "new");
	assert_hex_id(o);
	assert_hex_id(n);
	ck_assert_str_ne(o, n);
	ck_assert_ptr_nonnull(strstr(f->message, o));
	ck_assert_ptr_nonnull(strstr(f->message, n));
	checktest_release(&t);
}
END_TEST

START_TEST(test_missing_new)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_build_id, "no_build_id_new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_uint_eq(checktest_total(&t), 1);
	f = checktest_expect(checktest_find(&t, "build_id.missing_new"), RC_SEV_WARN);
	assert_hex_id(checktest_detail_str(f, "old"));
	ck_assert_ptr_null(checktest_detail_str(f, "new"));
	ck_assert_ptr_nonnull(strstr(f->message, "debuginfod"));
	ck_assert_int_eq(checktest_metric(&t, "new_build_id_bytes"), -1);
	checktest_release(&t);
}
END_TEST

START_TEST(test_missing_old)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_build_id, "no_build_id_new/new", "no_build_id_new/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = checktest_expect(checktest_find(&t, "build_id.missing_old"), RC_SEV_INFO);
	ck_assert_ptr_null(checktest_detail_str(f, "old"));
	assert_hex_id(checktest_detail_str(f, "new"));
	ck_assert_int_eq(checktest_count(&t, "build_id.missing_new"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_missing_both)
{
	struct checktest t;

	checktest_run_paths(&t, &rc_check_build_id, "no_build_id_new/new", "no_build_id_new/new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_uint_eq(checktest_total(&t), 1);
	checktest_expect(checktest_find(&t, "build_id.missing"), RC_SEV_WARN);
	checktest_release(&t);
}
END_TEST

Suite *build_id_suite(void)
{
	return checktest_suite(
		"build_id",
		(const struct checktest_tcase[]){
			{"identical", {test_identical}},
			{"changed", {test_changed, test_reused_after_strip, test_go_build_id}},
			{"missing_new", {test_missing_new}},
			{"missing_old", {test_missing_old}},
			{"missing_both", {test_missing_both}},
			{NULL}});
}

int main(void)
{
	return checktest_main(build_id_suite());
}
