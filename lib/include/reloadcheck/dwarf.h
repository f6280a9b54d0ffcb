/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_DWARF_H
#define RELOADCHECK_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_elf;
struct rc_err;

/*
 * Type layouts from DWARF (libdwarf): what the dwarf-layout check compares.
 * Only the types asked for are read: names are looked up in .debug_names /
 * .debug_pubtypes when present, else in an index built by one pass over the
 * compilation units that records type names and DIE offsets only.
 */

struct rc_dwarf;

/*
 * Open the debug information of @elf: its own .debug_info, else a separate
 * file found through .gnu_debuglink (next to the file, in a .debug/ beside it,
 * and under @debug_dir + the file's directory) or the build-id path
 * @debug_dir/.build-id/xx/rest.debug (@debug_dir NULL: /usr/lib/debug).
 * -RC_ENOENT when there is none (err says where it looked); -RC_EFORMAT for
 * debug info libdwarf rejects (truncated, bad abbreviations, offsets out of
 * range) with the reason. On success *@out is the caller's (rc_dwarf_free).
 */
int rc_dwarf_open(const struct rc_elf *elf, const char *debug_dir, struct rc_dwarf **out,
		  struct rc_err *err);
void rc_dwarf_free(struct rc_dwarf *dw);
/* Where the debug info came from: "'/path/app' .debug_info" or "'/usr/lib/debug/...'". */
const char *rc_dwarf_source(const struct rc_dwarf *dw);
/* The DWARF version of the first compilation unit (2-5). */
unsigned rc_dwarf_version(const struct rc_dwarf *dw);

enum rc_layout_kind {
	RC_LAYOUT_STRUCT,
	RC_LAYOUT_UNION,
	RC_LAYOUT_CLASS,
	RC_LAYOUT_ENUM,
	RC_LAYOUT_TYPEDEF,
	RC_LAYOUT_BASE,
	RC_LAYOUT_POINTER,
	RC_LAYOUT_ARRAY,
	RC_LAYOUT_OTHER,
};

struct rc_layout_member {
	const char *name;   /* "" for an anonymous member */
	uint64_t offset;    /* byte offset (DW_AT_data_member_location) */
	uint64_t size;	    /* byte size of the member's type */
	int64_t bit_offset; /* bit position from the start of the struct, or -1 */
	uint64_t bit_size;  /* 0 when not a bit-field */
	const char *type;   /* a description: "int", "struct node *", "char[16]" */
};

struct rc_layout_enumerator {
	const char *name;
	int64_t value;
};

/* One named type, with the named struct/union/enum types its members use. */
struct rc_layout {
	const char *name; /* "struct session_table", "enum state", "counter_t" */
	enum rc_layout_kind kind;
	uint64_t size;	    /* DW_AT_byte_size (0 when unknown) */
	uint64_t align;	    /* DW_AT_alignment, else the largest member alignment */
	const char *target; /* typedef: the target's description; else NULL */
	const struct rc_layout_member *members;
	size_t n_members;
	const struct rc_layout_enumerator *enumerators;
	size_t n_enumerators;
	const uint64_t *dims; /* array dimensions (outermost first) */
	size_t n_dims;
	/*
	 * Named aggregate and enum types reachable from the members (through
	 * typedefs, arrays and nested structs, not through pointers), each once,
	 * cycles cut; typedefs resolve to what they name.
	 */
	const struct rc_layout *const *nested;
	size_t n_nested;
};

/*
 * The layout of type @name ("struct session_table", "union u", "enum e", or a
 * typedef or base type name; "session_table" alone finds a struct, union,
 * enum or typedef of that name). Owned by @dw. -RC_ENOENT when absent.
 */
int rc_dwarf_type(struct rc_dwarf *dw, const char *name, const struct rc_layout **out,
		  struct rc_err *err);

/* The layout of the type of global or TLS variable @name. -RC_ENOENT when absent. */
int rc_dwarf_variable(struct rc_dwarf *dw, const char *name, const struct rc_layout **out,
		      struct rc_err *err);

#endif
