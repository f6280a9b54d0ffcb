/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck reload: snapshot a process, trigger its reload, find the new
 * process, snapshot it again and compare; the old executable against NEW.
 */
#include <stdio.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/reload.h>
#include <reloadcheck/runner.h>

#include "cli.h"

int cmd_reload(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_reload rl = {0};
	struct rc_reload_opts ro;
	struct rc_binary_opts bo;
	const char *types[2 * MAX_STATE_TYPES];
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
	r = report_new();
	if (!r)
		return RC_EXIT_CANNOT_CHECK;
	rc_report_set_pid(r, o.pid);
	ro = (struct rc_reload_opts){
		.pid = (int)o.pid,
		.signal = sig,
		.exec_cmd = o.reload_exec,
		.pidfile = o.pidfile,
		.wait_s = o.wait_s,
		.canaries = o.canaries,
		.n_canaries = o.n_canaries,
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
	binary_opts(&o, NULL, &bo, types);
	if (rc_ctx_open_binaries(&ctx, NULL, NULL, &bo, &err) != 0 ||
	    rc_reload_run(&rl, &ro, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
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
		      &(struct rc_selection){.have = RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC |
						     RC_NEEDS_DWARF | RC_NEEDS_PROCESS |
						     (o.url ? RC_NEEDS_PPROF : 0),
					     .fail_on_warn = o.fail_on_warn},
		      r);
	status = finish_report(r, &o);
out:
	rc_reload_release(&rl);
	rc_ctx_release(&ctx);
	rc_report_free(r);
	return status;
}
