/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_DWARF_INTERNAL_H
#define RELOADCHECK_LIB_DWARF_INTERNAL_H

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
 *
 * dwarf_locate.c finds the debug info and opens the handle, dwarf_index.c
 * looks names up, dwarf_die.c reads single DIEs, dwarf_layout.c builds
 * layouts from them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libdwarf.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/error.h>

#include "arena.h"

/* A growable string (dwarf_die.c): oom is set, and the text kept, when memory runs out. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void rci_sb_add(struct sbuf *b, const char *s, size_t n);
void rci_sb_puts(struct sbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void rci_sb_printf(struct sbuf *b, const char *fmt, ...);

/* The name index: name hash -> DIE offset (dwarf_index.c). */

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

void rci_dwarf_index_free(struct index *ix);

/* The handle */

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

/* Errors (dwarf_die.c): libdwarf's as -RC_EFORMAT with its reason, and -RC_ENOMEM. */
int rci_dwarf_err(struct rc_dwarf *dw, Dwarf_Error e, struct rc_err *err, const char *what);
int rci_dwarf_oom(struct rc_err *err, const char *what);

/* DIE readers (dwarf_die.c) */

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

typedef int (*child_fn)(struct rc_dwarf *dw, Dwarf_Die child, Dwarf_Half tag, void *arg,
			struct rc_err *err);

int rci_die_at(struct rc_dwarf *dw, struct tref t, Dwarf_Die *out, struct rc_err *err);
int rci_die_tag(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half *tag, struct rc_err *err);
int rci_die_name(struct rc_dwarf *dw, Dwarf_Die die, const char **name, struct rc_err *err);
int rci_die_has(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool *has, struct rc_err *err);
int rci_attr_const(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, bool sign_extend,
		   int64_t *val, bool *has, struct rc_err *err);
int rci_attr_udata(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, uint64_t *val, bool *has,
		   struct rc_err *err);
int rci_member_location(struct rc_dwarf *dw, Dwarf_Die die, uint64_t *loc, bool *has,
			struct rc_err *err);
int rci_attr_ref(struct rc_dwarf *dw, Dwarf_Die die, Dwarf_Half at, struct tref *t,
		 struct rc_err *err);
int rci_read_tinfo(struct rc_dwarf *dw, struct tref t, struct tinfo *ti, Dwarf_Die *diep,
		   struct rc_err *err);
int rci_for_children(struct rc_dwarf *dw, Dwarf_Die die, child_fn fn, void *arg,
		     struct rc_err *err);
/*
 * The next unit of .debug_info (@is_info) or .debug_types: 1 with its version
 * in @ver (may be NULL) and its first DIE in @cu (NULL when it has none; the
 * caller deallocates it), 0 after the last unit, or a negative code.
 */
int rci_dwarf_next_unit(struct rc_dwarf *dw, bool is_info, Dwarf_Half *ver, Dwarf_Die *cu,
			struct rc_err *err);

/* Layouts (dwarf_layout.c) */
int rci_dwarf_get_layout(struct rc_dwarf *dw, struct tref t, int depth, struct lnode **out,
			 struct rc_err *err);
int rci_dwarf_compute_nested(struct rc_dwarf *dw, struct lnode *l, struct rc_err *err);

#endif
