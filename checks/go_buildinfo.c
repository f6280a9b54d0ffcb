/* SPDX-License-Identifier: MIT */
/*
 * go-buildinfo: the Go toolchain, module and build settings of OLD and NEW.
 * Verdict rules: toolchain change, -race, a flipped CGO_ENABLED, a dirty VCS
 * tree and downgraded dependencies warn; the rest informs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/gobin.h>
#include <reloadcheck/report.h>

/* Settings shown in the summary, in this order (others are only diffed). */
static const char *const summary_keys[] = {
	"CGO_ENABLED",	"GOARCH",     "GOAMD64",      "GOOS",	  "-race",
	"-trimpath",	"-buildmode", "-tags",	      "-ldflags", "GOEXPERIMENT",
	"vcs.revision", "vcs.time",   "vcs.modified",
};

/* "path version [=> path version]; ..." of every dependency, for the summary's detail. */
static char *deps_text(const struct rc_go_buildinfo *bi)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	for (size_t i = 0; i < bi->n_deps; i++) {
		const struct rc_go_module *d = &bi->deps[i];

		fprintf(f, "%s%s %s", i ? "; " : "", d->path, d->version);
		if (d->replace)
			fprintf(f, " => %s%s%s", d->replace->path, *d->replace->version ? " " : "",
				d->replace->version);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void summarize(struct rc_check_result *res, const char *role,
		      const struct rc_go_buildinfo *bi)
{
	char buf[1024];
	size_t n = 0;
	struct rc_finding *f;
	char *deps;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(summary_keys) / sizeof(summary_keys[0]); i++) {
		const char *v = rc_go_buildinfo_setting(bi, summary_keys[i]);
		int w;

		if (!v || n >= sizeof(buf))
			continue;
		w = snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", n ? " " : "", summary_keys[i], v);
		if (w > 0)
			n += (size_t)w;
	}
	f = rc_result_add(res, RC_SEV_INFO, "go.buildinfo", "%s: %s, main %s%s%s%s%s, %zu deps%s%s",
			  role, bi->go_version, *bi->path ? bi->path : "(no path)",
			  *bi->main.path ? " in module " : "", bi->main.path,
			  *bi->main.version ? " " : "", bi->main.version, bi->n_deps, n ? ", " : "",
			  buf);
	rc_finding_str(f, "role", role);
	rc_finding_str(f, "go_version", bi->go_version);
	rc_finding_str(f, "path", bi->path);
	rc_finding_str(f, "module", bi->main.path);
	rc_finding_str(f, "module_version", bi->main.version);
	rc_finding_str(f, "settings", buf);
	rc_finding_uint(f, "deps", bi->n_deps);
	deps = deps_text(bi);
	rc_finding_str(f, "dependencies", deps ? deps : "");
	free(deps);
}

/* Compare two semantic versions (vMAJOR.MINOR.PATCH[-pre][+build]); <0, 0, >0. */
static int semver_cmp(const char *a, const char *b)
{
	if (*a == 'v')
		a++;
	if (*b == 'v')
		b++;
	for (int part = 0; part < 3; part++) {
		char *ea, *eb;
		unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a = ea;
		b = eb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	/* A pre-release sorts before the release; two pre-releases compare as text. */
	if (*a == '-' && *b != '-')
		return -1;
	if (*a != '-' && *b == '-')
		return 1;
	if (*a == '-' && *b == '-')
		return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
	return 0;
}

static const struct rc_go_module *find_dep(const struct rc_go_buildinfo *bi, const char *path)
{
	for (size_t i = 0; i < bi->n_deps; i++)
		if (strcmp(bi->deps[i].path, path) == 0)
			return &bi->deps[i];
	return NULL;
}

static void diff_deps(struct rc_check_result *res, const struct rc_go_buildinfo *o,
		      const struct rc_go_buildinfo *n)
{
	size_t changed = 0;

	for (size_t i = 0; i < n->n_deps; i++) {
		const struct rc_go_module *nd = &n->deps[i], *od = find_dep(o, nd->path);
		struct rc_finding *f = NULL;
		int c;

		if (!od) {
			f = rc_result_add(res, RC_SEV_INFO, "go.dep_added",
					  "dependency %s %s added", nd->path, nd->version);
			rc_finding_str(f, "module", nd->path);
			rc_finding_str(f, "new_version", nd->version);
			changed++;
			continue;
		}
		c = semver_cmp(nd->version, od->version);
		if (c < 0)
			f = rc_result_add(
				res, RC_SEV_WARN, "go.dep_downgraded",
				"dependency %s downgraded from %s to %s: fixes made after "
				"%s are gone",
				nd->path, od->version, nd->version, nd->version);
		else if (c > 0)
			f = rc_result_add(res, RC_SEV_INFO, "go.dep_upgraded",
					  "dependency %s upgraded from %s to %s", nd->path,
					  od->version, nd->version);
		if (f) {
			rc_finding_str(f, "module", nd->path);
			rc_finding_str(f, "old_version", od->version);
			rc_finding_str(f, "new_version", nd->version);
			changed++;
		}
		if (nd->replace && (!od->replace || strcmp(nd->replace->path, od->replace->path) ||
				    strcmp(nd->replace->version, od->replace->version))) {
			f = rc_result_add(res, RC_SEV_INFO, "go.dep_replaced",
					  "dependency %s is replaced by %s%s%s in NEW", nd->path,
					  nd->replace->path, *nd->replace->version ? " " : "",
					  nd->replace->version);
			rc_finding_str(f, "module", nd->path);
			rc_finding_str(f, "replacement", nd->replace->path);
			rc_finding_str(f, "replacement_version", nd->replace->version);
			changed++;
		}
	}
	for (size_t i = 0; i < o->n_deps; i++) {
		const struct rc_go_module *od = &o->deps[i];
		struct rc_finding *f;

		if (find_dep(n, od->path))
			continue;
		f = rc_result_add(res, RC_SEV_INFO, "go.dep_removed", "dependency %s %s removed",
				  od->path, od->version);
		rc_finding_str(f, "module", od->path);
		rc_finding_str(f, "old_version", od->version);
		changed++;
	}
	rc_result_metric(res, "old_deps", (int64_t)o->n_deps);
	rc_result_metric(res, "new_deps", (int64_t)n->n_deps);
	rc_result_metric(res, "deps_changed", (int64_t)changed);
}

static bool is_true(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static const char *or_unset(const char *v)
{
	return v ? v : "(unset)";
}

/* Every build setting whose value differs, except those with findings of their own. */
static void diff_settings(struct rc_check_result *res, const struct rc_go_buildinfo *o,
			  const struct rc_go_buildinfo *n)
{
	static const char *const own[] = {"CGO_ENABLED", "-race", "vcs.revision", "vcs.time",
					  "vcs.modified"};

	for (int pass = 0; pass < 2; pass++) {
		const struct rc_go_buildinfo *a = pass ? o : n, *b = pass ? n : o;

		for (size_t i = 0; i < a->n_settings; i++) {
			const char *key = a->settings[i].key;
			const char *ov = rc_go_buildinfo_setting(o, key);
			const char *nv = rc_go_buildinfo_setting(n, key);
			struct rc_finding *f;
			bool skip = false;

			for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
				skip |= strcmp(key, own[k]) == 0;
			/* Second pass: only keys OLD has and NEW lacks. */
			if (skip || (pass && rc_go_buildinfo_setting(b, key)))
				continue;
			if (ov && nv && strcmp(ov, nv) == 0)
				continue;
			f = rc_result_add(res, RC_SEV_INFO, "go.setting_changed",
					  "build setting %s changed from %s to %s", key,
					  or_unset(ov), or_unset(nv));
			rc_finding_str(f, "setting", key);
			rc_finding_str(f, "old", ov);
			rc_finding_str(f, "new", nv);
		}
	}
}

static void compare(struct rc_check_result *res, const struct rc_go_buildinfo *o,
		    const struct rc_go_buildinfo *n)
{
	const char *ocgo = rc_go_buildinfo_setting(o, "CGO_ENABLED");
	const char *ncgo = rc_go_buildinfo_setting(n, "CGO_ENABLED");
	const char *nrev = rc_go_buildinfo_setting(n, "vcs.revision");
	struct rc_finding *f;

	if (strcmp(o->go_version, n->go_version) != 0) {
		f = rc_result_add(res, RC_SEV_WARN, "go.version_changed",
				  "Go toolchain changed from %s to %s: runtime internals (map, "
				  "channel and scheduler layouts) differ, so no in-memory state "
				  "handed across the reload may be assumed compatible",
				  o->go_version, n->go_version);
		rc_finding_str(f, "old", o->go_version);
		rc_finding_str(f, "new", n->go_version);
	}
	if (is_true(rc_go_buildinfo_setting(n, "-race"))) {
		f = rc_result_add(
			res, RC_SEV_WARN, "go.race",
			"NEW is built with -race: the race detector is for testing, it "
			"costs 2-20x CPU and 5-10x memory and is not meant for production");
		rc_finding_bool(f, "old_race", is_true(rc_go_buildinfo_setting(o, "-race")));
	}
	if (ocgo && ncgo && strcmp(ocgo, ncgo) != 0) {
		f = rc_result_add(res, RC_SEV_WARN, "go.cgo_flipped",
				  "CGO_ENABLED changed from %s to %s: %s", ocgo, ncgo,
				  is_true(ocgo)
					  ? "C code, C libraries and libc-based DNS and user "
					    "lookups are gone from NEW"
					  : "NEW now runs C code with its own threads, TLS and "
					    "signal handling");
		rc_finding_str(f, "old", ocgo);
		rc_finding_str(f, "new", ncgo);
	}
	if (is_true(rc_go_buildinfo_setting(n, "vcs.modified"))) {
		f = rc_result_add(
			res, RC_SEV_WARN, "go.vcs_modified",
			"NEW was built from a modified working tree (vcs.modified=true) at "
			"revision %s: the binary is not reproducible from any commit",
			or_unset(nrev));
		rc_finding_str(f, "revision", nrev);
	}
	if (strcmp(o->main.version, n->main.version) != 0 && *n->main.path) {
		f = rc_result_add(res, RC_SEV_INFO, "go.module_changed",
				  "main module %s version changed from %s to %s", n->main.path,
				  *o->main.version ? o->main.version : "(none)",
				  *n->main.version ? n->main.version : "(none)");
		rc_finding_str(f, "module", n->main.path);
		rc_finding_str(f, "old_version", o->main.version);
		rc_finding_str(f, "new_version", n->main.version);
	}
	if (nrev) {
		const char *orev = rc_go_buildinfo_setting(o, "vcs.revision");

		f = rc_result_add(res, RC_SEV_INFO, "go.vcs_revision", "NEW is revision %s%s%s%s",
				  nrev, orev && strcmp(orev, nrev) ? " (OLD was " : "",
				  orev && strcmp(orev, nrev) ? orev : "",
				  orev && strcmp(orev, nrev) ? ")" : "");
		rc_finding_str(f, "old", orev);
		rc_finding_str(f, "new", nrev);
	}
	diff_settings(res, o, n);
	diff_deps(res, o, n);
}

static int read_bi(const struct rc_elf *elf, struct rc_go_buildinfo **bi, struct rc_err *err)
{
	int rc = rc_go_buildinfo_read(elf, bi, err);

	if (rc == -RC_ENOENT) {
		*bi = NULL;
		rc_err_clear(err);
		return 0;
	}
	return rc;
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	struct rc_go_buildinfo *o = NULL, *n = NULL;
	struct rc_finding *f;
	int rc;

	rc = read_bi(ctx->old_elf, &o, err);
	if (!rc)
		rc = read_bi(ctx->new_elf, &n, err);
	if (rc)
		goto out;
	if (!o && !n) {
		rc_result_skip(res, "neither OLD nor NEW is a Go binary (no Go build information)");
		goto out;
	}
	if (o)
		summarize(res, "OLD", o);
	if (n)
		summarize(res, "NEW", n);
	if (o && !n) {
		f = rc_result_add(res, RC_SEV_WARN, "go.not_go",
				  "NEW is not a Go binary but OLD was (%s): Go-specific reload "
				  "behaviour (graceful restart libraries, pprof) is gone",
				  o->go_version);
		rc_finding_str(f, "old_go_version", o->go_version);
	} else if (!o && n) {
		f = rc_result_add(res, RC_SEV_INFO, "go.now_go",
				  "NEW is a Go binary (%s); OLD was not", n->go_version);
		rc_finding_str(f, "new_go_version", n->go_version);
	} else {
		compare(res, o, n);
	}
out:
	rc_go_buildinfo_free(o);
	rc_go_buildinfo_free(n);
	return rc;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"go.buildinfo",	   "go.dep_added",   "go.dep_downgraded",  "go.dep_upgraded",
	"go.dep_replaced", "go.dep_removed", "go.setting_changed", "go.version_changed",
	"go.race",	   "go.cgo_flipped", "go.vcs_modified",	   "go.module_changed",
	"go.vcs_revision", "go.not_go",	     "go.now_go",	   NULL,
};

const struct rc_check rc_check_go_buildinfo = {
	.id = "go-buildinfo",
	.summary = "Go toolchain version, main module, VCS state, build settings and dependencies",
	.explain =
		"Reads the build information the Go linker embeds (.go.buildinfo, both the Go "
		"1.18+ inline layout and the older pointer layout) from OLD and NEW: Go version, "
		"main package and module, VCS revision, time and modified flag, build settings "
		"(CGO_ENABLED, -race, -trimpath, GOARCH/GOAMD64, -ldflags, -tags, GOEXPERIMENT) "
		"and every dependency module with its version and replacement.\n\n"
		"Warns when the Go toolchain changed (runtime internals such as map, channel and "
		"scheduler layouts differ, so no in-memory state handed across the reload may be "
		"assumed compatible), when NEW is a -race build (not for production), when "
		"CGO_ENABLED flipped (C code and libc-based resolvers appear or vanish), when NEW "
		"was built from a modified working tree, and when a dependency was downgraded. "
		"Upgrades, replacements and other setting changes are reported as information. "
		"A binary that is not a Go binary is skipped with the reason.\n\n"
		"To fix: build NEW from a clean checkout with the intended toolchain and without "
		"-race; check go.mod for the downgrade (go mod graph | grep MODULE) and pin the "
		"version you meant.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = run,
};
