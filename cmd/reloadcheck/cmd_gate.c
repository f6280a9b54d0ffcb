/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck gate: every applicable check once, driven by a policy file, one
 * verdict for the pipeline, written as text or JSON and as JSON, JUnit and
 * Prometheus files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/file.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/runner.h>

#include "cli.h"

/* The files for the pipeline, each atomic: 0, or -1 with the reason printed. */
static int write_files(const struct options *o, const struct rc_report *r)
{
	const struct {
		const char *path;
		enum rc_report_format fmt;
	} files[] = {
		{o->report, RC_FORMAT_JSON},
		{o->junit, RC_FORMAT_JUNIT},
		{o->prom, RC_FORMAT_PROM},
	};
	struct rc_err err = {0};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].path &&
		    rc_report_write_file(r, files[i].fmt, files[i].path, NULL, &err) != 0) {
			fprintf(stderr, "%s: %s\n", progname, err.msg);
			return -1;
		}
	}
	return 0;
}

int load_policy(const struct options *o, struct rc_policy **out)
{
	struct rc_err err = {0};

	*out = NULL;
	if (!o->policy || rc_checks_policy_load(o->policy, out, &err) == 0)
		return 0;
	if (err.code == -RC_EINVAL) {
		usage_error("%s", err.msg);
		return RC_EXIT_USAGE;
	}
	fprintf(stderr, "%s: %s\n", progname, err.msg);
	return RC_EXIT_CANNOT_CHECK;
}

/* Fetch the endpoint with the command line's options, the policy's filling the gaps. */
static int fetch_pprof(const struct options *o, const struct rc_policy *p, const char *url,
		       struct rc_pprof_fetch *out, struct rc_err *err)
{
	struct rc_pprof_fetch_opts fo;
	const char *const *hs;
	size_t nh = rc_policy_pprof_headers(p, &hs);

	pprof_fetch_opts(o, &fo);
	if (!o->seconds_given && rc_policy_pprof_seconds(p))
		fo.seconds = rc_policy_pprof_seconds(p);
	for (size_t i = 0; i < nh && fo.n_headers < MAX_HEADERS; i++)
		fo.headers[fo.n_headers++] = hs[i];
	return rc_pprof_fetch(url, &fo, out, err);
}

int cmd_gate(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_policy *policy = NULL;
	struct rc_thresholds th;
	struct rc_snapshot *snap = NULL, *baseline = NULL;
	struct rc_pprof_fetch *fetch = NULL;
	struct rc_pprof_summary *pprof_baseline = NULL;
	struct rc_binary_opts bo;
	const char *types[2 * MAX_STATE_TYPES];
	const char *pprof_url;
	unsigned have = 0;
	int status;

	status = parse_options(argc, argv, "gate", FOR_GATE, &o);
	if (status)
		return status < 0 ? RC_EXIT_USAGE : RC_EXIT_PASS;
	if (argc != optind) {
		usage_error("gate takes its files as --old and --new ('%s')", argv[optind]);
		return RC_EXIT_USAGE;
	}
	if (!o.old_path != !o.new_path) {
		usage_error("gate needs both --old and --new, or neither");
		return RC_EXIT_USAGE;
	}
	if ((o.baseline || o.save) && o.pid < 0) {
		usage_error("gate takes --baseline and --save with --pid");
		return RC_EXIT_USAGE;
	}
	if (sysroot_usable(&o, NULL) != 0)
		return RC_EXIT_USAGE;
	status = load_policy(&o, &policy);
	if (status)
		goto out;
	status = RC_EXIT_CANNOT_CHECK;
	rc_policy_thresholds(policy, &th);
	ctx.thresholds = &th;
	r = report_new();
	if (!r)
		goto out;
	if (o.old_path) {
		binary_opts(&o, policy, &bo, types);
		if (rc_ctx_open_binaries(&ctx, o.old_path, o.new_path, &bo, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		if (sysroot_usable(&o, &ctx) != 0) {
			status = RC_EXIT_USAGE;
			goto out;
		}
		have |= RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF;
	}
	if (o.pid > 0) {
		rc_report_set_pid(r, o.pid);
		if ((o.baseline && rc_snapshot_read_json(o.baseline, &baseline, &err) != 0) ||
		    probe_process(&o, policy, &snap, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		ctx.now = snap;
		ctx.baseline = baseline;
		/* Before a reload the process must run OLD, or the diff says nothing. */
		ctx.expect_elf = ctx.old_elf;
		ctx.expect_is_old = ctx.old_elf != NULL;
		ctx.n_expected_listeners = rc_policy_listeners(policy, &ctx.expected_listeners);
		have |= RC_NEEDS_PROCESS;
	}
	pprof_url = o.url ? o.url : rc_policy_pprof_url(policy);
	if (pprof_url) {
		fetch = calloc(1, sizeof(*fetch));
		if (!fetch)
			goto out;
		rc_report_set_pprof_url(r, pprof_url);
		if (o.pprof_baseline) {
			pprof_baseline = calloc(1, sizeof(*pprof_baseline));
			if (!pprof_baseline ||
			    rc_pprof_summary_read_json(o.pprof_baseline, pprof_baseline, &err) !=
				    0) {
				status = cannot_check(&o, r,
						      pprof_baseline ? err.msg : "out of memory");
				goto out;
			}
			ctx.pprof_baseline = pprof_baseline;
		}
		if (fetch_pprof(&o, policy, pprof_url, fetch, &err) != 0) {
			if (err.code == -RC_EINVAL) {
				usage_error("%s", err.msg);
				status = RC_EXIT_USAGE;
			} else {
				status = cannot_check(&o, r, err.msg);
			}
			goto out;
		}
		ctx.pprof = fetch;
		have |= RC_NEEDS_PPROF;
	}
	if (!have) {
		usage_error("gate needs something to check: --old/--new, --pid or --pprof");
		status = RC_EXIT_USAGE;
		goto out;
	}
	if (o.pprof_baseline && !pprof_url) {
		usage_error("gate takes --pprof-baseline with --pprof (or the policy's pprof.url)");
		status = RC_EXIT_USAGE;
		goto out;
	}
	if (o.save && rc_file_write_atomic(o.save, write_snapshot, snap, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	rc_run_checks(&ctx,
		      &(struct rc_selection){.have = have,
					     .list_missing = true,
					     .policy = policy,
					     .fail_on_warn = o.fail_on_warn},
		      r);
	if (rc_report_status(r) != 0) {
		status = cannot_check(&o, NULL, "out of memory while building the report");
		goto out;
	}
	rc_report_stop_clock(r);
	/* Files for the pipeline first, each atomic; then the person's view. */
	status = write_files(&o, r) != 0 ? RC_EXIT_CANNOT_CHECK : finish_report(r, &o);
out:
	free(fetch);
	free(pprof_baseline);
	rc_snapshot_free(snap);
	rc_snapshot_free(baseline);
	rc_ctx_release(&ctx);
	rc_report_free(r);
	rc_policy_free(policy);
	return status;
}
