/* SPDX-License-Identifier: MIT */
/*
 * proc-identity: which binary the process runs. Verdict rules: a running
 * executable whose build-id differs from --expect-binary fails (the reload did
 * not take effect, or the wrong binary runs); a deleted or replaced executable
 * or library warns (profilers and debuggers would read the wrong file).
 */
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

static void expected_binary(const struct rc_ctx *ctx, struct rc_check_result *res)
{
	const struct rc_snapshot *s = ctx->now;
	const unsigned char *id;
	size_t len;
	char hex[129] = "";
	struct rc_finding *f;

	if (rc_elf_build_id(ctx->expect_elf, &id, &len) == 0)
		rc_hex(id, len, hex, sizeof(hex));
	if (!*hex || !*s->exe_build_id) {
		f = rc_result_add(res, RC_SEV_WARN, "proc.binary_unverifiable",
				  "cannot compare the running executable with '%s': %s has no GNU "
				  "build-id",
				  rc_elf_path(ctx->expect_elf),
				  !*hex ? "the expected binary" : "the running executable");
		rc_finding_str(f, "expected", rc_elf_path(ctx->expect_elf));
		return;
	}
	if (strcmp(hex, s->exe_build_id) == 0) {
		f = rc_result_add(res, RC_SEV_INFO, "proc.binary_match",
				  "process %d runs '%s' (build-id %s)", s->pid,
				  rc_elf_path(ctx->expect_elf), hex);
	} else {
		f = rc_result_add(res, RC_SEV_FAIL, "proc.binary_mismatch",
				  "process %d runs build-id %s, not '%s' (build-id %s): the reload "
				  "did not take effect, or the wrong binary is running",
				  s->pid, s->exe_build_id, rc_elf_path(ctx->expect_elf), hex);
	}
	rc_finding_str(f, "expected", rc_elf_path(ctx->expect_elf));
	rc_finding_str(f, "expected_build_id", hex);
	rc_finding_str(f, "running_build_id", s->exe_build_id);
}

static void files_on_disk(const struct rc_snapshot *s, struct rc_check_result *res)
{
	struct rc_finding *f;

	if (s->exe_deleted || s->exe_replaced) {
		f = rc_result_add(
			res, RC_SEV_WARN, s->exe_deleted ? "proc.exe_deleted" : "proc.exe_replaced",
			"the running executable '%s' was %s on disk: profilers, debuggers "
			"and symbolizers that open the path now read %s",
			s->exe_path, s->exe_deleted ? "deleted" : "replaced",
			s->exe_deleted ? "nothing" : "a different file");
		rc_finding_str(f, "path", s->exe_path);
	}
	for (size_t i = 0; i < s->n_objects; i++) {
		const struct rc_snap_object *o = &s->objects[i];

		if (o->is_exe || (!o->deleted && !o->replaced))
			continue;
		f = rc_result_add(
			res, RC_SEV_WARN,
			o->deleted ? "proc.object_deleted" : "proc.object_replaced",
			"loaded library '%s' was %s on disk after process %d mapped it: "
			"a package upgrade ran under the process; tools that open the path "
			"read the wrong file",
			o->path, o->deleted ? "deleted" : "replaced", s->pid);
		rc_finding_str(f, "path", o->path);
		rc_finding_str(f, "build_id", *o->build_id ? o->build_id : NULL);
	}
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_snapshot *s = ctx->now;
	const struct rc_snapshot *b = ctx->baseline;
	struct rc_finding *f;
	size_t libs = 0;

	for (size_t i = 0; i < s->n_objects; i++)
		libs += !s->objects[i].is_exe;
	f = rc_result_add(res, RC_SEV_INFO, "proc.exe",
			  "process %d (%s) runs '%s', build-id %s, with %zu loaded libraries",
			  s->pid, s->comm, s->exe_path,
			  *s->exe_build_id ? s->exe_build_id : "(none)", libs);
	rc_finding_str(f, "path", s->exe_path);
	rc_finding_str(f, "build_id", *s->exe_build_id ? s->exe_build_id : NULL);
	rc_finding_uint(f, "libraries", libs);
	for (size_t i = 0; i < s->n_objects; i++) {
		const struct rc_snap_object *o = &s->objects[i];

		if (o->is_exe)
			continue;
		f = rc_result_add(res, RC_SEV_INFO, "proc.object", "loaded %s (build-id %s)",
				  o->path, *o->build_id ? o->build_id : "none");
		rc_finding_str(f, "path", o->path);
		rc_finding_str(f, "build_id", *o->build_id ? o->build_id : NULL);
		rc_finding_hex(f, "start", o->start);
	}
	if (ctx->expect_elf)
		expected_binary(ctx, res);
	files_on_disk(s, res);
	if (b) {
		if (strcmp(b->exe_build_id, s->exe_build_id) != 0 ||
		    strcmp(b->exe_path, s->exe_path))
			f = rc_result_add(
				res, RC_SEV_INFO, "proc.exe_changed",
				"the executable changed since the baseline: %s (%s) -> %s (%s)",
				b->exe_path, *b->exe_build_id ? b->exe_build_id : "no build-id",
				s->exe_path, *s->exe_build_id ? s->exe_build_id : "no build-id");
		else
			f = rc_result_add(
				res, RC_SEV_WARN, "proc.exe_unchanged",
				"process %d still runs the baseline's executable (build-id %s): "
				"the reload has not taken effect",
				s->pid, *s->exe_build_id ? s->exe_build_id : "none");
		rc_finding_str(f, "old_build_id", *b->exe_build_id ? b->exe_build_id : NULL);
		rc_finding_str(f, "new_build_id", *s->exe_build_id ? s->exe_build_id : NULL);
		if (b->pid != s->pid) {
			f = rc_result_add(
				res, RC_SEV_INFO, "proc.pid_changed",
				"the process id changed from %d to %d: supervisors that track "
				"the old pid lose the process",
				b->pid, s->pid);
			rc_finding_int(f, "old_pid", b->pid);
			rc_finding_int(f, "new_pid", s->pid);
		}
	}
	return 0;
}

const struct rc_check rc_check_proc_identity = {
	.id = "proc-identity",
	.summary = "the running executable and libraries: expected build-id, deleted or replaced "
		   "files",
	.explain = "Reads which executable process PID runs (/proc/PID/exe, its GNU build-id read "
		   "from the running file itself) and which libraries it has mapped, each with its "
		   "build-id.\n\n"
		   "With --expect-binary FILE it fails when the running executable's build-id "
		   "differs from FILE's: after a reload that means the exec did not happen or "
		   "picked up the wrong binary. It warns when the running executable or a loaded "
		   "library was deleted or replaced on disk after it was mapped: perf, gdb, "
		   "pprof's symbolizer and crash reporters open the path and read a different file "
		   "(or none), so stacks and profiles get wrong names. Against a --baseline "
		   "snapshot it says whether the executable changed (the reload took effect) and "
		   "whether the pid changed (supervisors lose track).\n\n"
		   "To fix: deploy binaries to a new path and exec that (or rename over the old "
		   "path only after the reload), restart processes after library upgrades, and "
		   "check that the reload trigger really execs the new binary.",
	.needs = RC_NEEDS_PROCESS,
	.run = run,
};
