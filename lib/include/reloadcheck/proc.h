/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_PROC_H
#define RELOADCHECK_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rc_err;

/*
 * A read-only snapshot of a live process: what the probe checks compare. It is
 * taken from procfs and, for TLS canaries, through glibc's libthread_db (or the
 * static-TLS computation as a fallback); the process is never written to. The
 * same structure is saved as JSON (--save) and read back as a baseline.
 */

#define RC_SNAPSHOT_SCHEMA "reloadcheck/snapshot/v1"

struct rc_snap_object {
	char *path;	    /* as in /proc/PID/maps, " (deleted)" removed */
	uint64_t start;	    /* lowest mapped address */
	bool deleted;	    /* the mapped file was deleted on disk */
	bool replaced;	    /* the path now names a different file (device/inode differ) */
	bool is_exe;	    /* the running executable */
	char build_id[129]; /* lowercase hex GNU build-id of the mapped file, or "" */
};

struct rc_snap_thread {
	int tid;
	char name[17];	  /* /proc/PID/task/TID/comm */
	uint64_t blocked; /* SigBlk of this thread */
	char state;	  /* first letter of State: R, S, D, T, t, Z, ... */
};

enum rc_sock_proto {
	RC_SOCK_TCP,
	RC_SOCK_TCP6,
	RC_SOCK_UDP,
	RC_SOCK_UDP6,
	RC_SOCK_UNIX,
};

struct rc_snap_listener {
	enum rc_sock_proto proto;
	char address[128]; /* "127.0.0.1:8080", "[::]:443", "/run/app.sock", "@abstract" */
	uint64_t inode;
	int fd; /* a descriptor of the process holding it, or -1 */
};

/* What to read: a __thread variable, and optionally the value it must have. */
struct rc_canary_spec {
	const char *symbol;
	bool has_expected;
	uint64_t expected;
};

enum rc_tls_method {
	RC_TLS_NONE = 0,  /* not read */
	RC_TLS_THREAD_DB, /* glibc's libthread_db (td_thr_tls_get_addr) */
	RC_TLS_STATIC,	  /* executable's static TLS: fs_base - offset (ptrace) */
};

struct rc_snap_tls_value {
	int tid;
	char name[17];
	bool ok;
	uint64_t value;	 /* the variable's bytes as an unsigned integer of its size */
	char error[128]; /* why !ok */
};

struct rc_snap_canary {
	char *symbol;
	bool has_expected;
	uint64_t expected;
	size_t size;	  /* the symbol's size: 1, 2, 4 or 8 */
	char object[256]; /* the loaded object that defines it */
	enum rc_tls_method method;
	char note[256];			  /* why a fallback was used, or "" */
	bool not_applicable;		  /* e.g. a pure Go process: no libc TLS */
	char error[256];		  /* why nothing could be read, or "" */
	struct rc_snap_tls_value *values; /* one per thread read */
	size_t n_values;
};

struct rc_snapshot {
	int pid;
	int64_t taken;	     /* unix seconds */
	uint64_t start_time; /* /proc/PID/stat field 22 (clock ticks after boot) */
	char comm[17];
	char *exe_path; /* /proc/PID/exe target, " (deleted)" removed */
	bool exe_deleted;
	bool exe_replaced;
	char exe_build_id[129];
	char exe_go_build_id[128];		       /* Go build ID of a Go executable, or "" */
	uint64_t sig_caught, sig_ignored, sig_pending; /* SigCgt, SigIgn, ShdPnd */
	struct rc_snap_object *objects;
	size_t n_objects;
	struct rc_snap_thread *threads;
	size_t n_threads;
	struct rc_snap_listener *listeners;
	size_t n_listeners;
	struct rc_snap_canary *canaries;
	size_t n_canaries;
};

/*
 * Probe process @pid read-only and return its snapshot (free with
 * rc_snapshot_free). Canaries are read in every thread. Errors:
 * -RC_ENOENT the process does not exist or exited during the probe,
 * -RC_EACCES permission denied (err names the cause and the remedy: same
 * user, CAP_SYS_PTRACE, /proc/sys/kernel/yama/ptrace_scope). A canary that
 * cannot be read is recorded in the snapshot (error/not_applicable), not an
 * error of the whole probe.
 */
int rc_snapshot_take(int pid, const struct rc_canary_spec *canaries, size_t n_canaries,
		     struct rc_snapshot **out, struct rc_err *err);
void rc_snapshot_free(struct rc_snapshot *s);

/* Write @s as JSON (schema reloadcheck/snapshot/v1). */
int rc_snapshot_write_json(const struct rc_snapshot *s, FILE *out, struct rc_err *err);
/* Read a snapshot written by rc_snapshot_write_json; -RC_EFORMAT names what is wrong. */
int rc_snapshot_read_json(const char *path, struct rc_snapshot **out, struct rc_err *err);

/* "SIGHUP" for 1..64 ("SIGRTMIN+3" for real-time ones); "SIG?" otherwise. */
const char *rc_signal_name(int signo, char *buf, size_t size);
/* "tcp", "tcp6", "udp", "udp6", "unix". */
const char *rc_sock_proto_name(enum rc_sock_proto p);
const char *rc_tls_method_name(enum rc_tls_method m);

/* Parse a canary value: decimal or 0x-hex, fitting 64 bits. 0 or -RC_EINVAL. */
int rc_parse_u64(const char *s, uint64_t *out);

#endif
