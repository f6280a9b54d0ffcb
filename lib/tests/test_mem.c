/* SPDX-License-Identifier: MIT */
/* The growth helper: doubling, exact fits, and sizes that would overflow. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

START_TEST(grows_to_need_and_keeps_contents)
{
	int *v = NULL;
	size_t cap = 0;

	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(RC_GROW(v, cap, (size_t)i + 1), 0);
		ck_assert_uint_ge(cap, (size_t)i + 1);
		v[i] = i;
	}
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(v[i], i);
	free(v);
}
END_TEST

START_TEST(at_least_doubles)
{
	char *b = NULL;
	size_t cap = 0, before;

	ck_assert_int_eq(RC_GROW(b, cap, 100), 0);
	before = cap;
	ck_assert_uint_ge(before, 100);
	ck_assert_int_eq(RC_GROW(b, cap, before + 1), 0);
	ck_assert_uint_ge(cap, before * 2);
	free(b);
}
END_TEST

START_TEST(enough_room_is_a_no_op)
{
	long *v = NULL, *was;
	size_t cap = 0;

	ck_assert_int_eq(RC_GROW(v, cap, 5), 0);
	was = v;
	ck_assert_int_eq(RC_GROW(v, cap, cap), 0);
	ck_assert_ptr_eq(v, was);
	ck_assert_int_eq(RC_GROW(v, cap, 0), 0);
	ck_assert_ptr_eq(v, was);
	free(v);
}
END_TEST

START_TEST(overflow_fails_and_leaves_array_untouched)
{
	uint64_t *v = NULL, *was;
	size_t cap = 0, cap_was;

	ck_assert_int_eq(RC_GROW(v, cap, 3), 0);
	v[0] = 42;
	was = v;
	cap_was = cap;
	ck_assert_int_eq(RC_GROW(v, cap, SIZE_MAX / sizeof(*v) + 1), -RC_ENOMEM);
	ck_assert_ptr_eq(v, was);
	ck_assert_uint_eq(cap, cap_was);
	ck_assert_int_eq(RC_GROW(v, cap, SIZE_MAX), -RC_ENOMEM);
	ck_assert_ptr_eq(v, was);
	ck_assert_uint_eq(cap, cap_was);
	ck_assert_uint_eq(v[0], 42);
	free(v);
}
END_TEST

static Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc;

	tc = tcase_create("grow");
	tcase_add_test(tc, grows_to_need_and_keeps_contents);
	tcase_add_test(tc, at_least_doubles);
	tcase_add_test(tc, enough_room_is_a_no_op);
	suite_add_tcase(s, tc);
	tc = tcase_create("overflow");
	tcase_add_test(tc, overflow_fails_and_leaves_array_untouched);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mem_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
