/* SPDX-License-Identifier: MIT */
/* The report model: verdict rules, metrics, findings, JSON output read back with cJSON. */
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

static cJSON *report_json(const struct rc_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rc_err err = {0};
	cJSON *root;

	ck_assert_int_eq(rc_report_write_json(r, f, &err), 0);
	fclose(f);
	root = cJSON_Parse(buf);
	ck_assert_msg(root != NULL, "report is not JSON: %.200s", buf);
	free(buf);
	return root;
}

START_TEST(verdict_from_worst_finding)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *a = rc_report_add_check(r, "a-check");
	struct rc_check_result *b = rc_report_add_check(r, "b-check");
	struct rc_check_result *c = rc_report_add_check(r, "c-check");

	rc_result_add(a, RC_SEV_INFO, "x.info", "just so you know");
	rc_result_add(b, RC_SEV_INFO, "x.info", "i");
	rc_result_add(b, RC_SEV_WARN, "x.warn", "w");
	rc_result_add(c, RC_SEV_WARN, "x.warn", "w");
	rc_result_add(c, RC_SEV_FAIL, "x.fail", "f");
	rc_result_add(c, RC_SEV_INFO, "x.info", "i");
	rc_result_finish(a);
	rc_result_finish(b);
	rc_result_finish(c);
	ck_assert_int_eq(rc_result_verdict(a), RC_VERDICT_PASS);
	ck_assert_int_eq(rc_result_verdict(b), RC_VERDICT_WARN);
	ck_assert_int_eq(rc_result_verdict(c), RC_VERDICT_FAIL);
	ck_assert_int_eq(rc_report_verdict(r), RC_VERDICT_FAIL);
	ck_assert_uint_eq(rc_report_count(r, RC_VERDICT_PASS), 1);
	ck_assert_uint_eq(rc_report_count(r, RC_VERDICT_WARN), 1);
	ck_assert_uint_eq(rc_result_finding_count(c, RC_SEV_FAIL), 1);
	ck_assert_uint_eq(rc_result_finding_count(c, RC_SEV_INFO), 1);
	rc_report_free(r);
}
END_TEST

START_TEST(skip_and_error_decide)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *s = rc_report_add_check(r, "s");
	struct rc_check_result *e = rc_report_add_check(r, "e");

	rc_result_add(s, RC_SEV_FAIL, "x.fail", "ignored once skipped");
	rc_result_skip(s, "not a %s binary", "Go");
	rc_result_skip(e, "first");
	rc_result_error(e, "cannot read %d", 7);
	rc_result_skip(e, "later skip does not override");
	rc_result_finish(s);
	rc_result_finish(e);
	ck_assert_int_eq(rc_result_verdict(s), RC_VERDICT_SKIP);
	ck_assert_str_eq(rc_result_reason(s), "not a Go binary");
	ck_assert_int_eq(rc_result_verdict(e), RC_VERDICT_ERROR);
	ck_assert_str_eq(rc_result_reason(e), "cannot read 7");
	ck_assert_int_eq(rc_report_verdict(r), RC_VERDICT_ERROR);
	rc_report_free(r);
}
END_TEST

START_TEST(fail_decides_over_error)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *e = rc_report_add_check(r, "e");
	struct rc_check_result *f = rc_report_add_check(r, "f");

	rc_result_error(e, "could not read");
	rc_result_add(f, RC_SEV_FAIL, "x.fail", "unsafe");
	rc_result_finish(e);
	rc_result_finish(f);
	ck_assert_int_eq(rc_report_verdict(r), RC_VERDICT_FAIL);
	ck_assert_uint_eq(rc_report_count(r, RC_VERDICT_ERROR), 1);
	rc_report_free(r);
}
END_TEST

START_TEST(all_skipped_is_pass)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *s = rc_report_add_check(r, "s");

	rc_result_skip(s, "nothing to do");
	rc_result_finish(s);
	ck_assert_int_eq(rc_report_verdict(r), RC_VERDICT_PASS);
	rc_report_set_error(r, "could not open");
	ck_assert_int_eq(rc_report_verdict(r), RC_VERDICT_ERROR);
	rc_report_free(r);
}
END_TEST

START_TEST(metrics_overwrite_in_order)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *c = rc_report_add_check(r, "m");
	const struct rc_metric *m;

	rc_result_metric(c, "added", 1);
	rc_result_metric(c, "removed", 2);
	rc_result_metric(c, "added", 5);
	m = rc_result_metrics(c);
	ck_assert_str_eq(m->key, "added");
	ck_assert_int_eq(m->value, 5);
	ck_assert_str_eq(m->next->key, "removed");
	ck_assert_ptr_null(m->next->next);
	rc_report_free(r);
}
END_TEST

START_TEST(json_has_everything)
{
	struct rc_report *r = rc_report_new();
	struct rc_check_result *c = rc_report_add_check(r, "symbol-drift");
	struct rc_check_result *s = rc_report_add_check(r, "go-pclntab");
	struct rc_finding *f;
	cJSON *root, *chk, *fd, *det;
	static const char borrowed[] = "fix_beta";

	rc_report_set_tool_version(r, "9.8.7");
	rc_report_set_input(r, "old", "/o", 10, "abcd");
	rc_report_set_input(r, "new", "/n", 20, NULL);
	rc_report_set_created(r, 0);
	f = rc_result_add(c, RC_SEV_FAIL, "symbol.removed", "'%s' removed", "fix_beta");
	rc_finding_str_borrowed(f, "name", borrowed);
	rc_finding_str(f, "table", ".dynsym");
	rc_finding_str(f, "version", NULL);
	rc_finding_int(f, "delta", -3);
	rc_finding_uint(f, "old_size", 8);
	rc_finding_hex(f, "old_value", 0x1234);
	rc_finding_bool(f, "exported", true);
	rc_finding_strn(f, "part", "abcdef", 3);
	rc_result_metric(c, "removed", 1);
	rc_result_skip(s, "not a Go binary");
	rc_result_finish(c);
	rc_result_finish(s);
	root = report_json(r);

	ck_assert_str_eq(cJSON_GetObjectItem(root, "schema")->valuestring, RC_REPORT_SCHEMA);
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "tool"), "version")->valuestring,
		"9.8.7");
	ck_assert_str_eq(cJSON_GetObjectItem(root, "created")->valuestring, "1970-01-01T00:00:00Z");
	ck_assert_str_eq(cJSON_GetObjectItem(root, "verdict")->valuestring, "fail");
	ck_assert_int_eq(cJSON_GetObjectItem(root, "exit_code")->valueint, 1);
	ck_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "inputs"), "old"),
				    "build_id")
			->valuestring,
		"abcd");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "inputs"), "new"), "build_id")));
	ck_assert_int_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "fail")->valueint, 1);
	ck_assert_int_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "skip")->valueint, 1);
	chk = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "checks"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(chk, "id")->valuestring, "symbol-drift");
	ck_assert_ptr_null(cJSON_GetObjectItem(chk, "reason"));
	ck_assert_int_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(chk, "metrics"), "removed")->valueint, 1);
	fd = cJSON_GetArrayItem(cJSON_GetObjectItem(chk, "findings"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(fd, "code")->valuestring, "symbol.removed");
	ck_assert_str_eq(cJSON_GetObjectItem(fd, "severity")->valuestring, "fail");
	ck_assert_str_eq(cJSON_GetObjectItem(fd, "message")->valuestring, "'fix_beta' removed");
	det = cJSON_GetObjectItem(fd, "detail");
	ck_assert_str_eq(cJSON_GetObjectItem(det, "name")->valuestring, "fix_beta");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(det, "version")));
	ck_assert_int_eq(cJSON_GetObjectItem(det, "delta")->valueint, -3);
	ck_assert_int_eq(cJSON_GetObjectItem(det, "old_size")->valueint, 8);
	ck_assert_str_eq(cJSON_GetObjectItem(det, "old_value")->valuestring, "0x1234");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(det, "exported")));
	ck_assert_str_eq(cJSON_GetObjectItem(det, "part")->valuestring, "abc");
	chk = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "checks"), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(chk, "verdict")->valuestring, "skip");
	ck_assert_str_eq(cJSON_GetObjectItem(chk, "reason")->valuestring, "not a Go binary");
	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

START_TEST(error_member_in_json)
{
	struct rc_report *r = rc_report_new();
	cJSON *root;

	rc_report_set_error(r, "'x': empty file");
	root = report_json(r);
	ck_assert_str_eq(cJSON_GetObjectItem(root, "verdict")->valuestring, "error");
	ck_assert_str_eq(cJSON_GetObjectItem(root, "error")->valuestring, "'x': empty file");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "checks")), 0);
	cJSON_Delete(root);
	rc_report_free(r);
}
END_TEST

START_TEST(many_findings_and_long_messages)
{
	/* 100k findings and a message longer than an arena block all come back. */
	struct rc_report *r = rc_report_new();
	struct rc_check_result *c = rc_report_add_check(r, "big");
	char *longname = malloc(100000);
	size_t n = 0;
	const struct rc_finding *last = NULL;

	memset(longname, 'z', 99999);
	longname[99999] = '\0';
	for (int i = 0; i < 100000; i++) {
		struct rc_finding *f =
			rc_result_add(c, RC_SEV_INFO, "x.added", "symbol s%d added", i);

		rc_finding_str(f, "name", "s");
	}
	rc_result_add(c, RC_SEV_WARN, "x.long", "%s", longname);
	for (const struct rc_finding *f = rc_result_findings(c); f; f = f->next) {
		n++;
		last = f;
	}
	ck_assert_uint_eq(n, 100001);
	ck_assert_uint_eq(strlen(last->message), 99999);
	ck_assert_int_eq(rc_report_status(r), 0);
	free(longname);
	rc_report_free(r);
}
END_TEST

START_TEST(names_are_stable)
{
	ck_assert_str_eq(rc_verdict_name(RC_VERDICT_PASS), "pass");
	ck_assert_str_eq(rc_verdict_name(RC_VERDICT_SKIP), "skip");
	ck_assert_str_eq(rc_verdict_name(RC_VERDICT_WARN), "warn");
	ck_assert_str_eq(rc_verdict_name(RC_VERDICT_FAIL), "fail");
	ck_assert_str_eq(rc_verdict_name(RC_VERDICT_ERROR), "error");
	ck_assert_str_eq(rc_severity_name(RC_SEV_INFO), "info");
	ck_assert_str_eq(rc_strerror(-RC_EFORMAT), "malformed input");
	ck_assert_str_eq(rc_strerror(RC_EIO), "input/output error");
	ck_assert_str_eq(rc_strerror(-999), "unknown error");
}
END_TEST

START_TEST(codes_are_outside_errno_range)
{
	static const int codes[] = {RC_EIO,    RC_EFORMAT, RC_ENOMEM, RC_EINVAL,
				    RC_ENOENT, RC_ENOTSUP, RC_EACCES, RC_EINTERNAL};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ck_assert_int_gt(codes[i], RC_ERRNO_START);
		ck_assert_str_ne(rc_strerror(codes[i]), "unknown error");
	}
	/* A negative errno is not an RC code. */
	ck_assert_str_eq(rc_strerror(-ENOENT), "unknown error");
	ck_assert_str_eq(rc_strerror(-EIO), "unknown error");
	ck_assert_int_eq(rc_err_from_errno(ENOENT), -RC_ENOENT);
	ck_assert_int_eq(rc_err_from_errno(ESRCH), -RC_ENOENT);
	ck_assert_int_eq(rc_err_from_errno(EACCES), -RC_EACCES);
	ck_assert_int_eq(rc_err_from_errno(EPERM), -RC_EACCES);
	ck_assert_int_eq(rc_err_from_errno(ENOMEM), -RC_ENOMEM);
	ck_assert_int_eq(rc_err_from_errno(EISDIR), -RC_EIO);
	ck_assert_int_eq(rc_err_from_errno(0), -RC_EIO);
}
END_TEST

START_TEST(err_message_is_cut_at_a_word_break)
{
	struct rc_err err = {0};
	char path[3 * RC_ERR_MSG_MAX / 2];
	size_t len;

	/* A message that quotes one very long path: cut where a word or path part ends. */
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	for (size_t i = 0; i < sizeof(path) - 1; i += 40)
		path[i] = '/';
	rc_err_set(&err, -RC_ENOENT, "no debug information in '%s'", path);
	len = strlen(err.msg);
	ck_assert_uint_lt(len, RC_ERR_MSG_MAX);
	ck_assert_uint_gt(len, RC_ERR_MSG_MAX / 2);
	ck_assert_str_eq(err.msg + len - 3, "...");
	ck_assert_msg(err.msg[len - 4] == '/' || err.msg[len - 4] == ' ', "cut mid-word: ...%s",
		      err.msg + len - 20);
	/* A long reason that fits is whole. */
	rc_err_set(&err, -RC_ENOENT, "%.*s", 600, path);
	ck_assert_uint_eq(strlen(err.msg), 600);
}
END_TEST

START_TEST(err_set_returns_code)
{
	struct rc_err err = {0};

	ck_assert_int_eq(rc_err_set(&err, -RC_EIO, "'%s': gone", "f"), -RC_EIO);
	ck_assert_int_eq(err.code, -RC_EIO);
	ck_assert_str_eq(err.msg, "'f': gone");
	ck_assert_int_eq(rc_err_set(NULL, -RC_EINVAL, "x"), -RC_EINVAL);
	rc_err_clear(&err);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("verdicts");
	tcase_add_test(tc, verdict_from_worst_finding);
	tcase_add_test(tc, skip_and_error_decide);
	tcase_add_test(tc, all_skipped_is_pass);
	tcase_add_test(tc, fail_decides_over_error);
	tcase_add_test(tc, names_are_stable);
	tcase_add_test(tc, codes_are_outside_errno_range);
	suite_add_tcase(s, tc);
	tc = tcase_create("content");
	tcase_add_test(tc, metrics_overwrite_in_order);
	tcase_add_test(tc, many_findings_and_long_messages);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, json_has_everything);
	tcase_add_test(tc, error_member_in_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, err_set_returns_code);
	tcase_add_test(tc, err_message_is_cut_at_a_word_break);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
