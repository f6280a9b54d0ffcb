/* SPDX-License-Identifier: MIT */
/*
 * dwarf-layout: the memory layout of state types that outlive the process
 * image (shared memory, mmap'd files, state written raw to an inherited fd).
 * Compares the types named with --state-type or the policy's state_types, and
 * always the types of TLS variables and exported data objects. Verdict rules:
 * a changed size or member offset, a removed or retyped member, a moved
 * bit-field, a resized array and a changed enum value fail; a member added
 * into padding (size unchanged) warns; a member only renamed informs.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

#define MAX_TYPES 256 /* variables' types compared at most, beyond the named ones */

struct cmp {
	struct rc_check_result *res;
	const char *subject; /* what led to the type: "state type", "TLS variable 'x'" */
	/* names of nested types already compared (cycles and repeats) */
	const char *seen[64];
	size_t n_seen;
	size_t compared;
};

static const struct rc_layout_member *find_member(const struct rc_layout *l, const char *name)
{
	for (size_t i = 0; i < l->n_members; i++)
		if (!strcmp(l->members[i].name, name))
			return &l->members[i];
	return NULL;
}

static const struct rc_layout *find_nested(const struct rc_layout *l, const char *name)
{
	for (size_t i = 0; i < l->n_nested; i++)
		if (!strcmp(l->nested[i]->name, name))
			return l->nested[i];
	return NULL;
}

static struct rc_finding *add(struct cmp *c, enum rc_severity sev, const char *code,
			      const struct rc_layout *l, const char *member, const char *fmt,
			      const char *a, const char *b)
{
	char msg[512];
	struct rc_finding *f;

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	if (member && *member)
		f = rc_result_add(c->res, sev, code, "%s.%s (%s): %s", l->name, member, c->subject,
				  msg);
	else
		f = rc_result_add(c->res, sev, code, "%s (%s): %s", l->name, c->subject, msg);
	rc_finding_str(f, "type", l->name);
	if (member)
		rc_finding_str(f, "member", member);
	return f;
}

static void u64s(uint64_t a, uint64_t b, char *sa, char *sb)
{
	snprintf(sa, 24, "%llu", (unsigned long long)a);
	snprintf(sb, 24, "%llu", (unsigned long long)b);
}

/* "char[16]" vs "char[32]": the same element type, other dimensions. */
static bool only_dims_differ(const char *a, const char *b)
{
	const char *pa = strchr(a, '['), *pb = strchr(b, '[');

	return pa && pb && pa - a == pb - b && !strncmp(a, b, (size_t)(pa - a));
}

static bool same_shape(const struct rc_layout_member *a, const struct rc_layout_member *b)
{
	return a->offset == b->offset && a->size == b->size && a->bit_offset == b->bit_offset &&
	       a->bit_size == b->bit_size && !strcmp(a->type, b->type);
}

static void compare_members(struct cmp *c, const struct rc_layout *o, const struct rc_layout *n)
{
	char sa[24], sb[24];
	uint64_t old_end = 0;

	for (size_t i = 0; i < o->n_members; i++) {
		const struct rc_layout_member *om = &o->members[i];
		const struct rc_layout_member *nm = find_member(n, om->name);
		struct rc_finding *f;

		if (om->offset + om->size > old_end)
			old_end = om->offset + om->size;
		if (!nm) {
			/* The same member under another name is a rename, not a removal. */
			for (size_t k = 0; k < n->n_members; k++) {
				if (!find_member(o, n->members[k].name) &&
				    same_shape(om, &n->members[k])) {
					nm = &n->members[k];
					break;
				}
			}
			if (nm) {
				f = add(c, RC_SEV_INFO, "dwarf.renamed", o, om->name,
					"renamed to '%s'%s", nm->name, "");
				rc_finding_str(f, "new_name", nm->name);
			} else {
				f = add(c, RC_SEV_FAIL, "dwarf.member_removed", o, om->name,
					"removed (type %s)%s", om->type, "");
			}
			continue;
		}
		if (om->offset != nm->offset) {
			u64s(om->offset, nm->offset, sa, sb);
			f = add(c, RC_SEV_FAIL, "dwarf.offset_changed", o, om->name,
				"moved from offset %s to %s: NEW reads the old state at the wrong "
				"place",
				sa, sb);
			rc_finding_uint(f, "old_offset", om->offset);
			rc_finding_uint(f, "new_offset", nm->offset);
		}
		if (om->bit_offset != nm->bit_offset || om->bit_size != nm->bit_size) {
			char ba[48], bb[48];

			snprintf(ba, sizeof(ba), "%lld:%llu", (long long)om->bit_offset,
				 (unsigned long long)om->bit_size);
			snprintf(bb, sizeof(bb), "%lld:%llu", (long long)nm->bit_offset,
				 (unsigned long long)nm->bit_size);
			f = add(c, RC_SEV_FAIL, "dwarf.bitfield_moved", o, om->name,
				"bit-field moved from bit:width %s to %s", ba, bb);
		}
		if (strcmp(om->type, nm->type)) {
			if (only_dims_differ(om->type, nm->type))
				f = add(c, RC_SEV_FAIL, "dwarf.array_resized", o, om->name,
					"array resized from %s to %s", om->type, nm->type);
			else
				f = add(c, RC_SEV_FAIL, "dwarf.member_retyped", o, om->name,
					"type changed from %s to %s", om->type, nm->type);
			rc_finding_str(f, "old_type", om->type);
			rc_finding_str(f, "new_type", nm->type);
		} else if (om->size != nm->size) {
			u64s(om->size, nm->size, sa, sb);
			add(c, RC_SEV_FAIL, "dwarf.member_retyped", o, om->name,
			    "size changed from %s to %s bytes", sa, sb);
		}
	}
	for (size_t i = 0; i < n->n_members; i++) {
		const struct rc_layout_member *nm = &n->members[i];
		bool renamed = false;
		struct rc_finding *f;

		if (find_member(o, nm->name))
			continue;
		for (size_t k = 0; k < o->n_members && !renamed; k++)
			renamed = !find_member(n, o->members[k].name) &&
				  same_shape(&o->members[k], nm);
		if (renamed)
			continue;
		u64s(nm->offset, old_end, sa, sb);
		if (o->size == n->size) {
			f = add(c, RC_SEV_WARN, "dwarf.member_added_in_padding", o, nm->name,
				"added at offset %s into padding (the size is unchanged): old "
				"state "
				"has garbage or zeros there%s",
				sa, "");
		} else {
			/* A grown type is reported as dwarf.size_changed already. */
			f = add(c, RC_SEV_INFO, "dwarf.member_added", o, nm->name,
				"added at offset %s%s", sa, "");
		}
		rc_finding_uint(f, "offset", nm->offset);
	}
}

static void compare_enums(struct cmp *c, const struct rc_layout *o, const struct rc_layout *n)
{
	for (size_t i = 0; i < o->n_enumerators; i++) {
		const struct rc_layout_enumerator *oe = &o->enumerators[i];
		const struct rc_layout_enumerator *ne = NULL;
		struct rc_finding *f;
		char sa[24], sb[24];

		for (size_t k = 0; k < n->n_enumerators && !ne; k++)
			if (!strcmp(n->enumerators[k].name, oe->name))
				ne = &n->enumerators[k];
		if (!ne) {
			f = add(c, RC_SEV_FAIL, "dwarf.member_removed", o, oe->name,
				"enumerator removed%s%s", "", "");
			continue;
		}
		if (ne->value == oe->value)
			continue;
		snprintf(sa, sizeof(sa), "%lld", (long long)oe->value);
		snprintf(sb, sizeof(sb), "%lld", (long long)ne->value);
		f = add(c, RC_SEV_FAIL, "dwarf.enum_value_changed", o, oe->name,
			"value changed from %s to %s: saved state decodes to another enumerator",
			sa, sb);
		rc_finding_int(f, "old_value", oe->value);
		rc_finding_int(f, "new_value", ne->value);
	}
}

static bool seen(struct cmp *c, const char *name)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (!strcmp(c->seen[i], name))
			return true;
	if (c->n_seen < sizeof(c->seen) / sizeof(c->seen[0]))
		c->seen[c->n_seen++] = name;
	return false;
}

static void compare(struct cmp *c, const struct rc_layout *o, const struct rc_layout *n)
{
	char sa[24], sb[24];
	struct rc_finding *f;

	if (seen(c, o->name))
		return;
	c->compared++;
	if (o->kind != n->kind) {
		add(c, RC_SEV_FAIL, "dwarf.kind_changed", o, NULL,
		    "is now a different kind of type%s%s", "", "");
		return;
	}
	if (o->size != n->size) {
		u64s(o->size, n->size, sa, sb);
		f = add(c, RC_SEV_FAIL, "dwarf.size_changed", o, NULL,
			"size changed from %s to %s bytes: state written by OLD does not fit "
			"NEW's type",
			sa, sb);
		rc_finding_uint(f, "old_size", o->size);
		rc_finding_uint(f, "new_size", n->size);
	}
	if (o->align && n->align && o->align != n->align) {
		u64s(o->align, n->align, sa, sb);
		add(c, RC_SEV_FAIL, "dwarf.size_changed", o, NULL,
		    "alignment changed from %s to %s", sa, sb);
	}
	if (o->target && n->target && strcmp(o->target, n->target))
		add(c, RC_SEV_FAIL, "dwarf.member_retyped", o, NULL, "now names %s (was %s)",
		    n->target, o->target);
	if (o->n_dims != n->n_dims ||
	    (o->n_dims && memcmp(o->dims, n->dims, o->n_dims * sizeof(*o->dims))))
		add(c, RC_SEV_FAIL, "dwarf.array_resized", o, NULL, "array dimensions changed%s%s",
		    "", "");
	compare_members(c, o, n);
	compare_enums(c, o, n);
	for (size_t i = 0; i < o->n_nested; i++) {
		const struct rc_layout *on = o->nested[i];
		const struct rc_layout *nn = find_nested(n, on->name);

		if (nn)
			compare(c, on, nn);
		else if (!seen(c, on->name))
			add(c, RC_SEV_FAIL, "dwarf.type_missing", on, NULL,
			    "is gone from NEW (it was used by %s)%s", o->name, "");
	}
}

/* The types of variables: TLS ones and exported data objects, present in both. */
static size_t variables(struct rc_elf *elf, const char **names, size_t max)
{
	size_t n = 0;

	for (int t = 0; t < 2; t++) {
		const struct rc_elf_sym *syms;
		size_t count;
		bool present;
		struct rc_err err = {0};

		if (rc_elf_symbols(elf, t ? RC_ELF_SYMTAB : RC_ELF_DYNSYM, &syms, &count, &present,
				   &err))
			continue;
		for (size_t i = 0; i < count && n < max; i++) {
			const struct rc_elf_sym *s = &syms[i];
			bool dup = false;

			if (!s->defined || (s->type != STT_TLS && s->type != STT_OBJECT))
				continue;
			if (s->type == STT_OBJECT && s->bind == STB_LOCAL)
				continue;
			for (size_t k = 0; k < n && !dup; k++)
				dup = !strcmp(names[k], s->name);
			if (!dup)
				names[n++] = s->name;
		}
	}
	return n;
}

static void debuginfo_missing(const struct rc_ctx *ctx, struct rc_check_result *res)
{
	const char *why = ctx->new_dwarf ? ctx->old_dwarf_problem : ctx->new_dwarf_problem;
	const char *who = ctx->new_dwarf ? "OLD" : !ctx->old_dwarf ? "OLD and NEW" : "NEW";
	const char *has = ctx->new_dwarf || ctx->old_dwarf ? "has" : "have";

	if (ctx->require_debuginfo) {
		struct rc_finding *f = rc_result_add(
			res, RC_SEV_FAIL, "dwarf.no_debuginfo",
			"%s %s no debug information, which --require-debuginfo demands: %s", who,
			has, why);
		rc_finding_str(f, "binary", who);
	} else {
		rc_result_skip(res, "%s %s no debug information: %s", who, has, why);
	}
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	struct cmp c = {.res = res};
	const char *vars[MAX_TYPES];
	size_t n_vars;
	char subject[320];

	if (ctx->old_dwarf_corrupt || ctx->new_dwarf_corrupt) {
		rc_result_error(res, "%s",
				ctx->new_dwarf_corrupt ? ctx->new_dwarf_problem
						       : ctx->old_dwarf_problem);
		return 0;
	}
	if (!ctx->old_dwarf || !ctx->new_dwarf) {
		debuginfo_missing(ctx, res);
		return 0;
	}
	for (size_t i = 0; i < ctx->n_state_types; i++) {
		const struct rc_layout *o, *n;
		struct rc_err e = {0};
		int ro = rc_dwarf_type(ctx->old_dwarf, ctx->state_types[i], &o, &e);
		int rn = ro ? ro : rc_dwarf_type(ctx->new_dwarf, ctx->state_types[i], &n, &e);
		struct rc_finding *f;

		if (ro == -RC_ENOENT) {
			f = rc_result_add(res, RC_SEV_WARN, "dwarf.state_type_unknown",
					  "state type '%s' is not in OLD's debug information",
					  ctx->state_types[i]);
			rc_finding_str(f, "type", ctx->state_types[i]);
			continue;
		}
		if (rn == -RC_ENOENT) {
			f = rc_result_add(res, RC_SEV_FAIL, "dwarf.type_missing",
					  "state type '%s' is gone from NEW", ctx->state_types[i]);
			rc_finding_str(f, "type", ctx->state_types[i]);
			continue;
		}
		if (ro || rn) {
			rc_result_error(res, "%s", e.msg);
			return 0;
		}
		c.subject = "state type";
		c.n_seen = 0;
		compare(&c, o, n);
	}
	n_vars = variables(ctx->new_elf, vars, MAX_TYPES);
	for (size_t i = 0; i < n_vars; i++) {
		const struct rc_layout *o, *n;
		struct rc_err e = {0};

		int ro = rc_dwarf_variable(ctx->old_dwarf, vars[i], &o, &e);
		int rn = ro ? ro : rc_dwarf_variable(ctx->new_dwarf, vars[i], &n, &e);

		/* Variables without debug info (crt, libc stubs) are not state types. */
		if (ro == -RC_ENOENT || rn == -RC_ENOENT)
			continue;
		/* Corrupt DWARF found only now is still corrupt: an error, not a pass. */
		if (ro || rn) {
			rc_result_error(res, "%s", e.msg);
			return 0;
		}
		if (o->kind != RC_LAYOUT_STRUCT && o->kind != RC_LAYOUT_UNION &&
		    o->kind != RC_LAYOUT_CLASS && o->kind != RC_LAYOUT_ENUM &&
		    o->kind != RC_LAYOUT_ARRAY && o->kind != RC_LAYOUT_TYPEDEF)
			continue;
		snprintf(subject, sizeof(subject), "the type of '%s'", vars[i]);
		c.subject = subject;
		c.n_seen = 0;
		compare(&c, o, n);
	}
	rc_result_metric(res, "types_compared", (int64_t)c.compared);
	rc_result_metric(res, "dwarf_version", rc_dwarf_version(ctx->new_dwarf));
	return 0;
}

static const char *const finding_codes[] = {
	"dwarf.size_changed",
	"dwarf.offset_changed",
	"dwarf.member_removed",
	"dwarf.member_retyped",
	"dwarf.enum_value_changed",
	"dwarf.bitfield_moved",
	"dwarf.array_resized",
	"dwarf.member_added_in_padding",
	"dwarf.member_added",
	"dwarf.renamed",
	"dwarf.type_missing",
	"dwarf.kind_changed",
	"dwarf.state_type_unknown",
	"dwarf.no_debuginfo",
	NULL,
};

const struct rc_check rc_check_dwarf_layout = {
	.id = "dwarf-layout",
	.summary = "DWARF layouts of state types, TLS variables and exported data: size, offsets",
	.explain = "Some services carry state across a reload outside the process image: shared "
		   "memory, mmap'd files, state written raw to an inherited descriptor or a file "
		   "the new process reads at start. If the layout of those types changed, NEW "
		   "misreads the old state silently. This check reads DWARF with libdwarf (in the "
		   "binary, or a separate debug file found through .gnu_debuglink or the build-id "
		   "path under --debug-dir) and compares the types named with --state-type or the "
		   "policy's state_types, and always the types of TLS variables and exported data "
		   "objects: size and alignment, members by name with offset, size, bit-field "
		   "position and type, recursively through typedefs, arrays and nested structs, "
		   "enum values, typedef targets and array dimensions.\n\n"
		   "A changed size or member offset, a removed or retyped member, a moved "
		   "bit-field, a resized array and a changed enum value fail. A member added into "
		   "padding with the size unchanged warns (old state has zeros or garbage there). "
		   "A member that was only renamed is information. Without debug information the "
		   "check is skipped, or fails with --require-debuginfo; corrupt DWARF is an "
		   "error.\n\n"
		   "To fix: version the state format (a header with a version and size), add new "
		   "members only at the end of a type with spare room, and never reuse enum "
		   "values.",
	.needs = RC_NEEDS_BINARIES | RC_NEEDS_DWARF,
	.codes = finding_codes,
	.run = run,
};
