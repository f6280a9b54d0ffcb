/* SPDX-License-Identifier: MIT */
/*
 * The reload orchestration behind `reloadcheck reload`: before, trigger, find
 * the new process, ready, after. Only reads procfs and sends one signal.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/reload.h>

#include "procfs.h"

static const struct {
	const char *name;
	int sig;
} reload_signals[] = {
	{"HUP", SIGHUP},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	{"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT},
};

int rc_reload_parse_signal(const char *name)
{
	if (!strncmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < sizeof(reload_signals) / sizeof(reload_signals[0]); i++)
		if (!strcmp(name, reload_signals[i].name))
			return reload_signals[i].sig;
	return 0;
}

static const char *signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(reload_signals) / sizeof(reload_signals[0]); i++)
		if (reload_signals[i].sig == sig)
			return reload_signals[i].name;
	return "?";
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static double wait_s(const struct rc_reload_opts *o)
{
	return o->wait_s > 0 ? o->wait_s : 30;
}

/* A pid from a /proc entry name or a pidfile line: digits only, > 0; else 0. */
static int parse_pid(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	return !errno && !*end && v > 0 && v <= INT32_MAX ? (int)v : 0;
}

/* The identity of /proc/PID/exe (device and inode of the running file). */
static bool exe_identity(int pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return stat(path, st) == 0;
}

/* Whether any thread of @before other than the leader still runs in @pid. */
static bool old_threads_remain(int pid, const struct rc_snapshot *before)
{
	for (size_t i = 0; i < before->n_threads; i++) {
		char path[64];

		if (before->threads[i].tid == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, before->threads[i].tid);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* The pid in a pidfile; 0 when absent or not a pid. */
static int read_pidfile(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return parse_pid(buf);
}

/* Every pid that exists now, to tell a child started by the reload from older ones. */
static int list_pids(struct rc_reload *rl)
{
	size_t cap = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -RC_EIO;
	rl->n_known_pids_ = 0;
	while ((de = readdir(d)) != NULL) {
		int p = parse_pid(de->d_name);

		if (!p)
			continue;
		rc = RC_GROW(rl->known_pids_, cap, rl->n_known_pids_ + 1);
		if (rc)
			break;
		rl->known_pids_[rl->n_known_pids_++] = p;
	}
	closedir(d);
	return rc;
}

static bool known_pid(const struct rc_reload *rl, int pid)
{
	for (size_t i = 0; i < rl->n_known_pids_; i++)
		if (rl->known_pids_[i] == pid)
			return true;
	return false;
}

/* A child of @pid started after the trigger, or 0. */
static int find_child(const struct rc_reload *rl, int pid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		int child = parse_pid(de->d_name);
		struct rci_stat st;

		if (!child || known_pid(rl, child))
			continue;
		if (rci_read_stat(child, 0, &st, NULL) == 0 && st.ppid == pid)
			found = child;
	}
	closedir(d);
	return found;
}

int rc_reload_prepare(struct rc_reload *rl, const struct rc_reload_opts *o, struct rc_err *err)
{
	char exe_path[64];
	struct stat st;
	double deadline;
	int rc;

	snprintf(exe_path, sizeof(exe_path), "/proc/%d/exe", o->pid);
	rc = rc_snapshot_take(o->pid, o->canaries, o->n_canaries, &rl->before, err);
	if (rc)
		return rc;
	rc = rc_elf_open(exe_path, &rl->old_exe, err);
	if (rc)
		return rc;
	if (!exe_identity(o->pid, &st))
		return rc_err_set(err, -RC_ENOENT, "'%s': %s", exe_path, strerror(errno));
	rl->old_dev_ = st.st_dev;
	rl->old_ino_ = st.st_ino;
	if (!o->pprof_url)
		return 0;
	rl->pprof_before = calloc(1, sizeof(*rl->pprof_before));
	rl->pprof_after = calloc(1, sizeof(*rl->pprof_after));
	if (!rl->pprof_before || !rl->pprof_after)
		return rc_err_set(err, -RC_ENOMEM, "out of memory");
	rc = rc_pprof_fetch(o->pprof_url, &o->fetch, rl->pprof_before, err);
	if (rc)
		return rc;
	deadline = mono_s() + wait_s(o);
	while (rc_pprof_cpu_profile_in_flight(o->pprof_url, &o->fetch) && mono_s() < deadline)
		sleep_ms(200);
	return 0;
}

static int trigger(const struct rc_reload_opts *o, struct rc_err *err)
{
	int st;

	if (o->signal) {
		if (kill((pid_t)o->pid, o->signal) != 0)
			return rc_err_set(err, -RC_EIO, "cannot send SIG%s to %d: %s",
					  signal_name(o->signal), o->pid, strerror(errno));
		return 0;
	}
	st = system(o->exec_cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return rc_err_set(err, -RC_EIO, "the reload command '%s' failed (status %d)",
				  o->exec_cmd, st);
	return 0;
}

/* Wait until pid runs a new program, or a new process appears; its pid, or 0. */
static int wait_for_new_process(const struct rc_reload *rl, const struct rc_reload_opts *o,
				double deadline)
{
	int pid = o->pid;

	while (mono_s() < deadline) {
		struct stat st;
		int p;

		if (o->pidfile) {
			p = read_pidfile(o->pidfile);
			if (p && p != pid && kill(p, 0) == 0)
				return p;
		}
		if (exe_identity(pid, &st)) {
			bool new_file = st.st_dev != rl->old_dev_ || st.st_ino != rl->old_ino_;

			/* Same file re-exec'd: every thread of the old image is gone. */
			if (new_file ||
			    (rl->before->n_threads > 1 && !old_threads_remain(pid, rl->before)))
				return pid;
		} else {
			p = find_child(rl, pid);
			if (p)
				return p;
		}
		p = find_child(rl, pid);
		if (p && !o->pidfile)
			return p;
		sleep_ms(50);
	}
	return 0;
}

/*
 * Whether @b shows what @a showed one poll earlier: the same caught and
 * ignored signals and every canary with the same values in the same threads.
 */
static bool settled(const struct rc_snapshot *a, const struct rc_snapshot *b)
{
	if (!a || a->sig_caught != b->sig_caught || a->sig_ignored != b->sig_ignored ||
	    a->n_canaries != b->n_canaries)
		return false;
	for (size_t i = 0; i < a->n_canaries; i++) {
		const struct rc_snap_canary *x = &a->canaries[i], *y = &b->canaries[i];

		if (x->n_values != y->n_values)
			return false;
		for (size_t k = 0; k < x->n_values; k++)
			if (x->values[k].tid != y->values[k].tid ||
			    x->values[k].ok != y->values[k].ok ||
			    x->values[k].value != y->values[k].value)
				return false;
	}
	return true;
}

/*
 * Wait until the new process listens where the old one did (its readiness),
 * or the deadline; the last snapshot taken, or NULL. Listeners inherited across
 * an exec are back at once, before the new image has set anything up, so
 * ready also means settled: signal dispositions and canary values unchanged
 * between two polls (a runtime such as Go installs its handlers during start;
 * a thread that exists but has not yet set its __thread state is not a lost
 * context). With canaries, also as many threads as before (they are what the
 * canaries are read in); runtimes such as Go start a varying number of
 * threads, so thread counts are not asked otherwise.
 */
static struct rc_snapshot *wait_until_ready(const struct rc_reload *rl,
					    const struct rc_reload_opts *o, double deadline)
{
	const struct rc_snapshot *before = rl->before;
	struct rc_snapshot *prev = NULL;

	while (mono_s() < deadline) {
		struct rc_snapshot *s = NULL;
		bool ready;
		size_t found = 0;

		if (rc_snapshot_take(rl->new_pid, o->canaries, o->n_canaries, &s, NULL) != 0)
			break;
		for (size_t i = 0; i < before->n_listeners; i++)
			for (size_t k = 0; k < s->n_listeners; k++)
				if (!strcmp(before->listeners[i].address,
					    s->listeners[k].address)) {
					found++;
					break;
				}
		ready = found == before->n_listeners && settled(prev, s) &&
			(o->n_canaries == 0 || s->n_threads >= before->n_threads);
		rc_snapshot_free(prev);
		prev = s;
		if (ready)
			break;
		sleep_ms(50);
	}
	return prev;
}

int rc_reload_run(struct rc_reload *rl, const struct rc_reload_opts *o, struct rc_err *err)
{
	double deadline;
	int rc;

	rc = list_pids(rl);
	if (rc)
		return rc_err_set(err, rc, "cannot list the processes in /proc");
	rc = trigger(o, err);
	if (rc)
		return rc;
	deadline = mono_s() + wait_s(o);
	rl->new_pid = wait_for_new_process(rl, o, deadline);
	if (!rl->new_pid)
		return rc_err_set(err, -RC_ENOENT,
				  "no new process after %.0f s: pid %d still runs the old program "
				  "and no new pid appeared%s%s",
				  wait_s(o), o->pid, o->pidfile ? " in " : "",
				  o->pidfile ? o->pidfile : "");
	rl->reexec_seen = rl->new_pid == o->pid;
	/* The snapshot that showed it ready (or the last one) is the one after. */
	rl->after = wait_until_ready(rl, o, deadline);
	if (!rl->after) {
		rc = rc_snapshot_take(rl->new_pid, o->canaries, o->n_canaries, &rl->after, err);
		if (rc)
			return rc;
	}
	if (o->pprof_url) {
		struct rc_pprof_fetch_opts fo = o->fetch;

		fo.pid = rl->new_pid;
		rc = rc_pprof_fetch(o->pprof_url, &fo, rl->pprof_after, err);
	}
	return rc;
}

void rc_reload_release(struct rc_reload *rl)
{
	rc_snapshot_free(rl->before);
	rc_snapshot_free(rl->after);
	rc_elf_free(rl->old_exe);
	free(rl->pprof_before);
	free(rl->pprof_after);
	free(rl->known_pids_);
	memset(rl, 0, sizeof(*rl));
}
