/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_CHECK_H
#define RELOADCHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct rc_elf;
struct rc_err;
struct rc_check_result;
struct rc_snapshot;
struct rc_pprof_fetch;
struct rc_pprof_summary;
struct rc_thresholds;
struct rc_dwarf;

enum rc_check_needs {
	RC_NEEDS_BINARIES = 1 << 0,  /* OLD and NEW ELF files */
	RC_NEEDS_PROCESS = 1 << 1,   /* a live process (--pid) */
	RC_NEEDS_PPROF = 1 << 2,     /* a pprof endpoint (--pprof/--url) */
	RC_NEEDS_HOST_LIBC = 1 << 3, /* the host's (or --sysroot's) libc.so.6 */
	RC_NEEDS_DWARF = 1 << 4,     /* OLD's and NEW's debug information (opened or not) */
};

/*
 * What the driver opened for the checks; checks open nothing themselves.
 * checks/ builds it (rc_ctx_open_binaries, reloadcheck/runner.h) and runs
 * the checks over it (rc_run_checks).
 */
struct rc_ctx {
	struct rc_elf *old_elf; /* RC_NEEDS_BINARIES */
	struct rc_elf *new_elf;
	const char *sysroot;	       /* "" or "/" for the host */
	struct rc_elf *host_libc;      /* RC_NEEDS_HOST_LIBC; NULL if not found */
	const char *host_libc_path;    /* the path used or tried */
	const char *host_libc_problem; /* why host_libc is NULL */

	/* RC_NEEDS_PROCESS: the process as probed now, and optionally before. */
	const struct rc_snapshot *now;
	const struct rc_snapshot *baseline;    /* --baseline, or NULL */
	struct rc_elf *expect_elf;	       /* --expect-binary, or NULL */
	bool expect_is_old;		       /* gate: expect_elf is OLD, before a reload */
	bool reexec_seen;		       /* reload watched the process exec again */
	const char *const *expected_listeners; /* policy: "proto address" strings */
	size_t n_expected_listeners;

	/* RC_NEEDS_PPROF: what the endpoint (or --profile) gave, and the saved summary. */
	const struct rc_pprof_fetch *pprof;
	const struct rc_pprof_summary *pprof_baseline; /* --baseline, or NULL */

	/* RC_NEEDS_DWARF: NULL with a reason when a file has none or it is corrupt. */
	struct rc_dwarf *old_dwarf, *new_dwarf;
	const char *old_dwarf_problem, *new_dwarf_problem;
	bool old_dwarf_corrupt, new_dwarf_corrupt;
	const char *const *state_types; /* --state-type and the policy's state_types */
	size_t n_state_types;
	bool require_debuginfo;

	/* The policy's thresholds, or NULL for the defaults. */
	const struct rc_thresholds *thresholds;
	/* Private: the buffers the *_problem strings point into (rc_ctx_open_binaries). */
	struct rc_ctx_storage *storage_;
};

struct rc_check {
	const char *id;		  /* stable, kebab-case */
	const char *summary;	  /* one line for list-checks */
	const char *explain;	  /* paragraph for `explain ID`: what, why, how to fix */
	unsigned needs;		  /* enum rc_check_needs */
	const char *const *codes; /* NULL-terminated: every finding code the check emits */
	/*
	 * Record findings (and skip/error with a reason) in @out. Returns 0 when
	 * the check ran, whatever it found; negative when it could not run.
	 */
	int (*run)(const struct rc_ctx *ctx, struct rc_check_result *out, struct rc_err *err);
};

#endif
