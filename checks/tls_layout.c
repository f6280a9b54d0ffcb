/* SPDX-License-Identifier: MIT */
/*
 * tls-layout: the executable's static TLS block (PT_TLS) and the thread-local
 * variables in it. Exec resets all of it: NEW's threads start from NEW's
 * initial image, whatever OLD's threads had accumulated.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

/* Larger initial values are shown as their first this many bytes. */
#define INITIAL_MAX 32

/* Defined STT_TLS symbols of one table, sorted by name, then offset. */
struct tls_vars {
	bool present; /* the table exists */
	const struct rc_elf_sym **v;
	size_t n;
};

struct tls_side {
	bool has_seg;
	struct rc_elf_segment seg;
	struct tls_vars symtab, dynsym;
};

static int cmp_var(const void *a, const void *b)
{
	const struct rc_elf_sym *x = *(const struct rc_elf_sym *const *)a;
	const struct rc_elf_sym *y = *(const struct rc_elf_sym *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->value < y->value ? -1 : x->value > y->value;
}

static bool is_tls_var(const struct rc_elf_sym *s)
{
	return s->type == STT_TLS && s->defined && s->name && s->name[0];
}

static int load_vars(struct rc_elf *elf, enum rc_elf_table which, struct tls_vars *vars,
		     struct rc_err *err)
{
	const struct rc_elf_sym *syms;
	size_t n, k = 0;
	int rc;

	rc = rc_elf_symbols(elf, which, &syms, &n, &vars->present, err);
	if (rc < 0)
		return rc;
	/* The symbol table can be large; TLS variables are few. Count, then copy. */
	for (size_t i = 0; i < n; i++)
		if (is_tls_var(&syms[i]))
			k++;
	if (k == 0)
		return 0;
	vars->v = malloc(k * sizeof(*vars->v));
	if (!vars->v)
		return rc_err_set(err, -RC_ENOMEM,
				  "out of memory listing the TLS variables of '%s'",
				  rc_elf_path(elf));
	for (size_t i = 0; i < n; i++)
		if (is_tls_var(&syms[i]))
			vars->v[vars->n++] = &syms[i];
	qsort(vars->v, vars->n, sizeof(*vars->v), cmp_var);
	return 0;
}

static int load(struct rc_elf *elf, struct tls_side *side, struct rc_err *err)
{
	int rc;

	side->has_seg = rc_elf_find_segment(elf, PT_TLS, &side->seg) == 0;
	rc = load_vars(elf, RC_ELF_SYMTAB, &side->symtab, err);
	if (rc < 0)
		return rc;
	return load_vars(elf, RC_ELF_DYNSYM, &side->dynsym, err);
}

static void release(struct tls_side *side)
{
	free(side->symtab.v);
	free(side->dynsym.v);
}

/* The table that names a side's TLS variables best: .symtab, else .dynsym. */
static const struct tls_vars *best(const struct tls_side *side)
{
	return side->symtab.present ? &side->symtab : &side->dynsym;
}

static void compare_segments(struct rc_check_result *out, const struct tls_side *o,
			     const struct tls_side *n)
{
	const struct rc_elf_segment *os = &o->seg, *ns = &n->seg;
	struct rc_finding *f;

	if (!o->has_seg && !n->has_seg)
		return;
	if (!o->has_seg) {
		f = rc_result_add(
			out, RC_SEV_WARN, "tls.segment_added",
			"NEW has a PT_TLS segment (%" PRIu64 " bytes, align %" PRIu64
			") and OLD had none: every thread of NEW carries thread-local state "
			"that OLD did not have",
			ns->memsz, ns->align);
		rc_finding_uint(f, "new_size", ns->memsz);
		rc_finding_uint(f, "new_align", ns->align);
		rc_finding_uint(f, "new_init_size", ns->filesz);
		return;
	}
	if (!n->has_seg) {
		f = rc_result_add(
			out, RC_SEV_WARN, "tls.segment_removed",
			"NEW has no PT_TLS segment (OLD had %" PRIu64
			" bytes): the thread-local state OLD kept per thread is gone, and "
			"probes that read it will find nothing",
			os->memsz);
		rc_finding_uint(f, "old_size", os->memsz);
		rc_finding_uint(f, "old_align", os->align);
		rc_finding_uint(f, "old_init_size", os->filesz);
		return;
	}
	if (os->memsz != ns->memsz) {
		f = rc_result_add(out, RC_SEV_WARN, "tls.size_changed",
				  "PT_TLS memsz %s from %" PRIu64 " to %" PRIu64
				  " bytes: the static TLS block of every thread changes, and TLS "
				  "offsets recorded against OLD no longer apply",
				  ns->memsz > os->memsz ? "grew" : "shrank", os->memsz, ns->memsz);
		rc_finding_uint(f, "old", os->memsz);
		rc_finding_uint(f, "new", ns->memsz);
	}
	if (os->align != ns->align) {
		f = rc_result_add(out, RC_SEV_WARN, "tls.align_changed",
				  "PT_TLS alignment changed from %" PRIu64 " to %" PRIu64
				  " bytes: the TLS block moves relative to the thread pointer, so "
				  "thread-pointer-relative offsets from OLD no longer apply",
				  os->align, ns->align);
		rc_finding_uint(f, "old", os->align);
		rc_finding_uint(f, "new", ns->align);
	}
	if (os->filesz != ns->filesz) {
		f = rc_result_add(out, RC_SEV_INFO, "tls.init_size_changed",
				  "PT_TLS initial image (filesz, .tdata) changed from %" PRIu64
				  " to %" PRIu64 " bytes",
				  os->filesz, ns->filesz);
		rc_finding_uint(f, "old", os->filesz);
		rc_finding_uint(f, "new", ns->filesz);
	}
}

static const char *bytes(uint64_t n)
{
	return n == 1 ? "byte" : "bytes";
}

static void var_added(struct rc_check_result *out, const struct rc_elf_sym *s)
{
	struct rc_finding *f;

	f = rc_result_add(out, RC_SEV_WARN, "tls.var_added",
			  "NEW adds TLS variable %s (%" PRIu64 " %s at TLS offset %" PRIu64
			  "): per-thread state that OLD's threads never had",
			  s->name, s->size, bytes(s->size), s->value);
	rc_finding_str(f, "name", s->name);
	rc_finding_uint(f, "new_size", s->size);
	rc_finding_uint(f, "new_offset", s->value);
}

static void var_removed(struct rc_check_result *out, const struct rc_elf_sym *s)
{
	struct rc_finding *f;

	f = rc_result_add(out, RC_SEV_WARN, "tls.var_removed",
			  "NEW drops TLS variable %s (%" PRIu64 " %s at TLS offset %" PRIu64
			  "): per-thread state kept in it is not carried over, and probes that "
			  "read it must change",
			  s->name, s->size, bytes(s->size), s->value);
	rc_finding_str(f, "name", s->name);
	rc_finding_uint(f, "old_size", s->size);
	rc_finding_uint(f, "old_offset", s->value);
}

static void var_changed(struct rc_check_result *out, const struct rc_elf_sym *o,
			const struct rc_elf_sym *n)
{
	struct rc_finding *f;

	if (o->size != n->size) {
		f = rc_result_add(out, RC_SEV_WARN, "tls.var_resized",
				  "TLS variable %s changed size from %" PRIu64 " to %" PRIu64
				  " bytes: code and probes that read it with OLD's layout see the "
				  "wrong bytes",
				  n->name, o->size, n->size);
		rc_finding_str(f, "name", n->name);
		rc_finding_uint(f, "old_size", o->size);
		rc_finding_uint(f, "new_size", n->size);
		rc_finding_uint(f, "old_offset", o->value);
		rc_finding_uint(f, "new_offset", n->value);
	}
	if (o->value != n->value) {
		f = rc_result_add(out, RC_SEV_INFO, "tls.var_moved",
				  "TLS variable %s moved from TLS offset %" PRIu64 " to %" PRIu64,
				  n->name, o->value, n->value);
		rc_finding_str(f, "name", n->name);
		rc_finding_uint(f, "old_offset", o->value);
		rc_finding_uint(f, "new_offset", n->value);
	}
}

static void compare_tables(struct rc_check_result *out, const struct tls_vars *o,
			   const struct tls_vars *n)
{
	size_t i = 0, j = 0;

	while (i < o->n || j < n->n) {
		int c;

		if (i == o->n)
			c = 1;
		else if (j == n->n)
			c = -1;
		else
			c = strcmp(o->v[i]->name, n->v[j]->name);
		if (c < 0) {
			var_removed(out, o->v[i++]);
		} else if (c > 0) {
			var_added(out, n->v[j++]);
		} else {
			var_changed(out, o->v[i], n->v[j]);
			i++;
			j++;
		}
	}
}

/*
 * Compare like with like: .symtab when both have one, else .dynsym, so that a
 * stripped NEW does not look as if it had dropped every TLS variable.
 */
static void compare_vars(struct rc_check_result *out, const struct tls_side *o,
			 const struct tls_side *n)
{
	struct rc_finding *f;

	if (o->symtab.present && n->symtab.present) {
		compare_tables(out, &o->symtab, &n->symtab);
		return;
	}
	compare_tables(out, &o->dynsym, &n->dynsym);
	if (o->symtab.present && o->symtab.n) {
		f = rc_result_add(out, RC_SEV_INFO, "tls.vars_unnamed",
				  "NEW has no .symtab, so OLD's %zu TLS variable%s could only be "
				  "compared through .dynsym; the PT_TLS segment was still compared",
				  o->symtab.n, o->symtab.n == 1 ? "" : "s");
		rc_finding_uint(f, "old", o->symtab.n);
	} else if (n->symtab.present && n->symtab.n) {
		f = rc_result_add(out, RC_SEV_INFO, "tls.vars_unnamed",
				  "OLD has no .symtab, so NEW's %zu TLS variable%s could only be "
				  "compared through .dynsym; the PT_TLS segment was still compared",
				  n->symtab.n, n->symtab.n == 1 ? "" : "s");
		rc_finding_uint(f, "new", n->symtab.n);
	}
}

/* One info finding: what @s holds when a thread of NEW starts. */
static void initial_value(struct rc_check_result *out, const struct rc_elf *elf,
			  const struct tls_side *n, const struct rc_elf_sym *s)
{
	unsigned char buf[INITIAL_MAX];
	size_t want = s->size < INITIAL_MAX ? (size_t)s->size : INITIAL_MAX;
	bool tdata = n->has_seg && s->value < n->seg.filesz;
	bool numeric = s->size == 1 || s->size == 2 || s->size == 4 || s->size == 8;
	bool zero = true;
	struct rc_finding *f;
	char text[3 * INITIAL_MAX + 16];

	memset(buf, 0, sizeof(buf));
	if (tdata && want) {
		/* Bytes past filesz are .tbss and start as zero. */
		uint64_t in_file = n->seg.filesz - s->value;
		size_t avail = 0;
		const unsigned char *p = rc_elf_vaddr_bytes(elf, n->seg.vaddr + s->value, &avail);

		if (in_file < want)
			want = (size_t)in_file;
		if (!p) {
			f = rc_result_add(out, RC_SEV_INFO, "tls.initial",
					  "%s (%" PRIu64 " %s) starts from .tdata at TLS offset "
					  "%" PRIu64 ", which is not readable from the file",
					  s->name, s->size, bytes(s->size), s->value);
			rc_finding_str(f, "name", s->name);
			rc_finding_uint(f, "size", s->size);
			rc_finding_uint(f, "offset", s->value);
			rc_finding_str(f, "section", ".tdata");
			return;
		}
		memcpy(buf, p, avail < want ? avail : want);
		want = s->size < INITIAL_MAX ? (size_t)s->size : INITIAL_MAX;
	}
	for (size_t i = 0; i < want; i++)
		if (buf[i])
			zero = false;

	if (s->size == 0) {
		f = rc_result_add(out, RC_SEV_INFO, "tls.initial",
				  "%s (size unknown) starts at TLS offset %" PRIu64 " in every new "
				  "thread",
				  s->name, s->value);
	} else if (numeric) {
		uint64_t v = rc_elf_read_uint(elf, buf, (size_t)s->size);
		unsigned bits = 8 * (unsigned)s->size;
		uint64_t sign = (uint64_t)1 << (bits - 1);

		if (s->size == 1 && v >= 0x20 && v < 0x7f) {
			snprintf(text, sizeof(text), "%" PRIu64 " ('%c')", v, (char)v);
		} else if (v & sign) {
			int64_t neg = bits == 64 ? (int64_t)v : (int64_t)(v - (sign << 1));

			snprintf(text, sizeof(text), "0x%" PRIx64 " (%" PRId64 " as signed)", v,
				 neg);
		} else {
			snprintf(text, sizeof(text), "%" PRIu64, v);
		}
		f = rc_result_add(out, RC_SEV_INFO, "tls.initial",
				  "%s (%" PRIu64 " %s) starts as %s in every new thread", s->name,
				  s->size, bytes(s->size), text);
		rc_finding_uint(f, "value", v);
	} else {
		/* Only the first bytes of a large .tdata variable were looked at. */
		bool partial = tdata && s->size > INITIAL_MAX;

		if (zero) {
			snprintf(text, sizeof(text), partial ? "zero bytes" : "all zero bytes");
		} else {
			char *p = text;

			for (size_t i = 0; i < want; i++) {
				snprintf(p, 4, "%s%02x", i ? " " : "", buf[i]);
				p += i ? 3 : 2;
			}
		}
		f = rc_result_add(out, RC_SEV_INFO, "tls.initial",
				  "%s (%" PRIu64 " bytes) starts as %s%s in every new thread",
				  s->name, s->size, text, partial ? " (first 32 bytes)" : "");
		if (!zero) {
			char hex[2 * INITIAL_MAX + 1];

			rc_hex(buf, want, hex, sizeof(hex));
			rc_finding_str(f, "bytes", hex);
		}
	}
	rc_finding_str(f, "name", s->name);
	rc_finding_uint(f, "size", s->size);
	rc_finding_uint(f, "offset", s->value);
	rc_finding_str(f, "section", tdata ? ".tdata" : ".tbss");
}

static int tls_layout_run(const struct rc_ctx *ctx, struct rc_check_result *out, struct rc_err *err)
{
	struct tls_side o = {0}, n = {0};
	const struct tls_vars *listed;
	int rc;

	rc = load(ctx->old_elf, &o, err);
	if (rc < 0)
		goto out;
	rc = load(ctx->new_elf, &n, err);
	if (rc < 0)
		goto out;

	compare_segments(out, &o, &n);
	compare_vars(out, &o, &n);
	listed = best(&n);
	for (size_t i = 0; i < listed->n; i++)
		initial_value(out, ctx->new_elf, &n, listed->v[i]);

	rc_result_metric(out, "old_tls_size", o.has_seg ? (int64_t)o.seg.memsz : 0);
	rc_result_metric(out, "new_tls_size", n.has_seg ? (int64_t)n.seg.memsz : 0);
	rc_result_metric(out, "old_tls_vars", (int64_t)best(&o)->n);
	rc_result_metric(out, "tls_vars", (int64_t)listed->n);
out:
	release(&o);
	release(&n);
	return rc;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"tls.segment_added",	 "tls.segment_removed", "tls.size_changed", "tls.align_changed",
	"tls.init_size_changed", "tls.var_added",	"tls.var_removed",  "tls.var_resized",
	"tls.var_moved",	 "tls.vars_unnamed",	"tls.initial",	    NULL,
};

const struct rc_check rc_check_tls_layout = {
	.id = "tls-layout",
	.summary = "PT_TLS size and alignment, thread-local variables and their initial values",
	.explain = "Compares the static thread-local storage of OLD and NEW: the PT_TLS segment "
		   "(block size memsz, alignment, initial image filesz) and the STT_TLS variables "
		   "in it (from .symtab, or .dynsym when the file is stripped), matched by name, "
		   "and lists the value every TLS variable of NEW starts with. This is the C "
		   "context that an in-place reload resets: exec throws away every thread, and "
		   "NEW's threads start from NEW's initial image (.tdata, with .tbss zeroed), "
		   "whatever per-thread state, caches or canaries OLD had built up. Variables "
		   "added or removed (tls.var_added, tls.var_removed) and a segment that appears "
		   "or disappears (tls.segment_added, tls.segment_removed) change that context; "
		   "make sure NEW rebuilds any state it needs on each thread and that nothing "
		   "expects values to survive. A different block size or alignment "
		   "(tls.size_changed, tls.align_changed) or a resized variable (tls.var_resized) "
		   "moves data relative to the thread pointer: TLS canary probes and debugger or "
		   "eBPF scripts that read offsets computed from OLD must be regenerated from NEW "
		   "(reloadcheck's proc-tls does this per binary). A moved variable "
		   "(tls.var_moved) and a changed initial image size (tls.init_size_changed) are "
		   "reported as info; so is tls.vars_unnamed, when only one side has a .symtab and "
		   "variables can only be matched through .dynsym. The tls.initial findings "
		   "document each variable's starting value so that a canary can be checked "
		   "against it after the reload.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = tls_layout_run,
};
