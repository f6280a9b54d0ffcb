/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>

#include <reloadcheck/runner.h>

#include "checktest.h"

/* Findings with @code whose "version" detail is @version. */
static const struct rc_finding *find_version(const struct checktest *t, const char *code,
					     const char *version)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next) {
		const char *v = checktest_detail_str(f, "version");

		if (strcmp(f->code, code) == 0 && v && strcmp(v, version) == 0)
			return f;
	}
	return NULL;
}

/*
 * The newest GLIBC_x.y[.z] the host libc defines, worked out here on its own
 * (sscanf, numeric compare) to check the check's answer.
 */
static void host_glibc_max(struct rc_elf *libc, char *buf, size_t size)
{
	const char *const *defs;
	size_t n;
	struct rc_err err = {0};
	unsigned best[3] = {0, 0, 0};

	buf[0] = '\0';
	ck_assert_int_eq(rc_elf_verdefs(libc, &defs, &n, &err), 0);
	for (size_t i = 0; i < n; i++) {
		unsigned v[3] = {0, 0, 0};
		char tail;
		int k = sscanf(defs[i], "GLIBC_%u.%u.%u%c", &v[0], &v[1], &v[2], &tail);

		if (k < 2 || k > 3)
			continue;
		if (v[0] > best[0] || (v[0] == best[0] && v[1] > best[1]) ||
		    (v[0] == best[0] && v[1] == best[1] && v[2] > best[2])) {
			memcpy(best, v, sizeof(best));
			snprintf(buf, size, "%s", defs[i]);
		}
	}
}

START_TEST(test_identical)
{
	struct checktest t;

	checktest_run(&t, &rc_check_dynamic_deps, "identical");
	ck_assert_ptr_nonnull(t.ctx.host_libc);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_null(rc_result_findings(t.res));
	ck_assert_int_gt(checktest_metric(&t, "new_needed"), 0);
	ck_assert_int_eq(checktest_metric(&t, "old_needed"), checktest_metric(&t, "new_needed"));
	ck_assert_int_eq(checktest_metric(&t, "needed_added"), 0);
	ck_assert_int_eq(checktest_metric(&t, "versions_unavailable"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_needed_added)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run(&t, &rc_check_dynamic_deps, "needed_added");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "needed.added"), 1);
	f = checktest_expect(checktest_find(&t, "needed.added"), RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "library"), "libm.so.6");
	ck_assert_ptr_nonnull(strstr(f->message, "libm.so.6"));
	ck_assert_int_eq(checktest_count(&t, "needed.removed"), 0);
	ck_assert_int_eq(checktest_metric(&t, "needed_added"), 1);
	ck_assert_int_eq(checktest_metric(&t, "new_needed"),
			 checktest_metric(&t, "old_needed") + 1);
	ck_assert_uint_eq(rc_result_finding_count(t.res, RC_SEV_WARN), 0);
	ck_assert_uint_eq(rc_result_finding_count(t.res, RC_SEV_FAIL), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_needed_removed)
{
	struct checktest t;
	const struct rc_finding *f;

	checktest_run_paths(&t, &rc_check_dynamic_deps, "needed_added/new", "needed_added/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "needed.added"), 0);
	f = checktest_expect(checktest_find(&t, "needed.removed"), RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "library"), "libm.so.6");
	checktest_release(&t);
}
END_TEST

START_TEST(test_glibc_newer)
{
	struct checktest t;
	const struct rc_finding *f;
	char max[64], want[256];

	checktest_run(&t, &rc_check_dynamic_deps, "glibc_newer");
	ck_assert_ptr_nonnull(t.ctx.host_libc);
	host_glibc_max(t.ctx.host_libc, max, sizeof(max));
	/* a string compare would pick GLIBC_2.9 over GLIBC_2.36 */
	ck_assert_str_ne(max, "GLIBC_2.9");
	ck_assert_str_ne(max, "");

	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_int_eq(checktest_count(&t, "version.unavailable"), 1);
	f = checktest_expect(find_version(&t, "version.unavailable", "GLIBC_2.38"), RC_SEV_FAIL);
	snprintf(want, sizeof(want),
		 "NEW needs GLIBC_2.38 but the host's libc provides at most %s: exec will fail",
		 max);
	ck_assert_str_eq(f->message, want);
	ck_assert_str_eq(checktest_detail_str(f, "library"), "libc.so.6");
	ck_assert_str_eq(checktest_detail_str(f, "host_max"), max);
	ck_assert_str_eq(checktest_detail_str(f, "host_libc"), t.ctx.host_libc_path);
	ck_assert(!checktest_detail_bool(f, "weak"));
	ck_assert_int_eq(checktest_metric(&t, "versions_unavailable"), 1);
	/* the other requirement (GLIBC_2.2.5) is satisfied and was there before */
	ck_assert_int_eq(checktest_count(&t, "version.added"), 0);
	ck_assert_int_eq(checktest_count(&t, "needed.added"), 0);
	checktest_release(&t);
}
END_TEST

START_TEST(test_version_added)
{
	struct checktest t;
	const struct rc_finding *f;

	/* Reversed: "NEW" is the real build and newly needs GLIBC_2.34, which exists. */
	checktest_run_paths(&t, &rc_check_dynamic_deps, "glibc_newer/new", "glibc_newer/old");
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "version.unavailable"), 0);
	f = checktest_expect(find_version(&t, "version.added", "GLIBC_2.34"), RC_SEV_INFO);
	ck_assert_str_eq(checktest_detail_str(f, "library"), "libc.so.6");
	ck_assert_int_eq(checktest_count(&t, "version.added"), 1);
	checktest_release(&t);
}
END_TEST

START_TEST(test_unchecked)
{
	struct checktest t;
	const struct rc_finding *f;
	/* A sysroot that holds no libc.so.6: nothing to compare with. */
	struct rc_binary_opts no_libc = {.sysroot = RC_FIXTURES "/glibc_newer"};

	checktest_run_opts(&t, &rc_check_dynamic_deps, "glibc_newer/old", "glibc_newer/new",
			   &no_libc);
	ck_assert_ptr_null(t.ctx.host_libc);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(checktest_count(&t, "version.unavailable"), 0);
	ck_assert_int_eq(checktest_count(&t, "version.unchecked"), 1);
	f = checktest_expect(checktest_find(&t, "version.unchecked"), RC_SEV_INFO);
	ck_assert_ptr_nonnull(checktest_detail_str(f, "problem"));
	checktest_release(&t);
}
END_TEST

Suite *dynamic_deps_suite(void)
{
	return checktest_suite("dynamic_deps", (const struct checktest_tcase[]){
						       {"identical", {test_identical}},
						       {"needed_added", {test_needed_added}},
						       {"needed_removed", {test_needed_removed}},
						       {"glibc_newer", {test_glibc_newer}},
						       {"version_added", {test_version_added}},
						       {"unchecked", {test_unchecked}},
						       {NULL}});
}

int main(void)
{
	return checktest_main(dynamic_deps_suite());
}
