/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_PROCFS_H
#define RELOADCHECK_LIB_PROCFS_H

/*
 * Parsers for the procfs text the snapshot reads, kept apart from the I/O so
 * that the unit tests can feed them fixed lines. None of them allocates; the
 * ones that return strings copy into caller-sized fields and fail rather than
 * truncate.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_err;

/* /proc/PID/stat: the fields lib's callers use. */
struct rci_stat {
	char comm[17];
	char state;	     /* field 3 */
	int ppid;	     /* field 4 */
	unsigned long flags; /* field 9, PF_* */
	uint64_t start_time; /* field 22, clock ticks after boot */
	uint64_t utime;	     /* field 14, clock ticks */
	uint64_t stime;	     /* field 15, clock ticks */
};

/*
 * Parse one /proc/PID/stat line. comm is taken between the first '(' and the
 * last ')', since a process may name itself "a) (b". Returns 0 or -1.
 */
int rci_parse_stat(const char *buf, size_t len, struct rci_stat *out);
/* Read and parse /proc/PID/stat (@tid 0) or /proc/PID/task/TID/stat: 0 or a negative code. */
struct rc_err;
int rci_read_stat(int pid, int tid, struct rci_stat *out, struct rc_err *err);

/*
 * Read and parse /proc/@pid/stat, or /proc/@pid/task/@tid/stat when @tid is
 * not 0. Returns 0, -RC_ENOENT (no such process or thread), -RC_EACCES,
 * -RC_EFORMAT (cannot parse) or -RC_EIO, with detail in @err (may be NULL).
 */
int rci_read_stat(int pid, int tid, struct rci_stat *out, struct rc_err *err);

/*
 * The value of "@key:" in a /proc/PID/status text (NUL-terminated @buf):
 * a pointer to its first non-blank character and its length up to the end of
 * the line, or -1 when the key is absent.
 */
int rci_status_field(const char *buf, const char *key, const char **val, size_t *len);
/* A hex mask field of status (SigCgt, SigBlk, ...): 0 or -1. */
int rci_status_mask(const char *buf, const char *key, uint64_t *out);

/* One line of /proc/PID/maps. */
struct rci_maps_entry {
	uint64_t start, end;
	unsigned dev_major, dev_minor;
	uint64_t inode;
	const char *path; /* into the line; not NUL-terminated; NULL when anonymous */
	size_t path_len;  /* " (deleted)" excluded */
	bool deleted;
};

/* Parse one maps line (without its '\n'): 0, or -1 when malformed. */
int rci_parse_maps_line(const char *line, size_t len, struct rci_maps_entry *out);

/* One socket of /proc/PID/net/{tcp,tcp6,udp,udp6}. */
struct rci_inet_entry {
	char local[64]; /* "127.0.0.1:8080", "[::1]:443" */
	unsigned local_port;
	bool remote_unset; /* remote address and port are all zero */
	unsigned state;	   /* TCP_* */
	uint64_t inode;
};

/*
 * Parse one data line of an inet table (@v6 for tcp6/udp6): 0, or -1 for a
 * header or malformed line. The addresses are the kernel's __be32 words
 * printed as host-order integers; they are converted back byte-exactly.
 */
int rci_parse_inet_line(const char *line, size_t len, bool v6, struct rci_inet_entry *out);

/* One socket of /proc/PID/net/unix. */
struct rci_unix_entry {
	unsigned flags; /* __SO_ACCEPTCON is 0x10000 */
	unsigned type;	/* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5 */
	unsigned state; /* SS_UNCONNECTED 1, ... */
	uint64_t inode;
	char path[128]; /* bound path, "@name" for abstract ones, or "" */
};

/* Parse one data line of /proc/PID/net/unix: 0, or -1 for a header or malformed line. */
int rci_parse_unix_line(const char *line, size_t len, struct rci_unix_entry *out);

/*
 * Read a whole (procfs) file of at most @max bytes into *@buf, growing it as
 * needed (*@cap bytes; realloc'd, the caller frees), NUL-terminated; *@len is
 * the length. Returns 0, -RC_EFORMAT (errno EFBIG) for a file over @max bytes
 * (a regular one is refused by its size before it is read, anything else
 * after @max + 1 bytes), or rc_err_from_errno() of the failure. errno says
 * why, for the caller's message.
 */
int rci_read_file(const char *path, size_t max, char **buf, size_t *cap, size_t *len);

/*
 * What an exec changes and a fork keeps, from /proc/PID/auxv: the auxiliary
 * vector the kernel built at the last execve. A forked child that has not
 * exec'd has its parent's vector byte for byte; under ASLR an exec moves the
 * stack (AT_RANDOM points into it) and the vDSO (AT_SYSINFO_EHDR).
 */
struct rci_exec_id {
	uint64_t at_random;	  /* AT_RANDOM: address of 16 random bytes on the stack */
	uint64_t at_sysinfo_ehdr; /* AT_SYSINFO_EHDR: the vDSO, 0 without one */
	uint64_t at_entry;	  /* AT_ENTRY: the program's entry point */
	uint64_t at_phdr;	  /* AT_PHDR */
	uint64_t at_base;	  /* AT_BASE: the interpreter, 0 for a static program */
};

/*
 * Parse an auxv image in the native layout (pairs of unsigned long) of @len bytes: 0, or
 * -1 when it is truncated or has no AT_RANDOM.
 */
int rci_parse_auxv(const unsigned char *buf, size_t len, struct rci_exec_id *out);
/*
 * Read /proc/@pid/auxv (read-only, no ptrace): 0, or a negative code
 * (-RC_ENOENT, -RC_EACCES, -RC_EFORMAT) with detail in @err (may be NULL).
 */
int rci_read_exec_id(int pid, struct rci_exec_id *out, struct rc_err *err);
/* Whether @a and @b come from different execs (any field differs). */
bool rci_exec_id_differs(const struct rci_exec_id *a, const struct rci_exec_id *b);

#endif
