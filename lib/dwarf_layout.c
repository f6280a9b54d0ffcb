/* SPDX-License-Identifier: MIT */
/*
 * Layouts of types: sizes, alignments, members, enumerators and array
 * dimensions built from DIEs into the arena and cached by DIE offset, their
 * one-line descriptions, and the aggregates a layout nests.
 */
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>
#include <xxhash.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "dwarf_internal.h"

/* Deeper than any real type; corrupted references stop here. */
#define MAX_DEPTH 64
/* Descriptions of types nest at most this deep before "...". */
#define MAX_DESC_DEPTH 12

/* ---- array dimensions ---- */

struct dims {
	uint64_t *v;
	size_t n, cap;
	bool oom;
};

static int add_dim(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
		   struct rc_err *err)
{
	struct dims *d = arg;
	int64_t count = 0, upper = 0, lower = 0;
	bool has_count = false, has_upper = false, has_lower = false;
	uint64_t dim = 0;
	int rc;

	if (tag != DW_TAG_subrange_type)
		return 0;
	rc = rci_attr_const(dw, child, DW_AT_count, false, &count, &has_count, err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_upper_bound, true, &upper, &has_upper, err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_lower_bound, true, &lower, &has_lower, err);
	if (rc < 0)
		return rc;
	if (has_count && count > 0)
		dim = (uint64_t)count;
	else if (!has_count && has_upper && upper >= lower)
		dim = (uint64_t)(upper - lower) + 1;
	if (RC_GROW(d->v, d->cap, d->n + 1) < 0)
		return rci_dwarf_oom(err, "array dimensions");
	d->v[d->n++] = dim;
	return 0;
}

static int array_dims(struct rc_dwarf *dw, Dwarf_Die die, struct dims *d, struct rc_err *err)
{
	return rci_for_children(dw, die, add_dim, d, err);
}

/* ---- descriptions ---- */

static int describe(struct rc_dwarf *dw, struct tref t, struct sbuf *b, int depth,
		    struct rc_err *err);

static const char *aggregate_word(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return "struct";
	case DW_TAG_union_type:
		return "union";
	case DW_TAG_class_type:
		return "class";
	case DW_TAG_enumeration_type:
		return "enum";
	default:
		return NULL;
	}
}

struct desc_ctx {
	struct sbuf *b;
	int depth;
	bool first;
};

/* One member of an anonymous aggregate: "int a; " or "unsigned int f:3; ". */
static int desc_member(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
		       struct rc_err *err)
{
	struct desc_ctx *c = arg;
	struct tref type;
	const char *name = NULL;
	uint64_t bits = 0;
	bool has_bits;
	int rc;

	if (tag != DW_TAG_member)
		return 0;
	rc = rci_die_name(dw, child, &name, err);
	if (rc == 0)
		rc = rci_attr_ref(dw, child, DW_AT_type, &type, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, child, DW_AT_bit_size, &bits, &has_bits, err);
	if (rc == 0)
		rc = describe(dw, type, c->b, c->depth + 1, err);
	if (rc < 0)
		return rc;
	if (name) {
		rci_sb_puts(c->b, " ");
		rci_sb_puts(c->b, name);
	}
	if (has_bits)
		rci_sb_printf(c->b, ":%llu", (unsigned long long)bits);
	rci_sb_puts(c->b, "; ");
	return 0;
}

/*
 * The name (NULL if none) and DW_AT_const_value of @child: 1 when @tag says it
 * is an enumerator, 0 when it is not, or a negative code.
 */
static int read_enumerator(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, bool is_signed,
			   const char **name, int64_t *v, struct rc_err *err)
{
	bool has;
	int rc;

	if (tag != DW_TAG_enumerator)
		return 0;
	rc = rci_die_name(dw, child, name, err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_const_value, is_signed, v, &has, err);
	return rc < 0 ? rc : 1;
}

static int desc_enumerator(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
			   struct rc_err *err)
{
	struct desc_ctx *c = arg;
	const char *name = NULL;
	int64_t v = 0;
	int rc = read_enumerator(dw, child, tag, true, &name, &v, err);

	if (rc <= 0)
		return rc;
	rci_sb_printf(c->b, "%s%s=%lld", c->first ? " " : ", ", name ? name : "", (long long)v);
	c->first = false;
	return 0;
}

static int desc_param(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
		      struct rc_err *err)
{
	struct desc_ctx *c = arg;
	struct tref type;
	int rc;

	if (tag != DW_TAG_formal_parameter && tag != DW_TAG_unspecified_parameters)
		return 0;
	if (!c->first)
		rci_sb_puts(c->b, ", ");
	c->first = false;
	if (tag == DW_TAG_unspecified_parameters) {
		rci_sb_puts(c->b, "...");
		return 0;
	}
	rc = rci_attr_ref(dw, child, DW_AT_type, &type, err);
	if (rc == 0)
		rc = describe(dw, type, c->b, c->depth + 1, err);
	return rc;
}

/* "ret (*)(params)" for a pointer to @die (a subroutine type), else "ret (params)". */
static int describe_fn(struct rc_dwarf *dw, Dwarf_Die die, const struct tinfo *ti, bool pointer,
		       struct sbuf *b, int depth, struct rc_err *err)
{
	struct desc_ctx c = {.b = b, .depth = depth, .first = true};
	bool prototyped = false;
	int rc = describe(dw, ti->type, b, depth + 1, err);

	if (rc < 0)
		return rc;
	rci_sb_puts(b, pointer ? " (*)(" : " (");
	rc = rci_for_children(dw, die, desc_param, &c, err);
	if (rc < 0)
		return rc;
	if (c.first) {
		rc = rci_die_has(dw, die, DW_AT_prototyped, &prototyped, err);
		if (rc < 0)
			return rc;
		if (prototyped)
			rci_sb_puts(b, "void");
	}
	rci_sb_puts(b, ")");
	return 0;
}

/*
 * A C-like description of type @t: "struct node *", "char[16]", "const int",
 * "int (*)(int, char *)"; anonymous aggregates spelt out with their members.
 * Go's types are named by their Go names.
 */
static int describe(struct rc_dwarf *dw, struct tref t, struct sbuf *b, int depth,
		    struct rc_err *err)
{
	struct tinfo ti, target;
	Dwarf_Die die = NULL, tdie = NULL;
	const char *word;
	int rc;

	if (t.none) {
		rci_sb_puts(b, "void");
		return 0;
	}
	if (depth > MAX_DESC_DEPTH) {
		rci_sb_puts(b, "...");
		return 0;
	}
	rc = rci_read_tinfo(dw, t, &ti, &die, err);
	if (rc < 0)
		return rc;
	word = aggregate_word(ti.tag);
	if (ti.name && (ti.go || !word)) {
		/* Named types, and every named Go type ("*main.T", "[]int"). */
		rci_sb_puts(b, ti.name);
		goto out;
	}
	switch (ti.tag) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type: {
		struct desc_ctx c = {.b = b, .depth = depth, .first = true};

		rci_sb_puts(b, word);
		if (ti.name) {
			rci_sb_puts(b, " ");
			rci_sb_puts(b, ti.name);
			break;
		}
		if (ti.tag == DW_TAG_enumeration_type) {
			rci_sb_puts(b, " {");
			rc = rci_for_children(dw, die, desc_enumerator, &c, err);
			rci_sb_puts(b, " }");
		} else {
			rci_sb_puts(b, " { ");
			rc = rci_for_children(dw, die, desc_member, &c, err);
			rci_sb_puts(b, "}");
		}
		break;
	}
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		if (!ti.type.none) {
			rc = rci_read_tinfo(dw, ti.type, &target, &tdie, err);
			if (rc < 0)
				break;
			if (target.tag == DW_TAG_subroutine_type && ti.tag == DW_TAG_pointer_type) {
				rc = describe_fn(dw, tdie, &target, true, b, depth, err);
				dwarf_dealloc_die(tdie);
				break;
			}
			dwarf_dealloc_die(tdie);
		}
		rc = describe(dw, ti.type, b, depth + 1, err);
		rci_sb_puts(b, ti.tag == DW_TAG_pointer_type	 ? " *"
			       : ti.tag == DW_TAG_reference_type ? " &"
								 : " &&");
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type: {
		const char *q = ti.tag == DW_TAG_const_type	 ? "const"
				: ti.tag == DW_TAG_volatile_type ? "volatile"
				: ti.tag == DW_TAG_restrict_type ? "restrict"
								 : "_Atomic";
		Dwarf_Half ttag = 0;

		if (!ti.type.none) {
			rc = rci_read_tinfo(dw, ti.type, &target, NULL, err);
			if (rc < 0)
				break;
			ttag = target.tag;
		}
		if (ttag == DW_TAG_pointer_type || ti.tag == DW_TAG_restrict_type) {
			rc = describe(dw, ti.type, b, depth + 1, err);
			rci_sb_puts(b, " ");
			rci_sb_puts(b, q);
		} else {
			rci_sb_puts(b, q);
			rci_sb_puts(b, " ");
			rc = describe(dw, ti.type, b, depth + 1, err);
		}
		break;
	}
	case DW_TAG_array_type: {
		struct dims d = {0};

		rc = describe(dw, ti.type, b, depth + 1, err);
		if (rc == 0)
			rc = array_dims(dw, die, &d, err);
		for (size_t i = 0; rc == 0 && i < d.n; i++) {
			if (d.v[i])
				rci_sb_printf(b, "[%llu]", (unsigned long long)d.v[i]);
			else
				rci_sb_puts(b, "[]");
		}
		free(d.v);
		break;
	}
	case DW_TAG_subroutine_type:
		rc = describe_fn(dw, die, &ti, false, b, depth, err);
		break;
	default:
		if (ti.name)
			rci_sb_puts(b, ti.name);
		else
			rci_sb_printf(b, "<tag 0x%x>", ti.tag);
		break;
	}
out:
	dwarf_dealloc_die(die);
	return rc;
}

static int describe_dup(struct rc_dwarf *dw, struct tref t, const char **out, struct rc_err *err)
{
	struct sbuf b = {0};
	int rc = describe(dw, t, &b, 0, err);

	if (rc == 0 && b.oom)
		rc = rci_dwarf_oom(err, "a type description");
	if (rc == 0) {
		*out = rci_arena_strdup(&dw->arena, b.s ? b.s : "");
		if (!*out)
			rc = rci_dwarf_oom(err, "a type description");
	}
	free(b.s);
	return rc;
}

/* ---- layouts ---- */

static uint64_t align_of_size(uint64_t size)
{
	if (!size)
		return 1;
	return size & -size; /* the largest power of two dividing it */
}

/*
 * Size and alignment of type @t, and the aggregate or enum it stands for
 * through typedefs, qualifiers and arrays (NULL if none): what a member of
 * type @t embeds.
 */
static int type_props(struct rc_dwarf *dw, struct tref t, int depth, uint64_t *size,
		      uint64_t *align, struct lnode **dep, struct rc_err *err)
{
	struct tinfo ti;
	Dwarf_Die die = NULL;
	struct lnode *l;
	int rc;

	*size = 0;
	*align = 1;
	*dep = NULL;
	if (t.none)
		return 0;
	if (depth > MAX_DEPTH)
		return rc_err_set(err, -RC_EFORMAT,
				  "bad debug info in '%s': types nest deeper than %d levels at "
				  "offset 0x%llx",
				  dw->path, MAX_DEPTH, (unsigned long long)t.off);
	rc = rci_read_tinfo(dw, t, &ti, &die, err);
	if (rc < 0)
		return rc;
	switch (ti.tag) {
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		rc = type_props(dw, ti.type, depth + 1, size, align, dep, err);
		break;
	case DW_TAG_array_type: {
		struct dims d = {0};
		uint64_t n = 1;

		rc = type_props(dw, ti.type, depth + 1, size, align, dep, err);
		if (rc == 0)
			rc = array_dims(dw, die, &d, err);
		for (size_t i = 0; i < d.n; i++)
			n *= d.v[i];
		free(d.v);
		*size *= n;
		break;
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
		if (ti.decl)
			break; /* incomplete here */
		rc = rci_dwarf_get_layout(dw, ti.self, depth + 1, &l, err);
		if (rc == 0) {
			*size = l->pub.size;
			*align = l->pub.align;
			*dep = l;
		}
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		*size = ti.has_size ? ti.size : ti.addr_size;
		*align = align_of_size(*size);
		break;
	case DW_TAG_subroutine_type:
		break;
	default:
		*size = ti.size;
		*align = align_of_size(*size);
		break;
	}
	if (rc == 0 && ti.has_size)
		*size = ti.size;
	if (rc == 0 && ti.has_align)
		*align = ti.align;
	dwarf_dealloc_die(die);
	return rc;
}

/* A growable array of T, for the members, enumerators and deps of one layout. */
struct members_ctx {
	struct lnode *l;
	struct rc_layout_member *m;
	size_t n, cap;
	struct lnode **deps;
	size_t n_deps, cap_deps;
	uint64_t max_align;
	bool misaligned;
	int depth;
};

static int add_member(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
		      struct rc_err *err)
{
	struct members_ctx *c = arg;
	struct rc_layout_member *m;
	struct tref type;
	struct lnode *dep;
	const char *name = NULL;
	uint64_t loc = 0, bit_size = 0, data_bit_offset = 0, storage = 0, align;
	int64_t bit_offset = 0;
	bool has_loc = false, has_bit_size = false, has_dbo = false, has_bo = false;
	bool has_storage = false, decl = false;
	int rc;

	if (tag != DW_TAG_member && tag != DW_TAG_inheritance)
		return 0;
	rc = rci_die_has(dw, child, DW_AT_declaration, &decl, err);
	if (rc < 0 || decl)
		return rc; /* a C++ static member */
	if (RC_GROW(c->m, c->cap, c->n + 1) < 0)
		return rci_dwarf_oom(err, "struct members");
	m = &c->m[c->n];
	memset(m, 0, sizeof(*m));
	rc = rci_die_name(dw, child, &name, err);
	if (rc == 0)
		rc = rci_attr_ref(dw, child, DW_AT_type, &type, err);
	if (rc == 0)
		rc = rci_member_location(dw, child, &loc, &has_loc, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, child, DW_AT_bit_size, &bit_size, &has_bit_size, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, child, DW_AT_data_bit_offset, &data_bit_offset, &has_dbo,
				    err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_bit_offset, true, &bit_offset, &has_bo, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, child, DW_AT_byte_size, &storage, &has_storage, err);
	if (rc == 0)
		rc = type_props(dw, type, c->depth + 1, &m->size, &align, &dep, err);
	if (rc == 0)
		rc = describe_dup(dw, type, &m->type, err);
	if (rc < 0)
		return rc;
	m->name = rci_arena_strdup(&dw->arena, name ? name : "");
	if (!m->name)
		return rci_dwarf_oom(err, "a member name");
	m->offset = has_loc ? loc : 0;
	m->bit_offset = -1;
	if (has_dbo && !has_bit_size) {
		/* DWARF 4+ may place a whole member by bit offset. */
		m->offset = data_bit_offset / 8;
	} else if (has_bit_size) {
		int64_t pos;

		m->bit_size = bit_size;
		if (has_dbo) {
			pos = (int64_t)data_bit_offset;
		} else if (has_bo) {
			/* DWARF 2/3: bits counted from the most significant end of the storage unit. */
			uint64_t unit = has_storage ? storage : m->size;

			pos = (int64_t)(m->offset * 8);
			if (dw->big_endian)
				pos += bit_offset;
			else
				pos += (int64_t)(unit * 8) - bit_offset - (int64_t)bit_size;
		} else {
			pos = (int64_t)(m->offset * 8);
		}
		if (pos < 0)
			pos = 0;
		m->bit_offset = pos;
		m->offset = (uint64_t)pos / 8;
	}
	if (align > c->max_align)
		c->max_align = align;
	if (!has_bit_size && align > 1 && m->offset % align)
		c->misaligned = true; /* a packed struct */
	if (dep) {
		if (RC_GROW(c->deps, c->cap_deps, c->n_deps + 1) < 0)
			return rci_dwarf_oom(err, "struct members");
		c->deps[c->n_deps++] = dep;
	}
	c->n++;
	return 0;
}

struct enum_ctx {
	struct rc_layout_enumerator *v;
	size_t n, cap;
	bool is_signed;
};

static int add_enumerator(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
			  struct rc_err *err)
{
	struct enum_ctx *c = arg;
	const char *name = NULL;
	int64_t v = 0;
	int rc = read_enumerator(dw, child, tag, c->is_signed, &name, &v, err);

	if (rc <= 0)
		return rc;
	if (RC_GROW(c->v, c->cap, c->n + 1) < 0)
		return rci_dwarf_oom(err, "enumerators");
	c->v[c->n].name = rci_arena_strdup(&dw->arena, name ? name : "");
	if (!c->v[c->n].name)
		return rci_dwarf_oom(err, "enumerators");
	c->v[c->n++].value = v;
	return 0;
}

/* Whether the enum's underlying type is signed (C: int, unless declared otherwise). */
static int enum_signed(struct rc_dwarf *dw, const struct tinfo *ti, bool *is_signed,
		       struct rc_err *err)
{
	struct tref t = ti->type;
	struct tinfo u;
	int rc;

	*is_signed = false;
	/*
	 * GCC writes negative enumerators as DW_FORM_sdata and others as
	 * unsigned data1..8 whatever the type (200 as data1 0xc8 for an int
	 * enum); other producers size dataN by the type's signedness.
	 */
	if (ti->gnu)
		return 0;
	for (int i = 0; i < MAX_DESC_DEPTH && !t.none; i++) {
		rc = rci_read_tinfo(dw, t, &u, NULL, err);
		if (rc < 0)
			return rc;
		if (u.tag == DW_TAG_base_type) {
			*is_signed = u.is_signed;
			return 0;
		}
		t = u.type;
	}
	return 0;
}

static struct lnode **cache_slot(struct rc_dwarf *dw, uint64_t key)
{
	size_t mask = dw->cache_cap - 1;
	size_t j = XXH3_64bits(&key, sizeof(key)) & mask;

	while (dw->cache[j] && dw->cache[j]->key != key)
		j = (j + 1) & mask;
	return &dw->cache[j];
}

static int cache_put(struct rc_dwarf *dw, struct lnode *l)
{
	if ((dw->cache_n + 1) * 2 > dw->cache_cap) {
		size_t cap = dw->cache_cap ? dw->cache_cap * 2 : 64;
		struct lnode **old = dw->cache;
		size_t old_cap = dw->cache_cap;

		dw->cache = calloc(cap, sizeof(*dw->cache));
		if (!dw->cache) {
			dw->cache = old;
			return -1;
		}
		dw->cache_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i])
				*cache_slot(dw, old[i]->key) = old[i];
		free(old);
	}
	*cache_slot(dw, l->key) = l;
	dw->cache_n++;
	return 0;
}

static uint64_t tref_key(struct tref t)
{
	return t.off << 1 | (t.is_info ? 1 : 0);
}

static enum rc_layout_kind layout_kind(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return RC_LAYOUT_STRUCT;
	case DW_TAG_union_type:
		return RC_LAYOUT_UNION;
	case DW_TAG_class_type:
		return RC_LAYOUT_CLASS;
	case DW_TAG_enumeration_type:
		return RC_LAYOUT_ENUM;
	case DW_TAG_typedef:
		return RC_LAYOUT_TYPEDEF;
	case DW_TAG_base_type:
		return RC_LAYOUT_BASE;
	case DW_TAG_pointer_type:
		return RC_LAYOUT_POINTER;
	case DW_TAG_array_type:
		return RC_LAYOUT_ARRAY;
	default:
		return RC_LAYOUT_OTHER;
	}
}

static int fill_aggregate(struct rc_dwarf *dw, struct lnode *l, Dwarf_Die die,
			  const struct tinfo *ti, int depth, struct rc_err *err)
{
	struct members_ctx c = {.l = l, .max_align = 1, .depth = depth};
	int rc = rci_for_children(dw, die, add_member, &c, err);

	if (rc < 0)
		goto out;
	l->pub.align = c.max_align;
	if (c.misaligned || (l->pub.size && l->pub.size % c.max_align))
		l->pub.align = 1;
	if (ti->has_align)
		l->pub.align = ti->align;
	if (c.n) {
		l->pub.members = rci_arena_dup(&dw->arena, c.m, c.n * sizeof(*c.m));
		if (!l->pub.members) {
			rc = rci_dwarf_oom(err, "struct members");
			goto out;
		}
		l->pub.n_members = c.n;
	}
	if (c.n_deps) {
		l->deps = rci_arena_dup(&dw->arena, c.deps, c.n_deps * sizeof(*c.deps));
		if (!l->deps) {
			rc = rci_dwarf_oom(err, "struct members");
			goto out;
		}
		l->n_deps = c.n_deps;
	}
out:
	free(c.m);
	free(c.deps);
	return rc;
}

static int fill_enum(struct rc_dwarf *dw, struct lnode *l, Dwarf_Die die, const struct tinfo *ti,
		     struct rc_err *err)
{
	struct enum_ctx c = {0};
	int rc = enum_signed(dw, ti, &c.is_signed, err);

	if (rc == 0)
		rc = rci_for_children(dw, die, add_enumerator, &c, err);
	if (rc == 0 && c.n) {
		l->pub.enumerators = rci_arena_dup(&dw->arena, c.v, c.n * sizeof(*c.v));
		if (!l->pub.enumerators)
			rc = rci_dwarf_oom(err, "enumerators");
		l->pub.n_enumerators = c.n;
	}
	if (!ti->has_size && !ti->type.none) {
		uint64_t align;
		struct lnode *dep;

		if (rc == 0)
			rc = type_props(dw, ti->type, 1, &l->pub.size, &align, &dep, err);
	}
	l->pub.align = ti->has_align ? ti->align : align_of_size(l->pub.size);
	free(c.v);
	return rc;
}

/* The layout of the type DIE @t, built once and cached. */
int rci_dwarf_get_layout(struct rc_dwarf *dw, struct tref t, int depth, struct lnode **out,
			 struct rc_err *err)
{
	struct tinfo ti;
	Dwarf_Die die = NULL;
	struct lnode *l, **slot;
	struct lnode *dep = NULL;
	int rc;

	if (depth > MAX_DEPTH)
		return rc_err_set(err, -RC_EFORMAT,
				  "bad debug info in '%s': types nest deeper than %d levels at "
				  "offset 0x%llx",
				  dw->path, MAX_DEPTH, (unsigned long long)t.off);
	if (dw->cache_cap) {
		slot = cache_slot(dw, tref_key(t));
		if (*slot) {
			*out = *slot;
			return 0;
		}
	}
	rc = rci_read_tinfo(dw, t, &ti, &die, err);
	if (rc < 0)
		return rc;
	if (ti.self.off != t.off || ti.self.is_info != t.is_info) {
		/* Followed a signature: the type unit's DIE is the cache key. */
		dwarf_dealloc_die(die);
		return rci_dwarf_get_layout(dw, ti.self, depth + 1, out, err);
	}
	l = rci_arena_alloc(&dw->arena, sizeof(*l));
	if (!l) {
		rc = rci_dwarf_oom(err, "a layout");
		goto out;
	}
	memset(l, 0, sizeof(*l));
	l->key = tref_key(t);
	l->building = true;
	l->pub.kind = layout_kind(ti.tag);
	l->pub.size = ti.size;
	l->pub.align = 1;
	if (cache_put(dw, l) < 0) {
		rc = rci_dwarf_oom(err, "the layout cache");
		goto out;
	}
	rc = describe_dup(dw, t, &l->pub.name, err);
	if (rc < 0)
		goto out;
	switch (ti.tag) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		rc = fill_aggregate(dw, l, die, &ti, depth, err);
		break;
	case DW_TAG_enumeration_type:
		rc = fill_enum(dw, l, die, &ti, err);
		break;
	case DW_TAG_array_type: {
		struct dims d = {0};

		rc = array_dims(dw, die, &d, err);
		if (rc == 0 && d.n) {
			l->pub.dims = rci_arena_dup(&dw->arena, d.v, d.n * sizeof(*d.v));
			if (!l->pub.dims)
				rc = rci_dwarf_oom(err, "array dimensions");
			l->pub.n_dims = d.n;
		}
		free(d.v);
		if (rc == 0)
			rc = type_props(dw, t, depth + 1, &l->pub.size, &l->pub.align, &dep, err);
		break;
	}
	case DW_TAG_typedef:
		rc = describe_dup(dw, ti.type, &l->pub.target, err);
		if (rc == 0)
			rc = type_props(dw, ti.type, depth + 1, &l->pub.size, &l->pub.align, &dep,
					err);
		break;
	default:
		rc = type_props(dw, t, depth + 1, &l->pub.size, &l->pub.align, &dep, err);
		break;
	}
	if (rc == 0 && dep) {
		l->deps = rci_arena_dup(&dw->arena, &dep, sizeof(dep));
		if (!l->deps)
			rc = rci_dwarf_oom(err, "a layout");
		l->n_deps = 1;
	}
	if (rc == 0)
		*out = l;
out:
	if (l)
		l->building = false;
	if (rc < 0 && l) {
		/* Do not keep a half-built layout. */
		slot = cache_slot(dw, l->key);
		if (*slot == l) {
			/* Re-insert the rest of the probe chain after removing it. */
			size_t mask = dw->cache_cap - 1, j = (size_t)(slot - dw->cache);

			*slot = NULL;
			dw->cache_n--;
			for (j = (j + 1) & mask; dw->cache[j]; j = (j + 1) & mask) {
				struct lnode *m = dw->cache[j];

				dw->cache[j] = NULL;
				*cache_slot(dw, m->key) = m;
			}
		}
	}
	dwarf_dealloc_die(die);
	return rc;
}

/* ---- nested lists ---- */

struct nest {
	const struct rc_layout **v;
	size_t n, cap;
};

static int nest_walk(struct lnode *root, struct lnode *l, unsigned mark, struct nest *ns, int depth)
{
	for (size_t i = 0; i < l->n_deps; i++) {
		struct lnode *d = l->deps[i];

		if (d == root || d->mark == mark)
			continue;
		d->mark = mark;
		/* Anonymous aggregates are walked through, not listed. */
		if (d->pub.name && !strchr(d->pub.name, '{')) {
			if (RC_GROW(ns->v, ns->cap, ns->n + 1) < 0)
				return -1;
			ns->v[ns->n++] = &d->pub;
		}
		if (depth < MAX_DEPTH && nest_walk(root, d, mark, ns, depth + 1) < 0)
			return -1;
	}
	return 0;
}

int rci_dwarf_compute_nested(struct rc_dwarf *dw, struct lnode *l, struct rc_err *err)
{
	struct nest ns = {0};
	int rc = 0;

	if (l->nested_done)
		return 0;
	if (nest_walk(l, l, ++dw->mark, &ns, 0) < 0) {
		rc = rci_dwarf_oom(err, "nested types");
		goto out;
	}
	if (ns.n) {
		l->pub.nested = rci_arena_dup(&dw->arena, ns.v, ns.n * sizeof(*ns.v));
		if (!l->pub.nested) {
			rc = rci_dwarf_oom(err, "nested types");
			goto out;
		}
		l->pub.n_nested = ns.n;
	}
	l->nested_done = true;
	/* Those listed get their own lists too: callers walk them. */
	for (size_t i = 0; i < ns.n && rc == 0; i++)
		rc = rci_dwarf_compute_nested(dw, (struct lnode *)ns.v[i], err);
out:
	free(ns.v);
	return rc;
}
