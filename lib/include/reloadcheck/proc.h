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
	char exe_go_build_id[128]; /* Go build ID of a Go executable, or "" */
	char exe_content_hash[33]; /* XXH3-128 of the running file's bytes (hex), or "" */
	bool exe_has_file;	   /* the file identity below was read */
	uint64_t exe_dev, exe_inode, exe_size; /* of the running file (stat of /proc/PID/exe) */
	int64_t exe_mtime;		       /* its mtime, unix seconds */
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

/*
 * What identifies a build, strongest first: the GNU build-id, else the Go
 * build ID (pure Go links no GNU build-id by default), else a hash of the
 * file's bytes. Two builds are compared on the strongest kind both have.
 */
struct rc_build_ident {
	char build_id[129];    /* GNU build-id, lowercase hex, or "" */
	char go_build_id[128]; /* Go build ID, or "" */
	char content_hash[33]; /* XXH3-128 of the file's bytes, hex, or "" */
};

struct rc_elf;

/* The identity of @s's running executable. */
void rc_snapshot_build_ident(const struct rc_snapshot *s, struct rc_build_ident *out);
/* The identity of the ELF file @elf. */
void rc_elf_build_ident(const struct rc_elf *elf, struct rc_build_ident *out);

/*
 * Compare @a and @b on the strongest kind both have: 1 the same build, 0
 * different builds, -1 nothing in common (then *@kind is NULL). *@kind is
 * "GNU build-id", "Go build ID" or "XXH3-128 of content"; *@va and *@vb are
 * the compared values, borrowed from @a and @b.
 */
int rc_build_ident_compare(const struct rc_build_ident *a, const struct rc_build_ident *b,
			   const char **kind, const char **va, const char **vb);

/* The strongest kind @id has and its value, or false and NULLs when it has none. */
bool rc_build_ident_best(const struct rc_build_ident *id, const char **kind, const char **value);

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
