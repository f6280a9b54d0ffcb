/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_GOBIN_H
#define RELOADCHECK_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_elf;
struct rc_err;

/*
 * Go binary formats: the build information blob (.go.buildinfo) and the
 * function table (.gopclntab). Both parsers work on raw bytes with explicit
 * byte order and pointer size, so 32-bit, big-endian and layouts the local Go
 * toolchain cannot produce are handled the same way; the rc_*_read functions
 * locate the data inside an ELF file and call the parsers.
 */

/*
 * Resolve a virtual address to file bytes (the old, pointer-based buildinfo
 * layout stores pointers). Returns a pointer and the bytes available there, or
 * NULL when the address is not backed by the file.
 */
typedef const unsigned char *(*rc_go_resolve_fn)(void *arg, uint64_t addr, size_t *avail);

struct rc_go_module {
	const char *path;		    /* borrowed from the owning buildinfo */
	const char *version;		    /* "" when absent (e.g. "(devel)" is kept as is) */
	const char *sum;		    /* "" when absent */
	const struct rc_go_module *replace; /* "=>" line after a dep, or NULL */
};

struct rc_go_setting {
	const char *key; /* "CGO_ENABLED", "-race", "GOARCH", "vcs.revision", ... */
	const char *value;
};

struct rc_go_buildinfo {
	unsigned ptr_size;	  /* 4 or 8, from the header */
	bool big_endian;	  /* header flag bit 0 */
	bool inline_format;	  /* header flag bit 1: Go >= 1.18 */
	const char *go_version;	  /* "go1.19.8" */
	const char *path;	  /* "path" line: the main package, or "" */
	struct rc_go_module main; /* "mod" line; path "" when absent */
	const struct rc_go_module *deps;
	size_t n_deps;
	const struct rc_go_setting *settings;
	size_t n_settings;
	const char *modinfo; /* the raw modinfo text (sentinels removed) */
};

/*
 * Parse a buildinfo blob: @data starts at the 16-byte-aligned magic
 * "\xff Go buildinf:" and has @len bytes. @resolve and @arg are used only for
 * the pointer-based layout (may be NULL otherwise). On success *@out is the
 * caller's; free it with rc_go_buildinfo_free(). Errors: -RC_EFORMAT with the
 * reason (bad magic, pointer size, truncated varint, unresolvable pointer).
 */
int rc_go_buildinfo_parse(const unsigned char *data, size_t len, rc_go_resolve_fn resolve,
			  void *arg, struct rc_go_buildinfo **out, struct rc_err *err);

/*
 * Find and parse the buildinfo of @elf: the .go.buildinfo section, else the
 * magic at a 16-byte boundary in the first writable, non-executable PT_LOAD.
 * Returns -RC_ENOENT (err says why) for a binary that is not a Go binary.
 */
int rc_go_buildinfo_read(const struct rc_elf *elf, struct rc_go_buildinfo **out,
			 struct rc_err *err);
void rc_go_buildinfo_free(struct rc_go_buildinfo *bi);

/* Value of build setting @key, or NULL. */
const char *rc_go_buildinfo_setting(const struct rc_go_buildinfo *bi, const char *key);

enum rc_go_pclntab_version {
	RC_GO_PCLNTAB_12 = 12,	 /* magic 0xfffffffb, Go 1.2-1.15 */
	RC_GO_PCLNTAB_116 = 116, /* magic 0xfffffffa, Go 1.16-1.17 */
	RC_GO_PCLNTAB_118 = 118, /* magic 0xfffffff0, Go 1.18-1.19 */
	RC_GO_PCLNTAB_120 = 120, /* magic 0xfffffff1, Go 1.20+ */
};

struct rc_go_func {
	const char *name; /* borrowed from the pclntab bytes (NUL-terminated) */
	uint32_t name_len;
	uint64_t entry; /* absolute PC */
	uint64_t size;	/* next function's entry (or the table's end PC) minus entry */
};

struct rc_go_pclntab {
	enum rc_go_pclntab_version version;
	unsigned quantum;  /* 1, 2 or 4 */
	unsigned ptr_size; /* 4 or 8 */
	bool big_endian;
	uint64_t text_start;		/* 1.18+: header textStart; before: the first entry */
	uint64_t text_end;		/* end PC from the table's last entry */
	const struct rc_go_func *funcs; /* in table (address) order */
	size_t nfunc;
	const char *where; /* ".gopclntab", or e.g. "magic scan in .data.rel.ro" */
};

/*
 * Parse a pclntab: @data starts at the header magic and has @len bytes.
 * Validates magic, pad bytes, quantum and pointer size, the function count
 * against the size, offsets against the bounds and entries in order; an
 * inconsistent table is -RC_EFORMAT with the reason. For 1.18+ the text start
 * in the header is used as is (callers relocate for PIE if needed). Names
 * point into @data, which must outlive the result.
 */
int rc_go_pclntab_parse(const unsigned char *data, size_t len, bool big_endian,
			struct rc_go_pclntab **out, struct rc_err *err);

/*
 * Find and parse the pclntab of @elf: the .gopclntab section (also
 * .data.rel.ro.gopclntab), else a scan for a header magic that parses, in the
 * read-only data sections (PIE and stripped builds hide it in .data.rel.ro).
 * -RC_ENOENT when there is none; -RC_EFORMAT when one was found but is
 * inconsistent (err has the reason).
 */
int rc_go_pclntab_read(const struct rc_elf *elf, struct rc_go_pclntab **out, struct rc_err *err);
void rc_go_pclntab_free(struct rc_go_pclntab *tab);

#endif
