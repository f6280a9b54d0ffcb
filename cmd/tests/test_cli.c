/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of the reloadcheck binary. Each test runs the real built
 * binary (RC_BIN) with fork/execve, no shell, and looks at its exit status,
 * stdout and stderr; JSON reports are parsed with cJSON and every one of them
 * is validated against the report schema by cmd/tests/validate_report.py.
 */
#include "rctest.h"
#include "runlib.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <reloadcheck/registry.h>

#define FX RC_FIXTURES

/* argv for the binary under test: RC(a, b) is {RC_BIN, a, b, NULL}. */
#define RC(...) ((const char *const[]){RC_BIN, __VA_ARGS__, NULL})

/* ---- small helpers ---- */

static size_t count_lines(const char *s)
{
	return count_char(s, '\n');
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A line of @text that starts with @prefix. */
static const char *line_starting(const char *text, const char *prefix)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (starts_with(p, prefix))
			return p;
	return NULL;
}

static long long file_size(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (long long)st.st_size;
}

static void make_dir(const char *path)
{
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
		      strerror(errno));
}

/* Remove the files in @dir (one level) and @dir itself. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ck_assert_int_ge(asprintf(&p, "%s/%s", dir, de->d_name), 0);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

/* A fresh empty directory RC_TMP/<name>. */
static char *fresh_dir(const char *name)
{
	char *d = tmp_path(name);

	make_dir(RC_TMP);
	remove_tree(d);
	make_dir(d);
	return d;
}

/* Names in @dir other than . and .., joined by spaces; the count in *@n. */
static char *list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct buf b = {0};

	ck_assert_ptr_nonnull(d);
	*n = 0;
	buf_add(&b, "", 0);
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		buf_add(&b, de->d_name, strlen(de->d_name));
		buf_add(&b, " ", 1);
		(*n)++;
	}
	closedir(d);
	return b.p;
}

/* ---- schema validation ---- */

/* Save stdout of @r as RC_TMP/<name> and validate it. */
static void validate_stdout(const struct run *r, const char *name)
{
	char *p = tmp_path(name);

	make_dir(RC_TMP);
	write_file(p, r->out.p, r->out.len);
	validate_report(p);
	free(p);
}

/* Run `diff --format json --output RC_TMP/<name> OLD NEW`; return the parsed report. */
static cJSON *json_report(const char *name, const char *old, const char *new, int *status)
{
	char *path = tmp_path(name);
	struct run r;
	cJSON *j;

	make_dir(RC_TMP);
	unlink(path);
	run(&r, RC("diff", "--format", "json", "--output", path, old, new));
	ck_assert_msg(r.out.len == 0, "stdout not empty with --output:\n%s", r.out.p);
	ck_assert_msg(r.status != 2, "exit %d; stderr:\n%s", r.status, r.err.p);
	/* Exit 3 is fine for a check that could not run; its report must still be whole. */
	j = load_json(path);
	ck_assert_int_eq((int)json_num(j, "exit_code"), r.status);
	*status = r.status;
	validate_report(path);
	run_free(&r);
	free(path);
	return j;
}

/* ---- 1. every fixture case meets its expect: lines ---- */

#define MAX_CASES 64
static char *cases[MAX_CASES];
static int ncases;

static void load_cases(void)
{
	FILE *f = fopen(RC_SRC "/testdata/cases.txt", "r");
	char line[256];

	if (!f)
		return;
	while (ncases < MAX_CASES && fgets(line, sizeof(line), f)) {
		char *s = line;
		size_t n;

		while (isspace((unsigned char)*s))
			s++;
		n = strcspn(s, " \t\r\n#");
		if (!n || *s == '#')
			continue;
		s[n] = '\0';
		cases[ncases++] = strdup(s);
	}
	fclose(f);
}

static int verdict_rank(const char *v)
{
	if (!strcmp(v, "error"))
		return 3;
	if (!strcmp(v, "fail"))
		return 2;
	if (!strcmp(v, "warn"))
		return 1;
	return 0;
}

START_TEST(cases_list_is_not_empty)
{
	ck_assert_msg(ncases > 0, "no cases read from %s", RC_SRC "/testdata/cases.txt");
}
END_TEST

/* The file holding @name's expect: lines: v1.c, else v1.go, else expect.txt. */
static char *expect_source(const char *name)
{
	static const char *const files[] = {"v1.c", "v1.go", "expect.txt"};
	char *path = NULL;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		free(path);
		ck_assert_int_ge(asprintf(&path, "%s/testdata/%s/%s", RC_SRC, name, files[i]), 0);
		if (access(path, R_OK) == 0)
			return path;
	}
	ck_abort_msg("%s: no v1.c, v1.go or expect.txt in %s/testdata/%s", name, RC_SRC, name);
	return path;
}

START_TEST(case_meets_expectations)
{
	const char *name = cases[_i];
	char *src, *report_name, *old, *new;
	cJSON *report;
	int status, expects = 0, worst = 0;
	bool fail_expected = false, error_expected = false;
	char *text, *line, *save = NULL;
	const char *verdict;

	src = expect_source(name);
	ck_assert_int_ge(asprintf(&report_name, "%s.json", name), 0);
	ck_assert_int_ge(asprintf(&old, "%s/%s/old", FX, name), 0);
	ck_assert_int_ge(asprintf(&new, "%s/%s/new", FX, name), 0);
	report = json_report(report_name, old, new, &status);
	verdict = json_str(report, "verdict");

	text = read_file(src);
	/* expect: lines are in the first comment only. */
	if (strstr(text, "*/"))
		strstr(text, "*/")[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "expect:"), *tok, *tsave = NULL;
		const char *id, *want;
		const cJSON *check;

		if (!p)
			continue;
		id = strtok_r(p + strlen("expect:"), " \t", &tsave);
		want = strtok_r(NULL, " \t", &tsave);
		ck_assert_msg(id && want, "%s: malformed expect: line", src);
		check = find_check(report, id);
		ck_assert_msg(!strcmp(json_str(check, "verdict"), want),
			      "%s: check %s: verdict %s, expected %s (findings: %s)", name, id,
			      json_str(check, "verdict"), want, codes_of(check));
		while ((tok = strtok_r(NULL, " \t", &tsave)) != NULL)
			ck_assert_msg(count_code(check, tok) > 0,
				      "%s: check %s has no finding %s (findings: %s)", name, id,
				      tok, codes_of(check));
		fail_expected |= !strcmp(want, "fail");
		error_expected |= !strcmp(want, "error");
		if (verdict_rank(want) > worst)
			worst = verdict_rank(want);
		expects++;
	}
	ck_assert_msg(expects > 0, "%s has no expect: lines", src);
	/* The gate verdict is the worst check verdict, but a fail decides over an error. */
	if (fail_expected)
		ck_assert_str_eq(verdict, "fail");
	else
		ck_assert_msg(verdict_rank(verdict) >= worst,
			      "%s: overall verdict %s is milder than expected", name, verdict);
	if (!error_expected)
		ck_assert_str_ne(verdict, "error");
	ck_assert_int_eq(status, !strcmp(verdict, "fail") ? 1 : !strcmp(verdict, "error") ? 3 : 0);
	free(text);
	cJSON_Delete(report);
	free(src);
	free(report_name);
	free(old);
	free(new);
}
END_TEST

/* ---- 2. exit codes and the small commands ---- */

/* Run @argv: it must exit @status with stdout starting with @out_prefix. */
static void run_exit(struct run *r, const char *const argv[], int status, const char *out_prefix)
{
	run(r, argv);
	ck_assert_msg(r->status == status, "exit %d; stderr:\n%s", r->status, r->err.p);
	ck_assert(starts_with(r->out.p, out_prefix));
}

START_TEST(exit_pass_is_0)
{
	struct run r;

	run_exit(&r, RC("diff", FX "/identical/old", FX "/identical/new"), 0, "reloadcheck: PASS");
	ck_assert_str_eq(r.err.p, "");
	run_free(&r);
}
END_TEST

START_TEST(exit_fail_is_1)
{
	struct run r;

	run_exit(&r, RC("diff", FX "/removed_export/old", FX "/removed_export/new"), 1,
		 "reloadcheck: FAIL");
	run_free(&r);
}
END_TEST

START_TEST(exit_warn_depends_on_fail_on)
{
	struct run r;
	char *path = tmp_path("fail_on_warn.json");
	cJSON *j;

	run(&r, RC(FX "/stripped_new/old", FX "/stripped_new/new"));
	ck_assert_int_eq(r.status, 0);
	ck_assert(starts_with(r.out.p, "reloadcheck: WARN"));
	run_free(&r);

	run(&r, RC("--fail-on", "fail", FX "/stripped_new/old", FX "/stripped_new/new"));
	ck_assert_int_eq(r.status, 0);
	run_free(&r);

	/* Warnings fail: the text says FAIL, as the exit status does. */
	run(&r, RC("--fail-on", "warn", FX "/stripped_new/old", FX "/stripped_new/new"));
	ck_assert_int_eq(r.status, 1);
	ck_assert(starts_with(r.out.p, "reloadcheck: FAIL"));
	ck_assert_ptr_nonnull(strstr(r.out.p, "[warnings fail: fail_on warn]"));
	run_free(&r);

	/* The report says fail, keeps what the checks found (warn) and the exit status. */
	make_dir(RC_TMP);
	run(&r, RC("--fail-on", "warn", "--format", "json", "--output", path,
		   FX "/stripped_new/old", FX "/stripped_new/new"));
	ck_assert_int_eq(r.status, 1);
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "fail");
	ck_assert_str_eq(json_str(j, "verdict_before_policy"), "warn");
	ck_assert_int_eq((int)json_num(j, "exit_code"), 1);
	validate_report(path);
	cJSON_Delete(j);
	run_free(&r);

	/* --fail-on warn does not turn a pass into a failure. */
	run(&r, RC("--fail-on", "warn", FX "/identical/old", FX "/identical/new"));
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	free(path);
}
END_TEST

/* A usage error: exit 2, nothing on stdout, a message on stderr. */
static void expect_usage_error(const char *const argv[], const char *mention)
{
	struct run r;

	run(&r, argv);
	assert_usage_error(&r, argv, mention);
}

START_TEST(usage_errors_are_2)
{
	const char *o = FX "/identical/old", *n = FX "/identical/new";

	expect_usage_error(RC("--fail-on", "bogus", o, n), "bogus");
	expect_usage_error(RC("diff", "--fail-on", "bogus", o, n), "bogus");
	expect_usage_error(RC("--no-such-option", o, n), "--no-such-option");
	expect_usage_error(RC("diff", "--no-such-option", o, n), "--no-such-option");
	expect_usage_error(RC(o), NULL);
	expect_usage_error(RC("diff", o), NULL);
	expect_usage_error(RC("diff", o, n, n), NULL);
	expect_usage_error((const char *const[]){RC_BIN, NULL}, NULL);
	expect_usage_error(RC("--format", "xml", o, n), "xml");
	expect_usage_error(RC("--limit", "-1", o, n), "-1");
	expect_usage_error(RC("--limit", "ten", o, n), "ten");
	expect_usage_error(RC(o, n, "--output"), "--output");
	expect_usage_error(RC("explain", "nonsense"), "nonsense");
	expect_usage_error(RC("explain"), NULL);
	expect_usage_error(RC("list-checks", "extra"), NULL);
	/* A mistyped command is named, with the one meant; an option names its command. */
	expect_usage_error(RC("dif", o, n), "did you mean 'diff'?");
	expect_usage_error(RC("gaet", "--old", o, "--new", n), "did you mean 'gate'?");
	expect_usage_error(RC("gate", "--profile", "x", "--old", o, "--new", n), "'gate'");
	/* --sysroot must exist and hold a libc.so.6: a typo must not disable a check. */
	expect_usage_error(RC("--sysroot", "/nonexistent", o, n), "/nonexistent");
	expect_usage_error(RC("gate", "--sysroot", "/nonexistent", "--old", o, "--new", n),
			   "/nonexistent");
	expect_usage_error(RC("--sysroot", FX "/identical", o, n), "holds no libc.so.6");
}
END_TEST

START_TEST(version_prints_one_line)
{
	struct run r;
	regex_t re;

	ck_assert_int_eq(regcomp(&re, "^reloadcheck [0-9]+\\.[0-9]+\\.[0-9]+[^ ]*\n$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	run(&r, RC("--version"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(regexec(&re, r.out.p, 0, NULL, 0) == 0, "--version printed '%s'", r.out.p);
	ck_assert_str_eq(r.err.p, "");
	run_free(&r);
	run(&r, RC("-V"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(regexec(&re, r.out.p, 0, NULL, 0) == 0, "-V printed '%s'", r.out.p);
	run_free(&r);
	regfree(&re);
}
END_TEST

/* A line whose first non-blank character is @digit followed by a blank. */
static bool has_numbered_line(const char *text, char digit)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (q[0] == digit && (q[1] == ' ' || q[1] == '\t'))
			return true;
	}
	return false;
}

START_TEST(help_lists_options_and_exit_codes)
{
	static const char *const opts[] = {"--format",	"--output",    "--fail-on",  "--quiet",
					   "--limit",	"--sysroot",   "--no-color", "--help",
					   "--version", "list-checks", "explain",    "diff"};
	struct run r;

	run(&r, RC("--help"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err.p, "");
	ck_assert(starts_with(r.out.p, "Usage:"));
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		ck_assert_msg(strstr(r.out.p, opts[i]), "--help does not mention %s", opts[i]);
	ck_assert_msg(strcasestr(r.out.p, "exit"), "--help does not explain exit codes");
	for (char d = '0'; d <= '3'; d++)
		ck_assert_msg(has_numbered_line(r.out.p, d), "--help does not explain exit %c", d);
	run_free(&r);

	/* -h and --help after diff print the same text. */
	{
		struct run h;

		run(&r, RC("--help"));
		run(&h, RC("diff", "-h"));
		ck_assert_int_eq(h.status, 0);
		ck_assert_str_eq(h.out.p, r.out.p);
		run_free(&h);
		run_free(&r);
	}
}
END_TEST

START_TEST(list_checks_lists_every_check)
{
	/* The registry (checks/checks.def), not a list of ids kept by hand. */
	size_t n_ids = 0;
	const struct rc_check *const *checks = rc_registry(&n_ids);
	int proc_lines = 0;
	struct run r;
	const char *prev = NULL;
	int status;
	cJSON *report;

	run(&r, RC("list-checks"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err.p, "");
	ck_assert_uint_ge(n_ids, 16);
	for (size_t i = 0; i < n_ids; i++) {
		const char *id = checks[i]->id;
		char prefix[64];
		const char *line;

		snprintf(prefix, sizeof(prefix), "%s ", id);
		line = line_starting(r.out.p, prefix);
		ck_assert_msg(line, "list-checks does not list %s:\n%s", id, r.out.p);
		/* Sorted, and each with a summary after the id. */
		ck_assert_msg(!prev || line > prev, "list-checks is not sorted at %s", id);
		ck_assert_msg(strcspn(line + strlen(prefix), "\n") > 10, "%s has no summary", id);
		prev = line;
	}
	/* Nothing but the registry's checks. */
	ck_assert_uint_eq(count_lines(r.out.p), n_ids);
	/* One line per check: those diff runs, the probe's proc-* and the pprof-* ones. */
	report = json_report("list_checks.json", FX "/identical/old", FX "/identical/new", &status);
	ck_assert_uint_eq(count_lines(r.out.p),
			  (size_t)cJSON_GetArraySize(json_arr(report, "checks")) + 4 + 2);
	for (const char *p = r.out.p; (p = strstr(p, "\nproc-")) != NULL; p++)
		proc_lines++;
	ck_assert_int_eq(proc_lines, 4);
	cJSON_Delete(report);
	run_free(&r);
}
END_TEST

START_TEST(explain_prints_a_paragraph)
{
	struct run r;
	size_t words = 0;

	run(&r, RC("explain", "symbol-drift"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err.p, "");
	ck_assert(starts_with(r.out.p, "symbol-drift"));
	for (const char *p = r.out.p; *p; p++)
		words += isspace((unsigned char)p[0]) && p[1] && !isspace((unsigned char)p[1]);
	ck_assert_msg(words >= 30, "explain symbol-drift is too short (%zu words):\n%s", words,
		      r.out.p);
	run_free(&r);
}
END_TEST

/* Loop index: the registry's check _i, as list-checks lists it. */
START_TEST(explain_every_listed_check)
{
	size_t n = 0;
	const struct rc_check *const *checks = rc_registry(&n);
	const char *id = checks[_i]->id;
	char prefix[64];
	struct run r;
	size_t words = 0;

	run(&r, RC("list-checks"));
	ck_assert_int_eq(r.status, 0);
	snprintf(prefix, sizeof(prefix), "%s ", id);
	ck_assert_msg(line_starting(r.out.p, prefix), "list-checks does not list %s", id);
	run_free(&r);

	run(&r, RC("explain", id));
	ck_assert_msg(r.status == 0, "explain %s: exit %d; stderr:\n%s", id, r.status, r.err.p);
	ck_assert_str_eq(r.err.p, "");
	ck_assert_msg(starts_with(r.out.p, id), "explain %s starts with:\n%.200s", id, r.out.p);
	for (const char *p = r.out.p; *p; p++)
		words += isspace((unsigned char)p[0]) && p[1] && !isspace((unsigned char)p[1]);
	ck_assert_msg(words >= 30, "explain %s is too short (%zu words):\n%s", id, words, r.out.p);
	run_free(&r);
}
END_TEST

/* ---- 3. bad input ---- */

static const struct bad_input {
	const char *name;
	const char *path;
	const char *keywords[4]; /* the message names the problem with one of these */
} bad_inputs[] = {
	{"devnull", "/dev/null", {"not a regular file", "character device", "empty", "not an elf"}},
	{"empty", FX "/bad/empty", {"empty"}},
	{"dir", FX "/bad/dir", {"directory"}},
	{"text", FX "/bad/text.txt", {"not an elf", "not elf"}},
	{"missing", RC_TMP "/no-such-file", {"no such file", "does not exist", "not found"}},
	{"truncated", FX "/bad/truncated", {"truncated", "past end", "past the end"}},
	{"shoff_past_end",
	 FX "/bad/shoff_past_end",
	 {"section header", "past end", "past the end"}},
	{"sections_past_end", FX "/bad/sections_past_end", {"past end", "past the end"}},
	{"bad_strtab", FX "/bad/bad_strtab", {"name table", "string table", "shstrndx"}},
	{"core", FX "/bad/core", {"core"}},
};

#define N_BAD (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0]))

/* Loop index: bad input _i / 2, as OLD when even and as NEW when odd. */
START_TEST(bad_input_cannot_check)
{
	const struct bad_input *b = &bad_inputs[_i / 2];
	bool as_old = _i % 2 == 0;
	const char *good = FX "/identical/old";
	const char *old = as_old ? b->path : good, *new = as_old ? good : b->path;
	const char *role = as_old ? "OLD" : "NEW";
	struct run r;
	const char *after;
	bool named = false;
	char *name;
	cJSON *j;

	run(&r, RC(old, new));
	ck_assert_msg(r.status == 3, "%s as %s: exit %d, expected 3; stdout:\n%.1500s", b->name,
		      role, r.status, r.out.p);
	ck_assert_msg(r.out.len == 0, "%s as %s: stdout not empty:\n%s", b->name, role, r.out.p);
	ck_assert_msg(one_line(&r.err), "%s as %s: stderr is not exactly one line:\n%s", b->name,
		      role, r.err.p);
	after = strstr(r.err.p, b->path);
	ck_assert_msg(after, "%s as %s: stderr does not name '%s': %s", b->name, role, b->path,
		      r.err.p);
	for (size_t k = 0; k < 4 && b->keywords[k]; k++)
		named |= strcasestr(after, b->keywords[k]) != NULL;
	ck_assert_msg(named, "%s as %s: stderr does not say what is wrong: %s", b->name, role,
		      r.err.p);
	run_free(&r);

	/* diff and the JSON format: still exit 3, with an error report on stdout. */
	run(&r, RC("diff", "--format", "json", old, new));
	ck_assert_msg(r.status == 3, "%s as %s (json): exit %d, expected 3", b->name, role,
		      r.status);
	j = parse_json(r.out.p, "stdout of --format json");
	ck_assert_str_eq(json_str(j, "verdict"), "error");
	ck_assert_int_eq((int)json_num(j, "exit_code"), 3);
	ck_assert_msg(strstr(json_str(j, "error"), b->path), "error member does not name %s: %s",
		      b->path, json_str(j, "error"));
	ck_assert_int_ge(asprintf(&name, "bad-%s-%s.json", b->name, role), 0);
	validate_stdout(&r, name);
	cJSON_Delete(j);
	free(name);
	run_free(&r);
}
END_TEST

START_TEST(bad_input_json_to_output_file)
{
	char *dir = fresh_dir("bad_output");
	char *path;
	struct run r;
	size_t n;
	char *names;
	cJSON *j;

	ck_assert_int_ge(asprintf(&path, "%s/report.json", dir), 0);
	run(&r, RC("--format", "json", "--output", path, FX "/bad/truncated", FX "/identical/new"));
	ck_assert_int_eq(r.status, 3);
	ck_assert_uint_eq(r.out.len, 0);
	ck_assert(one_line(&r.err));
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "error");
	ck_assert_int_eq((int)json_num(j, "exit_code"), 3);
	validate_report(path);
	names = list_dir(dir, &n);
	ck_assert_msg(n == 1, "%s holds more than the report: %s", dir, names);
	free(names);
	cJSON_Delete(j);
	run_free(&r);
	free(path);
	free(dir);
}
END_TEST

/* ---- 4. valid but unusual ELF files ---- */

START_TEST(elfgen_same_file_passes_identity)
{
	static const char *const kinds[] = {"be64", "le32", "be32"};
	const char *paths[4] = {0};
	char *p[3];

	for (int i = 0; i < 3; i++) {
		char *f, *name;
		struct run r;
		cJSON *j;
		const cJSON *id;

		ck_assert_int_ge(asprintf(&f, "%s/elfgen/%s", FX, kinds[i]), 0);
		ck_assert_int_ge(asprintf(&name, "elfgen-%s.json", kinds[i]), 0);
		p[i] = tmp_path(name);
		make_dir(RC_TMP);
		run(&r, RC("--format", "json", "--output", p[i], f, f));
		ck_assert_msg(r.status == 0, "%s vs itself: exit %d; stderr:\n%s", kinds[i],
			      r.status, r.err.p);
		j = load_json(p[i]);
		id = find_check(j, "elf-identity");
		ck_assert_msg(!strcmp(json_str(id, "verdict"), "pass"),
			      "%s vs itself: elf-identity %s (%s)", kinds[i],
			      json_str(id, "verdict"), codes_of(id));
		ck_assert_int_eq((int)json_num(j, "exit_code"), 0);
		paths[i] = p[i];
		cJSON_Delete(j);
		run_free(&r);
		free(name);
		free(f);
	}
	validate_reports(paths);
	for (int i = 0; i < 3; i++)
		free(p[i]);
}
END_TEST

START_TEST(elfgen_class_change_fails)
{
	int status;
	cJSON *j =
		json_report("elfgen-be64-be32.json", FX "/elfgen/be64", FX "/elfgen/be32", &status);
	const cJSON *id = find_check(j, "elf-identity");

	ck_assert_int_eq(status, 1);
	ck_assert_str_eq(json_str(j, "verdict"), "fail");
	ck_assert_str_eq(json_str(id, "verdict"), "fail");
	ck_assert_msg(count_code(id, "identity.class") > 0, "no identity.class finding: %s",
		      codes_of(id));
	cJSON_Delete(j);
}
END_TEST

START_TEST(elfgen_relocatable_is_checked)
{
	int status;
	cJSON *j = json_report("elfgen-rel.json", FX "/elfgen/le64_rel", FX "/elfgen/le64_rel",
			       &status);

	/* json_report already asserted that it was not a usage or could-not-check exit. */
	ck_assert_str_ne(json_str(j, "verdict"), "error");
	ck_assert_str_eq(json_str(find_check(j, "elf-identity"), "verdict"), "pass");
	cJSON_Delete(j);
}
END_TEST

/* ---- 5. output ---- */

START_TEST(text_verdict_first_then_failing_check)
{
	struct run r;
	int status;
	cJSON *j = json_report("text_fail.json", FX "/removed_export/old", FX "/removed_export/new",
			       &status);
	const cJSON *check = find_check(j, "symbol-drift"), *f;
	const char *line;
	const char *message = NULL;

	cJSON_ArrayForEach(
		f, json_arr(check, "findings")) if (!strcmp(json_str(f, "severity"), "fail"))
	{
		message = json_str(f, "message");
		break;
	}
	ck_assert_ptr_nonnull(message);

	run(&r, RC(FX "/removed_export/old", FX "/removed_export/new"));
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(starts_with(r.out.p, "reloadcheck: FAIL"), "first line: %.200s", r.out.p);
	line = line_starting(r.out.p, "FAIL");
	ck_assert_msg(line && !strncmp(line + strspn(line, "FAIL "), "symbol-drift", 12),
		      "no FAIL line for symbol-drift:\n%s", r.out.p);
	ck_assert_msg(strstr(r.out.p, message), "finding message '%s' not in:\n%s", message,
		      r.out.p);
	ck_assert_msg(strstr(r.out.p, "symbol.removed"), "finding code not in:\n%s", r.out.p);
	/* The failing check comes before the passing ones. */
	ck_assert_msg(line_starting(r.out.p, "PASS") && line < line_starting(r.out.p, "PASS"),
		      "failing check not listed before the passing ones:\n%s", r.out.p);
	run_free(&r);
	cJSON_Delete(j);

	run(&r, RC(FX "/identical/old", FX "/identical/new"));
	ck_assert(starts_with(r.out.p, "reloadcheck: PASS"));
	ck_assert_ptr_null(line_starting(r.out.p, "FAIL"));
	run_free(&r);
}
END_TEST

START_TEST(quiet_prints_one_line)
{
	struct run r;

	run(&r, RC("--quiet", FX "/removed_export/old", FX "/removed_export/new"));
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(one_line(&r.out), "--quiet printed:\n%s", r.out.p);
	ck_assert(starts_with(r.out.p, "reloadcheck: FAIL"));
	run_free(&r);

	run(&r, RC("-q", FX "/identical/old", FX "/identical/new"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(one_line(&r.out), "-q printed:\n%s", r.out.p);
	ck_assert(starts_with(r.out.p, "reloadcheck: PASS"));
	run_free(&r);
}
END_TEST

START_TEST(no_color_unless_tty)
{
	const char *o = FX "/removed_export/old", *n = FX "/removed_export/new";
	char *dir = fresh_dir("color"), *path, *text;
	struct run r;

	/* On a terminal there is colour: so the checks below can fail. */
	run_env(&r, RC(o, n), NULL, RUN_TTY);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strchr(r.out.p, '\033'), "no colour on a terminal:\n%s", r.out.p);
	run_free(&r);

	run(&r, RC(o, n));
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(!strchr(r.out.p, '\033'), "colour on a pipe");
	run_free(&r);

	run_env(&r, RC(o, n), (const char *const[]){"NO_COLOR=1", NULL}, RUN_TTY);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.out.p, "reloadcheck: FAIL"), "no report on the terminal");
	ck_assert_msg(!strchr(r.out.p, '\033'), "colour with NO_COLOR=1");
	run_free(&r);

	run_env(&r, RC("--no-color", o, n), NULL, RUN_TTY);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.out.p, "reloadcheck: FAIL"), "no report on the terminal");
	ck_assert_msg(!strchr(r.out.p, '\033'), "colour with --no-color");
	run_free(&r);

	/* A report file gets no colour even when stdout is a terminal. */
	ck_assert_int_ge(asprintf(&path, "%s/report.txt", dir), 0);
	run_env(&r, RC("--output", path, o, n), NULL, RUN_TTY);
	ck_assert_int_eq(r.status, 1);
	text = read_file(path);
	ck_assert(starts_with(text, "reloadcheck: FAIL"));
	ck_assert_msg(!strchr(text, '\033'), "colour in the --output file");
	free(text);
	run_free(&r);
	free(path);
	free(dir);
}
END_TEST

START_TEST(output_file_is_written_atomically)
{
	char *dir = fresh_dir("output"), *path, *old_copy, *text, *names;
	const char *paths[2] = {0};
	struct run r, plain;
	size_t n;
	cJSON *j;

	ck_assert_int_ge(asprintf(&path, "%s/report.json", dir), 0);
	ck_assert_int_ge(asprintf(&old_copy, "%s/old-report", dir), 0);
	write_file(path, "previous contents\n", 18);
	ck_assert_msg(link(path, old_copy) == 0, "link: %s", strerror(errno));

	run(&r, RC("--format", "json", "--output", path, FX "/removed_export/old",
		   FX "/removed_export/new"));
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(r.out.len == 0, "stdout with --output:\n%s", r.out.p);
	ck_assert_str_eq(r.err.p, "");
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "fail");
	/* Replaced by rename, not rewritten in place: the old inode is untouched. */
	text = read_file(old_copy);
	ck_assert_str_eq(text, "previous contents\n");
	free(text);
	unlink(old_copy);
	names = list_dir(dir, &n);
	ck_assert_msg(n == 1 && !strstr(names, ".reloadcheck-report"),
		      "files left beside the report: %s", names);
	free(names);
	paths[0] = path;
	validate_reports(paths);
	cJSON_Delete(j);
	run_free(&r);

	/* Text to a file: the same text stdout would have had. */
	free(path);
	ck_assert_int_ge(asprintf(&path, "%s/report.txt", dir), 0);
	run(&r, RC("-o", path, FX "/removed_export/old", FX "/removed_export/new"));
	run(&plain, RC(FX "/removed_export/old", FX "/removed_export/new"));
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(r.out.len, 0);
	text = read_file(path);
	ck_assert_str_eq(text, plain.out.p);
	free(text);
	names = list_dir(dir, &n);
	ck_assert_msg(n == 2 && !strstr(names, ".reloadcheck-report"),
		      "files left beside the reports: %s", names);
	free(names);
	run_free(&r);
	run_free(&plain);
	free(path);
	free(old_copy);
	free(dir);
}
END_TEST

START_TEST(output_into_missing_directory)
{
	char *path = tmp_path("no-such-dir/sub/report.json");
	struct run r;

	run(&r, RC("--output", path, FX "/identical/old", FX "/identical/new"));
	ck_assert_int_eq(r.status, 3);
	ck_assert_uint_eq(r.out.len, 0);
	ck_assert_msg(one_line(&r.err), "stderr:\n%s", r.err.p);
	ck_assert_msg(strstr(r.err.p, path), "stderr does not name the file: %s", r.err.p);
	ck_assert_msg(strcasestr(r.err.p, "no such file") || strcasestr(r.err.p, "directory"),
		      "stderr does not say the directory is missing: %s", r.err.p);
	ck_assert_int_ne(access(path, F_OK), 0);
	run_free(&r);

	run(&r, RC("--format", "json", "--output", path, FX "/identical/old", FX "/identical/new"));
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err.p, path), "stderr does not name the file: %s", r.err.p);
	run_free(&r);
	free(path);
}
END_TEST

START_TEST(output_dev_null)
{
	struct stat before, after;
	struct run r;

	ck_assert_int_eq(stat("/dev/null", &before), 0);
	ck_assert(S_ISCHR(before.st_mode));
	run(&r, RC("--output", "/dev/null", FX "/removed_export/old", FX "/removed_export/new"));
	ck_assert_msg(r.status == 1, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_uint_eq(r.out.len, 0);
	run_free(&r);
	run(&r, RC("--format", "json", "--output", "/dev/null", FX "/identical/old",
		   FX "/identical/new"));
	ck_assert_msg(r.status == 0, "exit %d; stderr:\n%s", r.status, r.err.p);
	ck_assert_uint_eq(r.out.len, 0);
	run_free(&r);
	ck_assert_int_eq(stat("/dev/null", &after), 0);
	ck_assert(S_ISCHR(after.st_mode));
	ck_assert_uint_eq(after.st_rdev, before.st_rdev);
	ck_assert_uint_eq(after.st_ino, before.st_ino);
	{
		size_t n;
		char *names = list_dir("/dev", &n);

		ck_assert_msg(!strstr(names, ".reloadcheck-report"), "temp file left in /dev");
		free(names);
	}
}
END_TEST

START_TEST(shorthand_equals_diff)
{
	static const char *const pairs[][2] = {
		{FX "/identical/old", FX "/identical/new"},
		{FX "/removed_export/old", FX "/removed_export/new"},
		{FX "/stripped_new/old", FX "/stripped_new/new"},
		{FX "/bad/empty", FX "/identical/new"},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct run a, b;

		run(&a, RC(pairs[i][0], pairs[i][1]));
		run(&b, RC("diff", pairs[i][0], pairs[i][1]));
		ck_assert_int_eq(a.status, b.status);
		ck_assert_str_eq(a.out.p, b.out.p);
		ck_assert_str_eq(a.err.p, b.err.p);
		run_free(&a);
		run_free(&b);
		/* Options before the files, too. */
		run(&a, RC("--quiet", "--fail-on", "warn", pairs[i][0], pairs[i][1]));
		run(&b, RC("diff", "--quiet", "--fail-on", "warn", pairs[i][0], pairs[i][1]));
		ck_assert_int_eq(a.status, b.status);
		ck_assert_str_eq(a.out.p, b.out.p);
		run_free(&a);
		run_free(&b);
	}
}
END_TEST

/* ---- 6. --limit ---- */

/* Two real binaries that differ a lot: bash exports thousands of symbols that ls has not. */
#define BIG_OLD "/usr/bin/ls"
#define BIG_NEW "/bin/bash"

struct group {
	const char *check, *code, *severity;
	size_t count;
	const char *last_message;
};

/* (check, code, severity) groups of a report, as the text output groups findings. */
static size_t report_groups(const cJSON *report, struct group *g, size_t max)
{
	const cJSON *c, *f;
	size_t n = 0;

	cJSON_ArrayForEach(c, json_arr(report, "checks"))
		cJSON_ArrayForEach(f, json_arr(c, "findings"))
	{
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(g[i].check, json_str(c, "id")) &&
			    !strcmp(g[i].code, json_str(f, "code")) &&
			    !strcmp(g[i].severity, json_str(f, "severity")))
				break;
		if (i == n) {
			ck_assert_uint_lt(n, max);
			g[n++] = (struct group){.check = json_str(c, "id"),
						.code = json_str(f, "code"),
						.severity = json_str(f, "severity")};
		}
		g[i].count++;
		g[i].last_message = json_str(f, "message");
	}
	return n;
}

START_TEST(limit_truncates_text_only)
{
	struct group g[256];
	struct run def, all, three;
	size_t ng, big = 0, hidden = 0, more_lines = 0, total = 0;
	int status;
	char needle[128];
	cJSON *j;
	const cJSON *c;

	if (access(BIG_OLD, R_OK) != 0 || access(BIG_NEW, R_OK) != 0)
		ck_abort_msg("%s or %s is missing", BIG_OLD, BIG_NEW);
	j = json_report("limit.json", BIG_OLD, BIG_NEW, &status);
	ng = report_groups(j, g, sizeof(g) / sizeof(g[0]));
	for (size_t i = 0; i < ng; i++) {
		total += g[i].count;
		if (g[i].count > g[big].count)
			big = i;
		if (g[i].count > 10) {
			hidden += g[i].count - 10;
			more_lines++;
		}
	}
	ck_assert_msg(ng > 0 && g[big].count > 10, "no finding code occurs more than 10 times");
	/* JSON has every finding. */
	{
		size_t in_json = 0;

		cJSON_ArrayForEach(c, json_arr(j, "checks")) in_json +=
			(size_t)cJSON_GetArraySize(json_arr(c, "findings"));
		ck_assert_uint_eq(in_json, total);
	}

	run(&def, RC(BIG_OLD, BIG_NEW));
	run(&all, RC("--limit", "0", BIG_OLD, BIG_NEW));
	run(&three, RC("--limit", "3", BIG_OLD, BIG_NEW));
	ck_assert_int_eq(def.status, status);
	ck_assert_int_eq(all.status, status);
	ck_assert_int_eq(three.status, status);

	/* The group header gives the full count, the same as JSON. */
	snprintf(needle, sizeof(needle), "%s (%zu)\n", g[big].code, g[big].count);
	ck_assert_msg(strstr(def.out.p, needle), "no '%s' in:\n%.3000s", needle, def.out.p);
	snprintf(needle, sizeof(needle), "... and %zu more", g[big].count - 10);
	ck_assert_msg(strstr(def.out.p, needle), "no '%s' in:\n%.3000s", needle, def.out.p);
	snprintf(needle, sizeof(needle), "... and %zu more", g[big].count - 3);
	ck_assert_msg(strstr(three.out.p, needle), "no '%s' with --limit 3", needle);
	ck_assert_msg(!strstr(all.out.p, "... and "), "--limit 0 still truncates");
	ck_assert_msg(strstr(all.out.p, g[big].last_message), "--limit 0 lacks '%s'",
		      g[big].last_message);
	/* --limit 0 prints each hidden finding on its own line, and no "... and N more". */
	ck_assert_uint_eq(count_lines(all.out.p), count_lines(def.out.p) + hidden - more_lines);
	run_free(&def);
	run_free(&all);
	run_free(&three);
	cJSON_Delete(j);
}
END_TEST

/* ---- 7. JSON report contents ---- */

static bool is_hex40(const char *s)
{
	if (strlen(s) != 40)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

START_TEST(json_report_fields)
{
	static const char *const verdicts[] = {"pass", "warn", "fail", "skip", "error"};
	const char *old = FX "/removed_export/old", *new = FX "/removed_export/new";
	int status;
	cJSON *j = json_report("fields.json", old, new, &status);
	const cJSON *inputs = json_obj(j, "inputs"), *summary = json_obj(j, "summary"), *c;
	const cJSON *in_old = json_obj(inputs, "old"), *in_new = json_obj(inputs, "new");
	size_t nchecks = (size_t)cJSON_GetArraySize(json_arr(j, "checks")), sum = 0;
	struct run v;

	ck_assert_str_eq(json_str(j, "schema"), "reloadcheck/report/v1");
	ck_assert_str_eq(json_str(json_obj(j, "tool"), "name"), "reloadcheck");
	/* The version in the report is the one --version prints. */
	run(&v, RC("--version"));
	ck_assert_int_eq(strncmp(v.out.p + strlen("reloadcheck "),
				 json_str(json_obj(j, "tool"), "version"),
				 strlen(json_str(json_obj(j, "tool"), "version"))),
			 0);
	run_free(&v);

	ck_assert_str_eq(json_str(in_old, "path"), old);
	ck_assert_str_eq(json_str(in_new, "path"), new);
	ck_assert(json_num(in_old, "size") == (double)file_size(old));
	ck_assert(json_num(in_new, "size") == (double)file_size(new));
	ck_assert_msg(is_hex40(json_str(in_old, "build_id")), "old build_id '%s'",
		      json_str(in_old, "build_id"));
	ck_assert_msg(is_hex40(json_str(in_new, "build_id")), "new build_id '%s'",
		      json_str(in_new, "build_id"));
	ck_assert_str_ne(json_str(in_old, "build_id"), json_str(in_new, "build_id"));

	ck_assert_str_eq(json_str(j, "verdict"), "fail");
	ck_assert_int_eq(status, 1);
	ck_assert_int_eq((int)json_num(j, "exit_code"), 1);
	ck_assert(json_num(j, "duration_ms") >= 0);
	ck_assert_uint_gt(nchecks, 0);
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		size_t counted = 0, said = (size_t)json_num(summary, verdicts[i]);

		cJSON_ArrayForEach(c, json_arr(j, "checks")) counted +=
			!strcmp(json_str(c, "verdict"), verdicts[i]);
		ck_assert_msg(said == counted, "summary.%s is %zu, %zu checks say so", verdicts[i],
			      said, counted);
		sum += said;
	}
	ck_assert_uint_eq(sum, nchecks);
	cJSON_ArrayForEach(c, json_arr(j, "checks"))
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "duration_ms");

		ck_assert_msg(cJSON_IsNumber(d) && d->valuedouble >= 0 &&
				      d->valuedouble == (double)(long long)d->valuedouble,
			      "check %s: bad duration_ms", json_str(c, "id"));
		json_obj(c, "metrics");
	}

	/* symbol-drift names the removed export in the dynamic symbol table. */
	{
		const cJSON *sd = find_check(j, "symbol-drift"), *f;
		bool found = false;

		ck_assert_str_eq(json_str(sd, "verdict"), "fail");
		cJSON_ArrayForEach(f, json_arr(sd, "findings"))
		{
			const cJSON *d = json_obj(f, "detail");

			if (strcmp(json_str(f, "code"), "symbol.removed") ||
			    strcmp(json_str(d, "table"), ".dynsym"))
				continue;
			ck_assert_str_eq(json_str(d, "name"), "fix_beta");
			ck_assert_str_eq(json_str(f, "severity"), "fail");
			found = true;
		}
		ck_assert_msg(found, "no .dynsym symbol.removed finding (%s)", codes_of(sd));
	}
	cJSON_Delete(j);
}
END_TEST

START_TEST(json_build_id_null_when_missing)
{
	int status;
	cJSON *j = json_report("no_build_id.json", FX "/no_build_id_new/old",
			       FX "/no_build_id_new/new", &status);
	const cJSON *inputs = json_obj(j, "inputs");
	const cJSON *bid = cJSON_GetObjectItemCaseSensitive(json_obj(inputs, "new"), "build_id");

	ck_assert(is_hex40(json_str(json_obj(inputs, "old"), "build_id")));
	ck_assert_msg(cJSON_IsNull(bid), "new build_id should be null");
	cJSON_Delete(j);
}
END_TEST

START_TEST(json_on_stdout_matches_output_file)
{
	struct run r;
	int status;
	cJSON *a, *b;

	run(&r, RC("--format", "json", FX "/stripped_new/old", FX "/stripped_new/new"));
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err.p, "");
	a = parse_json(r.out.p, "stdout");
	validate_stdout(&r, "stdout.json");
	b = json_report("stdout-file.json", FX "/stripped_new/old", FX "/stripped_new/new",
			&status);
	ck_assert_int_eq(status, r.status);
	ck_assert_str_eq(json_str(a, "verdict"), json_str(b, "verdict"));
	ck_assert_int_eq(cJSON_GetArraySize(json_arr(a, "checks")),
			 cJSON_GetArraySize(json_arr(b, "checks")));
	cJSON_Delete(a);
	cJSON_Delete(b);
	run_free(&r);
}
END_TEST

/* ---- suite ---- */

static TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;
	size_t n_checks = 0;

	tc = tcase(s, "cases");
	tcase_add_test(tc, cases_list_is_not_empty);
	tcase_add_loop_test(tc, case_meets_expectations, 0, ncases);

	tcase_add_test(tcase(s, "exit_pass"), exit_pass_is_0);
	tcase_add_test(tcase(s, "exit_fail"), exit_fail_is_1);
	tcase_add_test(tcase(s, "exit_warn_fail_on"), exit_warn_depends_on_fail_on);
	tcase_add_test(tcase(s, "usage_errors"), usage_errors_are_2);
	tcase_add_test(tcase(s, "version"), version_prints_one_line);
	tcase_add_test(tcase(s, "help"), help_lists_options_and_exit_codes);
	tcase_add_test(tcase(s, "list_checks"), list_checks_lists_every_check);
	tcase_add_test(tcase(s, "explain"), explain_prints_a_paragraph);
	rc_registry(&n_checks);
	tcase_add_loop_test(tcase(s, "explain_every_check"), explain_every_listed_check, 0,
			    (int)n_checks);

	tcase_add_loop_test(tcase(s, "bad_input"), bad_input_cannot_check, 0, 2 * N_BAD);
	tcase_add_test(tcase(s, "bad_input_output_file"), bad_input_json_to_output_file);

	tcase_add_test(tcase(s, "elfgen_same"), elfgen_same_file_passes_identity);
	tcase_add_test(tcase(s, "elfgen_class"), elfgen_class_change_fails);
	tcase_add_test(tcase(s, "elfgen_rel"), elfgen_relocatable_is_checked);

	tcase_add_test(tcase(s, "text_output"), text_verdict_first_then_failing_check);
	tcase_add_test(tcase(s, "quiet"), quiet_prints_one_line);
	tcase_add_test(tcase(s, "color"), no_color_unless_tty);
	tcase_add_test(tcase(s, "output_file"), output_file_is_written_atomically);
	tcase_add_test(tcase(s, "output_missing_dir"), output_into_missing_directory);
	tcase_add_test(tcase(s, "output_dev_null"), output_dev_null);
	tcase_add_test(tcase(s, "shorthand"), shorthand_equals_diff);

	tcase_add_test(tcase(s, "limit"), limit_truncates_text_only);

	tcase_add_test(tcase(s, "json_fields"), json_report_fields);
	tcase_add_test(tcase(s, "json_build_id_null"), json_build_id_null_when_missing);
	tcase_add_test(tcase(s, "json_stdout"), json_on_stdout_matches_output_file);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;

	load_cases();
	mkdir(RC_TMP, 0755);
	sr = srunner_create(cli_suite());
	srunner_set_fork_status(sr, CK_FORK);
	return rc_test_run(sr, NULL, 0, argc, argv);
}
