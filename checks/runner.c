/* SPDX-License-Identifier: MIT */
/*
 * The one check runner: which checks run for the inputs at hand, each timed,
 * the policy applied to each result so the report's verdict is final.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>
#include <reloadcheck/runner.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Why a check whose inputs are missing did not run, naming what gives them. */
static const char *missing_reason(unsigned missing)
{
	if (missing & RC_NEEDS_PROCESS)
		return "needs a running process: give --pid";
	if (missing & RC_NEEDS_PPROF)
		return "needs a pprof endpoint: give --pprof URL";
	return "needs --old and --new";
}

static void record_input(struct rc_report *r, const char *role, const struct rc_elf *elf)
{
	const unsigned char *id;
	size_t len;
	char hex[129];
	bool have = rc_elf_build_id(elf, &id, &len) == 0;

	if (have)
		rc_hex(id, len, hex, sizeof(hex));
	rc_report_set_input(r, role, rc_elf_path(elf), rc_elf_file_size(elf), have ? hex : NULL);
}

/* Run @c into @res unless the policy or missing inputs say otherwise; 1 if run() failed. */
static int run_one(const struct rc_check *c, const struct rc_ctx *ctx,
		   const struct rc_selection *sel, struct rc_check_result *res)
{
	unsigned missing = c->needs & ~sel->have;
	struct rc_err err = {0};
	int failed = 0;

	if (!rc_policy_enabled(sel->policy, c->id)) {
		rc_result_skip(res, "disabled by the policy");
	} else if (missing) {
		rc_result_skip(res, "%s", missing_reason(missing));
	} else if (c->run(ctx, res, &err) != 0) {
		rc_result_error(res, "%s", err.msg[0] ? err.msg : rc_strerror(err.code));
		failed = 1;
	}
	rc_result_finish(res);
	if (sel->fail_on_warn || rc_policy_fail_on(sel->policy, c->id) == RC_VERDICT_WARN)
		rc_result_set_fail_on(res, RC_VERDICT_WARN);
	/* Severity edits and suppressions, then the verdict again (fail_on included). */
	rc_policy_apply(sel->policy, res);
	return failed;
}

int rc_run_checks(const struct rc_ctx *ctx, const struct rc_selection *sel, struct rc_report *r)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = all[i];
		struct rc_check_result *res;
		uint64_t start;

		if (sel->only && strcmp(sel->only, c->id) != 0)
			continue;
		if (!sel->list_missing && (c->needs & sel->have) != c->needs)
			continue;
		res = rc_report_add_check(r, c->id);
		if (!res)
			break;
		start = now_ms();
		failed += run_one(c, ctx, sel, res);
		rc_result_set_duration_ms(res, now_ms() - start);
	}
	if (ctx->old_elf)
		record_input(r, "old", ctx->old_elf);
	if (ctx->new_elf)
		record_input(r, "new", ctx->new_elf);
	else if (ctx->expect_elf)
		record_input(r, "new", ctx->expect_elf);
	return rc_report_status(r) != 0 ? -RC_ENOMEM : failed;
}

int rc_checks_policy_load(const char *path, struct rc_policy **out, struct rc_err *err)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	const char **ids = calloc(n, sizeof(*ids));
	const char *const **codes = calloc(n, sizeof(*codes));
	struct rc_policy_catalog cat;
	int rc;

	if (!ids || !codes) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = all[i]->id;
		codes[i] = all[i]->codes;
	}
	cat = (struct rc_policy_catalog){.ids = ids, .codes = codes, .n = n};
	rc = rc_policy_load(path, &cat, out, err);
out:
	free(ids);
	free((void *)codes);
	return rc;
}
