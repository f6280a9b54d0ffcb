/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_RUNNER_H
#define RELOADCHECK_RUNNER_H

/*
 * The one way checks run: every command (diff, probe, pprof, gate, reload)
 * and every test builds a struct rc_ctx with the rc_ctx_open_* functions and
 * hands it to rc_run_checks(), which applies the policy inside the report.
 */
#include <stdbool.h>
#include <stddef.h>

#include <reloadcheck/check.h>

struct rc_err;
struct rc_policy;
struct rc_report;

/* What rc_ctx_open_binaries() needs besides the two paths. */
struct rc_binary_opts {
	const char *sysroot;		/* NULL or "" for the host: where libc.so.6 is looked up */
	const char *debug_dir;		/* NULL: /usr/lib/debug */
	const char *const *state_types; /* dwarf-layout's types; borrowed until rc_ctx_release */
	size_t n_state_types;
	bool require_debuginfo;
};

/*
 * Open OLD and NEW and what the static checks need with them: the libc.so.6
 * NEW would run with (host or sysroot) and both files' debug information.
 * A path may be NULL when @ctx already holds that file (reload keeps the
 * running executable open across the exec). A missing libc or debug file is
 * recorded in @ctx for the checks to report, not an error here. Returns 0,
 * or a negative code with @err naming the ELF file that could not be opened.
 * Free with rc_ctx_release().
 */
int rc_ctx_open_binaries(struct rc_ctx *ctx, const char *old_path, const char *new_path,
			 const struct rc_binary_opts *o, struct rc_err *err);

/* Open --expect-binary FILE into ctx->expect_elf: 0 or a negative code. */
int rc_ctx_open_expected(struct rc_ctx *ctx, const char *path, struct rc_err *err);

/*
 * Free what the rc_ctx_open_* functions opened (ELF files, debug information)
 * and zero those fields. Snapshots and pprof fetches stay the caller's.
 */
void rc_ctx_release(struct rc_ctx *ctx);

/* Which checks run and how the policy applies. */
struct rc_selection {
	unsigned have; /* enum rc_check_needs: the inputs @ctx holds */
	/*
	 * false: checks whose inputs are missing are left out (diff, probe, pprof).
	 * true: they are listed as skipped, saying which option gives the input (gate).
	 */
	bool list_missing;
	const char *only;		/* only this check id, or NULL for all */
	const struct rc_policy *policy; /* enables, severities, suppressions, fail_on; or NULL */
	bool fail_on_warn;		/* --fail-on warn: every check's warnings fail */
};

/*
 * Run the selected checks in registry order, each timed, into @r; then
 * record the inputs @ctx holds (OLD, NEW or the expected binary) in @r.
 * A check that cannot run is recorded as an error with its reason. The
 * policy (and fail_on_warn) are applied to each result, so the report's
 * verdict is final. Returns the number of checks whose run function failed
 * (0 when every check ran), or -RC_ENOMEM when the report is incomplete.
 */
int rc_run_checks(const struct rc_ctx *ctx, const struct rc_selection *sel, struct rc_report *r);

/*
 * Load the policy file @path, validated against the registry's check ids and
 * finding codes (see rc_policy_load for the errors).
 */
int rc_checks_policy_load(const char *path, struct rc_policy **out, struct rc_err *err);

#endif
