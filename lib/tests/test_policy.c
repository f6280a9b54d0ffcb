/* SPDX-License-Identifier: MIT */
/*
 * The policy file: a full policy read back through every accessor, severity
 * overrides and suppressions applied to a hand-built report, and every kind of
 * invalid policy rejected with the file, the exact line and the key named.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

/* Two fake checks, as checks/registry.c would describe them. */
static const char *const drift_codes[] = {"symbol.added", "symbol.removed", "symbol.changed", NULL};
static const char *const go_codes[] = {"go.version", "go.module", NULL};
static const char *const cat_ids[] = {"go-buildinfo", "symbol-drift"};
static const char *const *const cat_codes[] = {go_codes, drift_codes};
static const struct rc_policy_catalog cat = {.ids = cat_ids, .codes = cat_codes, .n = 2};

static const char full_policy[] =
	"{\n"
	"  \"policy\": \"reloadcheck/policy/v1\",\n"
	"  \"fail_on\": \"fail\",\n"
	"  \"thresholds\": {\"pprof_gap_seconds\": 120, \"pprof_min_samples\": 10,\n"
	"                 \"pprof_max_unsymbolized\": 0.25, \"pprof_goroutine_factor\": 3,\n"
	"                 \"pprof_hot_share\": 0.05},\n"
	"  \"checks\": {\n"
	"    \"symbol-drift\": {\"enabled\": true, \"fail_on\": \"warn\",\n"
	"                     \"severity\": {\"symbol.removed\": \"warn\", \"symbol.added\": "
	"\"fail\"}},\n"
	"    \"go-buildinfo\": {\"enabled\": false}\n"
	"  },\n"
	"  \"suppressions\": [\n"
	"    {\"check\": \"symbol-drift\", \"code\": \"symbol.removed\", \"symbol\": "
	"\"legacy_*\",\n"
	"     \"reason\": \"removed in 2.0, no callers left\"},\n"
	"    {\"code\": \"symbol.added\", \"symbol_regex\": \"^_ZN4llvm\", \"reason\": \"LLVM "
	"internals\"},\n"
	"    {\"check\": \"go-buildinfo\", \"reason\": \"not our build\"}\n"
	"  ],\n"
	"  \"probe\": {\"tls_canaries\": {\"rc_canary\": \"0x5eed0001\", \"rc_small\": 7, "
	"\"rc_any\": null},\n"
	"            \"expected_listeners\": [\"tcp 127.0.0.1:8080\", \"unix /run/app.sock\"]},\n"
	"  \"pprof\": {\"url\": \"http://127.0.0.1:6060\", \"seconds\": 5,\n"
	"            \"headers\": [\"Authorization: Bearer x\", \"X-Env: ci\"]}\n"
	"}\n";

/* Write @text to a fresh file named in @path (of PATH_BUF bytes). */
#define PATH_BUF 64
static void write_tmp(const char *text, char *path)
{
	FILE *f;
	int fd;

	snprintf(path, PATH_BUF, "/tmp/rc-policy-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* Load @text; the file is gone again on return, its name left in @path. */
static int load_text(const char *text, struct rc_policy **p, struct rc_err *err, char *path)
{
	int rc;

	write_tmp(text, path);
	rc = rc_policy_load(path, &cat, p, err);
	unlink(path);
	return rc;
}

static struct rc_policy *load_ok(const char *text)
{
	char path[PATH_BUF];
	struct rc_err err = {0};
	struct rc_policy *p = NULL;

	ck_assert_msg(load_text(text, &p, &err, path) == 0, "load failed: %s", err.msg);
	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(full_policy_accessors)
{
	struct rc_policy *p = load_ok(full_policy);
	const struct rc_canary_spec *cs = NULL;
	const char *const *hdr = NULL;
	struct rc_thresholds th;

	rc_policy_thresholds(p, &th);
	ck_assert_double_eq(th.pprof_gap_seconds, 120);
	ck_assert_int_eq(th.pprof_min_samples, 10);
	ck_assert_double_eq(th.pprof_max_unsymbolized, 0.25);
	ck_assert_double_eq(th.pprof_goroutine_factor, 3);
	ck_assert_double_eq(th.pprof_hot_share, 0.05);

	ck_assert(rc_policy_enabled(p, "symbol-drift"));
	ck_assert(!rc_policy_enabled(p, "go-buildinfo"));
	ck_assert(rc_policy_enabled(p, "not-in-policy"));
	ck_assert_int_eq(rc_policy_fail_on(p, "symbol-drift"), RC_VERDICT_WARN);
	ck_assert_int_eq(rc_policy_fail_on(p, "go-buildinfo"), RC_VERDICT_FAIL);
	ck_assert_int_eq(rc_policy_fail_on(p, "not-in-policy"), RC_VERDICT_FAIL);

	ck_assert_uint_eq(rc_policy_canaries(p, &cs), 3);
	ck_assert_str_eq(cs[0].symbol, "rc_canary");
	ck_assert(cs[0].has_expected);
	ck_assert_uint_eq(cs[0].expected, 0x5eed0001);
	ck_assert_str_eq(cs[1].symbol, "rc_small");
	ck_assert(cs[1].has_expected);
	ck_assert_uint_eq(cs[1].expected, 7);
	ck_assert_str_eq(cs[2].symbol, "rc_any");
	ck_assert(!cs[2].has_expected);

	ck_assert_str_eq(rc_policy_pprof_url(p), "http://127.0.0.1:6060");
	ck_assert_int_eq(rc_policy_pprof_seconds(p), 5);
	ck_assert_uint_eq(rc_policy_pprof_headers(p, &hdr), 2);
	ck_assert_str_eq(hdr[0], "Authorization: Bearer x");
	ck_assert_str_eq(hdr[1], "X-Env: ci");
	rc_policy_free(p);
}
END_TEST

START_TEST(global_fail_on_warn)
{
	struct rc_policy *p =
		load_ok("{\"policy\": \"reloadcheck/policy/v1\", \"fail_on\": \"warn\","
			" \"checks\": {\"go-buildinfo\": {\"fail_on\": \"fail\"}}}");

	ck_assert_int_eq(rc_policy_fail_on(p, "symbol-drift"), RC_VERDICT_WARN);
	ck_assert_int_eq(rc_policy_fail_on(p, "go-buildinfo"), RC_VERDICT_FAIL);
	rc_policy_free(p);
}
END_TEST

static void assert_defaults(const struct rc_policy *p)
{
	const struct rc_canary_spec *cs = (const void *)1;
	const char *const *hdr = (const void *)1;
	struct rc_thresholds th;

	rc_policy_thresholds(p, &th);
	ck_assert_double_eq(th.pprof_gap_seconds, 300);
	ck_assert_int_eq(th.pprof_min_samples, 1);
	ck_assert_double_eq(th.pprof_max_unsymbolized, 0.10);
	ck_assert_double_eq(th.pprof_goroutine_factor, 4);
	ck_assert_double_eq(th.pprof_hot_share, 0.10);
	ck_assert(rc_policy_enabled(p, "symbol-drift"));
	ck_assert_int_eq(rc_policy_fail_on(p, "symbol-drift"), RC_VERDICT_FAIL);
	ck_assert_uint_eq(rc_policy_canaries(p, &cs), 0);
	ck_assert_ptr_null(cs);
	ck_assert_ptr_null(rc_policy_pprof_url(p));
	ck_assert_int_eq(rc_policy_pprof_seconds(p), 0);
	ck_assert_uint_eq(rc_policy_pprof_headers(p, &hdr), 0);
}

START_TEST(null_policy_defaults)
{
	assert_defaults(NULL);
	rc_policy_free(NULL);
}
END_TEST

START_TEST(minimal_policy_defaults)
{
	struct rc_policy *p = load_ok("{\"policy\": \"reloadcheck/policy/v1\"}\n");

	assert_defaults(p);
	rc_policy_free(p);
}
END_TEST

START_TEST(missing_file_is_eio)
{
	struct rc_err err = {0};
	struct rc_policy *p = (void *)1;

	ck_assert_int_eq(rc_policy_load("/nonexistent/policy.json", &cat, &p, &err), -RC_EIO);
	ck_assert_ptr_eq(p, (void *)1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'/nonexistent/policy.json'"));
}
END_TEST

/* A file over the cap is refused by its size; an endless one after the cap. */
START_TEST(oversized_file_is_refused)
{
	char path[] = "/tmp/rc-policy-big-XXXXXX";
	struct rc_err err = {0};
	struct rc_policy *p = (void *)1;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 64 << 20), 0);
	close(fd);
	ck_assert_int_eq(rc_policy_load(path, &cat, &p, &err), -RC_EINVAL);
	unlink(path);
	ck_assert_ptr_eq(p, (void *)1);
	ck_assert_msg(strstr(err.msg, "more than 1048576 bytes, too large for a policy"), "%s",
		      err.msg);
	ck_assert_int_eq(rc_policy_load("/dev/zero", &cat, &p, &err), -RC_EINVAL);
	ck_assert_ptr_eq(p, (void *)1);
	ck_assert_str_eq(err.msg, "'/dev/zero': more than 1048576 bytes, too large for a policy");
}
END_TEST

/* Applying */

static struct rc_finding *add(struct rc_check_result *res, enum rc_severity sev, const char *code,
			      const char *key, const char *name)
{
	struct rc_finding *f = rc_result_add(res, sev, code, "%s %s", code, name ? name : "-");

	ck_assert_ptr_nonnull(f);
	if (key)
		rc_finding_str(f, key, name);
	return f;
}

static size_t listed(const struct rc_check_result *res)
{
	size_t n = 0;

	for (const struct rc_finding *f = rc_result_findings(res); f; f = f->next)
		n++;
	return n;
}

/* The full policy and a report with one symbol-drift result, as most tests want. */
struct drift {
	struct rc_policy *p;
	struct rc_report *r;
	struct rc_check_result *res;
};

static struct drift drift_open(void)
{
	struct drift d = {.p = load_ok(full_policy), .r = rc_report_new()};

	d.res = rc_report_add_check(d.r, "symbol-drift");
	return d;
}

static void drift_close(struct drift *d)
{
	rc_policy_free(d->p);
	rc_report_free(d->r);
}

START_TEST(override_changes_verdict)
{
	struct drift d = drift_open();
	struct rc_finding *removed = add(d.res, RC_SEV_FAIL, "symbol.removed", "name", "do_work");
	struct rc_finding *changed = add(d.res, RC_SEV_INFO, "symbol.changed", "name", "other");

	rc_result_finish(d.res);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_FAIL);
	rc_policy_apply(d.p, d.res);
	ck_assert_int_eq(removed->severity, RC_SEV_WARN);
	ck_assert_int_eq(changed->severity, RC_SEV_INFO);
	ck_assert_ptr_null(removed->suppressed);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_WARN);
	ck_assert_uint_eq(rc_result_finding_count(d.res, RC_SEV_FAIL), 0);
	ck_assert_uint_eq(rc_result_finding_count(d.res, RC_SEV_WARN), 1);

	/* the same code in another check is not overridden */
	struct rc_check_result *other = rc_report_add_check(d.r, "go-buildinfo");
	struct rc_finding *g = add(other, RC_SEV_FAIL, "go.version", NULL, NULL);

	rc_policy_free(d.p);
	d.p = load_ok("{\"policy\": \"reloadcheck/policy/v1\", \"checks\": {\"symbol-drift\":"
		      " {\"severity\": {\"symbol.added\": \"info\"}}}}");
	struct rc_finding *added = add(d.res, RC_SEV_FAIL, "symbol.added", "name", "x");

	rc_policy_apply(d.p, other);
	ck_assert_int_eq(g->severity, RC_SEV_FAIL);
	ck_assert_int_eq(rc_result_verdict(other), RC_VERDICT_FAIL);
	/* upgrading to fail and downgrading to info both count */
	rc_policy_apply(d.p, d.res);
	ck_assert_int_eq(added->severity, RC_SEV_INFO);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_WARN);
	drift_close(&d);
}
END_TEST

START_TEST(override_can_raise)
{
	struct drift d = drift_open();
	struct rc_finding *f = add(d.res, RC_SEV_INFO, "symbol.added", "name", "new_api");

	rc_result_finish(d.res);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_PASS);
	rc_policy_apply(d.p, d.res);
	ck_assert_int_eq(f->severity, RC_SEV_FAIL);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_FAIL);
	drift_close(&d);
}
END_TEST

START_TEST(suppress_by_glob)
{
	struct drift d = drift_open();
	struct rc_finding *a = add(d.res, RC_SEV_FAIL, "symbol.removed", "name", "legacy_open");
	struct rc_finding *b = add(d.res, RC_SEV_FAIL, "symbol.removed", "name", "legacy_close");

	rc_policy_apply(d.p, d.res);
	ck_assert_ptr_nonnull(a->suppressed);
	ck_assert_str_eq(a->suppressed, "removed in 2.0, no callers left");
	ck_assert_str_eq(b->suppressed, "removed in 2.0, no callers left");
	ck_assert_uint_eq(rc_result_suppressed_count(d.res), 2);
	ck_assert_uint_eq(listed(d.res), 2);
	ck_assert_uint_eq(rc_result_finding_count(d.res, RC_SEV_WARN), 0);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_PASS);

	/* a non-matching name stays and decides the verdict */
	struct rc_finding *c = add(d.res, RC_SEV_FAIL, "symbol.removed", "name", "current_open");

	rc_policy_apply(d.p, d.res);
	ck_assert_ptr_null(c->suppressed);
	ck_assert_uint_eq(rc_result_suppressed_count(d.res), 2);
	ck_assert_uint_eq(listed(d.res), 3);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_WARN);
	drift_close(&d);
}
END_TEST

START_TEST(suppress_by_regex)
{
	struct drift d = drift_open();
	struct rc_finding *llvm = add(d.res, RC_SEV_INFO, "symbol.added", "symbol", "_ZN4llvm3foo");
	struct rc_finding *mine = add(d.res, RC_SEV_INFO, "symbol.added", "symbol", "_ZN2me4llvm");

	rc_policy_apply(d.p, d.res);
	ck_assert_ptr_nonnull(llvm->suppressed);
	ck_assert_str_eq(llvm->suppressed, "LLVM internals");
	/* the regex is anchored: kept, and the override made it fail */
	ck_assert_ptr_null(mine->suppressed);
	ck_assert_int_eq(mine->severity, RC_SEV_FAIL);
	ck_assert_int_eq(rc_result_verdict(d.res), RC_VERDICT_FAIL);
	ck_assert_uint_eq(rc_result_suppressed_count(d.res), 1);
	ck_assert_uint_eq(rc_result_finding_count(d.res, RC_SEV_FAIL), 1);
	drift_close(&d);
}
END_TEST

START_TEST(suppress_needs_name_detail)
{
	struct drift d = drift_open();
	/* "legacy_x" only in the message and an unrelated detail */
	struct rc_finding *none = add(d.res, RC_SEV_FAIL, "symbol.removed", "file", "legacy_x");
	/* "function" serves when there is no "name"; "name" wins over it */
	struct rc_finding *fn = add(d.res, RC_SEV_FAIL, "symbol.removed", "function", "legacy_fn");
	struct rc_finding *both = add(d.res, RC_SEV_FAIL, "symbol.removed", "function", "legacy_y");

	rc_finding_str(both, "name", "modern_y");
	rc_policy_apply(d.p, d.res);
	ck_assert_ptr_null(none->suppressed);
	ck_assert_ptr_nonnull(fn->suppressed);
	ck_assert_ptr_null(both->suppressed);
	ck_assert_uint_eq(rc_result_suppressed_count(d.res), 1);
	ck_assert_uint_eq(rc_result_finding_count(d.res, RC_SEV_WARN), 2);
	drift_close(&d);
}
END_TEST

START_TEST(suppress_by_check_and_code)
{
	struct rc_policy *p = load_ok(full_policy);
	struct rc_report *r = rc_report_new();
	struct rc_check_result *go = rc_report_add_check(r, "go-buildinfo");
	struct rc_check_result *drift = rc_report_add_check(r, "symbol-drift");
	struct rc_finding *g = add(go, RC_SEV_FAIL, "go.version", NULL, NULL);
	struct rc_finding *d = add(drift, RC_SEV_FAIL, "symbol.changed", "name", "legacy_z");

	rc_policy_apply(p, go);
	rc_policy_apply(p, drift);
	ck_assert_str_eq(g->suppressed, "not our build");
	ck_assert_int_eq(rc_result_verdict(go), RC_VERDICT_PASS);
	ck_assert_uint_eq(rc_result_suppressed_count(go), 1);
	/* code symbol.changed is not the suppression's symbol.removed */
	ck_assert_ptr_null(d->suppressed);
	ck_assert_int_eq(rc_result_verdict(drift), RC_VERDICT_FAIL);
	rc_policy_free(p);
	rc_report_free(r);
}
END_TEST

START_TEST(apply_null_policy_finishes)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *res = rc_report_add_check(r, "symbol-drift");
	struct rc_check_result *skipped = rc_report_add_check(r, "go-buildinfo");
	struct rc_finding *f = add(res, RC_SEV_WARN, "symbol.removed", "name", "legacy_a");

	rc_policy_apply(NULL, res);
	ck_assert_ptr_null(f->suppressed);
	ck_assert_int_eq(rc_result_verdict(res), RC_VERDICT_WARN);
	rc_result_skip(skipped, "no Go binary");
	rc_policy_apply(NULL, skipped);
	ck_assert_int_eq(rc_result_verdict(skipped), RC_VERDICT_SKIP);
	rc_report_free(r);
}
END_TEST

/* Invalid policies: each names the file, the line and the key */

struct bad {
	const char *text;
	int line;
	const char *what; /* after "'FILE' line N: " */
};

#define HEAD "{\n  \"policy\": \"reloadcheck/policy/v1\",\n"

static const struct bad bad_policies[] = {
	{HEAD "  \"fail_on\": \"warn\",\n  \"checks\": {},\n  \"suppresions\": []\n}\n", 5,
	 "key 'suppresions': unknown key"},
	/* "enabled" under two checks: the second one is wrong */
	{HEAD "  \"checks\": {\n    \"go-buildinfo\": {\"enabled\": true},\n"
	      "    \"symbol-drift\": {\n      \"enabled\": true,\n      \"severty\": {}\n    }\n"
	      "  }\n}\n",
	 7, "key 'checks.symbol-drift.severty': unknown key"},
	{HEAD
	 "  \"checks\": {\n    \"go-buildinfo\": {\"enabled\": true},\n"
	 "    \"symbol-drift\": {\"fail_on\": \"warn\",\n      \"enabled\": \"yes\"}\n  }\n}\n",
	 6, "key 'checks.symbol-drift.enabled': must be true or false"},
	{HEAD "  \"checks\": {\n    \"symbol-drfit\": {\"enabled\": true}\n  }\n}\n", 4,
	 "key 'checks.symbol-drfit': unknown check id 'symbol-drfit'"},
	{HEAD "  \"checks\": {\n    \"go-buildinfo\": {\"severity\": {\"go.version\": \"warn\"}},\n"
	      "    \"symbol-drift\": {\"severity\": {\n        \"symbol.removed\": \"warn\",\n"
	      "        \"symbol.gone\": \"warn\"}}\n  }\n}\n",
	 7,
	 "key 'checks.symbol-drift.severity.symbol.gone': unknown finding code 'symbol.gone' for "
	 "check 'symbol-drift'"},
	/* a code of another check */
	{HEAD "  \"checks\": {\"symbol-drift\": {\"severity\": {\"go.version\": \"warn\"}}}\n}\n",
	 3,
	 "key 'checks.symbol-drift.severity.go.version': unknown finding code 'go.version' for "
	 "check 'symbol-drift'"},
	{HEAD "  \"checks\": {\"symbol-drift\": {\"severity\": {\"symbol.removed\": \"error\"}}}\n"
	      "}\n",
	 3,
	 "key 'checks.symbol-drift.severity.symbol.removed': must be \"info\", \"warn\" or "
	 "\"fail\", not 'error'"},
	{HEAD "  \"suppressions\": [\n    {\"code\": \"symbol.added\", \"reason\": \"ok\"},\n"
	      "    {\"code\": \"symbol.removed\",\n     \"symbol\": \"x*\"}\n  ]\n}\n",
	 5, "key 'suppressions[1]': a suppression needs a \"reason\""},
	{HEAD "  \"suppressions\": [{\"code\": \"symbol.added\", \"reason\": \" \"}]\n}\n", 3,
	 "key 'suppressions[0].reason': must give a reason, not be empty"},
	{HEAD "  \"suppressions\": [{\"symbol\": \"a*\",\n    \"symbol_regex\": \"^a\",\n"
	      "    \"reason\": \"r\"}]\n}\n",
	 4,
	 "key 'suppressions[0].symbol_regex': \"symbol\" and \"symbol_regex\" exclude each other"},
	{HEAD "  \"suppressions\": [\n    {\"reason\": \"r\",\n     \"symbol_regex\": \"(\"}]\n}\n",
	 5, "key 'suppressions[0].symbol_regex': bad regular expression '(': "},
	{HEAD "  \"suppressions\": [{\"reason\": \"because\"}]\n}\n", 3,
	 "key 'suppressions[0]': a suppression needs \"check\", \"code\", \"symbol\" or "
	 "\"symbol_regex\""},
	{HEAD "  \"suppressions\": [{\"reason\": \"r\",\n    \"code\": \"symbol.gone\"}]\n}\n", 4,
	 "key 'suppressions[0].code': unknown finding code 'symbol.gone'"},
	{HEAD "  \"suppressions\": [{\"code\": \"symbol.added\", \"reason\": \"r\",\n"
	      "    \"check\": \"go-buildinfo\"}]\n}\n",
	 3,
	 "key 'suppressions[0].code': unknown finding code 'symbol.added' for check "
	 "'go-buildinfo'"},
	{HEAD "  \"suppressions\": {}\n}\n", 3, "key 'suppressions': must be an array"},
	{HEAD "  \"fail_on\": \"error\"\n}\n", 3,
	 "key 'fail_on': must be \"warn\" or \"fail\", not 'error'"},
	{"{\n  \"policy\": \"reloadcheck/policy/v2\"\n}\n", 2,
	 "key 'policy': is 'reloadcheck/policy/v2', not 'reloadcheck/policy/v1'"},
	{"\n{\"fail_on\": \"warn\"}\n", 2, "key 'policy': is missing"},
	{"[]\n", 1, "not a policy: the top level is not an object"},
	/* a decoy key in a string value, an escaped key name */
	{HEAD "  \"suppressions\": [{\"check\": \"go-buildinfo\", \"reason\": \"\\\"enabled\\\": "
	      "1\"}],\n"
	      "  \"checks\": {\"go-buildinfo\": {\n    \"en\\u0061bled\": 1}}\n}\n",
	 5, "key 'checks.go-buildinfo.enabled': must be true or false"},
	{HEAD "  \"checks\": {\"go-buildinfo\": {\"enabled\": true,\n    \"enabled\": false}}\n}\n",
	 4, "key 'checks.go-buildinfo.enabled': duplicate key"},
	{HEAD
	 "  \"thresholds\": {\n    \"pprof_gap_seconds\": 1,\n    \"pprof_max_unsymbolized\": 0\n"
	 "  }\n}\n",
	 5, "key 'thresholds.pprof_max_unsymbolized': must be greater than 0 and at most 1"},
	{HEAD "  \"thresholds\": {\"pprof_gap_seconds\": \"300\"}\n}\n", 3,
	 "key 'thresholds.pprof_gap_seconds': must be a number"},
	{HEAD "  \"thresholds\": {\n    \"pprof_min_samples\": 1.5}\n}\n", 4,
	 "key 'thresholds.pprof_min_samples': must be an integer, not 1.5"},
	{HEAD "  \"probe\": {\"tls_canaries\": {\"rc_a\": 1,\n    \"rc_b\": \"0xZZ\"}}\n}\n", 4,
	 "key 'probe.tls_canaries.rc_b': must be a 64-bit unsigned"},
	{HEAD "  \"probe\": {\"tls_canaries\": {\"rc_a\": -1}}\n}\n", 3,
	 "key 'probe.tls_canaries.rc_a': must be an integer from 0 to"},
	{HEAD
	 "  \"probe\": {\"expected_listeners\": [\"tcp 127.0.0.1:80\",\n    \"sctp 1.2.3.4:5\"]}\n"
	 "}\n",
	 4, "key 'probe.expected_listeners[1]': must be a string \"PROTO ADDRESS\""},
	{HEAD "  \"probe\": {\"listeners\": []}\n}\n", 3, "key 'probe.listeners': unknown key"},
	{HEAD "  \"pprof\": {\"url\": \"http://x\", \"seconds\": 0}\n}\n", 3,
	 "key 'pprof.seconds': must be an integer from 1 to 3600"},
	{HEAD "  \"pprof\": {\"headers\": [\"Authorization Bearer\"]}\n}\n", 3,
	 "key 'pprof.headers[0]': must be a string \"Name: value\""},
	{HEAD "  \"pprof\": {\"url\": \"\"}\n}\n", 3, "key 'pprof.url': must not be empty"},
};

/* Not JSON: the loader's message, "'FILE': WHAT at line N, column C". */
static const struct {
	const char *text;
	const char *what;
} bad_json[] = {
	{HEAD "  \"fail_on\": \"warn\",,\n  \"checks\": {}\n}\n",
	 "not valid JSON at line 3, column 22"},
	{"", "empty file, not a policy"},
	{HEAD "  \"fail_on\": \"warn\"\n}\n\n{}\n",
	 "data after the end of the JSON value at line 6, column 1"},
};

START_TEST(invalid_json)
{
	char path[PATH_BUF], want[512];
	struct rc_err err = {0};
	struct rc_policy *p = (void *)1;
	int rc = load_text(bad_json[_i].text, &p, &err, path);

	ck_assert_msg(rc == -RC_EINVAL, "case %d: rc %d (%s)", _i, rc, err.msg);
	ck_assert_int_eq(err.code, -RC_EINVAL);
	ck_assert_ptr_eq(p, (void *)1);
	snprintf(want, sizeof(want), "'%s': %s", path, bad_json[_i].what);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(invalid_policy)
{
	const struct bad *b = &bad_policies[_i];
	char path[PATH_BUF], want[512];
	struct rc_err err = {0};
	struct rc_policy *p = (void *)1;
	int rc = load_text(b->text, &p, &err, path);

	ck_assert_msg(rc == -RC_EINVAL, "case %d: rc %d (%s)", _i, rc, err.msg);
	ck_assert_int_eq(err.code, -RC_EINVAL);
	ck_assert_ptr_eq(p, (void *)1);
	snprintf(want, sizeof(want), "'%s' line %d: %s", path, b->line, b->what);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "case %d:\n got  %s\n want %s", _i,
		      err.msg, want);
}
END_TEST

/* Without a catalog any id and code is accepted (the lib knows no checks). */
START_TEST(no_catalog_accepts_any_id)
{
	char path[PATH_BUF];
	struct rc_err err = {0};
	struct rc_policy *p = NULL;

	write_tmp(HEAD "  \"checks\": {\"whatever\": {\"severity\": {\"x.y\": \"info\"}}}\n}\n",
		  path);
	ck_assert_int_eq(rc_policy_load(path, NULL, &p, &err), 0);
	unlink(path);
	ck_assert_ptr_nonnull(p);
	rc_policy_free(p);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_test(tc, full_policy_accessors);
	tcase_add_test(tc, global_fail_on_warn);
	tcase_add_test(tc, no_catalog_accepts_any_id);
	suite_add_tcase(s, tc);
	tc = tcase_create("defaults");
	tcase_add_test(tc, null_policy_defaults);
	tcase_add_test(tc, minimal_policy_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("overrides");
	tcase_add_test(tc, override_changes_verdict);
	tcase_add_test(tc, override_can_raise);
	tcase_add_test(tc, apply_null_policy_finishes);
	suite_add_tcase(s, tc);
	tc = tcase_create("suppressions");
	tcase_add_test(tc, suppress_by_glob);
	tcase_add_test(tc, suppress_by_regex);
	tcase_add_test(tc, suppress_needs_name_detail);
	tcase_add_test(tc, suppress_by_check_and_code);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, missing_file_is_eio);
	tcase_add_test(tc, oversized_file_is_refused);
	tcase_add_loop_test(tc, invalid_json, 0, (int)(sizeof(bad_json) / sizeof(bad_json[0])));
	tcase_add_loop_test(tc, invalid_policy, 0,
			    (int)(sizeof(bad_policies) / sizeof(bad_policies[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
