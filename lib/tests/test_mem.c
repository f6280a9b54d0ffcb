/* SPDX-License-Identifier: MIT */
/* The growth helper and the arena: doubling, alignment, large and hostile sizes. */
#include <check.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "../arena.h"

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

static char *arena_printf(struct rci_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = rci_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return s;
}

START_TEST(arena_aligns_and_keeps_allocations_apart)
{
	struct rci_arena a;
	char *prev = NULL;

	rci_arena_init(&a, 1024, 1024);
	for (size_t i = 0; i < 500; i++) {
		char *p = rci_arena_alloc(&a, i % 37 + 1);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, (int)i, i % 37 + 1);
		if (prev)
			ck_assert_int_eq((unsigned char)prev[0], (unsigned char)(i - 1));
		prev = p;
	}
	ck_assert_ptr_nonnull(rci_arena_alloc(&a, 0));
	ck_assert(!a.oom);
	rci_arena_release(&a);
}
END_TEST

START_TEST(arena_large_allocations_and_strings)
{
	struct rci_arena a;
	char *small, *big, *s, *long_s;
	char want[3000];

	rci_arena_init(&a, 1024, 1024);
	small = rci_arena_strdup(&a, "small");
	big = rci_arena_alloc(&a, 100000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 100000);
	/* The chunk that held "small" is still the one small allocations use. */
	s = rci_arena_strndup(&a, "abcdef", 3);
	ck_assert_str_eq(s, "abc");
	ck_assert_str_eq(small, "small");
	ck_assert_str_eq(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	memset(want, 'y', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	long_s = arena_printf(&a, "%s", want);
	ck_assert_str_eq(long_s, want);
	ck_assert_mem_eq(rci_arena_dup(&a, "\0\1\2", 3), "\0\1\2", 3);
	ck_assert_ptr_nonnull(rci_arena_dup(&a, NULL, 0));
	rci_arena_release(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(arena_refuses_hostile_sizes)
{
	struct rci_arena a;

	rci_arena_init(&a, 4096, 1 << 20);
	ck_assert_ptr_null(rci_arena_alloc(&a, SIZE_MAX));
	ck_assert_ptr_null(rci_arena_alloc(&a, SIZE_MAX / 2 + 1));
	ck_assert(a.oom);
	rci_arena_release(&a);
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
	tc = tcase_create("arena");
	tcase_add_test(tc, arena_aligns_and_keeps_allocations_apart);
	tcase_add_test(tc, arena_large_allocations_and_strings);
	tcase_add_test(tc, arena_refuses_hostile_sizes);
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
