/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/error.h>

#include "checktest.h"

static struct rc_elf *open_fixture(const char *rel)
{
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	int rc;

	snprintf(path, sizeof(path), "%s/%s", RC_FIXTURES, rel);
	rc = rc_elf_open(path, &elf, &err);
	ck_assert_msg(rc == 0, "cannot open fixture %s: %s", path, err.msg);
	return elf;
}

void checktest_run_paths(struct checktest *t, const struct rc_check *check, const char *old_rel,
			 const char *new_rel)
{
	struct rc_err err = {0};
	static const char *const libc_paths[] = {"/lib/x86_64-linux-gnu/libc.so.6",
						 "/usr/lib/x86_64-linux-gnu/libc.so.6",
						 "/lib64/libc.so.6"};

	memset(t, 0, sizeof(*t));
	t->ctx.old_elf = open_fixture(old_rel);
	t->ctx.new_elf = open_fixture(new_rel);
	t->ctx.sysroot = "";
	if (check->needs & RC_NEEDS_HOST_LIBC) {
		for (size_t i = 0; i < sizeof(libc_paths) / sizeof(libc_paths[0]); i++) {
			t->ctx.host_libc_path = libc_paths[i];
			if (rc_elf_open(libc_paths[i], &t->ctx.host_libc, &err) == 0)
				break;
		}
		if (!t->ctx.host_libc)
			t->ctx.host_libc_problem = "libc.so.6 not found";
	}
	if (check->needs & RC_NEEDS_DWARF) {
		int rc = rc_dwarf_open(t->ctx.old_elf, NULL, &t->ctx.old_dwarf, &err);

		if (rc) {
			snprintf(t->old_problem, sizeof(t->old_problem), "%s", err.msg);
			t->ctx.old_dwarf_problem = t->old_problem;
			t->ctx.old_dwarf_corrupt = rc != -RC_ENOENT;
		}
		rc_err_clear(&err);
		rc = rc_dwarf_open(t->ctx.new_elf, NULL, &t->ctx.new_dwarf, &err);
		if (rc) {
			snprintf(t->new_problem, sizeof(t->new_problem), "%s", err.msg);
			t->ctx.new_dwarf_problem = t->new_problem;
			t->ctx.new_dwarf_corrupt = rc != -RC_ENOENT;
		}
		rc_err_clear(&err);
	}
	t->report = rc_report_new();
	ck_assert_ptr_nonnull(t->report);
	t->res = rc_report_add_check(t->report, check->id);
	ck_assert_ptr_nonnull(t->res);
	t->rc = check->run(&t->ctx, t->res, &err);
	ck_assert_msg(t->rc == 0, "%s could not run: %s", check->id, err.msg);
	rc_result_finish(t->res);
	ck_assert_int_eq(rc_report_status(t->report), 0);
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
	rc_dwarf_free(t->ctx.old_dwarf);
	rc_dwarf_free(t->ctx.new_dwarf);
	rc_elf_free(t->ctx.old_elf);
	rc_elf_free(t->ctx.new_elf);
	rc_elf_free(t->ctx.host_libc);
	memset(t, 0, sizeof(*t));
}

const struct rc_finding *checktest_find(const struct checktest *t, const char *code)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		if (strcmp(f->code, code) == 0)
			return f;
	return NULL;
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

long long checktest_metric(const struct checktest *t, const char *key)
{
	for (const struct rc_metric *m = rc_result_metrics(t->res); m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m->value;
	return -1;
}
