/* SPDX-License-Identifier: MIT */
/*
 * go-pclntab: the Go function table that runtime.FuncForPC, stack traces and
 * pprof read. It survives strip and -ldflags=-s -w, so this check, not the ELF
 * symbol table, says whether NEW's Go functions still have names. Verdict
 * rules: NEW without a readable table while OLD had one fails, an inconsistent
 * table fails; the function diff itself informs.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/gobin.h>
#include <reloadcheck/mem.h>
#include <reloadcheck/report.h>
#include <reloadcheck/symdiff.h>

struct table {
	struct rc_go_pclntab *tab;
	const char *problem; /* why there is no table: absent or invalid */
	bool invalid;
	char reason[RC_ERR_MSG_MAX];
};

static const char *version_name(enum rc_go_pclntab_version v)
{
	switch (v) {
	case RC_GO_PCLNTAB_12:
		return "Go 1.2-1.15";
	case RC_GO_PCLNTAB_116:
		return "Go 1.16-1.17";
	case RC_GO_PCLNTAB_118:
		return "Go 1.18-1.19";
	case RC_GO_PCLNTAB_120:
		return "Go 1.20+";
	}
	return "unknown";
}

static int load(const struct rc_elf *elf, struct table *t, struct rc_err *err)
{
	struct rc_err e = {0};
	int rc = rc_go_pclntab_read(elf, &t->tab, &e);

	if (rc == 0)
		return 0;
	t->tab = NULL;
	if (rc == -RC_ENOENT || rc == -RC_EFORMAT) {
		t->invalid = rc == -RC_EFORMAT;
		snprintf(t->reason, sizeof(t->reason), "%s", e.msg);
		return 0;
	}
	*err = e;
	return rc;
}

/*
 * The package of a Go function name: up to the first '.' after the last '/'.
 * Names without one (cgo's _cgoexp_ wrappers, assembly helpers) have none: 0.
 */
static size_t package_len(const char *name, size_t len)
{
	const char *slash = memrchr(name, '/', len);
	const char *from = slash ? slash + 1 : name;
	const char *dot = memchr(from, '.', len - (size_t)(from - name));

	return dot ? (size_t)(dot - name) : 0;
}

struct pkg_counts {
	const char *name;
	size_t len;
	size_t added, removed, resized;
};

struct diff_state {
	struct rc_check_result *res;
	struct pkg_counts *pkgs;
	size_t n_pkgs, cap_pkgs;
	bool oom;
};

static struct pkg_counts *pkg(struct diff_state *st, const char *name, size_t name_len)
{
	size_t len = package_len(name, name_len);

	for (size_t i = 0; i < st->n_pkgs; i++)
		if (st->pkgs[i].len == len && memcmp(st->pkgs[i].name, name, len) == 0)
			return &st->pkgs[i];
	if (RC_GROW(st->pkgs, st->cap_pkgs, st->n_pkgs + 1) < 0) {
		st->oom = true;
		return NULL;
	}
	st->pkgs[st->n_pkgs] = (struct pkg_counts){.name = name, .len = len};
	return &st->pkgs[st->n_pkgs++];
}

static void on_event(void *arg, const struct rc_elf_sym *o, const struct rc_elf_sym *n,
		     unsigned changes)
{
	struct diff_state *st = arg;
	struct rc_finding *f;
	struct pkg_counts *p;

	if (!n) {
		f = rc_result_add(st->res, RC_SEV_INFO, "go.func_removed", "Go function %s removed",
				  o->name);
		rc_finding_str_borrowed(f, "name", o->name);
		rc_finding_uint(f, "old_size", o->size);
		p = pkg(st, o->name, o->name_len);
		if (p)
			p->removed++;
	} else if (!o) {
		f = rc_result_add(st->res, RC_SEV_INFO, "go.func_added", "Go function %s added",
				  n->name);
		rc_finding_str_borrowed(f, "name", n->name);
		rc_finding_uint(f, "new_size", n->size);
		p = pkg(st, n->name, n->name_len);
		if (p)
			p->added++;
	} else if (changes & RC_SYMDIFF_SIZE) {
		f = rc_result_add(st->res, RC_SEV_INFO, "go.func_resized",
				  "Go function %s changed size from %llu to %llu bytes", n->name,
				  (unsigned long long)o->size, (unsigned long long)n->size);
		rc_finding_str_borrowed(f, "name", n->name);
		rc_finding_uint(f, "old_size", o->size);
		rc_finding_uint(f, "new_size", n->size);
		p = pkg(st, n->name, n->name_len);
		if (p)
			p->resized++;
	}
}

/* The function table as symbols for the diff engine: one array, names borrowed. */
static struct rc_elf_sym *as_symbols(const struct rc_go_pclntab *t)
{
	struct rc_elf_sym *s = calloc(t->nfunc ? t->nfunc : 1, sizeof(*s));

	if (!s)
		return NULL;
	for (size_t i = 0; i < t->nfunc; i++)
		s[i] = (struct rc_elf_sym){
			.name = t->funcs[i].name,
			.name_len = t->funcs[i].name_len,
			.value = t->funcs[i].entry,
			.size = t->funcs[i].size,
			.type = STT_FUNC,
			.bind = STB_GLOBAL,
			.defined = true,
			.shndx = 1,
		};
	return s;
}

static int diff_functions(struct rc_check_result *res, const struct rc_go_pclntab *o,
			  const struct rc_go_pclntab *n, struct rc_err *err)
{
	struct rc_elf_sym *os = as_symbols(o), *ns = as_symbols(n);
	struct diff_state st = {.res = res};
	struct rc_symdiff_stats stats;
	int rc = 0;

	if (!os || !ns) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory for %zu Go functions", n->nfunc);
		goto out;
	}
	rc = rc_symdiff(os, o->nfunc, ns, n->nfunc, 0, on_event, &st, &stats, err);
	if (rc)
		goto out;
	if (st.oom) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory counting Go packages");
		goto out;
	}
	for (size_t i = 0; i < st.n_pkgs; i++) {
		const struct pkg_counts *p = &st.pkgs[i];
		struct rc_finding *f;

		f = rc_result_add(res, RC_SEV_INFO, "go.package_changed",
				  "package %.*s: %zu added, %zu removed, %zu resized",
				  p->len ? (int)p->len : 12, p->len ? p->name : "(no package)",
				  p->added, p->removed, p->resized);
		rc_finding_strn(f, "package", p->len ? p->name : "", p->len);
		rc_finding_uint(f, "added", p->added);
		rc_finding_uint(f, "removed", p->removed);
		rc_finding_uint(f, "resized", p->resized);
	}
	if (stats.moved_only) {
		struct rc_finding *f = rc_result_add(
			res, RC_SEV_INFO, "go.funcs_moved",
			"%zu Go functions moved to new addresses with nothing else changed",
			stats.moved_only);
		rc_finding_uint(f, "count", stats.moved_only);
	}
	rc_result_metric(res, "added", (int64_t)stats.added);
	rc_result_metric(res, "removed", (int64_t)stats.removed);
	rc_result_metric(res, "resized", (int64_t)stats.changed);
	rc_result_metric(res, "moved", (int64_t)stats.moved_only);
	rc_result_metric(res, "packages_changed", (int64_t)st.n_pkgs);
out:
	free(st.pkgs);
	free(os);
	free(ns);
	return rc;
}

/* The function table's text range must lie in one executable segment of NEW. */
static bool text_range_ok(const struct rc_elf *elf, const struct rc_go_pclntab *t)
{
	for (size_t i = 0; i < rc_elf_segment_count(elf); i++) {
		struct rc_elf_segment s;

		rc_elf_segment(elf, i, &s);
		if (s.type == PT_LOAD && (s.flags & PF_X) && t->text_start >= s.vaddr &&
		    t->text_end <= s.vaddr + s.memsz)
			return true;
	}
	return false;
}

static void describe(struct rc_check_result *res, const char *role, const struct rc_go_pclntab *t)
{
	struct rc_finding *f = rc_result_add(
		res, RC_SEV_INFO, "go.pclntab",
		"%s: %zu Go functions, %s layout, text 0x%llx-0x%llx, found by %s", role, t->nfunc,
		version_name(t->version), (unsigned long long)t->text_start,
		(unsigned long long)t->text_end, t->where);

	rc_finding_str(f, "role", role);
	rc_finding_uint(f, "functions", t->nfunc);
	rc_finding_str(f, "layout", version_name(t->version));
	rc_finding_str(f, "where", t->where);
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	struct table o = {0}, n = {0};
	struct rc_finding *f;
	int rc;

	rc = load(ctx->old_elf, &o, err);
	if (!rc)
		rc = load(ctx->new_elf, &n, err);
	if (rc)
		goto out;
	if (!o.tab && !n.tab && !o.invalid && !n.invalid) {
		rc_result_skip(res, "no Go function table (.gopclntab) in OLD or NEW");
		goto out;
	}
	rc_result_metric(res, "old_funcs", o.tab ? (int64_t)o.tab->nfunc : 0);
	rc_result_metric(res, "new_funcs", n.tab ? (int64_t)n.tab->nfunc : 0);
	if (n.invalid) {
		f = rc_result_add(
			res, RC_SEV_FAIL, "go.pclntab_invalid",
			"NEW's Go function table is inconsistent (%s): runtime.FuncForPC, "
			"stack traces and pprof would read garbage",
			n.reason);
		rc_finding_str(f, "reason", n.reason);
	} else if (!n.tab && (o.tab || o.invalid)) {
		f = rc_result_add(
			res, RC_SEV_FAIL, "go.pclntab_missing",
			"NEW has no readable Go function table (.gopclntab) but OLD had "
			"one: runtime.FuncForPC, stack traces and pprof function names go "
			"blank after the reload");
		rc_finding_str(f, "reason", n.reason);
	}
	if (o.invalid) {
		f = rc_result_add(res, RC_SEV_INFO, "go.pclntab_old_invalid",
				  "OLD's Go function table is unreadable (%s): not diffed",
				  o.reason);
		rc_finding_str(f, "reason", o.reason);
	}
	if (o.tab)
		describe(res, "OLD", o.tab);
	if (n.tab) {
		describe(res, "NEW", n.tab);
		if (n.tab->nfunc == 0 || !text_range_ok(ctx->new_elf, n.tab)) {
			f = rc_result_add(
				res, RC_SEV_FAIL, "go.pclntab_inconsistent",
				"NEW's Go function table covers text 0x%llx-0x%llx with %zu "
				"functions, which is not inside an executable segment: "
				"FuncForPC would not find NEW's code",
				(unsigned long long)n.tab->text_start,
				(unsigned long long)n.tab->text_end, n.tab->nfunc);
			rc_finding_hex(f, "text_start", n.tab->text_start);
			rc_finding_hex(f, "text_end", n.tab->text_end);
		}
	}
	if (!o.tab && n.tab)
		rc_result_add(res, RC_SEV_INFO, "go.pclntab_gained",
			      "NEW has a Go function table and OLD had none");
	if (o.tab && n.tab)
		rc = diff_functions(res, o.tab, n.tab, err);
out:
	rc_go_pclntab_free(o.tab);
	rc_go_pclntab_free(n.tab);
	return rc;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"go.func_removed",	   "go.func_added",	 "go.func_resized",
	"go.package_changed",	   "go.funcs_moved",	 "go.pclntab",
	"go.pclntab_invalid",	   "go.pclntab_missing", "go.pclntab_old_invalid",
	"go.pclntab_inconsistent", "go.pclntab_gained",	 NULL,
};

const struct rc_check rc_check_go_pclntab = {
	.id = "go-pclntab",
	.summary = "Go function table (.gopclntab): FuncForPC health and the Go function diff",
	.explain =
		"Reads the Go function table (.gopclntab) of OLD and NEW: found by section name, "
		"or by its header magic where PIE and stripped builds hide it in .data.rel.ro; "
		"the Go 1.2, 1.16, 1.18 and 1.20+ layouts are supported. This table, not the ELF "
		"symbol table, is what runtime.FuncForPC, panics' stack traces and pprof use for "
		"function names, and it survives strip and -ldflags=-s -w.\n\n"
		"Fails when NEW has no readable table while OLD had one (function names, stacks "
		"and profiles go blank), or when NEW's table is inconsistent: bad header, "
		"offsets outside the table, entries out of order, or a text range outside NEW's "
		"executable segments. Otherwise it diffs the Go functions by name (cgo wrapper "
		"hashes normalised): added, removed and resized functions with counts per "
		"package, and how many only moved. Skipped when neither file is a Go binary.\n\n"
		"To fix: do not post-process Go binaries with tools that drop or rewrite "
		".gopclntab (objcopy --remove-section, packers such as UPX); strip and -s -w are "
		"fine.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = run,
};
