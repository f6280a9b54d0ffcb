/* SPDX-License-Identifier: MIT */
/*
 * Type layouts from DWARF, read with libdwarf. Nothing is read up front but
 * the unit headers: a name is looked up in .debug_pubtypes/.debug_pubnames
 * when the file has them, else (or when they miss it) in an index made by one
 * pass over the top-level DIEs of every unit, which records a name hash and a
 * DIE offset per type and nothing else. Only the layouts asked for, and the
 * aggregates their members embed, are built; they live in an arena and are
 * cached by DIE offset, so every DIE is turned into a layout once and cycles
 * end at the cache.
 *
 * libdwarf is called with no error handler (its default one aborts) and every
 * return is checked; its errors become -RC_EFORMAT with libdwarf's reason.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <libdwarf.h>
#include <xxhash.h>
#include <zlib.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "arena.h"

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"
/* Deeper than any real type; corrupted references stop here. */
#define MAX_DEPTH 64
/* Descriptions of types nest at most this deep before "...". */
#define MAX_DESC_DEPTH 12
#define MAX_NS_DEPTH 8
/* Layouts and names are small: one arena chunk holds hundreds of them. */
#define ARENA_CHUNK ((size_t)64 << 10)

/* ---- a growable string ---- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void rci_sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (n >= SIZE_MAX - b->len || RC_GROW(b->s, b->cap, b->len + n + 1) < 0) {
		b->oom = true;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void rci_sb_puts(struct sbuf *b, const char *s)
{
	rci_sb_add(b, s, strlen(s));
}

static void rci_sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rci_sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		rci_sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* ---- name index: name hash -> DIE offset ---- */

enum ikind {
	IK_NONE,
	IK_STRUCT, /* struct or class */
	IK_UNION,
	IK_ENUM,
	IK_TYPEDEF,
	IK_BASE,
	IK_VAR,
	IK_ANY, /* from .debug_pub*: the tag is read when looked up */
};

struct ient {
	uint64_t hash;
	uint64_t off;
	uint8_t kind; /* IK_NONE: an empty slot */
	uint8_t is_info;
};

struct index {
	struct ient *e;
	size_t cap, n;
};

static void rci_dwarf_index_free(struct index *ix)
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

/* ---- the handle ---- */

struct tref {
	uint64_t off;
	bool is_info;
	bool none; /* no DW_AT_type: void */
};

struct lnode {
	struct rc_layout pub; /* first: a layout pointer is its node */
	uint64_t key;
	struct lnode **deps; /* aggregates and enums the members embed */
	size_t n_deps;
	unsigned mark;
	bool building;
	bool nested_done;
};

struct rc_dwarf {
	Dwarf_Debug dbg;
	char *path; /* the file libdwarf reads */
	char *source;
	unsigned version;
	bool big_endian;
	struct rci_arena arena;

	int pub_state; /* 0 not read, 1 read */
	struct index pub;
	int scan_state; /* 0 not made, 1 made, <0 failed with scan_err */
	struct index scan;
	struct rc_err scan_err;

	struct lnode **cache; /* open addressing by key */
	size_t cache_cap, cache_n;
	unsigned mark;

	uint64_t lang_cu;
	bool lang_cu_info;
	bool lang_valid;
	bool lang_go;
	bool lang_gnu;
	bool first_gnu; /* the first unit naming a producer is GCC's */
	bool seen_producer;
};

static int rci_dwarf_err(struct rc_dwarf *dw, Dwarf_Error e, struct rc_err *err, const char *what)
{
	int rc = rc_err_set(err, -RC_EFORMAT, "bad debug info in '%s': %s: %s", dw->path, what,
			    e ? dwarf_errmsg(e) : "unknown libdwarf error");

	if (e)
		dwarf_dealloc_error(dw->dbg, e);
	return rc;
}

static int rci_dwarf_oom(struct rc_err *err, const char *what)
{
	return rc_err_set(err, -RC_ENOMEM, "out of memory for %s", what);
}

/* ---- small DIE readers ---- */

static int rci_die_at(struct rc_dwarf *dw, struct tref t, Dwarf_Die *out, struct rc_err *err)
{
	Dwarf_Error e = NULL;
	int res = dwarf_offdie_b(dw->dbg, t.off, t.is_info, out, &e);

	if (res == DW_DLV_OK)
		return 0;
	if (res == DW_DLV_NO_ENTRY)
		return rc_err_set(err, -RC_EFORMAT,
				  "bad debug info in '%s': no DIE at offset 0x%llx of %s", dw->path,
				  (unsigned long long)t.off,
				  t.is_info ? ".debug_info" : ".debug_types");
	return rci_dwarf_err(dw, e, err, "reading a DIE");
}

static int rci_die_tag(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half *tag, struct rc_err *err)
{
	Dwarf_Error e = NULL;

	if (dwarf_tag(die, tag, &e) != DW_DLV_OK)
		return rci_dwarf_err(dw, e, err, "reading a tag");
	return 0;
}

/* The DIE's name, or NULL. libdwarf's string, valid until dwarf_finish. */
static int rci_die_name(struct rc_dwarf *dw, Dwarf_Die die, const char **name, struct rc_err *err)
{
	Dwarf_Error e = NULL;
	char *s = NULL;
	int res = dwarf_diename(die, &s, &e);

	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading a name");
	*name = res == DW_DLV_OK ? s : NULL;
	return 0;
}

static int rci_die_has(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool *has,
		       struct rc_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Bool b = 0;

	if (dwarf_hasattr(die, at, &b, &e) != DW_DLV_OK)
		return rci_dwarf_err(dw, e, err, "reading an attribute");
	*has = b;
	return 0;
}

static int die_attr(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, Dwarf_Attribute *a,
		    struct rc_err *err)
{
	Dwarf_Error e = NULL;
	int res = dwarf_attr(die, at, a, &e);

	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading an attribute");
	if (res == DW_DLV_NO_ENTRY)
		*a = NULL;
	return 0;
}

/*
 * A constant attribute. @sign_extend: how to widen DW_FORM_data1..8 (sdata
 * and udata say so themselves). *@has false when absent or not a constant.
 */
static int rci_attr_const(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool sign_extend,
			  int64_t *val, bool *has, struct rc_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned u = 0;
	Dwarf_Signed s = 0;
	unsigned width = 0;
	int rc = die_attr(dw, die, at, &a, err);

	*has = false;
	if (rc < 0 || !a)
		return rc;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		rc = rci_dwarf_err(dw, e, err, "reading an attribute form");
		goto out;
	}
	switch (form) {
	case DW_FORM_data1:
		width = 1;
		break;
	case DW_FORM_data2:
		width = 2;
		break;
	case DW_FORM_data4:
		width = 4;
		break;
	case DW_FORM_data8:
		width = 8;
		break;
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formsdata(a, &s, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a constant");
			goto out;
		}
		*val = s;
		*has = true;
		goto out;
	case DW_FORM_udata:
		if (dwarf_formudata(a, &u, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a constant");
			goto out;
		}
		*val = (int64_t)u;
		*has = true;
		goto out;
	default:
		goto out; /* an expression, a reference: not a constant */
	}
	if (dwarf_formudata(a, &u, &e) != DW_DLV_OK) {
		rc = rci_dwarf_err(dw, e, err, "reading a constant");
		goto out;
	}
	if (sign_extend && width < 8 && (u >> (width * 8 - 1)) & 1)
		u |= ~(uint64_t)0 << (width * 8);
	*val = (int64_t)u;
	*has = true;
out:
	dwarf_dealloc_attribute(a);
	return rc;
}

static int rci_attr_udata(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, uint64_t *val,
			  bool *has, struct rc_err *err)
{
	int64_t v = 0;
	int rc = rci_attr_const(dw, die, at, false, &v, has, err);

	if (rc == 0 && *has)
		*val = (uint64_t)v;
	return rc;
}

/* ULEB128 within [p, end). */
static bool uleb(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
		shift += 7;
	}
	return false;
}

/*
 * DW_AT_data_member_location: a constant, or (DWARF 2, some producers) an
 * expression DW_OP_plus_uconst N. Other expressions (virtual bases) give 0.
 */
static int rci_member_location(struct rc_dwarf *dw, Dwarf_Die die, uint64_t *loc, bool *has,
			       struct rc_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	const unsigned char *p = NULL, *end = NULL;
	int rc;

	rc = rci_attr_udata(dw, die, DW_AT_data_member_location, loc, has, err);
	if (rc < 0 || *has)
		return rc;
	rc = die_attr(dw, die, DW_AT_data_member_location, &a, err);
	if (rc < 0 || !a)
		return rc;
	*loc = 0;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		rc = rci_dwarf_err(dw, e, err, "reading a member location");
		goto out;
	}
	if (form == DW_FORM_exprloc) {
		Dwarf_Unsigned len = 0;
		Dwarf_Ptr ptr = NULL;

		if (dwarf_formexprloc(a, &len, &ptr, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a member location");
			goto out;
		}
		p = ptr;
		end = p + len;
	} else if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
		   form == DW_FORM_block) {
		Dwarf_Block *blk = NULL;

		if (dwarf_formblock(a, &blk, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a member location");
			goto out;
		}
		p = blk->bl_data;
		end = p + blk->bl_len;
		if (p < end && *p == DW_OP_plus_uconst) {
			p++;
			*has = uleb(&p, end, loc);
		}
		dwarf_dealloc(dw->dbg, blk, DW_DLA_BLOCK);
		goto out;
	}
	if (p && p < end && *p == DW_OP_plus_uconst) {
		p++;
		*has = uleb(&p, end, loc);
	}
out:
	dwarf_dealloc_attribute(a);
	return rc;
}

/*
 * Where attribute @at refers to: a DIE in the same section, or for
 * DW_FORM_ref_sig8 the type unit with that signature. t->none when absent.
 */
static int rci_attr_ref(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, struct tref *t,
			struct rc_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	int rc = die_attr(dw, die, at, &a, err);

	*t = (struct tref){.none = true};
	if (rc < 0 || !a)
		return rc;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		rc = rci_dwarf_err(dw, e, err, "reading a reference form");
		goto out;
	}
	if (form == DW_FORM_ref_sig8) {
		Dwarf_Sig8 sig;
		Dwarf_Die target = NULL;
		Dwarf_Bool is_info = 1;
		Dwarf_Off off = 0;
		int res;

		if (dwarf_formsig8(a, &sig, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a type signature");
			goto out;
		}
		res = dwarf_find_die_given_sig8(dw->dbg, &sig, &target, &is_info, &e);
		if (res == DW_DLV_ERROR) {
			rc = rci_dwarf_err(dw, e, err, "finding a type unit");
			goto out;
		}
		if (res == DW_DLV_NO_ENTRY) {
			char hex[17];

			rc_hex((const unsigned char *)sig.signature, sizeof(sig.signature), hex,
			       sizeof(hex));
			rc = rc_err_set(err, -RC_EFORMAT,
					"bad debug info in '%s': no type unit with signature 0x%s",
					dw->path, hex);
			goto out;
		}
		if (dwarf_dieoffset(target, &off, &e) != DW_DLV_OK)
			rc = rci_dwarf_err(dw, e, err, "reading a DIE offset");
		else
			*t = (struct tref){.off = off, .is_info = is_info};
		dwarf_dealloc_die(target);
	} else {
		Dwarf_Off off = 0;

		if (dwarf_global_formref(a, &off, &e) != DW_DLV_OK) {
			rc = rci_dwarf_err(dw, e, err, "reading a reference");
			goto out;
		}
		*t = (struct tref){.off = off, .is_info = dwarf_get_die_infotypes_flag(die)};
	}
out:
	dwarf_dealloc_attribute(a);
	return rc;
}

/*
 * Whether the unit of @die is Go's, and whether GCC made it (cached for the
 * last unit asked about).
 */
static int die_unit(struct rc_dwarf *dw, Dwarf_Die die, bool *go, bool *gnu, struct rc_err *err)
{
	char *producer = NULL;
	Dwarf_Error e = NULL;
	Dwarf_Off cu = 0;
	Dwarf_Unsigned lang = 0;
	Dwarf_Die cudie = NULL;
	bool is_info = dwarf_get_die_infotypes_flag(die);
	int res;

	if (dwarf_CU_dieoffset_given_die(die, &cu, &e) != DW_DLV_OK)
		return rci_dwarf_err(dw, e, err, "finding a DIE's unit");
	if (!dw->lang_valid || dw->lang_cu != cu || dw->lang_cu_info != is_info) {
		int rc = rci_die_at(dw, (struct tref){.off = cu, .is_info = is_info}, &cudie, err);

		if (rc < 0)
			return rc;
		res = dwarf_srclang(cudie, &lang, &e);
		if (res == DW_DLV_ERROR) {
			dwarf_dealloc_die(cudie);
			return rci_dwarf_err(dw, e, err, "reading a unit's language");
		}
		dw->lang_go = res == DW_DLV_OK && lang == DW_LANG_Go;
		res = dwarf_die_text(cudie, DW_AT_producer, &producer, &e);
		dwarf_dealloc_die(cudie);
		if (res == DW_DLV_ERROR)
			return rci_dwarf_err(dw, e, err, "reading a unit's producer");
		/* Type units name no producer: take the first compilation unit's. */
		dw->lang_gnu = res == DW_DLV_OK ? strncmp(producer, "GNU ", 4) == 0 : dw->first_gnu;
		dw->lang_cu = cu;
		dw->lang_cu_info = is_info;
		dw->lang_valid = true;
	}
	*go = dw->lang_go;
	if (gnu)
		*gnu = dw->lang_gnu;
	return 0;
}

/* What one type DIE says about itself. */
struct tinfo {
	struct tref self; /* after DW_AT_signature */
	Dwarf_Half tag;
	const char *name; /* NULL when anonymous */
	bool has_size, has_align, decl, go, gnu, is_signed;
	uint64_t size, align;
	unsigned addr_size;
	struct tref type; /* DW_AT_type */
};

/*
 * Read @t into @ti; *@diep (when non-NULL) keeps the DIE for the caller,
 * who deallocates it.
 */
static int rci_read_tinfo(struct rc_dwarf *dw, struct tref t, struct tinfo *ti, Dwarf_Die *diep,
			  struct rc_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Die die = NULL;
	Dwarf_Half asz = 0;
	int64_t enc = 0;
	bool has, has_enc;
	int rc;

	memset(ti, 0, sizeof(*ti));
	for (int hop = 0;; hop++) {
		struct tref sig;

		rc = rci_die_at(dw, t, &die, err);
		if (rc < 0)
			return rc;
		rc = rci_die_has(dw, die, DW_AT_signature, &has, err);
		if (rc < 0 || !has)
			break;
		/* A declaration standing for a type defined in a type unit. */
		rc = rci_attr_ref(dw, die, DW_AT_signature, &sig, err);
		if (rc == 0 && (sig.none || hop == 4))
			break;
		dwarf_dealloc_die(die);
		die = NULL;
		if (rc < 0)
			return rc;
		t = sig;
	}
	if (rc < 0)
		goto out;
	ti->self = t;
	rc = rci_die_tag(dw, die, &ti->tag, err);
	if (rc == 0)
		rc = rci_die_name(dw, die, &ti->name, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, die, DW_AT_byte_size, &ti->size, &ti->has_size, err);
	if (rc == 0)
		rc = rci_attr_udata(dw, die, DW_AT_alignment, &ti->align, &ti->has_align, err);
	if (rc == 0)
		rc = rci_die_has(dw, die, DW_AT_declaration, &ti->decl, err);
	if (rc == 0)
		rc = rci_attr_ref(dw, die, DW_AT_type, &ti->type, err);
	if (rc == 0)
		rc = die_unit(dw, die, &ti->go, &ti->gnu, err);
	if (rc == 0 && ti->tag == DW_TAG_base_type) {
		rc = rci_attr_const(dw, die, DW_AT_encoding, false, &enc, &has_enc, err);
		ti->is_signed = has_enc && (enc == DW_ATE_signed || enc == DW_ATE_signed_char);
	}
	if (rc < 0)
		goto out;
	if (dwarf_get_die_address_size(die, &asz, &e) != DW_DLV_OK) {
		rc = rci_dwarf_err(dw, e, err, "reading the address size");
		goto out;
	}
	ti->addr_size = asz;
	if (ti->has_align && ti->align == 0)
		ti->has_align = false;
out:
	if (rc < 0 || !diep)
		dwarf_dealloc_die(die);
	else
		*diep = die;
	return rc;
}

typedef int (*child_fn)(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
			struct rc_err *err);

/* Call @fn for each child of @die, in order. */
static int rci_for_children(struct rc_dwarf *dw, Dwarf_Die die, child_fn fn, void *arg,
			    struct rc_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Die child = NULL;
	bool is_info = dwarf_get_die_infotypes_flag(die);
	int res = dwarf_child(die, &child, &e);
	int rc = 0;

	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading children of a DIE");
	while (res == DW_DLV_OK) {
		Dwarf_Die next = NULL;
		Dwarf_Half tag;

		rc = rci_die_tag(dw, child, &tag, err);
		if (rc == 0)
			rc = fn(dw, child, tag, arg, err);
		if (rc == 0) {
			res = dwarf_siblingof_b(dw->dbg, child, is_info, &next, &e);
			if (res == DW_DLV_ERROR)
				rc = rci_dwarf_err(dw, e, err, "reading a sibling DIE");
		}
		dwarf_dealloc_die(child);
		if (rc < 0)
			return rc;
		child = next;
	}
	return 0;
}

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

static int desc_enumerator(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
			   struct rc_err *err)
{
	struct desc_ctx *c = arg;
	const char *name = NULL;
	int64_t v = 0;
	bool has;
	int rc;

	if (tag != DW_TAG_enumerator)
		return 0;
	rc = rci_die_name(dw, child, &name, err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_const_value, true, &v, &has, err);
	if (rc < 0)
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

static int rci_dwarf_get_layout(struct rc_dwarf *dw, struct tref t, int depth, struct lnode **out,
				struct rc_err *err);

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
	bool has;
	int rc;

	if (tag != DW_TAG_enumerator)
		return 0;
	rc = rci_die_name(dw, child, &name, err);
	if (rc == 0)
		rc = rci_attr_const(dw, child, DW_AT_const_value, c->is_signed, &v, &has, err);
	if (rc < 0)
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
static int rci_dwarf_get_layout(struct rc_dwarf *dw, struct tref t, int depth, struct lnode **out,
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

static int rci_dwarf_compute_nested(struct rc_dwarf *dw, struct lnode *l, struct rc_err *err)
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

/* ---- finding the debug info ---- */

static bool has_debug_info(const struct rc_elf *elf)
{
	struct rc_elf_section s;

	if ((rc_elf_find_section(elf, ".debug_info", &s) == 0 ||
	     rc_elf_find_section(elf, ".zdebug_info", &s) == 0) &&
	    s.type != SHT_NOBITS && s.size > 0)
		return true;
	return false;
}

/* CRC-32 of a whole file (the .gnu_debuglink checksum). */
static int file_crc(const char *path, uint32_t *crc)
{
	struct stat st;
	unsigned char *p;
	uLong c = crc32(0L, Z_NULL, 0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		*crc = (uint32_t)c;
		return 0;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	for (size_t off = 0; off < (size_t)st.st_size;) {
		size_t n = (size_t)st.st_size - off;

		if (n > (1u << 30))
			n = 1u << 30;
		c = crc32(c, p + off, (uInt)n);
		off += n;
	}
	munmap(p, (size_t)st.st_size);
	*crc = (uint32_t)c;
	return 0;
}

/* A candidate separate debug file: it exists and carries .debug_info. */
static bool usable_debug_file(const char *path)
{
	struct rc_elf *elf = NULL;
	struct rc_err e = {0};
	bool ok;

	if (access(path, R_OK) != 0 || rc_elf_open(path, &elf, &e) < 0)
		return false;
	ok = has_debug_info(elf);
	rc_elf_free(elf);
	return ok;
}

static bool same_build_id(const char *path, const unsigned char *id, size_t len)
{
	struct rc_elf *elf = NULL;
	struct rc_err e = {0};
	const unsigned char *id2;
	size_t len2;
	bool ok;

	if (rc_elf_open(path, &elf, &e) < 0)
		return false;
	ok = rc_elf_build_id(elf, &id2, &len2) == 0 && len2 == len && memcmp(id, id2, len) == 0 &&
	     has_debug_info(elf);
	rc_elf_free(elf);
	return ok;
}

/*
 * The separate debug file for @elf into @out, or -RC_ENOENT with the places
 * tried in @err.
 */
static int find_debug_file(const struct rc_elf *elf, const char *debug_dir, char *out, size_t size,
			   struct rc_err *err)
{
	const char *path = rc_elf_path(elf);
	struct rc_elf_section s;
	struct sbuf tried = {0};
	char dir[PATH_MAX], cand[PATH_MAX * 2];
	const unsigned char *id;
	size_t id_len;
	int rc = -RC_ENOENT;

	if (!realpath(path, dir))
		snprintf(dir, sizeof(dir), "%s", path);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';

	if (rc_elf_find_section(elf, ".gnu_debuglink", &s) == 0) {
		const unsigned char *p = rc_elf_section_bytes(elf, &s);
		size_t nlen = p ? strnlen((const char *)p, s.size) : 0;
		size_t crc_off = (nlen + 4) & ~(size_t)3;
		char name[256];

		if (nlen && nlen < sizeof(name) && crc_off + 4 <= s.size &&
		    !strchr((const char *)p, '/')) {
			uint32_t want = (uint32_t)rc_elf_read_uint(elf, p + crc_off, 4), got;
			const char *fmts[] = {"%s/%s", "%s/.debug/%s", NULL};

			memcpy(name, p, nlen);
			name[nlen] = '\0';
			for (int i = 0; i < 3; i++) {
				if (fmts[i])
					snprintf(cand, sizeof(cand), fmts[i], dir, name);
				else
					snprintf(cand, sizeof(cand), "%s%s/%s", debug_dir, dir,
						 name);
				rci_sb_printf(&tried, "%s'%s'", tried.len ? ", " : "", cand);
				if (!usable_debug_file(cand))
					continue;
				if (file_crc(cand, &got) < 0 || got != want) {
					rci_sb_puts(&tried, " (crc mismatch)");
					continue;
				}
				snprintf(out, size, "%s", cand);
				rc = 0;
				goto done;
			}
		} else {
			rci_sb_puts(&tried, "a malformed .gnu_debuglink");
		}
	}
	if (rc_elf_build_id(elf, &id, &id_len) == 0 && id_len >= 2) {
		char hex[129];

		rc_hex(id, id_len, hex, sizeof(hex));
		snprintf(cand, sizeof(cand), "%s/.build-id/%.2s/%s.debug", debug_dir, hex, hex + 2);
		rci_sb_printf(&tried, "%s'%s'", tried.len ? ", " : "", cand);
		if (same_build_id(cand, id, id_len)) {
			snprintf(out, size, "%s", cand);
			rc = 0;
			goto done;
		}
	}
done:
	if (rc < 0)
		rc_err_set(err, -RC_ENOENT,
			   "no debug info for '%s': no .debug_info section, no separate file (%s)",
			   path, tried.len ? tried.s : "no .gnu_debuglink or build-id");
	free(tried.s);
	return rc;
}

/* ---- open/free ---- */

/* Walk the unit headers once: their version, and that libdwarf accepts them. */
static int check_units(struct rc_dwarf *dw, struct rc_err *err)
{
	size_t units = 0;

	for (int pass = 0; pass < 2; pass++) {
		bool is_info = pass == 0;

		for (;;) {
			Dwarf_Unsigned len = 0, typeoff = 0, next = 0;
			Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, ut = 0;
			Dwarf_Off abbrev = 0;
			Dwarf_Sig8 sig;
			Dwarf_Error e = NULL;
			Dwarf_Die cu = NULL;
			int res =
				dwarf_next_cu_header_d(dw->dbg, is_info, &len, &ver, &abbrev, &asz,
						       &lsz, &esz, &sig, &typeoff, &next, &ut, &e);

			if (res == DW_DLV_NO_ENTRY)
				break;
			if (res == DW_DLV_ERROR)
				return rci_dwarf_err(dw, e, err, "reading a unit header");
			res = dwarf_siblingof_b(dw->dbg, NULL, is_info, &cu, &e);
			if (res == DW_DLV_ERROR)
				return rci_dwarf_err(dw, e, err, "reading a unit's first DIE");
			if (res == DW_DLV_OK && !dw->seen_producer) {
				char *producer = NULL;

				res = dwarf_die_text(cu, DW_AT_producer, &producer, &e);
				if (res == DW_DLV_ERROR) {
					dwarf_dealloc_die(cu);
					return rci_dwarf_err(dw, e, err,
							     "reading a unit's producer");
				}
				if (res == DW_DLV_OK) {
					dw->seen_producer = true;
					dw->first_gnu = strncmp(producer, "GNU ", 4) == 0;
				}
			}
			if (cu)
				dwarf_dealloc_die(cu);
			if (!units++)
				dw->version = ver;
		}
	}
	if (!units)
		return rc_err_set(err, -RC_ENOENT, "no compilation units in '%s'", dw->path);
	return 0;
}

int rc_dwarf_open(const struct rc_elf *elf, const char *debug_dir, struct rc_dwarf **out,
		  struct rc_err *err)
{
	struct rc_dwarf *dw;
	struct rc_elf_ident id;
	char found[PATH_MAX * 2];
	const char *path = rc_elf_path(elf);
	Dwarf_Error e = NULL;
	bool own;
	int rc, res;

	if (!debug_dir || !*debug_dir)
		debug_dir = DEFAULT_DEBUG_DIR;
	own = has_debug_info(elf);
	if (!own) {
		rc = find_debug_file(elf, debug_dir, found, sizeof(found), err);
		if (rc < 0)
			return rc;
		path = found;
	}
	dw = calloc(1, sizeof(*dw));
	if (!dw)
		return rci_dwarf_oom(err, "the debug info handle");
	rci_arena_init(&dw->arena, ARENA_CHUNK, ARENA_CHUNK);
	rc_elf_ident(elf, &id);
	dw->big_endian = id.big_endian;
	dw->path = strdup(path);
	if (dw->path) {
		size_t n = strlen(path) + 32;

		dw->source = malloc(n);
		if (dw->source)
			snprintf(dw->source, n, own ? "'%s' .debug_info" : "'%s'", path);
	}
	if (!dw->path || !dw->source) {
		rc = rci_dwarf_oom(err, "the debug info handle");
		goto fail;
	}
	res = dwarf_init_path(dw->path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
			      &dw->dbg, NULL, 0, NULL, &e);
	if (res == DW_DLV_NO_ENTRY) {
		rc = rc_err_set(err, -RC_ENOENT, "no debug info in '%s'", dw->path);
		goto fail;
	}
	if (res == DW_DLV_ERROR) {
		rc = rc_err_set(err, -RC_EFORMAT, "bad debug info in '%s': %s", dw->path,
				e ? dwarf_errmsg(e) : "libdwarf cannot read it");
		if (e)
			dwarf_dealloc_error(NULL, e);
		dw->dbg = NULL;
		goto fail;
	}
	rc = check_units(dw, err);
	if (rc < 0)
		goto fail;
	*out = dw;
	return 0;
fail:
	rc_dwarf_free(dw);
	return rc;
}

void rc_dwarf_free(struct rc_dwarf *dw)
{
	if (!dw)
		return;
	if (dw->dbg) {
		Dwarf_Error e = NULL;

		if (dwarf_finish(dw->dbg, &e) == DW_DLV_ERROR && e)
			dwarf_dealloc_error(NULL, e);
	}
	rci_dwarf_index_free(&dw->pub);
	rci_dwarf_index_free(&dw->scan);
	free(dw->cache);
	rci_arena_release(&dw->arena);
	free(dw->source);
	free(dw->path);
	free(dw);
}

const char *rc_dwarf_source(const struct rc_dwarf *dw)
{
	return dw->source;
}

unsigned rc_dwarf_version(const struct rc_dwarf *dw)
{
	return dw->version;
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

			if (dwarf_pubtype_name_offsets(types[i], &name, &off, &cu, &e) !=
			    DW_DLV_OK) {
				if (e)
					dwarf_dealloc_error(dw->dbg, e);
				e = NULL;
				continue;
			}
			if (index_add(&dw->pub, name_hash(name, strlen(name)), IK_ANY, off, true,
				      false) < 0)
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

			if (dwarf_global_name_offsets(globals[i], &name, &off, &cu, &e) !=
			    DW_DLV_OK) {
				if (e)
					dwarf_dealloc_error(dw->dbg, e);
				e = NULL;
				continue;
			}
			if (index_add(&dw->pub, name_hash(name, strlen(name)), IK_ANY, off, true,
				      false) < 0)
				break;
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
			Dwarf_Unsigned len = 0, typeoff = 0, next = 0;
			Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, ut = 0;
			Dwarf_Off abbrev = 0;
			Dwarf_Sig8 sig;
			Dwarf_Error e = NULL;
			Dwarf_Die cu = NULL;
			int res = dwarf_next_cu_header_d(dw->dbg, c.is_info, &len, &ver, &abbrev,
							 &asz, &lsz, &esz, &sig, &typeoff, &next,
							 &ut, &e);

			if (res == DW_DLV_NO_ENTRY)
				break;
			if (res == DW_DLV_ERROR) {
				rc = rci_dwarf_err(dw, e, err, "reading a unit header");
				break;
			}
			res = dwarf_siblingof_b(dw->dbg, NULL, c.is_info, &cu, &e);
			if (res == DW_DLV_ERROR) {
				rc = rci_dwarf_err(dw, e, err, "reading a unit's first DIE");
				break;
			}
			if (res == DW_DLV_NO_ENTRY)
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
