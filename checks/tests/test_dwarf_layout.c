/* SPDX-License-Identifier: MIT */
/* dwarf-layout on the DWARF fixture pairs (testdata/dwarf_*): one verdict per change. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

static const struct {
	const char *fixture;
	enum rc_verdict verdict;
	const char *code; /* a finding that must be there, or NULL */
} cases[] = {
	{"dwarf_inserted", RC_VERDICT_FAIL, "dwarf.offset_changed"},
	{"dwarf_padding", RC_VERDICT_WARN, "dwarf.member_added_in_padding"},
	{"dwarf_retyped", RC_VERDICT_FAIL, "dwarf.member_retyped"},
	{"dwarf_enum", RC_VERDICT_FAIL, "dwarf.enum_value_changed"},
	{"dwarf_bitfield", RC_VERDICT_FAIL, "dwarf.bitfield_moved"},
	{"dwarf_array", RC_VERDICT_FAIL, "dwarf.array_resized"},
	{"dwarf_tls", RC_VERDICT_FAIL, "dwarf.size_changed"},
	{"dwarf_rebuild", RC_VERDICT_PASS, NULL},
	{"dwarf_split", RC_VERDICT_FAIL, "dwarf.offset_changed"},
	{"dwarf_typeunits", RC_VERDICT_FAIL, "dwarf.offset_changed"},
	{"dwarf_nodebug", RC_VERDICT_SKIP, NULL},
	{"dwarf_corrupt", RC_VERDICT_ERROR, NULL},
};

START_TEST(fixture_verdict)
{
	struct checktest t;

	checktest_run(&t, &rc_check_dwarf_layout, cases[_i].fixture);
	ck_assert_msg(rc_result_verdict(t.res) == cases[_i].verdict, "%s: verdict %s, want %s (%s)",
		      cases[_i].fixture, rc_verdict_name(rc_result_verdict(t.res)),
		      rc_verdict_name(cases[_i].verdict),
		      rc_result_reason(t.res) ? rc_result_reason(t.res) : "");
	if (cases[_i].code)
		ck_assert_msg(checktest_find(&t, cases[_i].code), "%s: no %s", cases[_i].fixture,
			      cases[_i].code);
	checktest_release(&t);
}
END_TEST

START_TEST(nodebug_skip_says_why)
{
	struct checktest t;

	checktest_run(&t, &rc_check_dwarf_layout, "dwarf_nodebug");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "no debug information"));
	checktest_release(&t);
}
END_TEST

static Suite *dwarf_layout_suite(void)
{
	Suite *s = suite_create("dwarf_layout");
	TCase *tc = tcase_create("fixtures");

	tcase_add_loop_test(tc, fixture_verdict, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, nodebug_skip_says_why);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return checktest_main(dwarf_layout_suite());
}
