/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

/* The finding with @code about variable @name, or NULL. */
static const struct rc_finding *find_var(const struct checktest *t, const char *code,
					 const char *name)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next) {
		const char *n = checktest_detail_str(f, "name");

		if (strcmp(f->code, code) == 0 && n && strcmp(n, name) == 0)
			return f;
	}
	return NULL;
}

START_TEST(test_identical)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_tls_layout, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_gt(checktest_metric(&t, "new_tls_size"), 0);
	ck_assert_int_eq(checktest_metric(&t, "old_tls_size"),
			 checktest_metric(&t, "new_tls_size"));
	ck_assert_int_eq(checktest_metric(&t, "tls_vars"), 1);
	/* the only finding documents the initial value */
	ck_assert_uint_eq(checktest_total(&t), 1);
	f = checktest_expect(find_var(&t, "tls.initial", "fix_tls_counter"), RC_SEV_INFO);
	ck_assert_str_eq(f->message, "fix_tls_counter (4 bytes) starts as 7 in every new thread");
	checktest_release(&t);
}
END_TEST

START_TEST(test_var_added)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_tls_layout, "tls_added");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_int_eq(checktest_count(&t, "tls.var_added"), 1);
	f = checktest_expect(find_var(&t, "tls.var_added", "fix_tls_new"), RC_SEV_WARN);
	ck_assert_uint_eq(checktest_detail_uint(f, "new_size"), 8);
	ck_assert_int_eq(checktest_count(&t, "tls.var_removed"), 0);
	ck_assert_int_eq(checktest_count(&t, "tls.var_resized"), 0);
	ck_assert_int_eq(checktest_count(&t, "tls.segment_added"), 0);

	/* 4 -> at least 16 bytes (an 8-aligned long after the int) */
	f = checktest_expect(checktest_find(&t, "tls.size_changed"), RC_SEV_WARN);
	ck_assert_uint_eq(checktest_detail_uint(f, "old"),
			  (uint64_t)checktest_metric(&t, "old_tls_size"));
	ck_assert_uint_eq(checktest_detail_uint(f, "new"),
			  (uint64_t)checktest_metric(&t, "new_tls_size"));
	ck_assert_int_gt(checktest_metric(&t, "new_tls_size"),
			 checktest_metric(&t, "old_tls_size"));
	ck_assert_ptr_nonnull(strstr(f->message, "PT_TLS memsz grew from "));
	ck_assert_int_eq(checktest_metric(&t, "tls_vars"), 2);
	ck_assert_int_eq(checktest_metric(&t, "old_tls_vars"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(test_initial_values)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_tls_layout, "tls_added");
	ck_assert_int_eq(checktest_count(&t, "tls.initial"), 2);
	f = checktest_expect(find_var(&t, "tls.initial", "fix_tls_counter"), RC_SEV_INFO);
	ck_assert_str_eq(f->message, "fix_tls_counter (4 bytes) starts as 7 in every new thread");
	ck_assert_uint_eq(checktest_detail_uint(f, "value"), 7);
	ck_assert_uint_eq(checktest_detail_uint(f, "size"), 4);
	ck_assert_str_eq(checktest_detail_str(f, "section"), ".tdata");
	f = find_var(&t, "tls.initial", "fix_tls_new");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->message, "fix_tls_new (8 bytes) starts as 42 in every new thread");
	ck_assert_uint_eq(checktest_detail_uint(f, "value"), 42);
	ck_assert_uint_eq(checktest_detail_uint(f, "size"), 8);
	checktest_release(&t);
}
END_TEST

START_TEST(test_var_removed)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_tls_layout, "tls_added/new", "tls_added/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_int_eq(checktest_count(&t, "tls.var_added"), 0);
	f = checktest_expect(find_var(&t, "tls.var_removed", "fix_tls_new"), RC_SEV_WARN);
	ck_assert_uint_eq(checktest_detail_uint(f, "old_size"), 8);
	f = checktest_find(&t, "tls.size_changed");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "PT_TLS memsz shrank from "));
	ck_assert_int_eq(checktest_metric(&t, "tls_vars"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(test_no_tls)
{
	struct checktest t;

	checktest_run(&t, &rc_check_tls_layout, "pie_change");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_uint_eq(checktest_total(&t), 0);
	ck_assert_int_eq(checktest_metric(&t, "old_tls_size"), 0);
	ck_assert_int_eq(checktest_metric(&t, "new_tls_size"), 0);
	ck_assert_int_eq(checktest_metric(&t, "tls_vars"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_segment_added)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_tls_layout, "pie_change/new", "tls_added/new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = checktest_expect(checktest_find(&t, "tls.segment_added"), RC_SEV_WARN);
	ck_assert_uint_eq(checktest_detail_uint(f, "new_size"),
			  (uint64_t)checktest_metric(&t, "new_tls_size"));
	ck_assert_int_eq(checktest_count(&t, "tls.size_changed"), 0);
	ck_assert_int_eq(checktest_count(&t, "tls.var_added"), 2);
	checktest_release(&t);
}
END_TEST

START_TEST(test_segment_removed)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_tls_layout, "tls_added/old", "pie_change/new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = checktest_expect(checktest_find(&t, "tls.segment_removed"), RC_SEV_WARN);
	ck_assert_uint_eq(checktest_detail_uint(f, "old_size"),
			  (uint64_t)checktest_metric(&t, "old_tls_size"));
	ck_assert_ptr_nonnull(find_var(&t, "tls.var_removed", "fix_tls_counter"));
	ck_assert_int_eq(checktest_count(&t, "tls.initial"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_unnamed)
{
	struct checktest t;
	const struct rc_finding *f;

	/* NEW is stripped: OLD's .symtab variables are not "removed", just unnamed */
	checktest_run_paths(&t, &rc_check_tls_layout, "identical/old", "stripped_new/new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_int_eq(checktest_count(&t, "tls.segment_removed"), 1);
	ck_assert_int_eq(checktest_count(&t, "tls.var_removed"), 0);
	f = checktest_expect(checktest_find(&t, "tls.vars_unnamed"), RC_SEV_INFO);
	ck_assert_uint_eq(checktest_detail_uint(f, "old"), 1);
	checktest_release(&t);
}
END_TEST

Suite *tls_layout_suite(void)
{
	return checktest_suite("tls_layout", (const struct checktest_tcase[]){
						     {"identical", {test_identical}},
						     {"var_added", {test_var_added}},
						     {"initial_values", {test_initial_values}},
						     {"var_removed", {test_var_removed}},
						     {"no_tls", {test_no_tls}},
						     {"segment_added", {test_segment_added}},
						     {"segment_removed", {test_segment_removed}},
						     {"unnamed", {test_unnamed}},
						     {NULL}});
}

int main(void)
{
	return checktest_main(tls_layout_suite());
}
