/* SPDX-License-Identifier: MIT */
/*
 * cgo-boundary: the C side of a Go binary. Whether cgo is linked in, which Go
 * functions C may call (//export), which C functions Go calls, and which C
 * __thread variables NEW starts with. Verdict rules: cgo gone from NEW or an
 * exported function removed fails (C callers and C context break); the rest
 * informs. Names come from the Go function table, so stripped builds work.
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

struct name {
	const char *s;
	size_t len;
};

struct names {
	struct name *v;
	size_t n, cap;
};

struct cgo_info {
	bool is_go;
	bool cgo;
	const char *cgo_evidence;
	bool libc_needed;
	struct names exports; /* //export'ed Go functions */
	struct names c_calls; /* C functions called through cgo */
	struct rc_go_pclntab *tab;
	struct rc_go_buildinfo *bi;
};

static int names_add(struct names *ns, const char *s, size_t len)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].len == len && memcmp(ns->v[i].s, s, len) == 0)
			return 0;
	if (RC_GROW(ns->v, ns->cap, ns->n + 1) < 0)
		return -RC_ENOMEM;
	ns->v[ns->n++] = (struct name){s, len};
	return 0;
}

static bool names_has(const struct names *ns, const struct name *x)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].len == x->len && memcmp(ns->v[i].s, x->s, x->len) == 0)
			return true;
	return false;
}

/*
 * If @name contains @marker followed by an optional build hash "<hex>_", the
 * part after them: "main._cgoexp_1a2b3c4d5e6f_GoAdd" -> "GoAdd".
 */
static bool after_marker(const char *name, size_t len, const char *marker, bool hashed,
			 struct name *out)
{
	size_t mlen = strlen(marker);
	const char *p = memmem(name, len, marker, mlen);
	const char *end = name + len, *q;

	if (!p)
		return false;
	p += mlen;
	if (hashed) {
		q = p;
		while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
			q++;
		if (q - p < 6 || q >= end || *q != '_')
			return false;
		p = q + 1;
	}
	if (p >= end)
		return false;
	*out = (struct name){p, (size_t)(end - p)};
	return true;
}

static int collect_function(struct cgo_info *ci, const char *name, size_t len)
{
	struct name x;

	/* Pure Go has a _cgo_init variable too; crosscall2 and runtime/cgo exist only with cgo. */
	if (!ci->cgo && ((len > 12 && memcmp(name, "runtime/cgo.", 12) == 0) ||
			 (len == 10 && memcmp(name, "crosscall2", 10) == 0))) {
		ci->cgo = true;
		ci->cgo_evidence = "runtime/cgo in the Go function table";
	}
	if (after_marker(name, len, "._cgoexp_", true, &x) ||
	    (len > 8 && memcmp(name, "_cgoexp_", 8) == 0 &&
	     after_marker(name, len, "_cgoexp_", true, &x)))
		return names_add(&ci->exports, x.s, x.len);
	if (after_marker(name, len, "._Cfunc_", false, &x))
		return names_add(&ci->c_calls, x.s, x.len);
	return 0;
}

static int gather(struct rc_elf *elf, struct cgo_info *ci, struct rc_err *err)
{
	const struct rc_elf_dynamic *dyn;
	struct rc_err e = {0};
	int rc;

	rc = rc_go_pclntab_read(elf, &ci->tab, &e);
	if (rc && rc != -RC_ENOENT && rc != -RC_EFORMAT)
		return rc_err_set(err, rc, "%s", e.msg);
	if (rc)
		ci->tab = NULL;
	rc = rc_go_buildinfo_read(elf, &ci->bi, &e);
	if (rc && rc != -RC_ENOENT && rc != -RC_EFORMAT)
		return rc_err_set(err, rc, "%s", e.msg);
	if (rc)
		ci->bi = NULL;
	ci->is_go = ci->tab || ci->bi;
	if (!ci->is_go)
		return 0;
	for (size_t i = 0; ci->tab && i < ci->tab->nfunc; i++) {
		rc = collect_function(ci, ci->tab->funcs[i].name, ci->tab->funcs[i].name_len);
		if (rc)
			return rc_err_set(err, rc, "out of memory");
	}
	for (int t = 0; t < 2; t++) {
		const struct rc_elf_sym *syms;
		size_t n;
		bool present;

		rc = rc_elf_symbols(elf, t ? RC_ELF_DYNSYM : RC_ELF_SYMTAB, &syms, &n, &present,
				    err);
		if (rc)
			return rc;
		for (size_t i = 0; i < n && !ci->cgo; i++) {
			if (!strcmp(syms[i].name, "x_cgo_init") ||
			    !strcmp(syms[i].name, "crosscall2")) {
				ci->cgo = true;
				ci->cgo_evidence = "the x_cgo_init and crosscall2 symbols";
			}
		}
	}
	rc = rc_elf_dynamic(elf, &dyn, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < dyn->n_needed; i++)
		ci->libc_needed |= strcmp(dyn->needed[i], "libc.so.6") == 0;
	return 0;
}

static void release(struct cgo_info *ci)
{
	free(ci->exports.v);
	free(ci->c_calls.v);
	rc_go_pclntab_free(ci->tab);
	rc_go_buildinfo_free(ci->bi);
}

static void diff_names(struct rc_check_result *res, const struct names *o, const struct names *n,
		       bool exports)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct name *x = &o->v[i];
		struct rc_finding *f;

		if (names_has(n, x))
			continue;
		if (exports)
			f = rc_result_add(
				res, RC_SEV_FAIL, "cgo.export_removed",
				"exported Go function %.*s (//export) is gone from NEW: C "
				"code that calls it fails to link or crashes",
				(int)x->len, x->s);
		else
			f = rc_result_add(res, RC_SEV_INFO, "cgo.call_removed",
					  "Go no longer calls C function %.*s", (int)x->len, x->s);
		rc_finding_strn(f, "name", x->s, x->len);
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct name *x = &n->v[i];
		struct rc_finding *f;

		if (names_has(o, x))
			continue;
		if (exports)
			f = rc_result_add(res, RC_SEV_INFO, "cgo.export_added",
					  "NEW exports Go function %.*s to C", (int)x->len, x->s);
		else
			f = rc_result_add(res, RC_SEV_INFO, "cgo.call_added",
					  "Go now calls C function %.*s", (int)x->len, x->s);
		rc_finding_strn(f, "name", x->s, x->len);
	}
}

/* The C __thread variables NEW starts with: the C context every reload resets. */
static int list_tls(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_elf_sym *syms;
	size_t n, count = 0;
	bool symtab, present;
	int rc;

	rc = rc_elf_symbols(ctx->new_elf, RC_ELF_SYMTAB, &syms, &n, &symtab, err);
	present = symtab;
	/* Without .symtab only exported TLS variables still have names. */
	if (!rc && !symtab)
		rc = rc_elf_symbols(ctx->new_elf, RC_ELF_DYNSYM, &syms, &n, &present, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct rc_elf_sym *s = &syms[i];
		struct rc_finding *f;

		if (s->type != STT_TLS || !s->defined || !strncmp(s->name, "runtime.", 8))
			continue;
		f = rc_result_add(res, RC_SEV_INFO, "cgo.tls_var",
				  "C __thread variable %s (%llu bytes) in NEW: every thread starts "
				  "it over after the reload, so C state kept in it is lost",
				  s->name, (unsigned long long)s->size);
		rc_finding_str_borrowed(f, "name", s->name);
		rc_finding_uint(f, "size", s->size);
		count++;
	}
	if (!symtab && !count) {
		struct rc_elf_segment tls;

		if (rc_elf_find_segment(ctx->new_elf, PT_TLS, &tls) == 0) {
			struct rc_finding *f = rc_result_add(
				res, RC_SEV_INFO, "cgo.tls_unnamed",
				"NEW has %llu bytes of thread-local storage (C __thread variables "
				"and the Go runtime's TLS slot) but no symbol table to name them",
				(unsigned long long)tls.memsz);
			rc_finding_uint(f, "size", tls.memsz);
		}
	}
	rc_result_metric(res, "c_tls_vars", (int64_t)count);
	return 0;
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	struct cgo_info o = {0}, n = {0};
	struct rc_finding *f;
	int rc;

	rc = gather(ctx->old_elf, &o, err);
	if (!rc)
		rc = gather(ctx->new_elf, &n, err);
	if (rc)
		goto out;
	if (!o.is_go && !n.is_go) {
		rc_result_skip(res, "neither OLD nor NEW is a Go binary");
		goto out;
	}
	if (!o.cgo && !n.cgo) {
		rc_result_skip(res, "no cgo in OLD or NEW");
		goto out;
	}
	rc_result_metric(res, "old_exports", (int64_t)o.exports.n);
	rc_result_metric(res, "new_exports", (int64_t)n.exports.n);
	rc_result_metric(res, "old_c_calls", (int64_t)o.c_calls.n);
	rc_result_metric(res, "new_c_calls", (int64_t)n.c_calls.n);
	if (o.cgo && !n.cgo) {
		f = rc_result_add(
			res, RC_SEV_FAIL, "cgo.removed",
			"OLD uses cgo (%s) but NEW does not: C callers of its %zu "
			"exported functions and the C context in thread-local storage are "
			"gone after the reload",
			o.cgo_evidence, o.exports.n);
		rc_finding_str(f, "old_evidence", o.cgo_evidence);
		rc_finding_bool(f, "new_libc_needed", n.libc_needed);
	} else if (!o.cgo && n.cgo) {
		f = rc_result_add(res, RC_SEV_INFO, "cgo.added", "NEW uses cgo (%s); OLD did not",
				  n.cgo_evidence);
		rc_finding_str(f, "new_evidence", n.cgo_evidence);
	} else {
		f = rc_result_add(
			res, RC_SEV_INFO, "cgo.present",
			"both use cgo: %zu exported Go functions and %zu C functions called "
			"in NEW (OLD: %zu and %zu)%s",
			n.exports.n, n.c_calls.n, o.exports.n, o.c_calls.n,
			n.libc_needed ? "" : "; NEW does not need libc.so.6");
		rc_finding_bool(f, "new_libc_needed", n.libc_needed);
	}
	diff_names(res, &o.exports, &n.exports, true);
	diff_names(res, &o.c_calls, &n.c_calls, false);
	if (n.cgo)
		rc = list_tls(ctx, res, err);
out:
	release(&o);
	release(&n);
	return rc;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"cgo.export_removed", "cgo.call_removed",
	"cgo.export_added",   "cgo.call_added",
	"cgo.tls_var",	      "cgo.tls_unnamed",
	"cgo.removed",	      "cgo.added",
	"cgo.present",	      NULL,
};

const struct rc_check rc_check_cgo_boundary = {
	.id = "cgo-boundary",
	.summary = "cgo in Go binaries: exported Go functions, C calls, C __thread variables",
	.explain =
		"Looks at the C side of Go binaries. cgo is detected by the runtime/cgo functions "
		"in the Go function table (which survives stripping) or the _cgo_init symbol, "
		"with libc in DT_NEEDED reported alongside. From the Go function table it lists "
		"the Go functions exported to C with //export (the _cgoexp_ wrappers) and the C "
		"functions Go calls (the _Cfunc_ wrappers), with the per-build hash in wrapper "
		"names normalised, and diffs them. It lists the C __thread variables NEW starts "
		"with (TLS symbols other than the Go runtime's): the C context that a reload "
		"resets in every thread.\n\n"
		"Fails when OLD used cgo and NEW does not (C callers and TLS-based C context "
		"break) or when an exported Go function is gone (C code that calls it breaks). "
		"Added exports and changed C calls are information. Skipped when neither file "
		"is a Go binary or neither uses cgo.\n\n"
		"To fix: keep the //export functions that C code relies on, and build NEW with "
		"CGO_ENABLED=1 if OLD needed it.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = run,
};
