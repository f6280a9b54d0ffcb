/* SPDX-License-Identifier: MIT */
/* reloadcheck probe --pid PID: read-only checks on a running process. */
#include <stdio.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/file.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/runner.h>

#include "cli.h"

int write_snapshot(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_snapshot_write_json(arg, f, err);
}

int probe_process(const struct options *o, const struct rc_policy *p, struct rc_snapshot **out,
		  struct rc_err *err)
{
	struct rc_canary_spec canaries[MAX_CANARIES];
	const struct rc_canary_spec *pc;
	size_t n = rc_policy_canaries(p, &pc), nc = o->n_canaries;

	memcpy(canaries, o->canaries, o->n_canaries * sizeof(*canaries));
	for (size_t i = 0; i < n && nc < MAX_CANARIES; i++)
		canaries[nc++] = pc[i];
	return rc_snapshot_take((int)o->pid, canaries, nc, out, err);
}

int cmd_probe(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_snapshot *now = NULL, *baseline = NULL;
	struct rc_policy *policy = NULL;
	struct rc_thresholds th;
	int status;

	status = parse_options(argc, argv, "probe", FOR_PROBE, &o);
	if (status)
		return status < 0 ? RC_EXIT_USAGE : RC_EXIT_PASS;
	if (o.pid < 0) {
		usage_error("probe needs --pid PID");
		return RC_EXIT_USAGE;
	}
	if (argc != optind) {
		usage_error("probe takes no file arguments ('%s')", argv[optind]);
		return RC_EXIT_USAGE;
	}
	status = load_policy(&o, &policy);
	if (status)
		return status;
	rc_policy_thresholds(policy, &th);
	ctx.thresholds = &th;
	ctx.n_expected_listeners = rc_policy_listeners(policy, &ctx.expected_listeners);
	status = RC_EXIT_CANNOT_CHECK;
	r = report_new();
	if (!r)
		goto out;
	rc_report_set_pid(r, o.pid);
	/* Inputs first: a bad file is reported before the process is touched. */
	if ((o.expect_binary && rc_ctx_open_expected(&ctx, o.expect_binary, &err) != 0) ||
	    (o.baseline && rc_snapshot_read_json(o.baseline, &baseline, &err) != 0) ||
	    probe_process(&o, policy, &now, &err) != 0 ||
	    (o.save && rc_file_write_atomic(o.save, write_snapshot, now, &err) != 0)) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	ctx.now = now;
	ctx.baseline = baseline;
	status = run_and_report(&ctx, RC_NEEDS_PROCESS, policy, r, &o);
out:
	rc_snapshot_free(now);
	rc_snapshot_free(baseline);
	rc_ctx_release(&ctx);
	rc_report_free(r);
	rc_policy_free(policy);
	return status;
}
