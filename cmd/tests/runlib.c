/* SPDX-License-Identifier: MIT */
/* What the end-to-end tests share: see runlib.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runlib.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(RC_TMP) || !defined(RC_SRC) || !defined(RC_PYTHON)
#error "runlib.c is compiled with its test's RC_TMP, RC_SRC and RC_PYTHON"
#endif

extern char **environ;

/* ---- running a program ---- */

void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		ck_assert_ptr_nonnull(b->p);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void run_free(struct run *r)
{
	free(r->out.p);
	free(r->err.p);
	*r = (struct run){0};
}

static bool env_overridden(const char *entry, const char *const env[])
{
	size_t n = strcspn(entry, "=");

	/* Tests decide about colour themselves: never inherit NO_COLOR. */
	if (n == strlen("NO_COLOR") && !strncmp(entry, "NO_COLOR", n))
		return true;
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(entry, env[i], n) && env[i][n] == '=')
			return true;
	return false;
}

/* The environment for the child: ours minus NO_COLOR, plus @env ("K=V" entries). */
static char **make_env(const char *const env[])
{
	size_t n = 0, extra = 0, k = 0;
	char **e;

	while (environ[n])
		n++;
	while (env && env[extra])
		extra++;
	e = calloc(n + extra + 1, sizeof(*e));
	ck_assert_ptr_nonnull(e);
	for (size_t i = 0; i < n; i++)
		if (!env_overridden(environ[i], env))
			e[k++] = environ[i];
	for (size_t i = 0; i < extra; i++)
		e[k++] = (char *)env[i];
	return e;
}

/*
 * Open /dev/null into *@devnull (for the child's stdin), flush stdio so the
 * child does not write our buffers again, and fork: the child's pid, 0 in it.
 */
static pid_t fork_stdin_null(int *devnull)
{
	pid_t pid;

	*devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(*devnull, 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	return pid;
}

void run_env(struct run *r, const char *const argv[], const char *const env[], unsigned flags)
{
	int out[2], err[2], devnull;
	char **envp = make_env(env);
	pid_t pid;
	int st;
	struct pollfd pfd[2];
	struct buf *dst[2];
	long long start = mono_ms();

	*r = (struct run){0};
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	if (flags & RUN_TTY)
		ck_assert_int_eq(openpty(&out[0], &out[1], NULL, NULL, NULL), 0);
	else
		ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	pid = fork_stdin_null(&devnull);
	if (pid == 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		/* The pty's ends are not close-on-exec. */
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		close(devnull);
		execve(argv[0], (char *const *)argv, envp);
		dprintf(STDERR_FILENO, "%s: cannot execute %s: %s\n", program_invocation_short_name,
			argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	close(devnull);
	free(envp);

	pfd[0] = (struct pollfd){.fd = out[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = err[0], .events = POLLIN};
	dst[0] = &r->out;
	dst[1] = &r->err;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			ck_assert_int_eq(errno, EINTR);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			char chunk[8192];
			ssize_t got;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			got = read(pfd[i].fd, chunk, sizeof(chunk));
			if (got > 0) {
				buf_add(dst[i], chunk, (size_t)got);
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			/* EOF; a pty master reads EIO once the slave side is closed. */
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
	}
	buf_add(&r->out, "", 0);
	buf_add(&r->err, "", 0);
	while (waitpid(pid, &st, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	r->ms = mono_ms() - start;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	ck_assert_msg(r->status < 128, "%s died of signal %d; stderr:\n%s", argv[0],
		      r->status - 128, r->err.p);
}

void run(struct run *r, const char *const argv[])
{
	run_env(r, argv, NULL, 0);
}

/* ---- small helpers ---- */

size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

bool one_line(const struct buf *b)
{
	return b->len > 1 && b->p[b->len - 1] == '\n' && count_char(b->p, '\n') == 1;
}

char *pid_str(pid_t pid)
{
	char *s;

	ck_assert_int_ge(asprintf(&s, "%d", (int)pid), 0);
	return s;
}

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- files ---- */

char *tmp_path(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", RC_TMP, name), 0);
	return p;
}

char *fresh_path(const char *name)
{
	char *p = tmp_path(name);

	unlink(p);
	return p;
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = {0};
	char chunk[8192];
	size_t got;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	buf_add(&b, "", 0);
	return b.p;
}

void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void assert_usage_error(struct run *r, const char *const argv[], const char *mention)
{
	const char *a1 = argv[1] ? argv[1] : "";
	const char *a2 = argv[1] && argv[2] ? argv[2] : "";
	const char *a3 = argv[1] && argv[2] && argv[3] ? argv[3] : "";

	ck_assert_msg(r->status == 2, "%s %s %s: exit %d, expected 2; stderr:\n%s", a1, a2, a3,
		      r->status, r->err.p);
	ck_assert_msg(r->out.len == 0, "stdout not empty on a usage error:\n%s", r->out.p);
	ck_assert_msg(r->err.len > 0, "no message on stderr");
	if (mention)
		ck_assert_msg(strstr(r->err.p, mention), "stderr does not mention '%s':\n%s",
			      mention, r->err.p);
	run_free(r);
}

/* ---- JSON ---- */

cJSON *parse_json(const char *text, const char *what)
{
	cJSON *j = cJSON_Parse(text);

	ck_assert_msg(j != NULL, "%s is not JSON:\n%.2000s", what, text);
	return j;
}

cJSON *load_json(const char *path)
{
	char *text = read_file(path);
	cJSON *j = parse_json(text, path);

	free(text);
	return j;
}

const cJSON *json_item(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = json_item(obj, key);

	ck_assert_msg(cJSON_IsString(v), "member '%s' is missing or not a string", key);
	return v->valuestring;
}

double json_num(const cJSON *obj, const char *key)
{
	const cJSON *v = json_item(obj, key);

	ck_assert_msg(cJSON_IsNumber(v), "member '%s' is missing or not a number", key);
	return v->valuedouble;
}

const cJSON *json_obj(const cJSON *obj, const char *key)
{
	const cJSON *v = json_item(obj, key);

	ck_assert_msg(cJSON_IsObject(v), "member '%s' is missing or not an object", key);
	return v;
}

const cJSON *json_arr(const cJSON *obj, const char *key)
{
	const cJSON *v = json_item(obj, key);

	ck_assert_msg(cJSON_IsArray(v), "member '%s' is missing or not an array", key);
	return v;
}

const cJSON *find_check(const cJSON *report, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_arr(report, "checks"))
	{
		if (!strcmp(json_str(c, "id"), id))
			return c;
	}
	ck_abort_msg("report has no check '%s'", id);
	return NULL;
}

size_t count_code(const cJSON *check, const char *code)
{
	const cJSON *f;
	size_t n = 0;

	cJSON_ArrayForEach(f, json_arr(check, "findings")) n += !strcmp(json_str(f, "code"), code);
	return n;
}

const cJSON *find_code(const cJSON *check, const char *code, size_t nth)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, json_arr(check, "findings"))
	{
		if (!strcmp(json_str(f, "code"), code) && nth-- == 0)
			return f;
	}
	return NULL;
}

char *codes_of(const cJSON *check)
{
	const cJSON *f;
	struct buf b = {0};

	buf_add(&b, "", 0);
	cJSON_ArrayForEach(f, json_arr(check, "findings"))
	{
		buf_add(&b, json_str(f, "code"), strlen(json_str(f, "code")));
		buf_add(&b, " ", 1);
	}
	return b.p;
}

void assert_verdict(const cJSON *check, const char *want)
{
	const cJSON *reason = json_item(check, "reason");

	ck_assert_msg(!strcmp(json_str(check, "verdict"), want),
		      "check %s: verdict %s, expected %s (findings: %s; reason: %s)",
		      json_str(check, "id"), json_str(check, "verdict"), want, codes_of(check),
		      cJSON_IsString(reason) ? reason->valuestring : "-");
}

char *show(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* ---- schema validation ---- */

void validate_files(const char *schema, bool schema_only, const char *const paths[])
{
	const char *argv[128] = {RC_PYTHON, VALIDATOR};
	size_t n = 2;
	struct run r;

	ck_assert_msg(access(schema, R_OK) == 0, "schema %s: %s", schema, strerror(errno));
	ck_assert_msg(paths[0] != NULL, "no file to validate against %s", schema);
	if (schema_only)
		argv[n++] = "--schema-only";
	argv[n++] = schema;
	for (size_t i = 0; paths[i]; i++) {
		ck_assert_uint_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = paths[i];
	}
	argv[n] = NULL;
	run(&r, argv);
	ck_assert_msg(r.status == 0, "schema validation against %s failed (exit %d):\n%s%s", schema,
		      r.status, r.err.p, r.out.p);
	run_free(&r);
}

void validate_reports(const char *const paths[])
{
	validate_files(REPORT_SCHEMA, false, paths);
}

void validate_report(const char *path)
{
	validate_reports((const char *const[]){path, NULL});
}

cJSON *load_error_report(const char *path, const struct buf *out)
{
	cJSON *j;

	write_file(path, out->p, out->len);
	validate_report(path);
	j = load_json(path);
	ck_assert_str_eq(json_str(j, "verdict"), "error");
	ck_assert_int_eq((int)json_num(j, "exit_code"), 3);
	return j;
}

/* ---- children that must not outlive a test ---- */

struct kill_list *kill_list;

bool kill_list_init(void)
{
	kill_list = mmap(NULL, sizeof(*kill_list), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kill_list == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program_invocation_short_name, strerror(errno));
		kill_list = NULL;
		return false;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, "%s: PR_SET_CHILD_SUBREAPER: %s\n", program_invocation_short_name,
			strerror(errno));
	return true;
}

void kill_list_add(pid_t pid)
{
	ck_assert_int_lt(kill_list->n, MAX_TARGETS);
	kill_list->pid[kill_list->n++] = pid;
}

void kill_list_forget(pid_t pid)
{
	for (int i = 0; i < kill_list->n; i++)
		if (kill_list->pid[i] == pid)
			kill_list->pid[i] = 0;
}

void kill_list_reap(void)
{
	for (int i = 0; i < kill_list->n; i++) {
		pid_t pid = kill_list->pid[i];
		pid_t got;

		if (pid <= 0)
			continue;
		got = waitpid(pid, NULL, WNOHANG);
		if (got == 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (got == 0 || got == pid)
			kill_list->pid[i] = 0;
	}
}

void kill_list_teardown(void)
{
	kill_list_reap();
	kill_list->n = 0;
}

TCase *kill_list_tcase(Suite *s, const char *name, int timeout, void (*unchecked)(void))
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, NULL, kill_list_teardown);
	tcase_add_unchecked_fixture(tc, NULL, unchecked);
	suite_add_tcase(s, tc);
	return tc;
}

SRunner *kill_list_runner(Suite *s)
{
	SRunner *sr;

	mkdir(RC_TMP, 0755);
	if (!kill_list_init())
		return NULL;
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	return sr;
}

pid_t spawn_piped(const char *const argv[], int *out)
{
	int pipefd[2], devnull;
	pid_t parent = getpid(), pid;

	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork_stdin_null(&devnull);
	if (pid == 0) {
		/* Die with the test, whatever kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(devnull, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		execve(argv[0], (char *const *)argv, environ);
		dprintf(STDERR_FILENO, "%s: cannot execute %s: %s\n", program_invocation_short_name,
			argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	close(devnull);
	kill_list_add(pid);
	*out = pipefd[0];
	return pid;
}

bool read_line(int fd, char *line, size_t size, int timeout_ms)
{
	long long deadline = mono_ms() + timeout_ms;
	size_t n = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - mono_ms();
		ssize_t got;
		char c;

		if (left <= 0)
			return false;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		if (c == '\n') {
			line[n] = '\0';
			return true;
		}
		if (n + 1 < size)
			line[n++] = c;
	}
}

void stop_child(pid_t *pid, int *out)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		kill_list_forget(*pid);
		*pid = 0;
	}
	if (*out >= 0)
		close(*out);
	*out = -1;
}

void child_spawn(struct child *c, const char *const argv[])
{
	*c = (struct child){.out = -1};
	c->pid = spawn_piped(argv, &c->out);
}

void child_stop(struct child *c)
{
	stop_child(&c->pid, &c->out);
}

const cJSON *check_with_verdict(const cJSON *report, const char *id, const char *want)
{
	const cJSON *c = find_check(report, id);

	assert_verdict(c, want);
	return c;
}

cJSON *load_run_report(const struct run *r, const char *path)
{
	cJSON *report;
	const char *v;

	ck_assert_msg(r->out.len == 0, "stdout not empty with --output:\n%s", r->out.p);
	report = load_json(path);
	validate_report(path);
	ck_assert_str_eq(json_str(report, "schema"), "reloadcheck/report/v1");
	ck_assert_int_eq((int)json_num(report, "exit_code"), r->status);
	v = json_str(report, "verdict");
	if (r->status == 3)
		ck_assert_str_eq(v, "error");
	else if (r->status == 1) /* warn: with --fail-on warn */
		ck_assert_msg(!strcmp(v, "fail") || !strcmp(v, "warn"), "exit 1, verdict %s", v);
	else
		ck_assert_msg(!strcmp(v, "pass") || !strcmp(v, "warn"), "exit 0, verdict %s", v);
	return report;
}
