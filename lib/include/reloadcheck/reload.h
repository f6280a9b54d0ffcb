/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_RELOAD_H
#define RELOADCHECK_RELOAD_H

/*
 * An orchestrated reload: snapshot a process (and its pprof endpoint), trigger
 * its reload with a signal or a command, find the process that runs after it,
 * wait until it is ready, snapshot it again. The caller compares the two
 * snapshots with the checks. The process is only read (procfs, libthread_db)
 * and sent the one trigger signal.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <reloadcheck/pprof.h>

struct rc_err;
struct rc_elf;
struct rc_snapshot;
struct rc_canary_spec;
struct rci_exec_id;

struct rc_reload_opts {
	int pid;
	int signal;	      /* the trigger: a signal (rc_reload_parse_signal), or */
	const char *exec_cmd; /* a command run with /bin/sh -c, in a clean state */
	const char *pidfile;  /* where the new process writes its pid, or NULL */
	double wait_s;	      /* to find the new process and see it ready; default 30 */
	const struct rc_canary_spec *canaries;
	size_t n_canaries;
	const char *pprof_url; /* also fetch the endpoint before and after, or NULL */
	struct rc_pprof_fetch_opts fetch;
};

struct rc_reload {
	struct rc_snapshot *before, *after;
	/* The running executable, opened before the trigger (kept across the exec). */
	struct rc_elf *old_exe;
	struct rc_pprof_fetch *pprof_before, *pprof_after; /* with pprof_url */
	int new_pid;					   /* the process after the reload */
	bool reexec_seen;				   /* the same pid exec'd */
	/* How new_pid was found (a static string) and the exec evidence seen. */
	const char *found_by;
	char evidence[256];
	/* The trigger: sent or started; exec_cmd's exit status (128 + N when signal N
	 * ended it, -1 while unknown) and the last lines it printed (stdout and
	 * stderr, at most 10 lines or 4 KiB; NUL-terminated, or NULL). */
	bool triggered;
	int cmd_status;
	char *cmd_output;
	/* private */
	uint64_t old_dev_, old_ino_;
	struct rci_exec_id *old_id_; /* the old image's auxv identity, NULL when unreadable */
	uint64_t trigger_ticks_;     /* CLOCK_BOOTTIME at the trigger, in clock ticks */
};

/* SIGHUP for "HUP" or "SIGHUP" (HUP, USR1, USR2, TERM, INT, QUIT); 0 for anything else. */
int rc_reload_parse_signal(const char *name);

/*
 * Before the trigger: snapshot @o->pid, open its executable, fetch the pprof
 * endpoint and wait (up to wait_s) while a CPU profile is in flight, since an
 * exec then can kill a cgo process with SIGPROF. 0, or a negative code with
 * @err (the process is gone, unreadable, the endpoint's URL is bad).
 */
int rc_reload_prepare(struct rc_reload *rl, const struct rc_reload_opts *o, struct rc_err *err);

/*
 * Send the signal or run the command (its failure is an error), then find the
 * new process by exec evidence: a process that runs another executable file
 * than the old one, or whose auxiliary vector (/proc/PID/auxv: AT_RANDOM, the
 * vDSO, the entry point) is not the old image's, which a forked child that has
 * not exec'd shares. Looked for in the same pid (also re-exec'd into the same
 * file: every old thread gone), then the pid in the pidfile when there is
 * one, else the children of pid started after the trigger. Wait until it listens where the old one did,
 * snapshot it and fetch its endpoint. -RC_ENOENT when no process exec'd within
 * wait_s.
 *
 * The command runs as /bin/sh -c CMD with every signal at its default
 * disposition, an empty signal mask, stdin from /dev/null and a process group
 * of its own; its stdout and stderr are captured (cmd_status, cmd_output).
 */
int rc_reload_run(struct rc_reload *rl, const struct rc_reload_opts *o, struct rc_err *err);

/* Free what the reload holds; safe on a zeroed or partly filled struct. */
void rc_reload_release(struct rc_reload *rl);

#endif
