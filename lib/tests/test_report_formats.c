/* SPDX-License-Identifier: MIT */
/*
 * JUnit XML and Prometheus text output, read back by real parsers: Python's
 * xml.etree.ElementTree (check_junit.py) and prometheus_client's text parser
 * (check_prom.py). Each script dumps what it parsed as JSON, read with cJSON.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

#define PYTHON "/usr/bin/python3"

/* Every character class the writers must escape or replace. */
#define NASTY                                                                           \
	"a<b & c>d \"q\" 'a' \x01\x1b\x7f tab\tcr\r ]]> bad\xff\xc3( overlong\xc0\xaf " \
	"sur\xed\xa0\x80 ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 nonchar\xef\xbf\xbe."
/* NASTY as a parser must read it back: what XML cannot carry is U+FFFD. */
#define FFFD "\xef\xbf\xbd"
#define NASTY_XML                                                                                  \
	"a<b & c>d \"q\" 'a' " FFFD FFFD "\x7f tab\tcr\r ]]> bad" FFFD FFFD "( overlong" FFFD FFFD \
	" sur" FFFD FFFD FFFD " ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 nonchar" FFFD "."
#define ODD_ID "odd\"id\\x\ny<&>"

struct tmp {
	char dir[64];
	char in[96];
	char out[96];
};

static void tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/rc-test-formats-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->in, sizeof(t->in), "%s/report", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/parsed.json", t->dir);
}

static void tmp_release(struct tmp *t)
{
	unlink(t->in);
	unlink(t->out);
	rmdir(t->dir);
}

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	size_t n;
	cJSON *root;

	ck_assert_msg(f != NULL, "cannot open '%s'", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof(buf) - 1);
	buf[n] = '\0';
	root = cJSON_Parse(buf);
	ck_assert_msg(root != NULL, "'%s' is not JSON", path);
	return root;
}

/*
 * Write @r with @write into a temp file, run @script (beside this file) on it
 * and return the parse as JSON; the caller frees it with cJSON_Delete.
 */
static cJSON *parse_with(const struct rc_report *r,
			 int (*write)(const struct rc_report *, FILE *, struct rc_err *),
			 const char *script)
{
	struct tmp t;
	struct rc_err err = {0};
	char cmd[512];
	FILE *f;
	cJSON *root;
	int rc;

	tmp_init(&t);
	f = fopen(t.in, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(write(r, f, &err), 0);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "%s '%s/%s' '%s' '%s'", PYTHON, RC_TESTS_SRC, script, t.in,
		 t.out);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "%s rejected the output (status %d); it is in %s", script, rc, t.in);
	root = load_json(t.out);
	tmp_release(&t);
	return root;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsString(v), "no string '%s'", key);
	return v->valuestring;
}

static const cJSON *jget(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(v != NULL, "no member '%s'", key);
	return v;
}

static struct rc_check_result *add(struct rc_report *r, const char *id, uint64_t ms)
{
	struct rc_check_result *res = rc_report_add_check(r, id);

	ck_assert_ptr_nonnull(res);
	rc_result_set_duration_ms(res, ms);
	return res;
}

/*
 * Six checks: pass, warn (with a suppressed fail), fail (with a warning, an
 * info and a suppressed fail), skip, error, and a pass with a hostile id.
 */
static struct rc_report *build_report(void)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *res;
	struct rc_finding *f;

	ck_assert_ptr_nonnull(r);
	rc_report_set_duration_ms(r, 1234);
	rc_report_set_created(r, 1700000000);

	res = add(r, "build-id", 5);
	rc_result_add(res, RC_SEV_INFO, "build_id.changed", "build-id changed");
	rc_result_finish(res);

	res = add(r, "tls-layout", 10);
	rc_result_add(res, RC_SEV_WARN, "tls.size_changed", "%s", NASTY);
	f = rc_result_add(res, RC_SEV_FAIL, "tls.var_removed", "var gone");
	rc_result_suppress(res, f, "known & <fine>");
	rc_result_finish(res);

	res = add(r, "symbol-drift", 1500);
	rc_result_add(res, RC_SEV_FAIL, "symbol.removed", "%s", NASTY);
	rc_result_add(res, RC_SEV_INFO, "symbol.added", "new_fn added");
	f = rc_result_add(res, RC_SEV_FAIL, "symbol.removed", "waived one");
	rc_result_add(res, RC_SEV_WARN, "symbol.resized", "buf grew");
	rc_result_add(res, RC_SEV_FAIL, "symbol.removed", "plain gone");
	rc_result_suppress(res, f, "ticket <123> & \"ok\"");
	rc_result_finish(res);

	res = add(r, "proc-tls", 0);
	rc_result_skip(res, "no --pid: %s", NASTY);
	rc_result_finish(res);

	res = add(r, "pprof-endpoint", 2);
	rc_result_error(res, "no\tendpoint\n<x> \"'&");
	rc_result_finish(res);

	res = add(r, ODD_ID, 1);
	rc_result_finish(res);

	ck_assert_int_eq(rc_report_status(r), 0);
	return r;
}

static const cJSON *junit_case(const cJSON *root, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, jget(root, "cases"))
	{
		if (strcmp(jstr(jget(c, "attrib"), "name"), name) == 0)
			return c;
	}
	ck_abort_msg("no testcase '%s'", name);
	return NULL;
}

/* The tag names of @c's children, joined with ',' into @buf. */
static const char *children(const cJSON *c, char *buf, size_t size)
{
	const cJSON *e;
	size_t len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, jget(c, "children"))
	{
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
					e->valuestring);
		ck_assert_uint_lt(len, size);
	}
	return buf;
}

static void assert_totals(const cJSON *a, const char *tests, const char *failures,
			  const char *errors, const char *skipped, const char *time)
{
	ck_assert_str_eq(jstr(a, "name"), "reloadcheck");
	ck_assert_str_eq(jstr(a, "tests"), tests);
	ck_assert_str_eq(jstr(a, "failures"), failures);
	ck_assert_str_eq(jstr(a, "errors"), errors);
	ck_assert_str_eq(jstr(a, "skipped"), skipped);
	ck_assert_str_eq(jstr(a, "time"), time);
}

START_TEST(test_junit_parses)
{
	struct rc_report *r = build_report();
	cJSON *root = parse_with(r, rc_report_write_junit, "check_junit.py");
	const cJSON *c, *e;
	char kids[128];
	static const char *const order[] = {"build-id", "tls-layout",	  "symbol-drift",
					    "proc-tls", "pprof-endpoint", ODD_ID};
	size_t i = 0;

	assert_totals(jget(root, "suites"), "6", "1", "1", "1", "1.234");
	assert_totals(jget(root, "suite"), "6", "1", "1", "1", "1.234");
	ck_assert_int_eq(cJSON_GetArraySize(jget(root, "cases")), 6);
	cJSON_ArrayForEach(c, jget(root, "cases"))
	{
		ck_assert_str_eq(jstr(jget(c, "attrib"), "classname"), "reloadcheck");
		ck_assert_str_eq(jstr(jget(c, "attrib"), "name"), order[i++]);
	}

	c = junit_case(root, "build-id");
	ck_assert_str_eq(jstr(jget(c, "attrib"), "time"), "0.005");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "");

	/* warn passes; the warning and the suppressed finding are in system-out */
	c = junit_case(root, "tls-layout");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "system-out");
	ck_assert_str_eq(jstr(jget(c, "system_out"), "text"),
			 "warn: tls.size_changed: " NASTY_XML "\n"
			 "suppressed: tls.var_removed: var gone (suppressed: known & <fine>)\n");

	c = junit_case(root, "symbol-drift");
	ck_assert_str_eq(jstr(jget(c, "attrib"), "time"), "1.500");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "failure,system-out");
	e = jget(c, "failure");
	ck_assert_str_eq(jstr(jget(e, "attrib"), "message"), "2 fail findings");
	ck_assert_str_eq(jstr(jget(e, "attrib"), "type"), "fail");
	ck_assert_str_eq(jstr(e, "text"), "symbol.removed: " NASTY_XML "\n"
					  "symbol.removed: plain gone\n");
	ck_assert_str_eq(jstr(jget(c, "system_out"), "text"),
			 "suppressed: symbol.removed: waived one (suppressed: ticket <123> & "
			 "\"ok\")\n"
			 "warn: symbol.resized: buf grew\n");

	c = junit_case(root, "proc-tls");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "skipped");
	ck_assert_str_eq(jstr(jget(jget(c, "skipped"), "attrib"), "message"),
			 "no --pid: " NASTY_XML);

	/* tab and newline survive attribute-value normalisation */
	c = junit_case(root, "pprof-endpoint");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "error");
	ck_assert_str_eq(jstr(jget(jget(c, "error"), "attrib"), "message"),
			 "no\tendpoint\n<x> \"'&");

	c = junit_case(root, ODD_ID);
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "");

	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

/* A run that could not check shows as an error, not as an empty green suite. */
START_TEST(test_junit_run_error)
{
	struct rc_report *r = rc_report_new();
	cJSON *root;
	const cJSON *c;
	char kids[64];

	ck_assert_ptr_nonnull(r);
	rc_report_set_error(r, "cannot open 'old'");
	root = parse_with(r, rc_report_write_junit, "check_junit.py");
	assert_totals(jget(root, "suites"), "1", "0", "1", "0", "0.000");
	c = junit_case(root, "reloadcheck");
	ck_assert_str_eq(children(c, kids, sizeof(kids)), "error");
	cJSON_Delete(root);
	rc_report_free(r);

	r = rc_report_new();
	ck_assert_ptr_nonnull(r);
	root = parse_with(r, rc_report_write_junit, "check_junit.py");
	assert_totals(jget(root, "suites"), "0", "0", "0", "0", "0.000");
	ck_assert_int_eq(cJSON_GetArraySize(jget(root, "cases")), 0);
	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

/* The value of the sample of @family whose labels are @check (and @severity, if given). */
static double prom_value(const cJSON *root, const char *family, const char *check,
			 const char *severity)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, jget(jget(root, family), "samples"))
	{
		const cJSON *labels = jget(s, "labels");

		if (check && strcmp(jstr(labels, "check"), check) != 0)
			continue;
		if (severity && strcmp(jstr(labels, "severity"), severity) != 0)
			continue;
		ck_assert_str_eq(jstr(s, "name"), family);
		return cJSON_GetNumberValue(jget(s, "value"));
	}
	ck_abort_msg("no sample %s{check=%s,severity=%s}", family, check ? check : "-",
		     severity ? severity : "-");
	return 0;
}

static int prom_samples(const cJSON *root, const char *family)
{
	return cJSON_GetArraySize(jget(jget(root, family), "samples"));
}

START_TEST(test_prometheus_parses)
{
	static const char *const families[] = {
		"reloadcheck_gate_verdict",	"reloadcheck_check_verdict",
		"reloadcheck_findings",		"reloadcheck_findings_suppressed",
		"reloadcheck_duration_seconds", "reloadcheck_last_run_timestamp_seconds",
	};
	static const struct {
		const char *id;
		double verdict, info, warn, fail, suppressed;
	} want[] = {
		{"build-id", 0, 1, 0, 0, 0},	   {"tls-layout", 1, 0, 1, 0, 1},
		{"symbol-drift", 2, 1, 1, 2, 1},   {"proc-tls", -1, 0, 0, 0, 0},
		{"pprof-endpoint", 3, 0, 0, 0, 0}, {ODD_ID, 0, 0, 0, 0, 0},
	};
	struct rc_report *r = build_report();
	cJSON *root = parse_with(r, rc_report_write_prometheus, "check_prom.py");

	ck_assert_int_eq(cJSON_GetArraySize(root), 6);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const cJSON *fam = jget(root, families[i]);

		ck_assert_str_eq(jstr(fam, "type"), "gauge");
		ck_assert_msg(strlen(jstr(fam, "help")) > 10, "%s: no HELP", families[i]);
	}
	ck_assert_ptr_nonnull(strstr(jstr(jget(root, "reloadcheck_gate_verdict"), "help"),
				     "0 pass, 1 warn, 2 fail, 3 error"));
	ck_assert_ptr_nonnull(
		strstr(jstr(jget(root, "reloadcheck_check_verdict"), "help"), "-1 skip"));

	ck_assert_int_eq(prom_samples(root, "reloadcheck_gate_verdict"), 1);
	ck_assert_double_eq(prom_value(root, "reloadcheck_gate_verdict", NULL, NULL), 2);
	ck_assert_int_eq(prom_samples(root, "reloadcheck_check_verdict"), 6);
	ck_assert_int_eq(prom_samples(root, "reloadcheck_findings"), 18);
	ck_assert_int_eq(prom_samples(root, "reloadcheck_findings_suppressed"), 6);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *id = want[i].id;

		ck_assert_double_eq(prom_value(root, "reloadcheck_check_verdict", id, NULL),
				    want[i].verdict);
		ck_assert_double_eq(prom_value(root, "reloadcheck_findings", id, "info"),
				    want[i].info);
		ck_assert_double_eq(prom_value(root, "reloadcheck_findings", id, "warn"),
				    want[i].warn);
		ck_assert_double_eq(prom_value(root, "reloadcheck_findings", id, "fail"),
				    want[i].fail);
		ck_assert_double_eq(prom_value(root, "reloadcheck_findings_suppressed", id, NULL),
				    want[i].suppressed);
	}
	ck_assert_double_eq(prom_value(root, "reloadcheck_duration_seconds", NULL, NULL), 1.234);
	ck_assert_double_eq(prom_value(root, "reloadcheck_last_run_timestamp_seconds", NULL, NULL),
			    1700000000);
	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

START_TEST(test_prometheus_run_error)
{
	struct rc_report *r = rc_report_new();
	cJSON *root;

	ck_assert_ptr_nonnull(r);
	rc_report_set_error(r, "cannot open 'old'");
	root = parse_with(r, rc_report_write_prometheus, "check_prom.py");
	ck_assert_double_eq(prom_value(root, "reloadcheck_gate_verdict", NULL, NULL), 3);
	ck_assert_int_eq(prom_samples(root, "reloadcheck_check_verdict"), 0);
	ck_assert_int_eq(prom_samples(root, "reloadcheck_findings"), 0);
	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

/* A full disk is a write error, reported as such, for both formats. */
START_TEST(test_write_error)
{
	struct rc_report *r = build_report();
	struct rc_err err = {0};
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rc_report_write_junit(r, f, &err), -RC_EIO);
	ck_assert_int_eq(err.code, -RC_EIO);
	ck_assert_str_eq(err.msg, "cannot write the report: write error");
	fclose(f);

	rc_err_clear(&err);
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rc_report_write_prometheus(r, f, &err), -RC_EIO);
	ck_assert_int_eq(err.code, -RC_EIO);
	fclose(f);
	rc_report_free(r);
}
END_TEST

Suite *report_formats_suite(void)
{
	Suite *s = suite_create("report_formats");
	TCase *tc;

	tc = tcase_create("junit_parses");
	tcase_add_test(tc, test_junit_parses);
	suite_add_tcase(s, tc);
	tc = tcase_create("junit_run_error");
	tcase_add_test(tc, test_junit_run_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("prometheus_parses");
	tcase_add_test(tc, test_prometheus_parses);
	suite_add_tcase(s, tc);
	tc = tcase_create("prometheus_run_error");
	tcase_add_test(tc, test_prometheus_run_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("write_error");
	tcase_add_test(tc, test_write_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_formats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed < 255 ? failed : 255;
}
