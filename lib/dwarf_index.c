/* SPDX-License-Identifier: MIT */
/*
 * The name index: .debug_pubtypes/.debug_pubnames when the file has them,
 * else one pass over the top-level DIEs of every unit, recording a name hash
 * and a DIE offset per type; and the public lookups by name over it.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>
#include <xxhash.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>

#include "dwarf_internal.h"

#define MAX_NS_DEPTH 8

void rci_dwarf_index_free(struct index *ix)
{
	free(ix->e);
	ix->e = NULL;
	ix->cap = ix->n = 0;
}

static int index_grow(struct index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 1024;
	struct ient *e = calloc(cap, sizeof(*e));

	if (!e)
		return -1;
	for (size_t i = 0; i < ix->cap; i++) {
		size_t j;

		if (ix->e[i].kind == IK_NONE)
			continue;
		for (j = ix->e[i].hash & (cap - 1); e[j].kind != IK_NONE; j = (j + 1) & (cap - 1))
			;
		e[j] = ix->e[i];
	}
	free(ix->e);
	ix->e = e;
	ix->cap = cap;
	return 0;
}

/*
 * Add a name. With @dedup, a second entry of the same hash and kind is
 * dropped: the same type defined again in another unit (64-bit hashes of
 * different names do not collide in practice).
 */
static int index_add(struct index *ix, uint64_t hash, enum ikind kind, uint64_t off, bool is_info,
		     bool dedup)
{
	size_t j;

	if ((ix->n + 1) * 4 > ix->cap * 3 && index_grow(ix) < 0)
		return -1;
	for (j = hash & (ix->cap - 1); ix->e[j].kind != IK_NONE; j = (j + 1) & (ix->cap - 1))
		if (dedup && ix->e[j].hash == hash && ix->e[j].kind == kind)
			return 0;
	ix->e[j] = (struct ient){.hash = hash, .off = off, .kind = kind, .is_info = is_info};
	ix->n++;
	return 0;
}

/* ---- indexes ---- */

static uint64_t name_hash(const char *s, size_t n)
{
	return XXH3_64bits(s, n);
}

static void load_pub_libdwarf(struct rc_dwarf *dw);

/*
 * Index a .debug_pubnames-format section from the file's bytes: per unit a
 * header (length, version, unit offset, unit length), then (DIE offset within
 * the unit, name) pairs up to a zero offset. -1 when the section is absent,
 * compressed or malformed (nothing of it is kept then).
 */
static int parse_pub(struct rc_dwarf *dw, const struct rc_elf *elf, const char *name)
{
	struct rc_elf_section s;
	const unsigned char *p;
	size_t pos = 0;

	if (rc_elf_find_section(elf, name, &s) < 0)
		return 1;
	if (s.flags & SHF_COMPRESSED)
		return -1;
	p = rc_elf_section_bytes(elf, &s);
	if (!p)
		return 1;
	while (s.size - pos >= 4) {
		uint64_t len = rc_elf_read_uint(elf, p + pos, 4), unit, end;
		size_t osz = 4;

		pos += 4;
		if (len == 0xffffffff) {
			if (s.size - pos < 8)
				return -1;
			len = rc_elf_read_uint(elf, p + pos, 8);
			pos += 8;
			osz = 8;
		}
		if (len > s.size - pos || len < 2 + 2 * osz)
			return -1;
		end = pos + len;
		unit = rc_elf_read_uint(elf, p + pos + 2, osz);
		for (size_t q = pos + 2 + 2 * osz; end - q >= osz;) {
			uint64_t off = rc_elf_read_uint(elf, p + q, osz);
			const char *str = (const char *)p + q + osz;
			size_t n;

			q += osz;
			if (!off)
				break;
			n = strnlen(str, end - q);
			if (n == end - q)
				return -1;
			if (index_add(&dw->pub, name_hash(str, n), IK_ANY, unit + off, true,
				      false) < 0)
				return -1;
			q += n + 1;
		}
		pos = end;
	}
	return 0;
}

/*
 * .debug_pubtypes and .debug_pubnames, when present. Read from the mapped
 * file (libdwarf's lists cost some 400 bytes a name); compressed ones go
 * through libdwarf; unreadable ones are dropped (the scan serves instead).
 */
static void load_pub(struct rc_dwarf *dw)
{
	struct rc_elf *elf = NULL;
	struct rc_err ignored = {0};
	bool raw = false;

	dw->pub_state = 1;
	if (rc_elf_open(dw->path, &elf, &ignored) == 0) {
		raw = parse_pub(dw, elf, ".debug_pubtypes") >= 0 &&
		      parse_pub(dw, elf, ".debug_pubnames") >= 0;
		rc_elf_free(elf);
	}
	if (!raw) {
		rci_dwarf_index_free(&dw->pub);
		load_pub_libdwarf(dw);
	}
}

/*
 * Index entry @name at @off of a pubnames list, given the result @res of
 * reading it (an entry libdwarf cannot read is skipped); negative when out of
 * memory.
 */
static int pub_add(struct rc_dwarf *dw, int res, const char *name, Dwarf_Off off, Dwarf_Error *e)
{
	if (res != DW_DLV_OK) {
		if (*e)
			dwarf_dealloc_error(dw->dbg, *e);
		*e = NULL;
		return 0;
	}
	return index_add(&dw->pub, name_hash(name, strlen(name)), IK_ANY, off, true, false);
}

/* The same through libdwarf's lists. */
static void load_pub_libdwarf(struct rc_dwarf *dw)
{
	Dwarf_Error e = NULL;
	Dwarf_Type *types = NULL;
	Dwarf_Global *globals = NULL;
	Dwarf_Signed n = 0;
	int res;

	res = dwarf_get_pubtypes(dw->dbg, &types, &n, &e);
	if (res == DW_DLV_OK) {
		for (Dwarf_Signed i = 0; i < n; i++) {
			char *name = NULL;
			Dwarf_Off off = 0, cu = 0;

			res = dwarf_pubtype_name_offsets(types[i], &name, &off, &cu, &e);
			if (pub_add(dw, res, name, off, &e) < 0)
				break; /* out of memory: the scan will do */
		}
		dwarf_pubtypes_dealloc(dw->dbg, types, n);
	} else if (res == DW_DLV_ERROR && e) {
		dwarf_dealloc_error(dw->dbg, e);
	}
	e = NULL;
	res = dwarf_get_globals(dw->dbg, &globals, &n, &e);
	if (res == DW_DLV_OK) {
		for (Dwarf_Signed i = 0; i < n; i++) {
			char *name = NULL;
			Dwarf_Off off = 0, cu = 0;

			res = dwarf_global_name_offsets(globals[i], &name, &off, &cu, &e);
			if (pub_add(dw, res, name, off, &e) < 0)
				break; /* out of memory: the scan will do */
		}
		dwarf_globals_dealloc(dw->dbg, globals, n);
	} else if (res == DW_DLV_ERROR && e) {
		dwarf_dealloc_error(dw->dbg, e);
	}
}

static enum ikind tag_kind(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return IK_STRUCT;
	case DW_TAG_union_type:
		return IK_UNION;
	case DW_TAG_enumeration_type:
		return IK_ENUM;
	case DW_TAG_typedef:
		return IK_TYPEDEF;
	case DW_TAG_base_type:
	case DW_TAG_unspecified_type:
		return IK_BASE;
	case DW_TAG_variable:
		return IK_VAR;
	default:
		return IK_NONE;
	}
}

struct scan_ctx {
	bool is_info;
	int depth;
	char prefix[512];
};

static int scan_die(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half tag, void *arg,
		    struct rc_err *err)
{
	struct scan_ctx *c = arg;
	enum ikind kind = tag_kind(tag);
	const char *name = NULL;
	char qual[768];
	bool decl = false;
	Dwarf_Off off = 0;
	Dwarf_Error e = NULL;
	int rc;

	if (kind == IK_NONE && tag != DW_TAG_namespace)
		return 0;
	rc = rci_die_name(dw, die, &name, err);
	if (rc < 0 || !name)
		return rc;
	snprintf(qual, sizeof(qual), "%s%s", c->prefix, name);
	if (tag == DW_TAG_namespace) {
		struct scan_ctx sub = {.is_info = c->is_info, .depth = c->depth + 1};

		if (sub.depth > MAX_NS_DEPTH)
			return 0;
		snprintf(sub.prefix, sizeof(sub.prefix), "%s::", qual);
		return rci_for_children(dw, die, scan_die, &sub, err);
	}
	if (kind != IK_VAR) {
		rc = rci_die_has(dw, die, DW_AT_declaration, &decl, err);
		if (rc < 0 || decl)
			return rc;
	}
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return rci_dwarf_err(dw, e, err, "reading a DIE offset");
	if (index_add(&dw->scan, name_hash(qual, strlen(qual)), kind, off, c->is_info, true) < 0)
		return rci_dwarf_oom(err, "the type name index");
	return 0;
}

/* One pass over the top-level DIEs of every unit, recording names and offsets. */
static int make_scan(struct rc_dwarf *dw, struct rc_err *err)
{
	int rc = 0;

	if (dw->scan_state == 1)
		return 0;
	if (dw->scan_state < 0) {
		if (err)
			*err = dw->scan_err;
		return dw->scan_err.code;
	}
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		struct scan_ctx c = {.is_info = pass == 0};

		for (;;) {
			Dwarf_Die cu = NULL;
			int res = rci_dwarf_next_unit(dw, c.is_info, NULL, &cu, err);

			if (res <= 0) {
				rc = res;
				break;
			}
			if (!cu)
				continue;
			rc = rci_for_children(dw, cu, scan_die, &c, err);
			dwarf_dealloc_die(cu);
			if (rc < 0)
				break;
		}
	}
	if (rc < 0) {
		/* libdwarf's unit iteration stopped midway: do not try again. */
		rci_dwarf_index_free(&dw->scan);
		dw->scan_state = -1;
		if (err)
			dw->scan_err = *err;
		else
			dw->scan_err.code = rc;
		return rc;
	}
	dw->scan_state = 1;
	return 0;
}

struct want {
	const char *name;
	size_t len;
	enum ikind kinds[5];
	size_t n_kinds;
};

/* Parse "struct x", "union x", "enum x", "class x" or a bare name. */
static void parse_want(const char *name, struct want *w)
{
	static const struct {
		const char *word;
		enum ikind kind;
	} words[] = {
		{"struct ", IK_STRUCT},
		{"class ", IK_STRUCT},
		{"union ", IK_UNION},
		{"enum ", IK_ENUM},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);

		if (strncmp(name, words[i].word, n) == 0 && name[n]) {
			w->name = name + n;
			w->len = strlen(w->name);
			w->kinds[0] = words[i].kind;
			w->n_kinds = 1;
			return;
		}
	}
	w->name = name;
	w->len = strlen(name);
	w->kinds[0] = IK_STRUCT;
	w->kinds[1] = IK_UNION;
	w->kinds[2] = IK_ENUM;
	w->kinds[3] = IK_TYPEDEF;
	w->kinds[4] = IK_BASE;
	w->n_kinds = 5;
}

/* @name of a DIE against the wanted one, which may qualify it ("ns::name"). */
static bool name_matches(const char *name, const struct want *w)
{
	size_t n = strlen(name);

	if (n > w->len || strcmp(name, w->name + w->len - n) != 0)
		return false;
	return n == w->len || (w->len - n >= 2 && w->name[w->len - n - 1] == ':');
}

/*
 * The best match for @w in @ix: for each wanted kind in order, the first
 * entry whose DIE has that kind and the name. *@found false when none.
 */
static int index_find(struct rc_dwarf *dw, const struct index *ix, const struct want *w,
		      struct tref *out, bool *found, struct rc_err *err)
{
	uint64_t h = name_hash(w->name, w->len);
	int best = -1;
	int rc;

	*found = false;
	if (!ix->cap)
		return 0;
	for (size_t j = h & (ix->cap - 1); ix->e[j].kind != IK_NONE; j = (j + 1) & (ix->cap - 1)) {
		const struct ient *en = &ix->e[j];
		struct tref t = {.off = en->off, .is_info = en->is_info};
		enum ikind kind = en->kind;
		int rank = -1;

		if (en->hash != h)
			continue;
		if (kind == IK_ANY) {
			Dwarf_Die die = NULL;
			Dwarf_Half tag;

			rc = rci_die_at(dw, t, &die, err);
			if (rc < 0)
				return rc;
			rc = rci_die_tag(dw, die, &tag, err);
			dwarf_dealloc_die(die);
			if (rc < 0)
				return rc;
			kind = tag_kind(tag);
		}
		for (size_t k = 0; k < w->n_kinds; k++)
			if (w->kinds[k] == kind)
				rank = (int)k;
		if (rank < 0 || (best >= 0 && rank >= best))
			continue;
		{
			/* Confirm the name: hashes only narrow the search. */
			Dwarf_Die die = NULL;
			const char *name = NULL;
			bool decl = false;

			rc = rci_die_at(dw, t, &die, err);
			if (rc < 0)
				return rc;
			rc = rci_die_name(dw, die, &name, err);
			if (rc == 0 && kind != IK_VAR && en->kind == IK_ANY)
				rc = rci_die_has(dw, die, DW_AT_declaration, &decl, err);
			dwarf_dealloc_die(die);
			if (rc < 0)
				return rc;
			/* Names in namespaces are indexed qualified: compare the last part. */
			if (!name || decl)
				continue;
			if (!name_matches(name, w))
				continue;
		}
		best = rank;
		*out = t;
		*found = true;
		if (best == 0)
			break; /* nothing ranks higher */
	}
	return 0;
}

static int lookup(struct rc_dwarf *dw, const struct want *w, struct tref *t, struct rc_err *err)
{
	bool found = false;
	int rc;

	if (!dw->pub_state)
		load_pub(dw);
	rc = index_find(dw, &dw->pub, w, t, &found, err);
	if (rc < 0 || found)
		return rc;
	rc = make_scan(dw, err);
	if (rc < 0)
		return rc;
	rc = index_find(dw, &dw->scan, w, t, &found, err);
	if (rc < 0)
		return rc;
	return found ? 0 : -RC_ENOENT;
}

static int finish_layout(struct rc_dwarf *dw, struct tref t, const struct rc_layout **out,
			 struct rc_err *err)
{
	struct lnode *l;
	int rc = rci_dwarf_get_layout(dw, t, 0, &l, err);

	if (rc == 0)
		rc = rci_dwarf_compute_nested(dw, l, err);
	if (rc == 0)
		*out = &l->pub;
	return rc;
}

int rc_dwarf_type(struct rc_dwarf *dw, const char *name, const struct rc_layout **out,
		  struct rc_err *err)
{
	struct want w;
	struct tref t;
	int rc;

	parse_want(name, &w);
	if (!w.len)
		return rc_err_set(err, -RC_EINVAL, "empty type name");
	rc = lookup(dw, &w, &t, err);
	if (rc == -RC_ENOENT)
		return rc_err_set(err, rc, "type '%s' not found in %s", name, dw->source);
	if (rc < 0)
		return rc;
	return finish_layout(dw, t, out, err);
}

int rc_dwarf_variable(struct rc_dwarf *dw, const char *name, const struct rc_layout **out,
		      struct rc_err *err)
{
	struct want w = {.name = name, .len = strlen(name), .kinds = {IK_VAR}, .n_kinds = 1};
	struct tref t, type;
	Dwarf_Die die = NULL;
	int rc;

	if (!w.len)
		return rc_err_set(err, -RC_EINVAL, "empty variable name");
	rc = lookup(dw, &w, &t, err);
	if (rc == -RC_ENOENT)
		return rc_err_set(err, rc, "variable '%s' not found in %s", name, dw->source);
	if (rc < 0)
		return rc;
	rc = rci_die_at(dw, t, &die, err);
	if (rc < 0)
		return rc;
	rc = rci_attr_ref(dw, die, DW_AT_type, &type, err);
	if (rc == 0 && type.none) {
		struct tref spec;

		/* A definition that names its declaration instead. */
		rc = rci_attr_ref(dw, die, DW_AT_specification, &spec, err);
		if (rc == 0 && !spec.none) {
			Dwarf_Die sdie = NULL;

			rc = rci_die_at(dw, spec, &sdie, err);
			if (rc == 0) {
				rc = rci_attr_ref(dw, sdie, DW_AT_type, &type, err);
				dwarf_dealloc_die(sdie);
			}
		}
	}
	dwarf_dealloc_die(die);
	if (rc < 0)
		return rc;
	if (type.none)
		return rc_err_set(err, -RC_EFORMAT,
				  "bad debug info in '%s': variable '%s' has no type", dw->path,
				  name);
	return finish_layout(dw, type, out, err);
}
