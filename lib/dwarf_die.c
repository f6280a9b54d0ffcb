/* SPDX-License-Identifier: MIT */
/*
 * Small readers of single DIEs and their attributes over libdwarf, a string
 * builder for descriptions, and the errors every dwarf_*.c file reports.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "dwarf_internal.h"

void rci_sb_add(struct sbuf *b, const char *s, size_t n)
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

void rci_sb_puts(struct sbuf *b, const char *s)
{
	rci_sb_add(b, s, strlen(s));
}

void rci_sb_printf(struct sbuf *b, const char *fmt, ...)
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

int rci_dwarf_err(struct rc_dwarf *dw, Dwarf_Error e, struct rc_err *err, const char *what)
{
	int rc = rc_err_set(err, -RC_EFORMAT, "bad debug info in '%s': %s: %s", dw->path, what,
			    e ? dwarf_errmsg(e) : "unknown libdwarf error");

	if (e)
		dwarf_dealloc_error(dw->dbg, e);
	return rc;
}

int rci_dwarf_oom(struct rc_err *err, const char *what)
{
	return rc_err_set(err, -RC_ENOMEM, "out of memory for %s", what);
}

/* ---- small DIE readers ---- */

int rci_die_at(struct rc_dwarf *dw, struct tref t, Dwarf_Die *out, struct rc_err *err)
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

int rci_die_tag(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half *tag, struct rc_err *err)
{
	Dwarf_Error e = NULL;

	if (dwarf_tag(die, tag, &e) != DW_DLV_OK)
		return rci_dwarf_err(dw, e, err, "reading a tag");
	return 0;
}

/* The DIE's name, or NULL. libdwarf's string, valid until dwarf_finish. */
int rci_die_name(struct rc_dwarf *dw, Dwarf_Die die, const char **name, struct rc_err *err)
{
	Dwarf_Error e = NULL;
	char *s = NULL;
	int res = dwarf_diename(die, &s, &e);

	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading a name");
	*name = res == DW_DLV_OK ? s : NULL;
	return 0;
}

int rci_die_has(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool *has, struct rc_err *err)
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
int rci_attr_const(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool sign_extend,
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

int rci_attr_udata(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, uint64_t *val, bool *has,
		   struct rc_err *err)
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
int rci_member_location(struct rc_dwarf *dw, Dwarf_Die die, uint64_t *loc, bool *has,
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
int rci_attr_ref(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, struct tref *t,
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

/*
 * Read @t into @ti; *@diep (when non-NULL) keeps the DIE for the caller,
 * who deallocates it.
 */
int rci_read_tinfo(struct rc_dwarf *dw, struct tref t, struct tinfo *ti, Dwarf_Die *diep,
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

/* Call @fn for each child of @die, in order. */
int rci_for_children(struct rc_dwarf *dw, Dwarf_Die die, child_fn fn, void *arg, struct rc_err *err)
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

int rci_dwarf_next_unit(struct rc_dwarf *dw, bool is_info, Dwarf_Half *ver, Dwarf_Die *cu,
			struct rc_err *err)
{
	Dwarf_Unsigned len = 0, typeoff = 0, next = 0;
	Dwarf_Half v = 0, asz = 0, lsz = 0, esz = 0, ut = 0;
	Dwarf_Off abbrev = 0;
	Dwarf_Sig8 sig;
	Dwarf_Error e = NULL;
	Dwarf_Die die = NULL;
	int res = dwarf_next_cu_header_d(dw->dbg, is_info, &len, &v, &abbrev, &asz, &lsz, &esz,
					 &sig, &typeoff, &next, &ut, &e);

	if (res == DW_DLV_NO_ENTRY)
		return 0;
	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading a unit header");
	res = dwarf_siblingof_b(dw->dbg, NULL, is_info, &die, &e);
	if (res == DW_DLV_ERROR)
		return rci_dwarf_err(dw, e, err, "reading a unit's first DIE");
	if (ver)
		*ver = v;
	*cu = res == DW_DLV_OK ? die : NULL;
	return 1;
}
