/* SPDX-License-Identifier: MIT */
/*
 * Finding the debug info of an ELF file (in the file itself, by build-id or
 * .gnu_debuglink under the debug directories) and opening and freeing the
 * handle over it.
 */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <libdwarf.h>
#include <zlib.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>

#include "dwarf_internal.h"

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"
/* Layouts and names are small: one arena chunk holds hundreds of them. */
#define ARENA_CHUNK ((size_t)64 << 10)

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
			Dwarf_Half ver = 0;
			Dwarf_Error e = NULL;
			Dwarf_Die cu = NULL;
			int res = rci_dwarf_next_unit(dw, is_info, &ver, &cu, err);

			if (res < 0)
				return res;
			if (res == 0)
				break;
			if (cu && !dw->seen_producer) {
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
