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

static void compare_ids(const struct rc_ctx *ctx, struct rc_check_result *res, const char *kind,
			const char *expected, const char *running)
{
	const struct rc_snapshot *s = ctx->now;
	struct rc_finding *f;

	if (strcmp(expected, running) == 0)
		f = rc_result_add(res, RC_SEV_INFO, "proc.binary_match",
				  "process %d runs '%s' (%s %s)", s->pid,
				  rc_elf_path(ctx->expect_elf), kind, expected);
	else
		f = rc_result_add(res, RC_SEV_FAIL, "proc.binary_mismatch",
				  "process %d runs %s %s, not '%s' (%s %s): the reload did not "
				  "take effect, or the wrong binary is running",
				  s->pid, kind, running, rc_elf_path(ctx->expect_elf), kind,
				  expected);
	rc_finding_str(f, "expected", rc_elf_path(ctx->expect_elf));
	rc_finding_str(f, "kind", kind);
	rc_finding_str(f, "expected_build_id", expected);
	rc_finding_str(f, "running_build_id", running);
}

static void expected_binary(const struct rc_ctx *ctx, struct rc_check_result *res)
{
	const struct rc_snapshot *s = ctx->now;
	const unsigned char *id;
	size_t len;
	char hex[129] = "";
	struct rc_finding *f;

	if (rc_elf_build_id(ctx->expect_elf, &id, &len) == 0)
		rc_hex(id, len, hex, sizeof(hex));
	/* Pure Go links no GNU build-id by default: its Go build ID identifies it. */
	if ((!*hex || !*s->exe_build_id) && *s->exe_go_build_id) {
		const char *gid;
		size_t glen;

		if (rc_elf_go_build_id(ctx->expect_elf, &gid, &glen) == 0 && glen < sizeof(hex)) {
			memcpy(hex, gid, glen);
			hex[glen] = '\0';
			compare_ids(ctx, res, "Go build ID", hex, s->exe_go_build_id);
			return;
		}
	}
	if (!*hex || !*s->exe_build_id) {
		f = rc_result_add(res, RC_SEV_WARN, "proc.binary_unverifiable",
				  "cannot compare the running executable with '%s': %s has no GNU "
				  "build-id",
				  rc_elf_path(ctx->expect_elf),
				  !*hex ? "the expected binary" : "the running executable");
		rc_finding_str(f, "expected", rc_elf_path(ctx->expect_elf));
		return;
	}
	compare_ids(ctx, res, "build-id", hex, s->exe_build_id);
}

static void files_on_disk(const struct rc_snapshot *s, struct rc_check_result *res)
{
	struct rc_finding *f;

	/* A new build renamed over the old one is both: say what the path reads now. */
	if (s->exe_deleted || s->exe_replaced) {
		f = rc_result_add(
			res, RC_SEV_WARN,
			s->exe_replaced ? "proc.exe_replaced" : "proc.exe_deleted",
			"the running executable '%s' was %s on disk: profilers, debuggers "
			"and symbolizers that open the path now read %s",
			s->exe_path, s->exe_replaced ? "replaced" : "deleted",
			s->exe_replaced ? "a different file" : "nothing");
		rc_finding_str(f, "path", s->exe_path);
	}
	for (size_t i = 0; i < s->n_objects; i++) {
		const struct rc_snap_object *o = &s->objects[i];

		if (o->is_exe || (!o->deleted && !o->replaced))
			continue;
		f = rc_result_add(
			res, RC_SEV_WARN,
			o->replaced ? "proc.object_replaced" : "proc.object_deleted",
			"loaded library '%s' was %s on disk after process %d mapped it: "
			"a package upgrade ran under the process; tools that open the path "
			"read %s",
			o->path, o->replaced ? "replaced" : "deleted", s->pid,
			o->replaced ? "a different file" : "nothing");
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
	for (size_t i = 0; i < s->n_threads; i++) {
		if (s->threads[i].state != 'T' && s->threads[i].state != 't')
			continue;
		f = rc_result_add(res, RC_SEV_WARN, "proc.stopped",
				  "thread %d (%s) of process %d is %s: it does not run until it "
				  "gets SIGCONT or its tracer lets go",
				  s->threads[i].tid, s->threads[i].name, s->pid,
				  s->threads[i].state == 'T' ? "stopped" : "stopped by a tracer");
		rc_finding_int(f, "tid", s->threads[i].tid);
		break;
	}
	files_on_disk(s, res);
	if (b) {
		if (strcmp(b->exe_build_id, s->exe_build_id) != 0 ||
		    strcmp(b->exe_path, s->exe_path))
			f = rc_result_add(
				res, RC_SEV_INFO, "proc.exe_changed",
				"the executable changed since the baseline: %s (%s) -> %s (%s)",
				b->exe_path, *b->exe_build_id ? b->exe_build_id : "no build-id",
				s->exe_path, *s->exe_build_id ? s->exe_build_id : "no build-id");
		else if (ctx->reexec_seen)
			f = rc_result_add(res, RC_SEV_INFO, "proc.exe_reexecuted",
					  "process %d exec'd the same build again (build-id %s)",
					  s->pid, *s->exe_build_id ? s->exe_build_id : "none");
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

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"proc.binary_match",
	"proc.binary_mismatch",
	"proc.binary_unverifiable",
	"proc.exe_replaced",
	"proc.exe_deleted",
	"proc.object_replaced",
	"proc.object_deleted",
	"proc.exe",
	"proc.object",
	"proc.stopped",
	"proc.exe_changed",
	"proc.exe_unchanged",
	"proc.exe_reexecuted",
	"proc.pid_changed",
	NULL,
};

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
	.codes = finding_codes,
	.run = run,
};
