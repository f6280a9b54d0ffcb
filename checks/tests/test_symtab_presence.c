/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

START_TEST(test_identical)
{
	struct checktest t;

	checktest_run(&t, &rc_check_symtab_presence, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_uint_eq(checktest_total(&t), 0);
	ck_assert_int_eq(checktest_metric(&t, "old_debug_sections"),
			 checktest_metric(&t, "new_debug_sections"));
	ck_assert_int_ge(checktest_metric(&t, "new_debug_sections"), 0);
	ck_assert_int_gt(checktest_metric(&t, "new_symtab_symbols"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_stripped)
{
	struct checktest t;
	const struct rc_finding *f;
	const char *sections;
	long long old_debug;

	checktest_run(&t, &rc_check_symtab_presence, "stripped_new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);

	f = checktest_expect(checktest_find(&t, "symtab.lost"), RC_SEV_WARN);
	ck_assert(checktest_detail_bool(f, "old"));
	ck_assert(!checktest_detail_bool(f, "new"));
	ck_assert_uint_gt(checktest_detail_uint(f, "old_symbols"), 10);
	ck_assert_ptr_nonnull(strstr(f->message, "crash stacks and perf"));

	old_debug = checktest_metric(&t, "old_debug_sections");
	ck_assert_int_gt(old_debug, 0);
	ck_assert_int_eq(checktest_metric(&t, "new_debug_sections"), 0);
	ck_assert_int_eq(checktest_metric(&t, "new_symtab_symbols"), 0);
	f = checktest_expect(checktest_find(&t, "debuginfo.lost"), RC_SEV_WARN);
	sections = checktest_detail_str(f, "sections");
	ck_assert_ptr_nonnull(sections);
	ck_assert_ptr_nonnull(strstr(sections, ".debug_info"));
	ck_assert_ptr_nonnull(strstr(sections, ".debug_line"));
	ck_assert_uint_eq(checktest_detail_uint(f, "old"), (uint64_t)old_debug);
	ck_assert_uint_eq(checktest_detail_uint(f, "new"), 0);

	/* strip --strip-all keeps .dynsym; the fixture has no Go table */
	ck_assert_int_eq(checktest_count(&t, "dynsym.lost"), 0);
	ck_assert_int_eq(checktest_count(&t, "gopclntab.lost"), 0);
	ck_assert_uint_eq(checktest_total(&t), 2);
	checktest_release(&t);
}
END_TEST

START_TEST(test_stripped_reversed)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_symtab_presence, "stripped_new/new", "stripped_new/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "symtab.lost"), 0);
	ck_assert_int_eq(checktest_count(&t, "debuginfo.lost"), 0);
	f = checktest_expect(checktest_find(&t, "symtab.gained"), RC_SEV_INFO);
	f = checktest_expect(checktest_find(&t, "debuginfo.gained"), RC_SEV_INFO);
	ck_assert_ptr_nonnull(strstr(checktest_detail_str(f, "sections"), ".debug_info"));
	checktest_release(&t);
}
END_TEST

START_TEST(test_gopclntab_lost)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_symtab_presence, "gopclntab_lost");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_int_eq(checktest_count(&t, "gopclntab.lost"), 1);
	f = checktest_expect(checktest_find(&t, "gopclntab.lost"), RC_SEV_FAIL);
	ck_assert_str_eq(checktest_detail_str(f, "old"), ".gopclntab");
	ck_assert_ptr_nonnull(strstr(f->message, "runtime.FuncForPC"));
	/* only the Go table went */
	ck_assert_int_eq(checktest_count(&t, "symtab.lost"), 0);
	ck_assert_int_eq(checktest_count(&t, "dynsym.lost"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_gopclntab_gained)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_symtab_presence, "gopclntab_lost/new",
			    "gopclntab_lost/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "gopclntab.lost"), 0);
	f = checktest_expect(checktest_find(&t, "gopclntab.gained"), RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "new"), ".gopclntab");
	checktest_release(&t);
}
END_TEST

Suite *symtab_presence_suite(void)
{
	return checktest_suite(
		"symtab_presence",
		(const struct checktest_tcase[]){{"identical", {test_identical}},
						 {"stripped", {test_stripped}},
						 {"stripped_reversed", {test_stripped_reversed}},
						 {"gopclntab_lost", {test_gopclntab_lost}},
						 {"gopclntab_gained", {test_gopclntab_gained}},
						 {NULL}});
}

int main(void)
{
	return checktest_main(symtab_presence_suite());
}
