/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/runner.h>

#include "checktest.h"

struct rc_check_result *checktest_run_ctx(const struct rc_check *check, const struct rc_ctx *ctx,
					  struct rc_report **report)
{
	struct rc_check_result *res;
	int n;

	*report = rc_report_new();
	ck_assert_ptr_nonnull(*report);
	n = rc_run_checks(ctx, &(struct rc_selection){.have = check->needs, .only = check->id},
			  *report);
	ck_assert_int_eq(rc_report_check_count(*report), 1);
	res = rc_report_check(*report, 0);
	ck_assert_msg(n == 0, "%s could not run: %s", check->id,
		      rc_result_reason(res) ? rc_result_reason(res) : "?");
	ck_assert_int_eq(rc_report_status(*report), 0);
	return res;
}

void checktest_run_paths(struct checktest *t, const struct rc_check *check, const char *old_rel,
			 const char *new_rel)
{
	checktest_run_opts(t, check, old_rel, new_rel, NULL);
}

void checktest_run_opts(struct checktest *t, const struct rc_check *check, const char *old_rel,
			const char *new_rel, const struct rc_binary_opts *opts)
{
	char o[4096], n[4096];
	struct rc_err err = {0};
	int rc;

	memset(t, 0, sizeof(*t));
	snprintf(o, sizeof(o), "%s/%s", RC_FIXTURES, old_rel);
	snprintf(n, sizeof(n), "%s/%s", RC_FIXTURES, new_rel);
	rc = rc_ctx_open_binaries(&t->ctx, o, n, opts, &err);
	ck_assert_msg(rc == 0, "cannot open fixtures %s, %s: %s", o, n, err.msg);
	t->res = checktest_run_ctx(check, &t->ctx, &t->report);
}

void checktest_run(struct checktest *t, const struct rc_check *check, const char *fixture_case)
{
	char o[512], n[512];

	snprintf(o, sizeof(o), "%s/old", fixture_case);
	snprintf(n, sizeof(n), "%s/new", fixture_case);
	checktest_run_paths(t, check, o, n);
}

void checktest_release(struct checktest *t)
{
	rc_report_free(t->report);
	rc_ctx_release(&t->ctx);
	memset(t, 0, sizeof(*t));
}

const struct rc_finding *checktest_find(const struct checktest *t, const char *code)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		if (strcmp(f->code, code) == 0)
			return f;
	return NULL;
}

const struct rc_finding *checktest_expect(const struct rc_finding *f, enum rc_severity severity)
{
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, severity);
	return f;
}

int checktest_count(const struct checktest *t, const char *code)
{
	int n = 0;

	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		if (strcmp(f->code, code) == 0)
			n++;
	return n;
}

const char *checktest_detail_str(const struct rc_finding *f, const char *key)
{
	for (const struct rc_detail *d = f ? f->detail : NULL; d; d = d->next)
		if (d->type == RC_DETAIL_STR && strcmp(d->key, key) == 0)
			return d->v.s;
	return NULL;
}

const struct rc_detail *checktest_detail(const struct rc_finding *f, const char *key)
{
	for (const struct rc_detail *d = f ? f->detail : NULL; d; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

uint64_t checktest_detail_uint(const struct rc_finding *f, const char *key)
{
	const struct rc_detail *d = checktest_detail(f, key);

	ck_assert_msg(d != NULL, "no detail '%s'", key);
	ck_assert_int_eq(d->type, RC_DETAIL_UINT);
	return d->v.u;
}

bool checktest_detail_bool(const struct rc_finding *f, const char *key)
{
	const struct rc_detail *d = checktest_detail(f, key);

	ck_assert_msg(d != NULL, "no detail '%s'", key);
	ck_assert_int_eq(d->type, RC_DETAIL_BOOL);
	return d->v.b;
}

size_t checktest_total(const struct checktest *t)
{
	size_t n = 0;

	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		n++;
	return n;
}

long long checktest_metric(const struct checktest *t, const char *key)
{
	for (const struct rc_metric *m = rc_result_metrics(t->res); m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m->value;
	return -1;
}

int checktest_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

Suite *checktest_suite(const char *name, const struct checktest_tcase *tcases)
{
	Suite *s = suite_create(name);

	for (const struct checktest_tcase *k = tcases; k->name; k++) {
		TCase *tc = tcase_create(k->name);

		for (size_t i = 0; i < sizeof(k->tests) / sizeof(k->tests[0]) && k->tests[i]; i++)
			tcase_add_test(tc, k->tests[i]);
		suite_add_tcase(s, tc);
	}
	return s;
}
