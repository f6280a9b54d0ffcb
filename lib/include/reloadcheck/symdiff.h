/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_SYMDIFF_H
#define RELOADCHECK_SYMDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_elf_sym;
struct rc_err;

/*
 * The symbol diff engine: matches two symbol tables by normalised name (the
 * version breaks ties and is reported as a change), hashing names with XXH3 and comparing stored hashes before bytes.
 * Normalisation drops compiler clone suffixes (.isra.N, .constprop.N, .part.N,
 * .cold, .lto_priv.N, chained) and the hash in cgo wrappers (_cgo_<hex>_).
 */

/* Length of @name without clone suffixes; the cgo hash is not handled here. */
size_t rc_sym_strip_clone_suffix(const char *name, size_t len);

/*
 * Write the normalised form of @name into @buf (NUL-terminated, truncated to
 * @size). Returns the full normalised length.
 */
size_t rc_sym_normalize(const char *name, size_t len, char *buf, size_t size);

enum rc_symdiff_change {
	RC_SYMDIFF_SIZE = 1 << 0,
	RC_SYMDIFF_TYPE = 1 << 1,
	RC_SYMDIFF_BIND = 1 << 2,
	RC_SYMDIFF_VISIBILITY = 1 << 3,
	RC_SYMDIFF_MOVED = 1 << 4,   /* value (address) changed */
	RC_SYMDIFF_RENAMED = 1 << 5, /* raw names differ, normalised equal */
	RC_SYMDIFF_VERSION = 1 << 6, /* symbol version (or its default-ness) changed */
};

enum rc_symdiff_flags {
	RC_SYMDIFF_DEFINED_ONLY = 1 << 0, /* ignore undefined (imported) symbols */
};

/* Callback per event: @old_sym NULL = added, @new_sym NULL = removed. */
typedef void (*rc_symdiff_fn)(void *arg, const struct rc_elf_sym *old_sym,
			      const struct rc_elf_sym *new_sym, unsigned changes);

struct rc_symdiff_stats {
	size_t old_count, new_count; /* symbols considered */
	size_t added, removed, changed, moved_only, unchanged;
	char old_digest[33], new_digest[33]; /* as rc_symtab_digest() */
};

/*
 * Diff @old against @new. STT_SECTION/STT_FILE and unnamed symbols are ignored.
 * Events come in a stable order: removed and changed in OLD's order, then added
 * in NEW's order. Symbols moved and otherwise unchanged are only counted.
 * Returns 0, or -RC_ENOMEM.
 */
int rc_symdiff(const struct rc_elf_sym *old_syms, size_t n_old, const struct rc_elf_sym *new_syms,
	       size_t n_new, unsigned flags, rc_symdiff_fn fn, void *arg,
	       struct rc_symdiff_stats *stats, struct rc_err *err);

/*
 * Address-insensitive digest of a table: an order-independent multiset hash
 * (two 64-bit sums of XXH3 record hashes) over (normalised name, version, type,
 * bind, visibility, size, defined) of every considered symbol, as 32 hex digits
 * into @hex (33 bytes). Equal tables up to addresses and order give equal digests.
 */
int rc_symtab_digest(const struct rc_elf_sym *syms, size_t n, unsigned flags, char hex[33],
		     struct rc_err *err);

#endif
