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
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_elf_identity, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_uint_eq(checktest_total(&t), 1);
	f = checktest_expect(checktest_find(&t, "identity.same"), RC_SEV_INFO);
	ck_assert_uint_eq(checktest_detail_uint(f, "class"), 64);
	ck_assert_str_eq(checktest_detail_str(f, "byte_order"), "LSB");
	ck_assert_str_eq(checktest_detail_str(f, "machine"), "x86-64");
	ck_assert_str_eq(checktest_detail_str(f, "linkage"), "dynamic");
	ck_assert_ptr_nonnull(checktest_detail_str(f, "interpreter"));
	ck_assert_ptr_nonnull(strstr(f->message, "x86-64 ELF64 LSB "));
	ck_assert_ptr_nonnull(strstr(f->message, ", interpreter /"));
	checktest_release(&t);
}
END_TEST

START_TEST(test_pie_change)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_elf_identity, "pie_change");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_int_eq(checktest_count(&t, "identity.pie"), 1);
	/* EXEC -> DYN is exactly the PIE flip: told once, as identity.pie */
	ck_assert_int_eq(checktest_count(&t, "identity.type"), 0);
	ck_assert_int_eq(checktest_count(&t, "identity.linkage"), 0);
	ck_assert_int_eq(checktest_count(&t, "identity.interpreter"), 0);
	ck_assert_int_eq(checktest_count(&t, "identity.same"), 0);
	f = checktest_expect(checktest_find(&t, "identity.pie"), RC_SEV_WARN);
	ck_assert(!checktest_detail_bool(f, "old"));
	ck_assert(checktest_detail_bool(f, "new"));
	ck_assert_ptr_nonnull(strstr(f->message, "NEW is position-independent"));
	checktest_release(&t);
}
END_TEST

START_TEST(test_pie_reversed)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_elf_identity, "pie_change/new", "pie_change/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = checktest_find(&t, "identity.pie");
	ck_assert_ptr_nonnull(f);
	ck_assert(checktest_detail_bool(f, "old"));
	ck_assert(!checktest_detail_bool(f, "new"));
	ck_assert_int_eq(checktest_count(&t, "identity.type"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_class_change)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_elf_identity, "class_change");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_expect(checktest_find(&t, "identity.class"), RC_SEV_FAIL);
	ck_assert_uint_eq(checktest_detail_uint(f, "old"), 64);
	ck_assert_uint_eq(checktest_detail_uint(f, "new"), 32);
	ck_assert_ptr_nonnull(strstr(f->message, "from ELF64 to ELF32"));
	/* i386 is also a different machine; byte order is the same */
	f = checktest_expect(checktest_find(&t, "identity.machine"), RC_SEV_FAIL);
	ck_assert_str_eq(checktest_detail_str(f, "old"), "x86-64");
	ck_assert_str_eq(checktest_detail_str(f, "new"), "i386");
	ck_assert_uint_eq(checktest_detail_uint(f, "old_value"), 62);
	ck_assert_uint_eq(checktest_detail_uint(f, "new_value"), 3);
	ck_assert_int_eq(checktest_count(&t, "identity.byte_order"), 0);
	ck_assert_int_eq(checktest_count(&t, "identity.same"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_big_endian_class)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_elf_identity, "elfgen/be64", "elfgen/be32");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_find(&t, "identity.class");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(checktest_detail_uint(f, "old"), 64);
	ck_assert_uint_eq(checktest_detail_uint(f, "new"), 32);
	ck_assert_int_eq(checktest_count(&t, "identity.byte_order"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_big_endian_same)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_elf_identity, "elfgen/be32", "elfgen/be32");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_uint_eq(checktest_total(&t), 1);
	f = checktest_find(&t, "identity.same");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(checktest_detail_uint(f, "class"), 32);
	ck_assert_str_eq(checktest_detail_str(f, "byte_order"), "MSB");
	ck_assert_ptr_nonnull(strstr(f->message, " ELF32 MSB "));
	checktest_release(&t);
}
END_TEST

START_TEST(test_byte_order)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_elf_identity, "elfgen/le32", "elfgen/be32");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_expect(checktest_find(&t, "identity.byte_order"), RC_SEV_FAIL);
	ck_assert_str_eq(checktest_detail_str(f, "old"), "LSB");
	ck_assert_str_eq(checktest_detail_str(f, "new"), "MSB");
	ck_assert_int_eq(checktest_count(&t, "identity.class"), 0);
	checktest_release(&t);
}
END_TEST

Suite *elf_identity_suite(void)
{
	return checktest_suite(
		"elf_identity",
		(const struct checktest_tcase[]){{"identical", {test_identical}},
						 {"pie_change", {test_pie_change}},
						 {"pie_reversed", {test_pie_reversed}},
						 {"class_change", {test_class_change}},
						 {"big_endian_class", {test_big_endian_class}},
						 {"big_endian_same", {test_big_endian_same}},
						 {"byte_order", {test_byte_order}},
						 {NULL}});
}

int main(void)
{
	return checktest_main(elf_identity_suite());
}
