/* SPDX-License-Identifier: MIT */
/* reloadcheck [diff] OLD NEW: the static checks on two ELF files. */
#include <stdio.h>
#include <sys/stat.h>

#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/runner.h>

#include "cli.h"

void binary_opts(const struct options *o, const struct rc_policy *p, struct rc_binary_opts *bo,
		 const char **types)
{
	const char *const *pt;
	size_t npt = rc_policy_state_types(p, &pt), n = 0;

	/* The command line's types, then the policy's. */
	for (size_t i = 0; i < o->n_state_types; i++)
		types[n++] = o->state_types[i];
	for (size_t i = 0; i < npt && n < 2 * MAX_STATE_TYPES; i++)
		types[n++] = pt[i];
	*bo = (struct rc_binary_opts){
		.sysroot = o->sysroot,
		.debug_dir = o->debug_dir,
		.state_types = types,
		.n_state_types = n,
		.require_debuginfo = o->require_debuginfo,
	};
}

int sysroot_usable(const struct options *o, const struct rc_ctx *ctx)
{
	struct stat st;

	if (!o->sysroot)
		return 0;
	if (stat(o->sysroot, &st) != 0 || !S_ISDIR(st.st_mode)) {
		usage_error("--sysroot '%s' is not a directory", o->sysroot);
		return -1;
	}
	/* A libc that is there but broken is the check's to report; none at all is a typo. */
	if (ctx && !ctx->host_libc && access(ctx->host_libc_path, F_OK) != 0) {
		usage_error("--sysroot '%s' holds no libc.so.6 (looked for '%s' and the lib64 "
			    "and lib directories)",
			    o->sysroot, ctx->host_libc_path);
		return -1;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_binary_opts bo;
	const char *types[2 * MAX_STATE_TYPES];
	int status;

	status = parse_options(argc, argv, "diff", FOR_DIFF, &o);
	if (status)
		return status < 0 ? RC_EXIT_USAGE : RC_EXIT_PASS;
	if (argc - optind != 2) {
		usage_error("diff needs two files, OLD and NEW (got %d)", argc - optind);
		return RC_EXIT_USAGE;
	}
	if (sysroot_usable(&o, NULL) != 0)
		return RC_EXIT_USAGE;
	r = report_new();
	if (!r)
		return RC_EXIT_CANNOT_CHECK;
	binary_opts(&o, NULL, &bo, types);
	if (rc_ctx_open_binaries(&ctx, argv[optind], argv[optind + 1], &bo, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	if (sysroot_usable(&o, &ctx) != 0) {
		status = RC_EXIT_USAGE;
		goto out;
	}
	status = run_and_report(&ctx, RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF, NULL,
				r, &o);
out:
	rc_ctx_release(&ctx);
	rc_report_free(r);
	return status;
}
