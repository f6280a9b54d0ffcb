/* SPDX-License-Identifier: MIT */
/* symbol-drift on fixture pairs: each behaviour gets its verdict and key findings. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

static const struct rc_finding *find_in_table(const struct checktest *t, const char *code,
					      const char *table)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next) {
		const char *tb = checktest_detail_str(f, "table");

		if (!strcmp(f->code, code) && tb && !strcmp(tb, table))
			return f;
	}
	return NULL;
}

START_TEST(removed_export_fails)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_symbol_drift, "removed_export");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_expect(find_in_table(&t, "symbol.removed", ".dynsym"), RC_SEV_FAIL);
	ck_assert_str_eq(checktest_detail_str(f, "name"), "fix_beta");
	ck_assert_ptr_nonnull(strstr(f->message, "fix_beta"));
	ck_assert_int_eq(checktest_metric(&t, "dynsym_removed"), 1);
	ck_assert_int_eq(checktest_metric(&t, "dynsym_added"), 0);
	ck_assert_ptr_nonnull(checktest_find(&t, "symbol.digest_changed"));
	checktest_release(&t);
}
END_TEST

START_TEST(added_export_passes)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_symbol_drift, "removed_export/new", "removed_export/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = checktest_expect(find_in_table(&t, "symbol.added", ".dynsym"), RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "name"), "fix_beta");
	ck_assert_int_eq(checktest_count(&t, "symbol.removed"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(resized_data_fails)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_symbol_drift, "resized_data");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = checktest_expect(find_in_table(&t, "symbol.resized", ".dynsym"), RC_SEV_FAIL);
	ck_assert_str_eq(checktest_detail_str(f, "name"), "fix_table");
	ck_assert_ptr_nonnull(strstr(f->message, "from 16 to 32 bytes"));
	checktest_release(&t);
}
END_TEST

START_TEST(clone_rename_passes_clean)
{
	struct checktest t;

	checktest_run(&t, &rc_check_symbol_drift, "clone_rename");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "symbol.removed"), 0);
	ck_assert_int_eq(checktest_count(&t, "symbol.added"), 0);
	ck_assert_int_eq(checktest_count(&t, "symbol.resized"), 0);
	ck_assert_int_eq(checktest_metric(&t, "changed"), 0);
	ck_assert_ptr_nonnull(find_in_table(&t, "symbol.digest_equal", ".symtab"));
	checktest_release(&t);
}
END_TEST

START_TEST(moved_only_recognised)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_symbol_drift, "moved_only");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_gt(checktest_metric(&t, "symtab_moved"), 0);
	ck_assert_int_eq(checktest_metric(&t, "added") + checktest_metric(&t, "removed") +
				 checktest_metric(&t, "changed"),
			 0);
	f = find_in_table(&t, "symbol.digest_equal", ".symtab");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(checktest_detail_str(f, "old_digest"),
			 checktest_detail_str(f, "new_digest"));
	ck_assert_ptr_nonnull(find_in_table(&t, "symbol.moved", ".symtab"));
	checktest_release(&t);
}
END_TEST

START_TEST(identical_has_no_drift)
{
	struct checktest t;

	checktest_run(&t, &rc_check_symbol_drift, "identical");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_metric(&t, "moved"), 0);
	ck_assert_int_eq(checktest_count(&t, "symbol.digest_equal"), 2);
	ck_assert_int_eq(checktest_count(&t, "symbol.moved"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(stripped_table_not_diffed)
{
	struct checktest t;

	checktest_run(&t, &rc_check_symbol_drift, "stripped_new");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(checktest_find(&t, "symbol.table_missing"));
	ck_assert_int_eq(checktest_metric(&t, "symtab_old"), -1);
	checktest_release(&t);
}
END_TEST

START_TEST(big_endian_tables_diff)
{
	struct checktest t;

	checktest_run_paths(&t, &rc_check_symbol_drift, "elfgen/be64", "elfgen/be64");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_metric(&t, "symtab_old"), 3);
	checktest_release(&t);
}
END_TEST

static Suite *symbol_drift_suite(void)
{
	return checktest_suite(
		"symbol_drift",
		(const struct checktest_tcase[]){
			{"exports",
			 {removed_export_fails, added_export_passes, resized_data_fails}},
			{"rebuilds",
			 {clone_rename_passes_clean, moved_only_recognised,
			  identical_has_no_drift}},
			{"tables", {stripped_table_not_diffed, big_endian_tables_diff}},
			{NULL}});
}

int main(void)
{
	return checktest_main(symbol_drift_suite());
}
