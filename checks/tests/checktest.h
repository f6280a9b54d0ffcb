/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_CHECKTEST_H
#define RELOADCHECK_CHECKTEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/report.h>

/* One check run against a fixture pair RC_FIXTURES/<case>/{old,new}. */
struct checktest {
	struct rc_ctx ctx;
	struct rc_report *report;
	struct rc_check_result *res;
};

/*
 * Run @check alone over @ctx through the checks' runner (rc_run_checks) into a
 * new *@report (free with rc_report_free); asserts that the check ran.
 */
struct rc_check_result *checktest_run_ctx(const struct rc_check *check, const struct rc_ctx *ctx,
					  struct rc_report **report);
/* Paths relative to RC_FIXTURES; aborts the test (ck_assert) on open errors. */
void checktest_run_paths(struct checktest *t, const struct rc_check *check, const char *old_rel,
			 const char *new_rel);
/* The same with the static checks' options (sysroot, debug dir, state types). */
struct rc_binary_opts;
void checktest_run_opts(struct checktest *t, const struct rc_check *check, const char *old_rel,
			const char *new_rel, const struct rc_binary_opts *opts);
/* Shorthand for <case>/old and <case>/new. */
void checktest_run(struct checktest *t, const struct rc_check *check, const char *fixture_case);
void checktest_release(struct checktest *t);

/* The first finding with @code, or NULL. */
const struct rc_finding *checktest_find(const struct checktest *t, const char *code);
/* @f, asserted to be there with @severity. */
const struct rc_finding *checktest_expect(const struct rc_finding *f, enum rc_severity severity);
/* Number of findings with @code. */
int checktest_count(const struct checktest *t, const char *code);
/* String detail @key of @f, or NULL. */
const char *checktest_detail_str(const struct rc_finding *f, const char *key);
/* Detail @key of @f, or NULL. */
const struct rc_detail *checktest_detail(const struct rc_finding *f, const char *key);
/* Unsigned / boolean detail @key of @f; asserts it is there with that type. */
uint64_t checktest_detail_uint(const struct rc_finding *f, const char *key);
bool checktest_detail_bool(const struct rc_finding *f, const char *key);
/* Number of findings of every code. */
size_t checktest_total(const struct checktest *t);
/* Metric @key, or -1 when absent. */
long long checktest_metric(const struct checktest *t, const char *key);

/* One TCase of checktest_suite(): its name and its tests, NULL-terminated. */
struct checktest_tcase {
	const char *name;
	const TTest *tests[16];
};
/* A suite @name with a TCase for each of @tcases, up to one with a NULL name. */
Suite *checktest_suite(const char *name, const struct checktest_tcase *tcases);

/* Run every test of @s and free it: EXIT_SUCCESS when all passed, for main(). */
int checktest_main(Suite *s);

#endif
