/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_ELF_H
#define RELOADCHECK_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_err;

/*
 * A read-only view of one ELF file, mapped (not copied) and validated on open:
 * headers, section and program header tables and string tables are bounds-checked,
 * so every accessor below returns data that lies inside the file.
 */
struct rc_elf;

/*
 * Open and validate @path. On success *@out is the caller's; free it with
 * rc_elf_free(). Errors: -RC_EIO (missing, unreadable, a directory),
 * -RC_EFORMAT (empty, not ELF, truncated, tables out of range, a core file).
 */
int rc_elf_open(const char *path, struct rc_elf **out, struct rc_err *err);
void rc_elf_free(struct rc_elf *elf);

const char *rc_elf_path(const struct rc_elf *elf);
uint64_t rc_elf_file_size(const struct rc_elf *elf);

struct rc_elf_ident {
	unsigned elfclass; /* 32 or 64 */
	bool big_endian;
	unsigned machine;    /* e_machine */
	unsigned osabi;	     /* EI_OSABI */
	unsigned abiversion; /* EI_ABIVERSION */
	unsigned type;	     /* e_type: ET_EXEC, ET_DYN, ET_REL */
	bool pie;	     /* ET_DYN with an interpreter or DF_1_PIE */
	bool dynamic;	     /* has PT_DYNAMIC */
	const char *interp;  /* PT_INTERP path or NULL; borrowed */
	uint64_t entry;
};
void rc_elf_ident(const struct rc_elf *elf, struct rc_elf_ident *out);

/*
 * Open the libc.so.6 that @target would run with: under @sysroot (NULL or ""
 * for the host) in the multiarch directory of @target's machine
 * (/lib/x86_64-linux-gnu, ...), then /usr/lib/<triplet>, lib64 and lib.
 * @path (@size bytes) receives the file opened or, when there is none, the
 * first place looked. Returns 0 and *@out (free with rc_elf_free), -RC_ENOENT
 * when no libc.so.6 is there, or the error of opening the one found.
 */
int rc_elf_open_libc(const struct rc_elf *target, const char *sysroot, char *path, size_t size,
		     struct rc_elf **out, struct rc_err *err);

/* Human names for numbers in rc_elf_ident ("x86-64", "ELFOSABI_NONE/SYSV", "EXEC"). */
const char *rc_elf_machine_name(unsigned machine);
const char *rc_elf_osabi_name(unsigned osabi);
const char *rc_elf_type_name(unsigned type);

/*
 * GNU build-id from the notes (PT_NOTE or SHT_NOTE). Returns 0 and a borrowed
 * pointer into the mapping, or -RC_ENOENT when there is none.
 */
int rc_elf_build_id(const struct rc_elf *elf, const unsigned char **id, size_t *len);

/*
 * The GNU build-id of the ELF file at @path as lowercase hex into @hex (@size
 * bytes; truncated to fit, as rc_hex). Returns 0, -RC_ENOENT when the file
 * has no build-id, or the error of rc_elf_open(); @hex is "" on failure.
 */
int rc_elf_build_id_of_path(const char *path, char *hex, size_t size, struct rc_err *err);

/*
 * The Go build ID from the Go linker's note (.note.go.buildid): a borrowed,
 * not NUL-terminated string of *@len bytes, or -RC_ENOENT.
 */
int rc_elf_go_build_id(const struct rc_elf *elf, const char **id, size_t *len);

/* True when the two files have the same size and bytes. */
bool rc_elf_same_contents(const struct rc_elf *a, const struct rc_elf *b);

/*
 * XXH3-128 of the whole file's bytes (the mapping libelf holds) as 32
 * lowercase hex digits into @hex (@size bytes; truncated to fit, as rc_hex):
 * what identifies a build that has neither a GNU nor a Go build ID.
 */
void rc_elf_content_hash(const struct rc_elf *elf, char *hex, size_t size);

/* Lowercase hex of @id into @buf (2*len+1 bytes; truncated to fit @size). */
void rc_hex(const unsigned char *id, size_t len, char *buf, size_t size);

struct rc_elf_section {
	const char *name; /* borrowed */
	uint32_t type;	  /* SHT_* */
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
};
size_t rc_elf_section_count(const struct rc_elf *elf);
/* Section @i (0 <= i < count); index 0 is the null section. */
void rc_elf_section(const struct rc_elf *elf, size_t i, struct rc_elf_section *out);
/* First section called @name: 0, or -RC_ENOENT. */
int rc_elf_find_section(const struct rc_elf *elf, const char *name, struct rc_elf_section *out);
/*
 * Contents of a section that is not SHT_NOBITS: a borrowed pointer into the
 * mapping (raw file bytes, file byte order) or NULL for NOBITS/empty ones.
 */
const unsigned char *rc_elf_section_bytes(const struct rc_elf *elf, const struct rc_elf_section *s);

struct rc_elf_segment {
	uint32_t type; /* PT_* */
	uint32_t flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};
size_t rc_elf_segment_count(const struct rc_elf *elf);
void rc_elf_segment(const struct rc_elf *elf, size_t i, struct rc_elf_segment *out);
/* First segment of @type: 0, or -RC_ENOENT. */
int rc_elf_find_segment(const struct rc_elf *elf, uint32_t type, struct rc_elf_segment *out);

/*
 * Bytes of the file image at virtual address @vaddr (through PT_LOAD, or
 * PT_TLS for the TLS initial image): a borrowed pointer and how many bytes
 * are in the file from there, or NULL when the address is not file-backed.
 */
const unsigned char *rc_elf_vaddr_bytes(const struct rc_elf *elf, uint64_t vaddr, size_t *avail);

enum rc_elf_table {
	RC_ELF_SYMTAB = 0, /* .symtab */
	RC_ELF_DYNSYM = 1, /* .dynsym */
};

struct rc_elf_sym {
	const char *name;    /* borrowed, NUL-terminated */
	const char *version; /* dynsym: version name or NULL; borrowed */
	uint64_t value;
	uint64_t size;
	uint32_t name_len;
	uint16_t shndx;
	uint8_t type;	     /* STT_* */
	uint8_t bind;	     /* STB_* */
	uint8_t visibility;  /* STV_* */
	bool defined;	     /* shndx != SHN_UNDEF */
	bool version_hidden; /* non-default version (foo@V, not foo@@V) */
};

/*
 * All symbols of a table except the null entry, decoded once into one array
 * owned by @elf. Returns 0 with *@n possibly 0 when the table is absent
 * (*@present false), or a negative code for a malformed table.
 */
int rc_elf_symbols(struct rc_elf *elf, enum rc_elf_table which, const struct rc_elf_sym **syms,
		   size_t *n, bool *present, struct rc_err *err);

struct rc_elf_dynamic {
	const char **needed; /* DT_NEEDED in order; borrowed */
	size_t n_needed;
	const char *soname;  /* or NULL */
	const char *rpath;   /* or NULL */
	const char *runpath; /* or NULL */
	uint64_t flags_1;    /* DT_FLAGS_1 */
};
/* Decoded PT_DYNAMIC/.dynamic; all zero for a static file. Owned by @elf. */
int rc_elf_dynamic(struct rc_elf *elf, const struct rc_elf_dynamic **out, struct rc_err *err);

struct rc_elf_verneed {
	const char *file;    /* library that must define it, e.g. "libc.so.6" */
	const char *version; /* e.g. "GLIBC_2.34" */
	bool weak;	     /* VER_FLG_WEAK */
};
/* Required versions from .gnu.version_r (owned by @elf; empty when absent). */
int rc_elf_verneeds(struct rc_elf *elf, const struct rc_elf_verneed **out, size_t *n,
		    struct rc_err *err);
/* Version names defined in .gnu.version_d, the base (file) entry excluded. */
int rc_elf_verdefs(struct rc_elf *elf, const char *const **out, size_t *n, struct rc_err *err);

/* Read an unsigned integer of @size bytes (1, 2, 4, 8) in the file's byte order. */
uint64_t rc_elf_read_uint(const struct rc_elf *elf, const unsigned char *p, size_t size);

#endif
