/* SPDX-License-Identifier: MIT */
/*
 * dynamic-deps: what NEW asks of the dynamic linker (DT_NEEDED, SONAME,
 * RPATH/RUNPATH) compared with OLD, and whether the host's libc defines every
 * symbol version NEW requires from it. A missing version makes exec fail.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

#define LIBC_SONAME "libc.so.6"

/* A sorted, borrowed view of a list of strings for membership tests. */
struct strset {
	const char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int strset_init(struct strset *set, const char *const *v, size_t n, struct rc_err *err)
{
	set->v = NULL;
	set->n = 0;
	if (n == 0)
		return 0;
	set->v = malloc(n * sizeof(*set->v));
	if (!set->v)
		return rc_err_set(err, -RC_ENOMEM, "out of memory comparing dynamic dependencies");
	memcpy(set->v, v, n * sizeof(*set->v));
	set->n = n;
	qsort(set->v, n, sizeof(*set->v), cmp_str);
	return 0;
}

static bool strset_has(const struct strset *set, const char *s)
{
	return set->n && bsearch(&s, set->v, set->n, sizeof(*set->v), cmp_str) != NULL;
}

static void strset_release(struct strset *set)
{
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* "GLIBC_2.38" -> {2, 38, 0}; false unless the name is GLIBC_<n>[.<n>[.<n>]]. */
static bool glibc_version(const char *s, unsigned long v[3])
{
	if (strncmp(s, "GLIBC_", 6) != 0)
		return false;
	s += 6;
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		char *end;

		if (!isdigit((unsigned char)*s))
			return false;
		v[i] = strtoul(s, &end, 10);
		s = end;
		if (*s == '\0')
			return true;
		if (*s != '.')
			return false;
		s++;
	}
	return false;
}

static int cmp_version(const unsigned long a[3], const unsigned long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* The highest numeric GLIBC_x.y[.z] in @defs (numerically, not as strings), or NULL. */
static const char *glibc_max(const char *const *defs, size_t n, unsigned long max[3])
{
	const char *best = NULL;

	for (size_t i = 0; i < n; i++) {
		unsigned long v[3];

		if (!glibc_version(defs[i], v))
			continue;
		if (!best || cmp_version(v, max) > 0) {
			best = defs[i];
			memcpy(max, v, sizeof(v));
		}
	}
	return best;
}

static const char *or_none(const char *s)
{
	return s ? s : "(none)";
}

static bool str_changed(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

static void detail_old_new(struct rc_finding *f, const char *o, const char *n)
{
	if (o)
		rc_finding_str(f, "old", o);
	if (n)
		rc_finding_str(f, "new", n);
}

static int compare_needed(struct rc_check_result *out, const struct rc_elf_dynamic *o,
			  const struct rc_elf_dynamic *n, struct rc_err *err)
{
	struct strset os, ns;
	struct rc_finding *f;
	int rc, added = 0, removed = 0;

	rc = strset_init(&os, o->needed, o->n_needed, err);
	if (rc < 0)
		return rc;
	rc = strset_init(&ns, n->needed, n->n_needed, err);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < n->n_needed; i++) {
		if (strset_has(&os, n->needed[i]))
			continue;
		f = rc_result_add(out, RC_SEV_INFO, "needed.added",
				  "NEW needs %s, which OLD did not: it must be installed on every "
				  "host before the reload",
				  n->needed[i]);
		rc_finding_str(f, "library", n->needed[i]);
		added++;
	}
	for (size_t i = 0; i < o->n_needed; i++) {
		if (strset_has(&ns, o->needed[i]))
			continue;
		f = rc_result_add(out, RC_SEV_INFO, "needed.removed", "NEW no longer needs %s",
				  o->needed[i]);
		rc_finding_str(f, "library", o->needed[i]);
		removed++;
	}
	rc_result_metric(out, "old_needed", (int64_t)o->n_needed);
	rc_result_metric(out, "new_needed", (int64_t)n->n_needed);
	rc_result_metric(out, "needed_added", added);
	rc_result_metric(out, "needed_removed", removed);
out:
	strset_release(&os);
	strset_release(&ns);
	return rc;
}

static void compare_paths(struct rc_check_result *out, const struct rc_elf_dynamic *o,
			  const struct rc_elf_dynamic *n)
{
	struct rc_finding *f;

	if (str_changed(o->soname, n->soname)) {
		f = rc_result_add(
			out, RC_SEV_WARN, "soname.changed",
			"SONAME changed from %s to %s: programs and dlopen() callers that "
			"load this object by its old name will not find NEW",
			or_none(o->soname), or_none(n->soname));
		detail_old_new(f, o->soname, n->soname);
	}
	if (str_changed(o->rpath, n->rpath)) {
		f = rc_result_add(out, RC_SEV_WARN, "rpath.changed",
				  "DT_RPATH changed from %s to %s: NEW searches different "
				  "directories for its libraries",
				  or_none(o->rpath), or_none(n->rpath));
		detail_old_new(f, o->rpath, n->rpath);
	}
	if (str_changed(o->runpath, n->runpath)) {
		f = rc_result_add(out, RC_SEV_WARN, "runpath.changed",
				  "DT_RUNPATH changed from %s to %s: NEW searches different "
				  "directories for its libraries",
				  or_none(o->runpath), or_none(n->runpath));
		detail_old_new(f, o->runpath, n->runpath);
	}
}

/* Versions @elf requires from libc.so.6, as a set. */
static int libc_verneeds(struct rc_elf *elf, struct strset *set, struct rc_err *err)
{
	const struct rc_elf_verneed *vn;
	const char **names;
	size_t n, k = 0;
	int rc;

	set->v = NULL;
	set->n = 0;
	rc = rc_elf_verneeds(elf, &vn, &n, err);
	if (rc < 0)
		return rc;
	if (n == 0)
		return 0;
	names = malloc(n * sizeof(*names));
	if (!names)
		return rc_err_set(err, -RC_ENOMEM, "out of memory comparing symbol versions");
	for (size_t i = 0; i < n; i++)
		if (vn[i].file && vn[i].version && strcmp(vn[i].file, LIBC_SONAME) == 0)
			names[k++] = vn[i].version;
	rc = strset_init(set, names, k, err);
	free(names);
	return rc;
}

static void unavailable(struct rc_check_result *out, const struct rc_ctx *ctx,
			const struct rc_elf_verneed *vn, const char *host_max,
			const unsigned long max[3])
{
	struct rc_finding *f;
	unsigned long v[3];
	bool below_max = host_max && glibc_version(vn->version, v) && cmp_version(v, max) < 0;

	if (vn->weak) {
		f = rc_result_add(
			out, RC_SEV_INFO, "version.unavailable_weak",
			"NEW weakly requires %s, which the host's libc does not define "
			"(its highest is %s): NEW still loads, but code that uses it must "
			"check at run time",
			vn->version, or_none(host_max));
	} else if (!host_max) {
		f = rc_result_add(
			out, RC_SEV_FAIL, "version.unavailable",
			"NEW needs %s but the host's libc defines no GLIBC versions: exec "
			"will fail",
			vn->version);
	} else if (below_max) {
		/* Older than the newest but absent: a different architecture or a trimmed libc. */
		f = rc_result_add(out, RC_SEV_FAIL, "version.unavailable",
				  "NEW needs %s but the host's libc (up to %s) does not define it: "
				  "exec will fail",
				  vn->version, host_max);
	} else {
		f = rc_result_add(out, RC_SEV_FAIL, "version.unavailable",
				  "NEW needs %s but the host's libc provides at most %s: exec will "
				  "fail",
				  vn->version, host_max);
	}
	rc_finding_str(f, "version", vn->version);
	rc_finding_str(f, "library", vn->file);
	if (host_max)
		rc_finding_str(f, "host_max", host_max);
	if (ctx->host_libc_path)
		rc_finding_str(f, "host_libc", ctx->host_libc_path);
	rc_finding_bool(f, "weak", vn->weak);
}

static int check_versions(const struct rc_ctx *ctx, struct rc_check_result *out, struct rc_err *err)
{
	const struct rc_elf_verneed *vn;
	const char *const *defs;
	const char *host_max;
	unsigned long max[3] = {0, 0, 0};
	struct strset host = {0}, old = {0};
	size_t n, n_defs, n_libc = 0, n_missing = 0;
	struct rc_finding *f;
	int rc;

	rc = rc_elf_verneeds(ctx->new_elf, &vn, &n, err);
	if (rc < 0)
		return rc;
	rc_result_metric(out, "new_required_versions", (int64_t)n);
	for (size_t i = 0; i < n; i++)
		if (vn[i].file && vn[i].version && strcmp(vn[i].file, LIBC_SONAME) == 0)
			n_libc++;
	if (n_libc == 0)
		return 0;

	if (!ctx->host_libc) {
		const char *problem =
			ctx->host_libc_problem ? ctx->host_libc_problem : "no host libc was given";

		f = rc_result_add(out, RC_SEV_INFO, "version.unchecked",
				  "the %zu symbol versions NEW requires from %s were not checked "
				  "against the host's libc: %s",
				  n_libc, LIBC_SONAME, problem);
		rc_finding_str(f, "problem", problem);
		if (ctx->host_libc_path)
			rc_finding_str(f, "host_libc", ctx->host_libc_path);
		return 0;
	}

	rc = rc_elf_verdefs(ctx->host_libc, &defs, &n_defs, err);
	if (rc < 0)
		return rc;
	host_max = glibc_max(defs, n_defs, max);
	rc = strset_init(&host, defs, n_defs, err);
	if (rc < 0)
		goto out;
	rc = libc_verneeds(ctx->old_elf, &old, err);
	if (rc < 0)
		goto out;

	for (size_t i = 0; i < n; i++) {
		if (!vn[i].file || !vn[i].version || strcmp(vn[i].file, LIBC_SONAME) != 0)
			continue;
		if (!strset_has(&host, vn[i].version)) {
			unavailable(out, ctx, &vn[i], host_max, max);
			n_missing++;
			continue;
		}
		if (strset_has(&old, vn[i].version))
			continue;
		f = rc_result_add(out, RC_SEV_INFO, "version.added",
				  "NEW newly requires %s from %s; the host's libc provides it",
				  vn[i].version, vn[i].file);
		rc_finding_str(f, "version", vn[i].version);
		rc_finding_str(f, "library", vn[i].file);
		if (host_max)
			rc_finding_str(f, "host_max", host_max);
	}
	rc_result_metric(out, "host_libc_versions", (int64_t)n_defs);
	rc_result_metric(out, "versions_unavailable", (int64_t)n_missing);
out:
	strset_release(&host);
	strset_release(&old);
	return rc;
}

static int dynamic_deps_run(const struct rc_ctx *ctx, struct rc_check_result *out,
			    struct rc_err *err)
{
	const struct rc_elf_dynamic *o, *n;
	int rc;

	rc = rc_elf_dynamic(ctx->old_elf, &o, err);
	if (rc < 0)
		return rc;
	rc = rc_elf_dynamic(ctx->new_elf, &n, err);
	if (rc < 0)
		return rc;

	rc = compare_needed(out, o, n, err);
	if (rc < 0)
		return rc;
	compare_paths(out, o, n);
	return check_versions(ctx, out, err);
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"needed.added",	       "needed.removed",
	"soname.changed",      "rpath.changed",
	"runpath.changed",     "version.unavailable_weak",
	"version.unavailable", "version.unchecked",
	"version.added",       NULL,
};

const struct rc_check rc_check_dynamic_deps = {
	.id = "dynamic-deps",
	.summary =
		"DT_NEEDED, SONAME, RPATH/RUNPATH and required glibc versions vs the host's libc",
	.explain =
		"Compares what OLD and NEW ask of the dynamic linker: the shared libraries they "
		"need (DT_NEEDED), their SONAME and their library search paths (DT_RPATH, "
		"DT_RUNPATH), and checks every symbol version NEW requires from libc.so.6 "
		"(.gnu.version_r, e.g. GLIBC_2.38) against the versions the host's libc defines "
		"(or the libc under --sysroot). An in-place reload execs NEW on the host where "
		"OLD is running; if NEW was built against a newer glibc than the host has, the "
		"dynamic linker refuses to start it ('version GLIBC_2.38 not found'), the old "
		"process is already gone and the service is down. version.unavailable fails the "
		"gate: build NEW on (or for) the oldest glibc you deploy to, in a container or "
		"sysroot matching the hosts, or upgrade the hosts first; a weak requirement "
		"only produces version.unavailable_weak (info). version.added lists versions NEW "
		"newly needs that the host does provide, and version.unchecked says the check "
		"could not find the host's libc. needed.added means a library must be installed "
		"everywhere before the reload; needed.removed is informational. soname.changed, "
		"rpath.changed and runpath.changed warn because NEW is looked up, or looks for "
		"its libraries, somewhere else: make sure the new names and directories exist "
		"on the hosts, and prefer RUNPATH with $ORIGIN over absolute build paths.",
	.needs = RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC,
	.codes = finding_codes,
	.run = dynamic_deps_run,
};
