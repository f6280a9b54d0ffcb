/* SPDX-License-Identifier: MIT */
/*
 * The reload orchestration behind `reloadcheck reload`: before, trigger, find
 * the new process, ready, after. Only reads procfs and sends one signal; the
 * new process is the one that exec'd, never a forked worker.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* CLOCK_BOOTTIME in clock ticks: the clock of /proc/PID/stat's start time. */
static uint64_t boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * (uint64_t)hz +
	       (uint64_t)ts.tv_nsec / (1000000000 / (uint64_t)hz);
}

/*
 * Whether @pid has exec'd since the snapshot before: it runs another file
 * than the old executable, or its auxiliary vector is not the old image's (a
 * fork keeps it byte for byte, an exec builds a new one: under ASLR the stack
 * that AT_RANDOM points into and the vDSO move). The evidence into @why.
 */
static bool exec_evidence(const struct rc_reload *rl, int pid, char *why, size_t size)
{
	struct stat st;
	struct rci_exec_id id;

	if (exe_identity(pid, &st) && (st.st_dev != rl->old_dev_ || st.st_ino != rl->old_ino_)) {
		snprintf(why, size, "pid %d runs another executable file than the old process",
			 pid);
		return true;
	}
	if (rl->old_id_ && rci_read_exec_id(pid, &id, NULL) == 0 &&
	    rci_exec_id_differs(&id, rl->old_id_)) {
		snprintf(why, size,
			 "pid %d has a new exec's auxiliary vector (AT_RANDOM 0x%" PRIx64
			 ", was 0x%" PRIx64 "; vDSO 0x%" PRIx64 ", was 0x%" PRIx64 ")",
			 pid, id.at_random, rl->old_id_->at_random, id.at_sysinfo_ehdr,
			 rl->old_id_->at_sysinfo_ehdr);
		return true;
	}
	return false;
}

/* A child of @pid started since the trigger that has exec'd, or 0. */
static int find_exec_child(struct rc_reload *rl, int pid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		int child = parse_pid(de->d_name);
		struct rci_stat st;

		if (!child || child == pid)
			continue;
		if (rci_read_stat(child, 0, &st, NULL) != 0 || st.ppid != pid || st.state == 'Z' ||
		    st.start_time < rl->trigger_ticks_)
			continue;
		/* A forked worker shares the old image; only one that exec'd is new. */
		if (exec_evidence(rl, child, rl->evidence, sizeof(rl->evidence)))
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
	/* Without it (no permission) only a new executable file is exec evidence. */
	rl->old_id_ = calloc(1, sizeof(*rl->old_id_));
	if (!rl->old_id_)
		return rc_err_set(err, -RC_ENOMEM, "out of memory");
	if (rci_read_exec_id(o->pid, rl->old_id_, NULL) != 0) {
		free(rl->old_id_);
		rl->old_id_ = NULL;
	}
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

/* Keep the last 10 lines (at most 4 KiB) of @buf, NUL-terminated, in place. */
static void keep_tail(char *buf, size_t len)
{
	size_t start = 0, lines = 0;

	while (len && buf[len - 1] == '\n')
		len--;
	for (size_t i = len; i > 0; i--)
		if (buf[i - 1] == '\n' && ++lines == 10) {
			start = i;
			break;
		}
	memmove(buf, buf + start, len - start);
	buf[len - start] = '\0';
}

enum { TAIL_MAX = 4096 };

/*
 * In the child, before exec: the state a supervisor would give the command,
 * not the one reloadcheck was started with. Ignored signals survive exec (and
 * glibc's sigaction() refuses its reserved SIG32/SIG33), so every disposition
 * is reset with the raw system call; a zeroed kernel sigaction is SIG_DFL.
 */
static void clean_child(int out_fd)
{
	unsigned long ksa[8] = {0};
	sigset_t none;
	int null_fd;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, ksa, NULL, (size_t)(NSIG - 1) / 8);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0 && null_fd != STDIN_FILENO) {
		dup2(null_fd, STDIN_FILENO);
		close(null_fd);
	}
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	if (out_fd != STDOUT_FILENO && out_fd != STDERR_FILENO)
		close(out_fd);
}

/*
 * Run @cmd with /bin/sh -c in a clean state, its output captured, until it
 * exits or @deadline passes. A daemon it leaves behind may hold the pipe
 * open: reading stops when the shell has exited.
 */
static int run_command(struct rc_reload *rl, const char *cmd, double deadline, struct rc_err *err)
{
	char *buf = malloc(2 * TAIL_MAX + 1);
	size_t len = 0;
	int fds[2], st = 0, rc = 0;
	pid_t child, done = 0;

	if (!buf)
		return rc_err_set(err, -RC_ENOMEM, "out of memory");
	if (pipe2(fds, O_CLOEXEC) != 0) {
		rc = rc_err_set(err, -RC_EIO, "cannot make a pipe: %s", strerror(errno));
		goto out;
	}
	child = fork();
	if (child < 0) {
		rc = rc_err_set(err, -RC_EIO, "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (child == 0) {
		close(fds[0]);
		clean_child(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(child, child); /* also here: no race with the child's own call */
	rl->triggered = true;
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		ssize_t n;

		if (!done) {
			done = waitpid(child, &st, WNOHANG);
			if (done < 0 && errno != EINTR) {
				rc = rc_err_set(err, -RC_EIO, "cannot wait for '%s': %s", cmd,
						strerror(errno));
				break;
			}
			if (done < 0)
				done = 0;
		}
		if (len > TAIL_MAX) { /* keep the last TAIL_MAX bytes */
			memmove(buf, buf + len - TAIL_MAX, TAIL_MAX);
			len = TAIL_MAX;
		}
		n = read(fds[0], buf + len, 2 * TAIL_MAX - len);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0 || done) /* EOF, or the shell is gone and the pipe drained */
			break;
		if (mono_s() >= deadline) {
			rc = rc_err_set(err, -RC_EIO,
					"the reload command '%s' still runs after --wait", cmd);
			break;
		}
		poll(&pfd, 1, 50);
	}
	close(fds[0]);
	if (!rc && !done && waitpid(child, &st, 0) < 0)
		rc = rc_err_set(err, -RC_EIO, "cannot wait for '%s': %s", cmd, strerror(errno));
	buf[len] = '\0';
	keep_tail(buf, len);
	rl->cmd_output = buf;
	buf = NULL;
	if (rc)
		goto out;
	rl->cmd_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (rl->cmd_status != 0)
		rc = rc_err_set(err, -RC_EIO, "the reload command '%s' failed (exit status %d)",
				cmd, rl->cmd_status);
out:
	free(buf);
	return rc;
}

static int trigger(struct rc_reload *rl, const struct rc_reload_opts *o, struct rc_err *err)
{
	if (o->signal) {
		if (kill((pid_t)o->pid, o->signal) != 0)
			return rc_err_set(err, -RC_EIO, "cannot send SIG%s to %d: %s",
					  signal_name(o->signal), o->pid, strerror(errno));
		rl->triggered = true;
		return 0;
	}
	return run_command(rl, o->exec_cmd, mono_s() + wait_s(o), err);
}

/* Wait until a process has exec'd (see exec_evidence); its pid, or 0. */
static int wait_for_new_process(struct rc_reload *rl, const struct rc_reload_opts *o,
				double deadline)
{
	int pid = o->pid;

	while (mono_s() < deadline) {
		struct stat st;
		int p;

		if (o->pidfile) {
			p = read_pidfile(o->pidfile);
			if (p && p != pid && kill(p, 0) == 0 &&
			    exec_evidence(rl, p, rl->evidence, sizeof(rl->evidence))) {
				rl->found_by = "pidfile";
				return p;
			}
		}
		if (exec_evidence(rl, pid, rl->evidence, sizeof(rl->evidence))) {
			rl->found_by = "same-pid";
			return pid;
		}
		/* Same file re-exec'd without ASLR: every thread of the old image is gone. */
		if (rl->before->n_threads > 1 && exe_identity(pid, &st) &&
		    !old_threads_remain(pid, rl->before)) {
			snprintf(rl->evidence, sizeof(rl->evidence),
				 "every thread of the old image of pid %d is gone", pid);
			rl->found_by = "same-pid";
			return pid;
		}
		/* A pidfile names the new process; else it is a child of pid. */
		p = o->pidfile ? 0 : find_exec_child(rl, pid);
		if (p) {
			rl->found_by = "child";
			return p;
		}
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

	rl->cmd_status = -1;
	rl->trigger_ticks_ = boot_ticks();
	rc = trigger(rl, o, err);
	if (rc)
		return rc;
	deadline = mono_s() + wait_s(o);
	rl->new_pid = wait_for_new_process(rl, o, deadline);
	if (!rl->new_pid)
		return rc_err_set(err, -RC_ENOENT,
				  "no new process after %.0f s: no process exec'd within --wait "
				  "(pid %d still runs the old program, no child of it exec'd%s%s)",
				  wait_s(o), o->pid, o->pidfile ? ", nor a pid in " : "",
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
	free(rl->old_id_);
	free(rl->cmd_output);
	memset(rl, 0, sizeof(*rl));
}
