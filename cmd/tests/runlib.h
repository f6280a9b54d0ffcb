/* SPDX-License-Identifier: MIT */
/*
 * What the end-to-end tests (test_cli, test_probe, test_pprof) share: running
 * a program with fork/execve and capturing its output, files under RC_TMP,
 * JSON look-ups with cJSON, schema validation with validate_report.py, and
 * children (targets, servers) that must not outlive a test.
 *
 * runlib.c is compiled into each test executable with that test's
 * definitions (RC_TMP, RC_SRC, RC_PYTHON). Assertions fail the calling test.
 */
#ifndef RC_TESTS_RUNLIB_H
#define RC_TESTS_RUNLIB_H

#include <check.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifndef RC_BIN
#error "RC_BIN must name the reloadcheck binary"
#endif

#define REPORT_SCHEMA RC_SRC "/lib/schema/report-v1.schema.json"
#define VALIDATOR RC_SRC "/cmd/tests/validate_report.py"

/* ---- running a program ---- */

struct buf {
	char *p;
	size_t len, cap;
};

struct run {
	int status; /* exit status, or 128 + signal number */
	struct buf out, err;
	long long ms; /* wall-clock time it took */
};

enum run_flags {
	RUN_TTY = 1 << 0, /* stdout is a pseudo-terminal instead of a pipe */
};

void buf_add(struct buf *b, const char *p, size_t n);
void run_free(struct run *r);

/*
 * Run argv[0] (a path) with @argv, our environment minus NO_COLOR plus @env
 * ("K=V" entries, may be NULL) and stdin from /dev/null; collect stdout,
 * stderr, the exit status and the time taken in @r. Dying of a signal fails
 * the test.
 */
void run_env(struct run *r, const char *const argv[], const char *const env[], unsigned flags);
void run(struct run *r, const char *const argv[]);
/*
 * @r, a run of @argv, was a usage error: exit 2, nothing on stdout, a message
 * on stderr that names @mention (unless NULL). Frees @r.
 */
void assert_usage_error(struct run *r, const char *const argv[], const char *mention);

/* ---- small helpers ---- */

size_t count_char(const char *s, char c);
/* Exactly one line, ending with a newline. */
bool one_line(const struct buf *b);
char *pid_str(pid_t pid);
long long mono_ms(void);

/* ---- files ---- */

/* RC_TMP/<name>. */
char *tmp_path(const char *name);
/* RC_TMP/<name>, with whatever file was there removed. */
char *fresh_path(const char *name);
char *read_file(const char *path);
void write_file(const char *path, const void *data, size_t len);

/* ---- JSON ---- */

cJSON *parse_json(const char *text, const char *what);
/*
 * The JSON report of run @r (written with --output to @path, stdout empty):
 * loaded, validated, report-v1, its exit_code @r's status and its verdict
 * one that status allows (3: error, 1: fail or warn, 0: pass or warn).
 */
cJSON *load_run_report(const struct run *r, const char *path);
cJSON *load_json(const char *path);
const cJSON *json_item(const cJSON *obj, const char *key);
const char *json_str(const cJSON *obj, const char *key);
double json_num(const cJSON *obj, const char *key);
const cJSON *json_obj(const cJSON *obj, const char *key);
const cJSON *json_arr(const cJSON *obj, const char *key);
const cJSON *find_check(const cJSON *report, const char *id);
size_t count_code(const cJSON *check, const char *code);
/* The @nth (from 0) finding of @check with @code, or NULL. */
const cJSON *find_code(const cJSON *check, const char *code, size_t nth);
/* The codes of @check's findings, for assertion messages (leaked: tests are forked). */
char *codes_of(const cJSON *check);
/* @check's verdict is @want; the message lists its findings and reason. */
void assert_verdict(const cJSON *check, const char *want);
/* find_check() of @id in @report, whose verdict must be @want. */
const cJSON *check_with_verdict(const cJSON *report, const char *id, const char *want);
/* A JSON text of @j, for assertion messages (leaked: tests are forked). */
char *show(const cJSON *j);

/* ---- schema validation ---- */

/*
 * Validate the files at @paths (NULL-terminated, at least one) against
 * @schema in one validator run; @schema_only skips the report's summary rules.
 */
void validate_files(const char *schema, bool schema_only, const char *const paths[]);
/* Validate the JSON reports at @paths (NULL-terminated) against the report schema. */
void validate_reports(const char *const paths[]);
void validate_report(const char *path);
/*
 * Write @out, a JSON report on stdout, to @path, validate it and load it;
 * asserts its verdict is "error" with exit_code 3. Free with cJSON_Delete.
 */
cJSON *load_error_report(const char *path, const struct buf *out);

/* ---- children that must not outlive a test ---- */

/*
 * Pids of the children started by the running test, in memory shared by the
 * runner and its forked tests, so the runner can reap what a dead test left.
 */
#define MAX_TARGETS 256
struct kill_list {
	int n;
	pid_t pid[MAX_TARGETS];
	char tmp_bin[128]; /* test_probe: a copy of RC_BIN outside the build tree, or "" */
};
extern struct kill_list *kill_list;

/*
 * Map the kill list shared with the forked tests and make the runner a child
 * subreaper, so that children orphaned by a dead test come back to it to be
 * reaped; false (with a message) if the kill list cannot be mapped.
 */
bool kill_list_init(void);
void kill_list_add(pid_t pid);
void kill_list_forget(pid_t pid);
/*
 * Kill and reap every listed pid that is a child of the calling process (a
 * pid that is not our child may have been reused: leave it alone).
 */
void kill_list_reap(void);
/* Reap and empty the list: the checked teardown, in the forked test. */
void kill_list_teardown(void);
/*
 * A new TCase @name in @s with a @timeout in seconds, kill_list_teardown as
 * its checked teardown and @unchecked (kill_list_teardown, or more) as its
 * unchecked one, run in the runner for what a dead test left behind.
 */
TCase *kill_list_tcase(Suite *s, const char *name, int timeout, void (*unchecked)(void));
/*
 * A forking runner for @s, once RC_TMP exists and the kill list is set up
 * (children orphaned by a dead test come back to us to be reaped); NULL,
 * with a message, when the kill list cannot be.
 */
SRunner *kill_list_runner(Suite *s);

/*
 * Start @argv with its stdout piped to us (the read end in *@out) and stdin
 * from /dev/null; it gets SIGKILL when the test dies and is on the kill list.
 */
pid_t spawn_piped(const char *const argv[], int *out);
/* Read one line of @fd into @line within @timeout_ms; false on EOF or timeout. */
bool read_line(int fd, char *line, size_t size, int timeout_ms);
/* Kill *@pid (if > 0) and reap it, close *@out (if >= 0); both are reset. */
void stop_child(pid_t *pid, int *out);

/* A child the test started (a target, a server), its stdout piped to us. */
struct child {
	pid_t pid;
	int out;	/* read end of its stdout, or -1 */
	char line[256]; /* the last line it printed */
	int port;	/* its listener, once its ready line said so */
	int threads;	/* the C targets' worker count */
	char url[64];	/* servers: http://127.0.0.1:PORT */
};

/* Start @argv as @c with spawn_piped(). */
void child_spawn(struct child *c, const char *const argv[]);
/* Kill @c and reap it (stop_child()). */
void child_stop(struct child *c);

#endif
