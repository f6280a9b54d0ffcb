/* SPDX-License-Identifier: MIT */
/*
 * proc-identity: which build the process runs. A build is identified by its
 * GNU build-id, else its Go build ID, else a hash of its bytes, and two are
 * compared on the strongest kind both have. Verdict rules: a running build
 * that is not --expect-binary's (gate: not OLD's) fails; a deleted or
 * replaced executable or library warns (profilers and debuggers would read
 * the wrong file). Against a baseline: the same process still running the
 * same build warns; a restart or re-exec into the same build informs, or
 * fails when --expect-binary names another build.
 */
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

/* "GNU build-id 88a6..." for @id's strongest kind, into @buf. */
static const char *describe(const struct rc_build_ident *id, char *buf, size_t size)
{
	const char *kind, *value;

	if (!rc_build_ident_best(id, &kind, &value))
		return "an unidentified build";
	snprintf(buf, size, "%s %s", kind, value);
	return buf;
}

static void expected_binary(const struct rc_ctx *ctx, struct rc_check_result *res)
{
	const struct rc_snapshot *s = ctx->now;
	const char *path = rc_elf_path(ctx->expect_elf);
	const char *kind, *want, *have;
	struct rc_build_ident e, r;
	struct rc_finding *f;
	int same;

	rc_elf_build_ident(ctx->expect_elf, &e);
	rc_snapshot_build_ident(s, &r);
	same = rc_build_ident_compare(&e, &r, &kind, &want, &have);
	if (same < 0) {
		f = rc_result_add(res, RC_SEV_WARN, "proc.binary_unverifiable",
				  "cannot compare the running executable with '%s': they share no "
				  "GNU build-id, Go build ID or content hash",
				  path);
		rc_finding_str(f, "expected", path);
		return;
	}
	if (same)
		f = rc_result_add(res, RC_SEV_INFO, "proc.binary_match",
				  "process %d runs '%s' (%s %s)", s->pid, path, kind, want);
	else if (ctx->expect_is_old)
		f = rc_result_add(res, RC_SEV_FAIL, "proc.binary_mismatch",
				  "process %d runs %s %s, not OLD '%s' (%s %s): the process is "
				  "not running the build the gate was given as OLD, so the "
				  "comparison with NEW says nothing about this reload",
				  s->pid, kind, have, path, kind, want);
	else
		f = rc_result_add(res, RC_SEV_FAIL, "proc.binary_mismatch",
				  "process %d runs %s %s, not '%s' (%s %s): the reload did not "
				  "take effect, or the wrong binary is running",
				  s->pid, kind, have, path, kind, want);
	rc_finding_str(f, "expected", path);
	rc_finding_str(f, "kind", kind);
	rc_finding_str(f, "expected_id", want);
	rc_finding_str(f, "running_id", have);
	if (!strcmp(kind, "GNU build-id")) {
		rc_finding_str(f, "expected_build_id", want);
		rc_finding_str(f, "running_build_id", have);
	}
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

/*
 * Did the reload take effect? The same build is expected only when the
 * process was not restarted or re-exec'd; a restart into the same build is
 * what an nginx USR2 upgrade to the same binary does, and fails only when
 * --expect-binary (reload's NEW) names another build.
 */
static void against_baseline(const struct rc_ctx *ctx, struct rc_check_result *res)
{
	const struct rc_snapshot *s = ctx->now, *b = ctx->baseline;
	struct rc_build_ident bi, si, ei;
	const char *kind, *old_id, *new_id;
	char d1[200], d2[200];
	struct rc_finding *f;
	bool restarted = b->pid != s->pid || b->start_time != s->start_time;
	bool other_expected = false;
	int same;

	rc_snapshot_build_ident(b, &bi);
	rc_snapshot_build_ident(s, &si);
	same = rc_build_ident_compare(&bi, &si, &kind, &old_id, &new_id);
	if (same < 0) {
		/* Nothing in common (an old baseline): the file on disk, else the path. */
		if (b->exe_has_file && s->exe_has_file)
			same = b->exe_dev == s->exe_dev && b->exe_inode == s->exe_inode &&
			       b->exe_size == s->exe_size && b->exe_mtime == s->exe_mtime;
		else
			same = strcmp(b->exe_path, s->exe_path) == 0;
	}
	/* reload's NEW (or --expect-binary) is another build than the one running. */
	if (ctx->expect_elf && !ctx->expect_is_old) {
		const char *k, *x, *y;

		rc_elf_build_ident(ctx->expect_elf, &ei);
		other_expected = rc_build_ident_compare(&ei, &si, &k, &x, &y) == 0;
	}
	if (!same) {
		f = rc_result_add(res, RC_SEV_INFO, "proc.exe_changed",
				  "the executable changed since the baseline: %s (%s) -> %s (%s)",
				  b->exe_path, describe(&bi, d1, sizeof(d1)), s->exe_path,
				  describe(&si, d2, sizeof(d2)));
	} else if (other_expected) {
		f = rc_result_add(res, RC_SEV_FAIL, "proc.exe_unchanged",
				  "process %d %s the baseline's build (%s), but '%s' (%s) was "
				  "expected: the reload has not taken effect",
				  s->pid, restarted ? "was restarted into" : "still runs",
				  describe(&si, d1, sizeof(d1)), rc_elf_path(ctx->expect_elf),
				  describe(&ei, d2, sizeof(d2)));
		rc_finding_str(f, "expected", rc_elf_path(ctx->expect_elf));
	} else if (restarted) {
		f = rc_result_add(res, RC_SEV_INFO, "proc.exe_restarted",
				  "process %d restarted into the same build (%s)", s->pid,
				  describe(&si, d1, sizeof(d1)));
	} else if (ctx->reexec_seen) {
		f = rc_result_add(res, RC_SEV_INFO, "proc.exe_reexecuted",
				  "process %d exec'd the same build again (%s)", s->pid,
				  describe(&si, d1, sizeof(d1)));
	} else {
		f = rc_result_add(
			res, RC_SEV_WARN, "proc.exe_unchanged",
			"process %d still runs the baseline's executable (%s) and was not "
			"restarted or re-exec'd: the reload has not taken effect",
			s->pid, describe(&si, d1, sizeof(d1)));
	}
	rc_finding_str(f, "old_build_id", *b->exe_build_id ? b->exe_build_id : NULL);
	rc_finding_str(f, "new_build_id", *s->exe_build_id ? s->exe_build_id : NULL);
	rc_finding_str(f, "old_identity", describe(&bi, d1, sizeof(d1)));
	rc_finding_str(f, "new_identity", describe(&si, d2, sizeof(d2)));
	if (b->pid != s->pid) {
		f = rc_result_add(res, RC_SEV_INFO, "proc.pid_changed",
				  "the process id changed from %d to %d: supervisors that track "
				  "the old pid lose the process",
				  b->pid, s->pid);
		rc_finding_int(f, "old_pid", b->pid);
		rc_finding_int(f, "new_pid", s->pid);
	}
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_snapshot *s = ctx->now;
	const struct rc_snapshot *b = ctx->baseline;
	struct rc_build_ident id;
	char d[200];
	struct rc_finding *f;
	size_t libs = 0;

	for (size_t i = 0; i < s->n_objects; i++)
		libs += !s->objects[i].is_exe;
	rc_snapshot_build_ident(s, &id);
	f = rc_result_add(res, RC_SEV_INFO, "proc.exe",
			  "process %d (%s) runs '%s', %s, with %zu loaded libraries", s->pid,
			  s->comm, s->exe_path, describe(&id, d, sizeof(d)), libs);
	rc_finding_str(f, "path", s->exe_path);
	rc_finding_str(f, "build_id", *s->exe_build_id ? s->exe_build_id : NULL);
	rc_finding_str(f, "go_build_id", *s->exe_go_build_id ? s->exe_go_build_id : NULL);
	rc_finding_str(f, "content_hash", *s->exe_content_hash ? s->exe_content_hash : NULL);
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
	if (b)
		against_baseline(ctx, res);
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
	"proc.exe_restarted",
	"proc.pid_changed",
	NULL,
};

const struct rc_check rc_check_proc_identity = {
	.id = "proc-identity",
	.summary = "the running executable and libraries: expected build-id, deleted or replaced "
		   "files",
	.explain = "Reads which executable process PID runs (/proc/PID/exe, read from the running "
		   "file itself) and which libraries it has mapped, each with its build-id. A "
		   "build is identified by its GNU build-id, else its Go build ID (pure Go links "
		   "no GNU build-id by default), else an XXH3-128 hash of the file's bytes; two "
		   "builds are compared on the strongest kind both have, and findings name the "
		   "kind and the value.\n\n"
		   "With --expect-binary FILE it fails when the running build differs from FILE's "
		   "(proc.binary_mismatch): after a reload that means the exec did not happen or "
		   "picked up the wrong binary. In gate, --old is the expected binary: a process "
		   "that does not run OLD makes the OLD/NEW diff meaningless. It warns when the "
		   "running executable or a loaded "
		   "library was deleted or replaced on disk after it was mapped: perf, gdb, "
		   "pprof's symbolizer and crash reporters open the path and read a different file "
		   "(or none), so stacks and profiles get wrong names.\n\n"
		   "Against a --baseline snapshot it says whether the build changed "
		   "(proc.exe_changed) and whether the pid changed (proc.pid_changed, supervisors "
		   "lose track). The same process (same pid and start time, no exec seen) still "
		   "running the same build warns (proc.exe_unchanged: the reload has not taken "
		   "effect). A restart or re-exec into the same build informs "
		   "(proc.exe_restarted, proc.exe_reexecuted), unless --expect-binary (reload's "
		   "NEW) names another build: then proc.exe_unchanged fails naming both.\n\n"
		   "To fix: deploy binaries to a new path and exec that (or rename over the old "
		   "path only after the reload), restart processes after library upgrades, and "
		   "check that the reload trigger really execs the new binary.",
	.needs = RC_NEEDS_PROCESS,
	.codes = finding_codes,
	.run = run,
};
