/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck reload: the static checks of the running executable against
 * NEW first (a fail refuses, unless --force), then snapshot the process,
 * trigger its reload, find the process that exec'd, snapshot it again and
 * compare; the old executable against NEW.
 */
#include <stdio.h>
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/reload.h>
#include <reloadcheck/runner.h>

#include "cli.h"

#define STATIC_NEEDS (RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF)

/* "the static checks ... fail (id, id)": why the preflight stops the reload. */
static void preflight_reason(const struct rc_report *pre, int pid, bool force, char *buf,
			     size_t size)
{
	size_t len;

	len = (size_t)snprintf(buf, size,
			       "the static checks of the running executable (/proc/%d/exe) against "
			       "NEW fail (",
			       pid);
	for (size_t i = 0; i < rc_report_check_count(pre) && len < size; i++) {
		const struct rc_check_result *res = rc_report_check(pre, i);

		if (rc_result_verdict(res) == RC_VERDICT_FAIL)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						buf[len - 1] == '(' ? "" : ", ", rc_result_id(res));
	}
	if (len < size)
		snprintf(buf + len, size - len, "%s",
			 force ? "); --force: reloading anyway"
			       : "): nothing was sent or run; --force reloads anyway");
}

/* The trigger and the new process into @info, from what the reload saw. */
static void reload_info(const struct rc_reload *rl, const struct rc_reload_opts *ro,
			const char *signal, struct rc_report_reload *info)
{
	info->triggered = rl->triggered;
	info->signal = ro->signal ? signal : NULL;
	info->command = ro->exec_cmd;
	info->exit_status = rl->cmd_status;
	info->output_tail = rl->cmd_output;
	info->new_pid = rl->new_pid;
	info->found_by = rl->found_by;
	info->evidence = rl->evidence[0] ? rl->evidence : NULL;
}

int cmd_reload(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL, *pre = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_reload rl = {0};
	struct rc_reload_opts ro;
	struct rc_binary_opts bo;
	struct rc_report_reload info = {.exit_status = -1};
	const char *types[2 * MAX_STATE_TYPES];
	char signame[16] = "", reason[512];
	struct rc_policy *policy = NULL;
	struct rc_canary_spec canaries[MAX_CANARIES];
	const struct rc_canary_spec *pc;
	struct rc_thresholds th;
	size_t nc;
	int status, sig = 0;

	status = parse_options(argc, argv, "reload", FOR_RELOAD, &o);
	if (status)
		return status < 0 ? RC_EXIT_USAGE : RC_EXIT_PASS;
	if (o.pid < 0 || !o.new_path || !o.reload_signal == !o.reload_exec) {
		usage_error("reload needs --pid PID, --new NEW and one of --signal SIG or --exec "
			    "'COMMAND'");
		return RC_EXIT_USAGE;
	}
	if (o.reload_signal && !(sig = rc_reload_parse_signal(o.reload_signal))) {
		usage_error("--signal takes HUP, USR1, USR2, TERM, INT or QUIT, not '%s'",
			    o.reload_signal);
		return RC_EXIT_USAGE;
	}
	if (o.reload_signal)
		snprintf(signame, sizeof(signame), "SIG%s",
			 o.reload_signal + (strncmp(o.reload_signal, "SIG", 3) ? 0 : 3));
	status = load_policy(&o, &policy);
	if (status)
		return status;
	/* The command line's canaries, then the policy's. */
	nc = o.n_canaries;
	memcpy(canaries, o.canaries, nc * sizeof(*canaries));
	for (size_t i = 0, n = rc_policy_canaries(policy, &pc); i < n && nc < MAX_CANARIES; i++)
		canaries[nc++] = pc[i];
	rc_policy_thresholds(policy, &th);
	ctx.thresholds = &th;
	ctx.n_expected_listeners = rc_policy_listeners(policy, &ctx.expected_listeners);
	r = report_new();
	pre = report_new();
	if (!r || !pre) {
		status = RC_EXIT_CANNOT_CHECK;
		goto out;
	}
	rc_report_set_pid(r, o.pid);
	rc_report_set_pid(pre, o.pid);
	ro = (struct rc_reload_opts){
		.pid = (int)o.pid,
		.signal = sig,
		.exec_cmd = o.reload_exec,
		.pidfile = o.pidfile,
		.wait_s = o.wait_s,
		.canaries = canaries,
		.n_canaries = nc,
		.pprof_url = o.url,
	};
	pprof_fetch_opts(&o, &ro.fetch);
	if (o.url)
		rc_report_set_pprof_url(r, o.url);
	/* Before: NEW, then the process and its executable (kept open across the exec). */
	if (rc_elf_open(o.new_path, &ctx.new_elf, &err) != 0 ||
	    rc_reload_prepare(&rl, &ro, &err) != 0) {
		status = cannot_check(&o, r, err.msg[0] ? err.msg : "cannot read the process");
		goto out;
	}
	ctx.old_elf = rl.old_exe;
	rl.old_exe = NULL;
	binary_opts(&o, policy, &bo, types);
	if (rc_ctx_open_binaries(&ctx, NULL, NULL, &bo, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	/* Preflight: a NEW the static checks reject is never started. */
	rc_run_checks(&ctx,
		      &(struct rc_selection){.have = STATIC_NEEDS,
					     .policy = policy,
					     .fail_on_warn = o.fail_on_warn},
		      pre);
	if (rc_report_verdict(pre) == RC_VERDICT_FAIL) {
		preflight_reason(pre, (int)o.pid, o.force, reason, sizeof(reason));
		info.reason = reason;
		if (!o.force) {
			info.refused = true;
			rc_report_set_reload(pre, &info);
			status = finish_report(pre, &o);
			goto out;
		}
		info.forced = true;
	}
	if (rc_reload_run(&rl, &ro, &err) != 0) {
		reload_info(&rl, &ro, signame, &info);
		rc_report_set_reload(r, &info);
		status = cannot_check(&o, r, err.msg);
		/* What the command said is the first clue to why it failed. */
		if (rl.cmd_output && rl.cmd_output[0])
			fprintf(stderr, "%s: the command's last output:\n%s\n", progname,
				rl.cmd_output);
		goto out;
	}
	reload_info(&rl, &ro, signame, &info);
	rc_report_set_reload(r, &info);
	rc_report_set_pid(r, rl.new_pid);
	/* Compare: the process against its snapshot before, the old exe against NEW. */
	ctx.now = rl.after;
	ctx.baseline = rl.before;
	ctx.expect_elf = ctx.new_elf;
	ctx.reexec_seen = rl.reexec_seen;
	if (o.url) {
		ctx.pprof = rl.pprof_after;
		ctx.pprof_baseline = rl.pprof_before->profile_ok ? &rl.pprof_before->summary : NULL;
	}
	rc_run_checks(&ctx,
		      &(struct rc_selection){.have = STATIC_NEEDS | RC_NEEDS_PROCESS |
						     (o.url ? RC_NEEDS_PPROF : 0),
					     .policy = policy,
					     .fail_on_warn = o.fail_on_warn},
		      r);
	status = finish_report(r, &o);
out:
	rc_reload_release(&rl);
	rc_ctx_release(&ctx);
	rc_report_free(pre);
	rc_report_free(r);
	rc_policy_free(policy);
	return status;
}
