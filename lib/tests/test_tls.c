/* SPDX-License-Identifier: MIT */
/*
 * rci_tls_read: __thread canaries of live tls_target processes, through
 * libthread_db and through the static-TLS fallback, checked against the values
 * each thread reports and against gdb; the target must be left running,
 * never stopped or traced.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>

#include "rctest.h"
#include "tls.h"

/* A running tls_target: its pid and the tid of each thread index (0 = main). */
struct target {
	pid_t pid;
	int n; /* threads besides the main one */
	int *tids;
	int clone_tid; /* a thread made with a raw clone(), or 0 */
};

/* Start @path with @n threads (and @extra as its second argument, or NULL). */
static void target_start(struct target *t, const char *path, int n, const char *extra)
{
	char arg[16], line[128];
	int fds[2];
	FILE *out;
	bool ready = false;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->tids = calloc((size_t)n + 1, sizeof(*t->tids));
	ck_assert_ptr_nonnull(t->tids);
	ck_assert_int_eq(pipe(fds), 0);
	snprintf(arg, sizeof(arg), "%d", n);
	t->pid = fork();
	ck_assert_int_ge(t->pid, 0);
	if (t->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(path, path, arg, extra, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	ck_assert_ptr_nonnull(out);
	while (!ready && fgets(line, sizeof(line), out)) {
		int tid, idx, pid;

		if (sscanf(line, "tid %d %d", &tid, &idx) == 2 && idx >= 0 && idx <= n)
			t->tids[idx] = tid;
		else if (sscanf(line, "clone %d", &tid) == 1)
			t->clone_tid = tid;
		else if (sscanf(line, "pid %d", &pid) == 1)
			ck_assert_int_eq(pid, t->pid);
		else if (!strcmp(line, "ready\n"))
			ready = true;
	}
	fclose(out);
	ck_assert_msg(ready, "'%s' did not get ready", path);
}

static void target_stop(struct target *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	free(t->tids);
	t->tids = NULL;
	t->pid = 0;
}

static int target_index(const struct target *t, int tid)
{
	for (int i = 0; i <= t->n; i++)
		if (t->tids[i] == tid)
			return i;
	return -1;
}

/* A minimal snapshot from procfs: objects from maps, threads from task/. */
static void snap_build(struct rc_snapshot *s, pid_t pid)
{
	char path[64], exe[4096] = "", line[4352];
	struct dirent *d;
	ssize_t n;
	FILE *f;
	DIR *dp;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start;
		char *p = strchr(line, '/');
		bool seen = false;

		if (!p || sscanf(line, "%llx-", &start) != 1)
			continue;
		p[strcspn(p, "\n")] = '\0';
		for (size_t i = 0; i < s->n_objects; i++)
			seen = seen || !strcmp(s->objects[i].path, p);
		if (seen)
			continue;
		s->objects = realloc(s->objects, (s->n_objects + 1) * sizeof(*s->objects));
		ck_assert_ptr_nonnull(s->objects);
		s->objects[s->n_objects] = (struct rc_snap_object){
			.path = strdup(p),
			.start = start,
			.is_exe = !strcmp(p, exe),
		};
		s->n_objects++;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dp = opendir(path);
	ck_assert_ptr_nonnull(dp);
	while ((d = readdir(dp))) {
		struct rc_snap_thread *th;
		char comm[64];

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		s->threads = realloc(s->threads, (s->n_threads + 1) * sizeof(*s->threads));
		ck_assert_ptr_nonnull(s->threads);
		th = &s->threads[s->n_threads++];
		memset(th, 0, sizeof(*th));
		th->tid = (int)strtol(d->d_name, NULL, 10);
		snprintf(comm, sizeof(comm), "/proc/%d/task/%d/comm", (int)pid, th->tid);
		f = fopen(comm, "r");
		if (f) {
			if (fgets(th->name, sizeof(th->name), f))
				th->name[strcspn(th->name, "\n")] = '\0';
			fclose(f);
		}
	}
	closedir(dp);
}

static void snap_release(struct rc_snapshot *s)
{
	for (size_t i = 0; i < s->n_objects; i++)
		free(s->objects[i].path);
	free(s->objects);
	free(s->threads);
	memset(s, 0, sizeof(*s));
}

static int read_canary(pid_t pid, const struct rc_snapshot *s, const char *symbol,
		       struct rc_snap_canary *c, struct rc_err *err)
{
	memset(c, 0, sizeof(*c));
	c->symbol = (char *)symbol;
	rc_err_clear(err);
	return rci_tls_read(pid, s, c, err);
}

static void canary_release(struct rc_snap_canary *c)
{
	free(c->values);
	c->values = NULL;
	c->n_values = 0;
}

/*
 * One value per thread of @t, sorted by tid, each @base + the thread's index;
 * the raw clone() thread, if any, is left to the caller.
 */
static void assert_values(const struct target *t, const struct rc_snap_canary *c, uint64_t base)
{
	ck_assert_msg(!c->error[0], "canary '%s': %s", c->symbol, c->error);
	ck_assert_uint_eq(c->n_values, (size_t)t->n + 1 + (t->clone_tid ? 1 : 0));
	for (size_t i = 0; i < c->n_values; i++) {
		const struct rc_snap_tls_value *v = &c->values[i];
		int idx = target_index(t, v->tid);

		if (i > 0)
			ck_assert_int_lt(c->values[i - 1].tid, v->tid);
		if (t->clone_tid && v->tid == t->clone_tid)
			continue;

		ck_assert_msg(idx >= 0, "tid %d is not a thread of the target", v->tid);
		ck_assert_msg(v->ok, "tid %d: %s", v->tid, v->error);
		ck_assert_msg(!strncmp(v->name, "tls_target", 10), "tid %d named '%s'", v->tid,
			      v->name);
		ck_assert_uint_eq(v->value, base + (uint64_t)idx);
	}
}

/* Every thread of @pid exists, is neither stopped nor traced. */
static void assert_running_untraced(pid_t pid)
{
	char path[64], line[256];
	struct dirent *d;
	size_t tasks = 0;
	DIR *dp;

	ck_assert_int_eq(kill(pid, 0), 0);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dp = opendir(path);
	ck_assert_ptr_nonnull(dp);
	while ((d = readdir(dp))) {
		char status[384];
		char state = '?';
		int tracer = -1;
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(status, sizeof(status), "%s/%s/status", path, d->d_name);
		f = fopen(status, "r");
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "State:", 6))
				sscanf(line + 6, " %c", &state);
			else if (!strncmp(line, "TracerPid:", 10))
				tracer = (int)strtol(line + 10, NULL, 10);
		}
		fclose(f);
		ck_assert_msg(state != 't' && state != 'T' && state != '?',
			      "thread %s of %d is in state %c", d->d_name, (int)pid, state);
		ck_assert_msg(tracer == 0, "thread %s of %d is traced by %d", d->d_name, (int)pid,
			      tracer);
		tasks++;
	}
	closedir(dp);
	ck_assert_uint_gt(tasks, 0);
}

/* A pipe into @fds and a fork(): the child's pid, 0 in the child. */
static pid_t fork_piped(int fds[2])
{
	pid_t child;

	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	return child;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Start @path with @n threads (see target_start) and take its snapshot into @s. */
static void start(struct target *t, struct rc_snapshot *s, const char *path, int n,
		  const char *extra)
{
	target_start(t, path, n, extra);
	snap_build(s, t->pid);
}

static void stop(struct target *t, struct rc_snapshot *s)
{
	snap_release(s);
	target_stop(t);
}

/* read_canary of @symbol of @t into @c, which must return 0. */
static void read_ok(const struct target *t, const struct rc_snapshot *s, const char *symbol,
		    struct rc_snap_canary *c)
{
	struct rc_err err;

	ck_assert_int_eq(read_canary(t->pid, s, symbol, c, &err), 0);
}

/* read_ok, with the canary's error @want: no value read. */
static void read_error(const struct target *t, const struct rc_snapshot *s, const char *symbol,
		       struct rc_snap_canary *c, const char *want)
{
	read_ok(t, s, symbol, c);
	ck_assert_str_eq(c->error, want);
}

/* read_ok by @method: every thread's value is @base + its index. */
static void read_values(const struct target *t, const struct rc_snapshot *s, const char *symbol,
			struct rc_snap_canary *c, enum rc_tls_method method, uint64_t base)
{
	read_ok(t, s, symbol, c);
	ck_assert_int_eq(c->method, method);
	assert_values(t, c, base);
}

/* read_values, then the canary is released and the target checked still running. */
static void read_released(const struct target *t, const struct rc_snapshot *s, const char *symbol,
			  enum rc_tls_method method, uint64_t base)
{
	struct rc_snap_canary c;

	read_values(t, s, symbol, &c, method, base);
	canary_release(&c);
	assert_running_untraced(t->pid);
}

/* read_released of @symbol in @path started with @n threads, then stopped. */
static void read_target(const char *path, int n, const char *symbol, enum rc_tls_method method,
			uint64_t base)
{
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, path, n, NULL);
	read_released(&t, &s, symbol, method, base);
	stop(&t, &s);
}

START_TEST(test_thread_db)
{
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET, 8, NULL);

	read_values(&t, &s, "rc_canary", &c, RC_TLS_THREAD_DB, 0x1000);
	ck_assert_uint_eq(c.size, 8);
	ck_assert_msg(ends_with(c.object, "/tls_target"), "object '%s'", c.object);
	ck_assert_str_eq(c.note, "");
	ck_assert(!c.not_applicable);
	canary_release(&c);

	read_ok(&t, &s, "rc_small", &c);
	ck_assert_uint_eq(c.size, 4);
	assert_values(&t, &c, 0x20);
	canary_release(&c);

	/* In a DT_NEEDED library: found through its link_map (l_addr == bias). */
	read_values(&t, &s, "rc_lib_canary", &c, RC_TLS_THREAD_DB, 0x5000);
	ck_assert_msg(ends_with(c.object, "/libtls_target_lib.so"), "object '%s'", c.object);
	canary_release(&c);

	assert_running_untraced(t.pid);
	stop(&t, &s);
}
END_TEST

/* An object that cannot be opened (gone, not ELF) is skipped, not fatal. */
START_TEST(test_unreadable_object)
{
	struct rc_snap_object *o;
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET, 2, NULL);
	s.objects = realloc(s.objects, (s.n_objects + 2) * sizeof(*s.objects));
	ck_assert_ptr_nonnull(s.objects);
	memmove(s.objects + 2, s.objects, s.n_objects * sizeof(*s.objects));
	o = s.objects;
	o[0] = (struct rc_snap_object){.path = strdup("/nonexistent/libgone.so"), .start = 4096};
	o[1] = (struct rc_snap_object){.path = strdup("/proc/self/status"), .start = 8192};
	s.n_objects += 2;

	read_ok(&t, &s, "rc_lib_canary", &c);
	assert_values(&t, &c, 0x5000);
	canary_release(&c);
	stop(&t, &s);
}
END_TEST

static const struct rc_snap_tls_value *find_value(const struct rc_snap_canary *c, int tid)
{
	for (size_t i = 0; i < c->n_values; i++)
		if (c->values[i].tid == tid)
			return &c->values[i];
	return NULL;
}

/*
 * A thread glibc does not know (raw clone()) still gets a value: an error
 * through libthread_db; through fs_base, which the kernel copied from its
 * creator (the main thread), the main thread's value.
 */
START_TEST(test_raw_clone_thread)
{
	static const char *const paths[] = {TLS_TARGET, TLS_TARGET_STRIPPED};

	for (size_t i = 0; i < 2; i++) {
		const struct rc_snap_tls_value *v;
		struct rc_snap_canary c;
		struct rc_snapshot s;
		struct target t;

		start(&t, &s, paths[i], 3, "clone");
		ck_assert_int_gt(t.clone_tid, 0);
		ck_assert_uint_eq(s.n_threads, 5);
		read_ok(&t, &s, "rc_canary", &c);
		assert_values(&t, &c, 0x1000);
		v = find_value(&c, t.clone_tid);
		ck_assert_ptr_nonnull(v);
		if (i == 0) {
			ck_assert_int_eq(c.method, RC_TLS_THREAD_DB);
			ck_assert(!v->ok);
			ck_assert_str_eq(v->error,
					 "not a glibc thread: libthread_db does not list it");
		} else {
			ck_assert_int_eq(c.method, RC_TLS_STATIC);
			ck_assert_msg(v->ok, "%s", v->error);
			ck_assert_uint_eq(v->value, 0x1000);
		}
		canary_release(&c);
		assert_running_untraced(t.pid);
		stop(&t, &s);
	}
}
END_TEST

/* Without symbols libthread_db cannot attach: fs_base - offset, via ptrace. */
START_TEST(test_static_fallback)
{
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET_STRIPPED, 8, NULL);

	read_ok(&t, &s, "rc_canary", &c);
	ck_assert_int_eq(c.method, RC_TLS_STATIC);
	ck_assert_msg(strstr(c.note, "TD_NOLIBTHREAD") && strstr(c.note, "fs_base"), "note '%s'",
		      c.note);
	ck_assert_msg(ends_with(c.object, "/tls_target_stripped"), "object '%s'", c.object);
	assert_values(&t, &c, 0x1000);
	canary_release(&c);
	assert_running_untraced(t.pid);

	read_released(&t, &s, "rc_small", RC_TLS_STATIC, 0x20);

	stop(&t, &s);
}
END_TEST

/* A static binary with its symbols: libthread_db serves it too. */
START_TEST(test_static_thread_db)
{
	read_target(TLS_TARGET_STATIC, 4, "rc_canary", RC_TLS_THREAD_DB, 0x1000);
}
END_TEST

START_TEST(test_missing_symbol)
{
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET, 1, NULL);
	read_error(&t, &s, "rc_no_such_canary", &c,
		   "no __thread variable 'rc_no_such_canary' in the executable or its loaded "
		   "libraries");
	ck_assert(!c.not_applicable);
	ck_assert_int_eq(c.method, RC_TLS_NONE);
	ck_assert_uint_eq(c.n_values, 0);
	ck_assert_ptr_null(c.values);

	/* A data symbol of that name is not a __thread variable. */
	read_error(&t, &s, "main", &c,
		   "no __thread variable 'main' in the executable or its loaded libraries");
	stop(&t, &s);
}
END_TEST

START_TEST(test_wrong_size)
{
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET, 1, NULL);
	read_error(&t, &s, "rc_wide", &c,
		   "canary 'rc_wide' is 16 bytes; canaries must be 1, 2, 4 or 8 bytes");
	ck_assert_uint_eq(c.size, 16);
	ck_assert_uint_eq(c.n_values, 0);
	ck_assert_int_eq(c.method, RC_TLS_NONE);
	stop(&t, &s);
}
END_TEST

START_TEST(test_not_applicable)
{
#ifdef TLS_TARGET_NOLIBC
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;

	start(&t, &s, TLS_TARGET_NOLIBC, 0, NULL);
	ck_assert_uint_eq(s.n_objects, 1);
	read_ok(&t, &s, "rc_canary", &c);
	ck_assert(c.not_applicable);
	ck_assert_str_eq(
		c.note,
		"no C thread-local storage: the process does not use libc threads (pure Go?)");
	ck_assert_str_eq(c.error, "");
	ck_assert_uint_eq(c.n_values, 0);
	stop(&t, &s);
#else
	ck_abort_msg("run without the no-libc target (see need_nolibc)");
#endif
}
END_TEST

static const char *find_gdb(void)
{
	static const char *const candidates[] = {"/usr/bin/gdb", "/usr/local/bin/gdb", "/bin/gdb"};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

/* gdb's "thread apply all print" must agree with every value we read. */
START_TEST(test_gdb_agrees)
{
	const char *gdb = find_gdb();
	struct rc_snap_canary c;
	struct rc_snapshot s;
	struct target t;
	char cmd[512], line[512];
	int tid = 0, matched = 0;
	FILE *p;

	ck_assert_ptr_nonnull(gdb);
	start(&t, &s, TLS_TARGET, 6, NULL);
	read_ok(&t, &s, "rc_canary", &c);
	ck_assert_uint_eq(c.n_values, 7);

	snprintf(cmd, sizeof(cmd),
		 "%s -batch -nx -p %d -ex 'thread apply all print/x (long)rc_canary' 2>/dev/null",
		 gdb, (int)t.pid);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		const char *lwp = strstr(line, "(LWP ");
		unsigned long long value;
		char *eq;

		if (!strncmp(line, "Thread ", 7) && lwp) {
			tid = (int)strtol(lwp + 5, NULL, 10);
			continue;
		}
		eq = strstr(line, " = 0x");
		if (line[0] != '$' || !eq || !tid || sscanf(eq + 3, "%llx", &value) != 1)
			continue;
		for (size_t i = 0; i < c.n_values; i++) {
			if (c.values[i].tid != tid)
				continue;
			ck_assert_msg(c.values[i].value == value,
				      "tid %d: we read 0x%llx, gdb 0x%llx", tid,
				      (unsigned long long)c.values[i].value, value);
			matched++;
		}
		tid = 0;
	}
	pclose(p);
	ck_assert_int_eq(matched, 7);
	canary_release(&c);
	assert_running_untraced(t.pid);
	stop(&t, &s);
}
END_TEST

/* A user who may not ptrace the target gets -RC_EACCES with the remedy. */
START_TEST(test_permission)
{
	struct rc_snapshot s;
	struct target t;
	int fds[2], status;
	pid_t child;
	char msg[300] = "";
	ssize_t n;
	int rc = 0;

	start(&t, &s, TLS_TARGET, 2, NULL);
	child = fork_piped(fds);
	if (child == 0) {
		struct rc_snap_canary c = {.symbol = (char *)"rc_canary"};
		struct rc_err err = {0};
		int r = 1;

		close(fds[0]);
		if (!setgroups(0, NULL) && !setgid(65534) && !setuid(65534))
			r = rci_tls_read(t.pid, &s, &c, &err);
		if (write(fds[1], &r, sizeof(r)) != sizeof(r) ||
		    write(fds[1], err.msg, strlen(err.msg)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &rc, sizeof(rc)), sizeof(rc));
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(child, &status, 0);
	ck_assert_int_eq(rc, -RC_EACCES);
	ck_assert_msg(strstr(msg, "permission") && strstr(msg, "CAP_SYS_PTRACE") &&
			      strstr(msg, "ptrace_scope"),
		      "message '%s'", msg);
	assert_running_untraced(t.pid);
	stop(&t, &s);
}
END_TEST

static char process_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

/* A process that is gone, or a zombie, is -RC_ENOENT, for both methods. */
START_TEST(test_exited)
{
	static const char *const paths[] = {TLS_TARGET, TLS_TARGET_STRIPPED};

	for (size_t i = 0; i < 2; i++) {
		struct rc_snap_canary c;
		struct rc_snapshot s;
		struct target t;
		struct rc_err err;

		/* A zombie: killed, not yet reaped. */
		start(&t, &s, paths[i], 3, NULL);
		kill(t.pid, SIGKILL);
		for (int tries = 0; process_state(t.pid) != 'Z' && tries < 2000; tries++)
			usleep(1000);
		ck_assert_int_eq(process_state(t.pid), 'Z');
		ck_assert_int_eq(read_canary(t.pid, &s, "rc_canary", &c, &err), -RC_ENOENT);
		ck_assert_int_eq(err.code, -RC_ENOENT);
		ck_assert_msg(strstr(err.msg, "exited"), "message '%s'", err.msg);
		ck_assert_uint_eq(c.n_values, 0);
		ck_assert_ptr_null(c.values);

		/* Reaped: the pid names nothing. */
		waitpid(t.pid, NULL, 0);
		ck_assert_int_eq(read_canary(t.pid, &s, "rc_canary", &c, &err), -RC_ENOENT);
		ck_assert_msg(strstr(err.msg, "does not exist"), "message '%s'", err.msg);
		ck_assert_uint_eq(c.n_values, 0);
		t.pid = 0;
		stop(&t, &s);
	}
}
END_TEST

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if defined(__SANITIZE_ADDRESS__)
#define TIME_LIMIT 2.0 /* ASan and UBSan slow every read down */
#else
#define TIME_LIMIT 0.5
#endif

/* 1,000 threads and two canaries, well under half a second. */
START_TEST(test_many_threads)
{
	static const char *const paths[] = {TLS_TARGET, TLS_TARGET_STRIPPED};
	static const char *const names[] = {"thread_db", "static fallback"};

	for (size_t i = 0; i < 2; i++) {
		struct rc_snap_canary c1, c2;
		struct rc_snapshot s;
		struct target t;
		struct rc_err err;
		double t0, elapsed;

		start(&t, &s, paths[i], 1000, NULL);
		ck_assert_uint_eq(s.n_threads, 1001);
		t0 = now();
		ck_assert_int_eq(read_canary(t.pid, &s, "rc_canary", &c1, &err), 0);
		ck_assert_int_eq(read_canary(t.pid, &s, "rc_small", &c2, &err), 0);
		elapsed = now() - t0;
		printf("test_many_threads: 1001 threads x 2 canaries (%s): %.1f ms\n", names[i],
		       elapsed * 1e3);
		ck_assert_int_eq(c1.method, i == 0 ? RC_TLS_THREAD_DB : RC_TLS_STATIC);
		assert_values(&t, &c1, 0x1000);
		assert_values(&t, &c2, 0x20);
		if (i == 0)
			ck_assert_msg(elapsed < TIME_LIMIT, "took %.3f s", elapsed);
		canary_release(&c1);
		canary_release(&c2);
		assert_running_untraced(t.pid);
		stop(&t, &s);
	}
}
END_TEST

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	got_term = 1;
}

/*
 * Runs rci_tls_read on @t in a loop in a child until SIGTERM comes: with the
 * default action the child dies; with a handler of its own it exits 0 when
 * the signal cut a read short ("interrupted by signal 15"), 5 when it landed
 * between two reads. Returns the child's wait status.
 */
static int read_until_sigterm(const struct target *t, const struct rc_snapshot *s,
			      bool with_handler)
{
	int fds[2], status;
	pid_t child;
	char b;

	child = fork_piped(fds);
	if (child == 0) {
		struct rc_snap_canary c = {0};
		struct rc_err err;

		close(fds[0]);
		/* Check's own SIGTERM handler would kill the whole test. */
		signal(SIGTERM, with_handler ? on_term : SIG_DFL);
		if (write(fds[1], "x", 1) != 1)
			_exit(3);
		while (!got_term) {
			if (read_canary(t->pid, s, "rc_canary", &c, &err))
				_exit(2);
			canary_release(&c);
		}
		_exit(strstr(c.error, "interrupted by signal 15") ? 0 : 5);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &b, 1), 1);
	close(fds[0]);
	usleep(30000);
	kill(child, SIGTERM);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	return status;
}

/*
 * SIGTERM in the middle of the static fallback: with the default action the
 * reader dies, with a caller's handler the read stops and says so; either way
 * no thread of the target is left stopped or traced.
 */
START_TEST(test_signal_mid_probe)
{
	struct rc_snapshot s;
	struct target t;
	int status;

	/* 300 threads: the fallback is most of each read, so the signal lands in it. */
	start(&t, &s, TLS_TARGET_STRIPPED, 300, NULL);

	status = read_until_sigterm(&t, &s, false);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status 0x%x", status);
	assert_running_untraced(t.pid);

	for (int tries = 0; tries < 5; tries++) {
		status = read_until_sigterm(&t, &s, true);
		assert_running_untraced(t.pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 5)
			break;
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);

	stop(&t, &s);
}
END_TEST

static Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	struct {
		const char *name;
		const TTest *test;
		int timeout;
		const char *need; /* a tag of needs[], or NULL */
	} cases[] = {
		{"thread_db", test_thread_db, 10, NULL},
		{"unreadable_object", test_unreadable_object, 10, NULL},
		{"static_fallback", test_static_fallback, 10, NULL},
		{"raw_clone_thread", test_raw_clone_thread, 10, NULL},
		{"static_thread_db", test_static_thread_db, 10, NULL},
		{"missing_symbol", test_missing_symbol, 10, NULL},
		{"wrong_size", test_wrong_size, 10, NULL},
		{"not_applicable", test_not_applicable, 10, "nolibc"},
		{"gdb_agrees", test_gdb_agrees, 60, "gdb"},
		{"permission", test_permission, 10, "root"},
		{"exited", test_exited, 20, NULL},
		{"many_threads", test_many_threads, 60, NULL},
		{"signal_mid_probe", test_signal_mid_probe, 30, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_set_timeout(tc, cases[i].timeout);
		if (cases[i].need)
			tcase_set_tags(tc, cases[i].need);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

static const char *need_nolibc(void)
{
#ifdef TLS_TARGET_NOLIBC
	return NULL;
#else
	return "the no-libc target is built on x86-64 only";
#endif
}

static const char *need_gdb(void)
{
	return find_gdb() ? NULL : "gdb is not installed";
}

/* Running a reader as another user (nobody) takes root. */
static const struct rc_test_need needs[] = {
	{"nolibc", need_nolibc},
	{"gdb", need_gdb},
	{"root", rc_test_need_root},
};

int main(int argc, char **argv)
{
	return rc_test_run(srunner_create(tls_suite()), needs, sizeof(needs) / sizeof(needs[0]),
			   argc, argv);
}
