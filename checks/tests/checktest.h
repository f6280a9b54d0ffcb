/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_CHECKTEST_H
#define RELOADCHECK_CHECKTEST_H

#include <stdbool.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/report.h>

/* One check run against a fixture pair RC_FIXTURES/<case>/{old,new}. */
struct checktest {
	struct rc_ctx ctx;
	struct rc_report *report;
	struct rc_check_result *res;
	int rc; /* what check->run returned */
	char old_problem[512], new_problem[512];
};

/* Paths relative to RC_FIXTURES; aborts the test (ck_assert) on open errors. */
void checktest_run_paths(struct checktest *t, const struct rc_check *check, const char *old_rel,
			 const char *new_rel);
/* Shorthand for <case>/old and <case>/new. */
void checktest_run(struct checktest *t, const struct rc_check *check, const char *fixture_case);
void checktest_release(struct checktest *t);

/* The first finding with @code, or NULL. */
const struct rc_finding *checktest_find(const struct checktest *t, const char *code);
/* Number of findings with @code. */
int checktest_count(const struct checktest *t, const char *code);
/* String detail @key of @f, or NULL. */
const char *checktest_detail_str(const struct rc_finding *f, const char *key);
/* Metric @key, or -1 when absent. */
long long checktest_metric(const struct checktest *t, const char *key);

#endif
