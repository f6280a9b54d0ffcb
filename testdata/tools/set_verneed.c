/* SPDX-License-Identifier: MIT */
/*
 * set_verneed: rename a required symbol version in an ELF64 little-endian
 * file, in place.
 *
 * usage: set_verneed FILE OLDVER NEWVER
 *
 * Every vernaux entry in .gnu.version_r whose name is OLDVER gets the name
 * NEWVER (overwritten in the linked string table, so both names must have the
 * same length) and the SysV ELF hash of NEWVER in vna_hash, which ld.so
 * compares before the name. This makes a binary that asks for a glibc
 * version the host lacks (GLIBC_2.34 -> GLIBC_2.38) without needing a newer
 * glibc to link against.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

#define MAX_MATCHES 64

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "set_verneed: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t elf_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 0, g;

	while (*p) {
		h = (h << 4) + *p++;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static void write_file(const char *path, const unsigned char *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		die("cannot rewrite '%s'", path);
	if (fwrite(p, 1, len, f) != len || fclose(f) != 0)
		die("cannot write '%s'", path);
}

/* The host is little-endian x86-64 as are the files, but do not rely on it. */
static uint64_t get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void set32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

int main(int argc, char **argv)
{
	const char *path, *oldver, *newver;
	size_t len, oldlen, nmatch = 0, i;
	unsigned char *f;
	uint64_t shoff, stroff = 0, strsize = 0;
	unsigned shnum, shentsize;
	size_t aux_at[MAX_MATCHES];
	uint64_t name_at[MAX_MATCHES];
	int found_verneed = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: set_verneed FILE OLDVER NEWVER\n");
		return 2;
	}
	path = argv[1];
	oldver = argv[2];
	newver = argv[3];
	oldlen = strlen(oldver);
	if (strlen(newver) != oldlen)
		die("'%s' and the old name differ in length", newver);

	f = read_file(path, &len);
	if (len < sizeof(Elf64_Ehdr) || memcmp(f, ELFMAG, SELFMAG) != 0 ||
	    f[EI_CLASS] != ELFCLASS64 || f[EI_DATA] != ELFDATA2LSB)
		die("'%s' is not an ELF64 little-endian file", path);
	shoff = get(f + offsetof(Elf64_Ehdr, e_shoff), 8);
	shnum = (unsigned)get(f + offsetof(Elf64_Ehdr, e_shnum), 2);
	shentsize = (unsigned)get(f + offsetof(Elf64_Ehdr, e_shentsize), 2);
	if (shentsize != sizeof(Elf64_Shdr) || !in_file(shoff, (uint64_t)shnum * shentsize, len))
		die("'%s' has a bad section header table", path);

	for (i = 0; i < shnum; i++) {
		const unsigned char *sh = f + shoff + i * shentsize;
		uint64_t off, size, link, vn, next;
		unsigned cnt;

		if (get(sh + offsetof(Elf64_Shdr, sh_type), 4) != SHT_GNU_verneed)
			continue;
		found_verneed = 1;
		off = get(sh + offsetof(Elf64_Shdr, sh_offset), 8);
		size = get(sh + offsetof(Elf64_Shdr, sh_size), 8);
		link = get(sh + offsetof(Elf64_Shdr, sh_link), 4);
		cnt = (unsigned)get(sh + offsetof(Elf64_Shdr, sh_info), 4);
		if (!in_file(off, size, len) || link >= shnum)
			die("'%s' has a bad .gnu.version_r", path);
		sh = f + shoff + link * shentsize;
		stroff = get(sh + offsetof(Elf64_Shdr, sh_offset), 8);
		strsize = get(sh + offsetof(Elf64_Shdr, sh_size), 8);
		if (!in_file(stroff, strsize, len))
			die("'%s' has a bad .dynstr", path);

		/* Walk the verneed chain and each entry's vernaux chain. */
		for (vn = 0; cnt--; vn += next) {
			uint64_t aux, anext;
			unsigned acnt;

			if (vn > size || size - vn < sizeof(Elf64_Verneed))
				die("'%s': verneed entry runs past its section", path);
			acnt = (unsigned)get(f + off + vn + offsetof(Elf64_Verneed, vn_cnt), 2);
			aux = vn + get(f + off + vn + offsetof(Elf64_Verneed, vn_aux), 4);
			next = get(f + off + vn + offsetof(Elf64_Verneed, vn_next), 4);
			for (; acnt--; aux += anext) {
				const unsigned char *va = f + off + aux;
				uint64_t name;

				if (aux > size || size - aux < sizeof(Elf64_Vernaux))
					die("'%s': vernaux entry runs past its section", path);
				name = get(va + offsetof(Elf64_Vernaux, vna_name), 4);
				anext = get(va + offsetof(Elf64_Vernaux, vna_next), 4);
				if (name < strsize && strsize - name > oldlen &&
				    memcmp(f + stroff + name, oldver, oldlen + 1) == 0) {
					if (nmatch == MAX_MATCHES)
						die("'%s': too many matching vernaux entries",
						    path);
					aux_at[nmatch] = (size_t)(off + aux);
					name_at[nmatch] = stroff + name;
					nmatch++;
				}
				if (!anext)
					break;
			}
			if (!next)
				break;
		}
	}
	if (!found_verneed)
		die("'%s' has no .gnu.version_r section", path);
	if (!nmatch)
		die("no required version named '%s'", oldver);

	/* Patch only after the walk, since entries may share one string. */
	for (i = 0; i < nmatch; i++) {
		memcpy(f + name_at[i], newver, oldlen);
		set32(f + aux_at[i] + offsetof(Elf64_Vernaux, vna_hash), elf_hash(newver));
	}
	write_file(path, f, len);
	free(f);
	return 0;
}
