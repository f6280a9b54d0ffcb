/* SPDX-License-Identifier: MIT */
/*
 * gen_elf: write a small but valid ELF file of any class and byte order.
 *
 * The host gcc only produces x86-64 little-endian files; the readers in lib/
 * must also cope with 32-bit, big-endian, relocatable and core files, so the
 * fixtures for those are generated here, field by field, in the requested
 * class and byte order.
 *
 * usage: gen_elf --class 32|64 --endian little|big --machine N
 *                --type exec|dyn|rel|core OUT
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX 4096

struct out {
	unsigned char buf[FILE_MAX];
	size_t len;
	int is64;
	int big;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "gen_elf: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void put(struct out *o, size_t off, uint64_t v, int n)
{
	int i;

	if (off + n > FILE_MAX)
		die("%s", "layout overflows the output buffer");
	for (i = 0; i < n; i++) {
		int shift = o->big ? 8 * (n - 1 - i) : 8 * i;

		o->buf[off + i] = (unsigned char)(v >> shift);
	}
	if (off + n > o->len)
		o->len = off + n;
}

static void put16(struct out *o, size_t off, uint64_t v)
{
	put(o, off, v, 2);
}

static void put32(struct out *o, size_t off, uint64_t v)
{
	put(o, off, v, 4);
}

/* An address, offset or size field: 4 bytes in ELF32, 8 in ELF64. */
static void put_word(struct out *o, size_t off, uint64_t v)
{
	put(o, off, v, o->is64 ? 8 : 4);
}

static void put_bytes(struct out *o, size_t off, const void *p, size_t n)
{
	if (off + n > FILE_MAX)
		die("%s", "layout overflows the output buffer");
	memcpy(o->buf + off, p, n);
	if (off + n > o->len)
		o->len = off + n;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static void write_ehdr(struct out *o, unsigned type, unsigned machine, uint64_t entry,
		       uint64_t phoff, unsigned phnum, uint64_t shoff, unsigned shnum,
		       unsigned shstrndx)
{
	size_t w = o->is64 ? 8 : 4;
	size_t p = EI_NIDENT;

	o->buf[EI_MAG0] = ELFMAG0;
	o->buf[EI_MAG1] = ELFMAG1;
	o->buf[EI_MAG2] = ELFMAG2;
	o->buf[EI_MAG3] = ELFMAG3;
	o->buf[EI_CLASS] = o->is64 ? ELFCLASS64 : ELFCLASS32;
	o->buf[EI_DATA] = o->big ? ELFDATA2MSB : ELFDATA2LSB;
	o->buf[EI_VERSION] = EV_CURRENT;
	o->buf[EI_OSABI] = ELFOSABI_NONE;

	put16(o, p, type);
	put16(o, p + 2, machine);
	put32(o, p + 4, EV_CURRENT);
	p += 8;
	put_word(o, p, entry);
	put_word(o, p + w, phoff);
	put_word(o, p + 2 * w, shoff);
	p += 3 * w;
	put32(o, p, 0); /* e_flags */
	put16(o, p + 4, o->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr));
	put16(o, p + 6, phnum ? (o->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) : 0);
	put16(o, p + 8, phnum);
	put16(o, p + 10, shnum ? (o->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) : 0);
	put16(o, p + 12, shnum);
	put16(o, p + 14, shstrndx);
}

static void write_phdr(struct out *o, size_t off, unsigned type, unsigned flags, uint64_t offset,
		       uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	if (o->is64) {
		put32(o, off, type);
		put32(o, off + 4, flags);
		put_word(o, off + 8, offset);
		put_word(o, off + 16, vaddr);
		put_word(o, off + 24, vaddr); /* p_paddr */
		put_word(o, off + 32, filesz);
		put_word(o, off + 40, memsz);
		put_word(o, off + 48, align);
	} else {
		put32(o, off, type);
		put_word(o, off + 4, offset);
		put_word(o, off + 8, vaddr);
		put_word(o, off + 12, vaddr);
		put_word(o, off + 16, filesz);
		put_word(o, off + 20, memsz);
		put32(o, off + 24, flags);
		put_word(o, off + 28, align);
	}
}

struct shdr {
	unsigned name;
	unsigned type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	unsigned link;
	unsigned info;
	uint64_t addralign;
	uint64_t entsize;
};

static void write_shdr(struct out *o, size_t off, const struct shdr *s)
{
	size_t w = o->is64 ? 8 : 4;

	put32(o, off, s->name);
	put32(o, off + 4, s->type);
	off += 8;
	put_word(o, off, s->flags);
	put_word(o, off + w, s->addr);
	put_word(o, off + 2 * w, s->offset);
	put_word(o, off + 3 * w, s->size);
	off += 4 * w;
	put32(o, off, s->link);
	put32(o, off + 4, s->info);
	put_word(o, off + 8, s->addralign);
	put_word(o, off + 8 + w, s->entsize);
}

static void write_sym(struct out *o, size_t off, unsigned name, uint64_t value, uint64_t size,
		      unsigned bind, unsigned type, unsigned shndx)
{
	unsigned char info = (unsigned char)((bind << 4) | (type & 0xf));

	put32(o, off, name);
	if (o->is64) {
		o->buf[off + 4] = info;
		o->buf[off + 5] = STV_DEFAULT;
		put16(o, off + 6, shndx);
		put_word(o, off + 8, value);
		put_word(o, off + 16, size);
	} else {
		put_word(o, off + 4, value);
		put_word(o, off + 8, size);
		o->buf[off + 12] = info;
		o->buf[off + 13] = STV_DEFAULT;
		put16(o, off + 14, shndx);
	}
}

/*
 * Two 8-byte functions, gen_main returning 0 and gen_helper returning 1, in
 * the machine's own instruction encoding where we know it (so a disassembler
 * shows something sensible), otherwise zero bytes.
 */
static void write_code(struct out *o, size_t off, unsigned machine)
{
	static const unsigned char x86_main[8] = {0x31, 0xc0, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90};
	static const unsigned char x86_helper[8] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3, 0x90, 0x90};

	switch (machine) {
	case EM_386:
	case EM_X86_64:
		put_bytes(o, off, x86_main, sizeof(x86_main));
		put_bytes(o, off + 8, x86_helper, sizeof(x86_helper));
		break;
	case EM_PPC:
	case EM_PPC64:
		put32(o, off, 0x38600000);     /* li r3,0 */
		put32(o, off + 4, 0x4e800020); /* blr */
		put32(o, off + 8, 0x38600001); /* li r3,1 */
		put32(o, off + 12, 0x4e800020);
		break;
	case EM_AARCH64:
		put32(o, off, 0x52800000);     /* mov w0,#0 */
		put32(o, off + 4, 0xd65f03c0); /* ret */
		put32(o, off + 8, 0x52800020); /* mov w0,#1 */
		put32(o, off + 12, 0xd65f03c0);
		break;
	default:
		break;
	}
}

static void gen_object(struct out *o, unsigned type, unsigned machine)
{
	static const char strtab[] = "\0gen.c\0gen_main\0gen_helper\0gen_data";
	static const char shstrtab[] = "\0.text\0.rodata\0.symtab\0.strtab\0.shstrtab";
	enum { STR_FILE = 1, STR_MAIN = 7, STR_HELPER = 16, STR_DATA = 27 };
	enum { SH_TEXT = 1, SH_RODATA = 7, SH_SYMTAB = 15, SH_STRTAB = 23, SH_SHSTRTAB = 31 };
	int has_phdr = type != ET_REL;
	size_t ehsize = o->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t symsize = o->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	size_t shsize = o->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t wsize = o->is64 ? 8 : 4;
	uint64_t base = type == ET_EXEC ? 0x10000 : 0;
	size_t text_off = 0x100, text_size = 16;
	size_t rodata_off = text_off + text_size, rodata_size = 8;
	size_t sym_off = align_up(rodata_off + rodata_size, wsize), nsyms = 5;
	size_t str_off = sym_off + nsyms * symsize;
	size_t shstr_off = str_off + sizeof(strtab);
	size_t sh_off = align_up(shstr_off + sizeof(shstrtab), wsize);
	uint64_t text_addr = has_phdr ? base + text_off : 0;
	uint64_t rodata_addr = has_phdr ? base + rodata_off : 0;
	struct shdr sh[6] = {
		{0},
		{.name = SH_TEXT,
		 .type = SHT_PROGBITS,
		 .flags = SHF_ALLOC | SHF_EXECINSTR,
		 .addr = text_addr,
		 .offset = text_off,
		 .size = text_size,
		 .addralign = 4},
		{.name = SH_RODATA,
		 .type = SHT_PROGBITS,
		 .flags = SHF_ALLOC,
		 .addr = rodata_addr,
		 .offset = rodata_off,
		 .size = rodata_size,
		 .addralign = 8},
		{.name = SH_SYMTAB,
		 .type = SHT_SYMTAB,
		 .offset = sym_off,
		 .size = nsyms * symsize,
		 .link = 4,
		 .info = 2, /* index of the first non-local symbol */
		 .addralign = wsize,
		 .entsize = symsize},
		{.name = SH_STRTAB,
		 .type = SHT_STRTAB,
		 .offset = str_off,
		 .size = sizeof(strtab),
		 .addralign = 1},
		{.name = SH_SHSTRTAB,
		 .type = SHT_STRTAB,
		 .offset = shstr_off,
		 .size = sizeof(shstrtab),
		 .addralign = 1},
	};
	size_t i;

	write_ehdr(o, type, machine, type == ET_REL ? 0 : text_addr, has_phdr ? ehsize : 0,
		   has_phdr ? 1 : 0, sh_off, 6, 5);
	if (has_phdr)
		write_phdr(o, ehsize, PT_LOAD, PF_R | PF_X, 0, base, rodata_off + rodata_size,
			   rodata_off + rodata_size, 0x1000);

	write_code(o, text_off, machine);
	put_bytes(o, rodata_off, "gen_data", rodata_size);

	write_sym(o, sym_off, 0, 0, 0, STB_LOCAL, STT_NOTYPE, SHN_UNDEF);
	write_sym(o, sym_off + symsize, STR_FILE, 0, 0, STB_LOCAL, STT_FILE, SHN_ABS);
	write_sym(o, sym_off + 2 * symsize, STR_MAIN, text_addr, 8, STB_GLOBAL, STT_FUNC, 1);
	write_sym(o, sym_off + 3 * symsize, STR_HELPER, text_addr + 8, 8, STB_GLOBAL, STT_FUNC, 1);
	write_sym(o, sym_off + 4 * symsize, STR_DATA, rodata_addr, rodata_size, STB_GLOBAL,
		  STT_OBJECT, 2);
	put_bytes(o, str_off, strtab, sizeof(strtab));
	put_bytes(o, shstr_off, shstrtab, sizeof(shstrtab));

	for (i = 0; i < 6; i++)
		write_shdr(o, sh_off + i * shsize, &sh[i]);
}

/*
 * A core file as the kernel writes it: no section headers, one PT_NOTE with
 * an NT_PRPSINFO note owned by "CORE".
 */
static void gen_core(struct out *o, unsigned machine)
{
	static const char owner[8] = "CORE";
	size_t ehsize = o->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsize = o->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t note_off = align_up(ehsize + phsize, 8);
	size_t descsz = o->is64 ? 136 : 124; /* sizeof(struct elf_prpsinfo) on Linux */
	size_t note_size = 12 + sizeof(owner) + descsz;

	write_ehdr(o, ET_CORE, machine, 0, ehsize, 1, 0, 0, SHN_UNDEF);
	write_phdr(o, ehsize, PT_NOTE, 0, note_off, 0, note_size, 0, 4);
	put32(o, note_off, 5); /* namesz, "CORE" plus NUL */
	put32(o, note_off + 4, descsz);
	put32(o, note_off + 8, NT_PRPSINFO);
	put_bytes(o, note_off + 12, owner, sizeof(owner));
	/* The descriptor stays zero; only its presence matters. */
	o->len = note_off + note_size;
}

static unsigned long parse_num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		die("bad number '%s'", s);
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_elf --class 32|64 --endian little|big --machine N "
			"--type exec|dyn|rel|core OUT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct out o;
	const char *path = NULL;
	unsigned machine = EM_X86_64, type = ET_EXEC;
	FILE *f;
	int i;

	o.is64 = 1;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (opt[0] != '-') {
			if (path)
				usage();
			path = opt;
			continue;
		}
		if (!val)
			usage();
		i++;
		if (!strcmp(opt, "--class")) {
			if (strcmp(val, "32") && strcmp(val, "64"))
				die("bad class '%s'", val);
			o.is64 = !strcmp(val, "64");
		} else if (!strcmp(opt, "--endian")) {
			if (strcmp(val, "little") && strcmp(val, "big"))
				die("bad byte order '%s'", val);
			o.big = !strcmp(val, "big");
		} else if (!strcmp(opt, "--machine")) {
			machine = (unsigned)parse_num(val, 0xffff);
		} else if (!strcmp(opt, "--type")) {
			if (!strcmp(val, "exec"))
				type = ET_EXEC;
			else if (!strcmp(val, "dyn"))
				type = ET_DYN;
			else if (!strcmp(val, "rel"))
				type = ET_REL;
			else if (!strcmp(val, "core"))
				type = ET_CORE;
			else
				die("bad type '%s'", val);
		} else {
			usage();
		}
	}
	if (!path)
		usage();

	if (type == ET_CORE)
		gen_core(&o, machine);
	else
		gen_object(&o, type, machine);

	f = fopen(path, "wb");
	if (!f)
		die("cannot create '%s'", path);
	if (fwrite(o.buf, 1, o.len, f) != o.len || fclose(f) != 0)
		die("cannot write '%s'", path);
	return 0;
}
