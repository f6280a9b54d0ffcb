/* SPDX-License-Identifier: MIT */
/*
 * patch_elf: make damaged copies of an ELF64 little-endian file for the
 * bad-input fixtures. The output is a pure function of the input and the
 * arguments, so the fixtures are deterministic.
 *
 * usage: patch_elf IN OUT truncate N           copy the first N bytes
 *        patch_elf IN OUT shoff N              set e_shoff
 *        patch_elf IN OUT shstrndx N           set e_shstrndx
 *        patch_elf IN OUT sh-offset NAME N     set sh_offset of section NAME
 *        patch_elf IN OUT section-bytes NAME OFF HEX
 *                                              overwrite the bytes at OFF in
 *                                              section NAME with HEX (e.g. 00000000)
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "patch_elf: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: patch_elf IN OUT truncate N | shoff N | shstrndx N | "
			"sh-offset NAME N | section-bytes NAME OFF HEX\n");
	exit(2);
}

static uint64_t parse_num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("bad number '%s'", s);
	return v;
}

static uint64_t get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static void set(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void check_elf64le(const unsigned char *f, size_t len, const char *path)
{
	if (len < sizeof(Elf64_Ehdr) || memcmp(f, ELFMAG, SELFMAG) != 0 ||
	    f[EI_CLASS] != ELFCLASS64 || f[EI_DATA] != ELFDATA2LSB)
		die("'%s' is not an ELF64 little-endian file", path);
}

/* The section header of section @name; dies if there is none. */
static unsigned char *find_section(unsigned char *f, size_t len, const char *path, const char *name)
{
	uint64_t shoff = get(f + offsetof(Elf64_Ehdr, e_shoff), 8);
	unsigned shnum = (unsigned)get(f + offsetof(Elf64_Ehdr, e_shnum), 2);
	unsigned shstrndx = (unsigned)get(f + offsetof(Elf64_Ehdr, e_shstrndx), 2);
	const unsigned char *strsh;
	uint64_t stroff, strsize;
	unsigned i;

	if (shoff > len || (len - shoff) / sizeof(Elf64_Shdr) < shnum || shstrndx >= shnum)
		die("'%s' has a bad section header table", path);
	strsh = f + shoff + shstrndx * sizeof(Elf64_Shdr);
	stroff = get(strsh + offsetof(Elf64_Shdr, sh_offset), 8);
	strsize = get(strsh + offsetof(Elf64_Shdr, sh_size), 8);
	if (stroff > len || strsize > len - stroff)
		die("'%s' has a bad section name table", path);

	for (i = 0; i < shnum; i++) {
		unsigned char *sh = f + shoff + i * sizeof(Elf64_Shdr);
		uint64_t n = get(sh + offsetof(Elf64_Shdr, sh_name), 4);

		if (n >= strsize || !memchr(f + stroff + n, 0, strsize - n))
			continue;
		if (strcmp((const char *)f + stroff + n, name) == 0)
			return sh;
	}
	die("no section named '%s'", name);
	return NULL;
}

/* Overwrite bytes @off.. of section @name with the bytes spelled by @hex. */
static void set_section_bytes(unsigned char *f, size_t len, const char *path, const char *name,
			      uint64_t off, const char *hex)
{
	const unsigned char *sh = find_section(f, len, path, name);
	uint64_t sec_off = get(sh + offsetof(Elf64_Shdr, sh_offset), 8);
	uint64_t sec_size = get(sh + offsetof(Elf64_Shdr, sh_size), 8);
	size_t n = strlen(hex), i;

	if (get(sh + offsetof(Elf64_Shdr, sh_type), 4) == SHT_NOBITS)
		die("section '%s' has no bytes in the file", name);
	if (sec_off > len || sec_size > len - sec_off)
		die("section '%s' runs past the end of the file", name);
	if (n == 0 || n % 2)
		die("bad hex string '%s'", hex);
	if (off > sec_size || n / 2 > sec_size - off)
		die("the bytes do not fit in section '%s'", name);
	for (i = 0; i < n; i += 2) {
		int hi = rci_hexval(hex[i]), lo = rci_hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			die("bad hex string '%s'", hex);
		f[sec_off + off + i / 2] = (unsigned char)(hi << 4 | lo);
	}
}

int main(int argc, char **argv)
{
	const char *in, *out, *op;
	unsigned char *f;
	size_t len;
	FILE *o;

	if (argc < 5)
		usage();
	in = argv[1];
	out = argv[2];
	op = argv[3];
	f = read_file(in, &len);
	check_elf64le(f, len, in);

	if (!strcmp(op, "truncate") && argc == 5) {
		uint64_t n = parse_num(argv[4]);

		if (n >= len)
			die("'%s' is not longer than the requested size", in);
		len = (size_t)n;
	} else if (!strcmp(op, "shoff") && argc == 5) {
		uint64_t n = parse_num(argv[4]);

		if (n <= len)
			die("'%s': the new e_shoff is not past the end of the file", in);
		set(f + offsetof(Elf64_Ehdr, e_shoff), n, 8);
	} else if (!strcmp(op, "shstrndx") && argc == 5) {
		uint64_t n = parse_num(argv[4]);

		if (n > 0xffff)
			die("e_shstrndx '%s' does not fit in 16 bits", argv[4]);
		set(f + offsetof(Elf64_Ehdr, e_shstrndx), n, 2);
	} else if (!strcmp(op, "sh-offset") && argc == 6) {
		uint64_t n = parse_num(argv[5]);

		if (n <= len)
			die("'%s': the new sh_offset is not past the end of the file", in);
		set(find_section(f, len, in, argv[4]) + offsetof(Elf64_Shdr, sh_offset), n, 8);
	} else if (!strcmp(op, "section-bytes") && argc == 7) {
		set_section_bytes(f, len, in, argv[4], parse_num(argv[5]), argv[6]);
	} else {
		usage();
	}

	o = fopen(out, "wb");
	if (!o)
		die("cannot create '%s'", out);
	if (fwrite(f, 1, len, o) != len || fclose(o) != 0)
		die("cannot write '%s'", out);
	free(f);
	return 0;
}
