/* SPDX-License-Identifier: MIT */
/*
 * The ELF reader: libelf over a read-only mapping of the file. Everything is
 * validated once at open time so that accessors can hand out pointers into the
 * mapping without re-checking bounds.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

struct symtab_cache {
	bool loaded;
	bool present;
	struct rc_elf_sym *syms;
	size_t n;
};

/*
 * What the lazy decoders fill in on first use. It hangs off a pointer so that
 * a decoder reached through a const struct rc_elf (rc_elf_ident) can fill it
 * without casting the const away. A decode that fails leaves it untouched.
 */
struct elf_cache {
	struct symtab_cache tables[2];

	bool dyn_loaded;
	struct rc_elf_dynamic dyn;

	bool vn_loaded;
	struct rc_elf_verneed *vn;
	size_t n_vn;

	bool vd_loaded;
	const char **vd;
	size_t n_vd;
};

struct rc_elf {
	char *path;
	int fd;
	Elf *e;
	const unsigned char *raw; /* the whole file, mapped by libelf */
	size_t size;
	GElf_Ehdr ehdr;
	size_t shnum;
	size_t shstrndx;
	struct rc_elf_section *secs;
	size_t phnum;
	struct rc_elf_segment *segs;
	const char *interp;

	struct elf_cache *cache;
};

static int fmt_err(struct rc_err *err, const char *path, const char *what)
{
	return rc_err_set(err, -RC_EFORMAT, "'%s': %s", path, what);
}

/* A short description of what a non-ELF file looks like, for the error. */
static const char *guess_kind(const unsigned char *p, size_t n)
{
	size_t printable = 0;

	if (n >= 2 && p[0] == '#' && p[1] == '!')
		return "not an ELF file (a script)";
	if (n >= 4 && memcmp(p, "!<ar", 4) == 0)
		return "not an ELF file (an ar archive)";
	for (size_t i = 0; i < n; i++)
		if (isprint(p[i]) || isspace(p[i]))
			printable++;
	if (n && printable == n)
		return "not an ELF file (looks like text)";
	return "not an ELF file (no ELF magic)";
}

static int check_open_file(const char *path, int *fdp, struct rc_err *err)
{
	struct stat st;
	unsigned char head[64];
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return rc_err_set(err, e == EACCES ? -RC_EACCES : -RC_EIO, "'%s': cannot open: %s",
				  path, strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return rc_err_set(err, -RC_EIO, "'%s': cannot stat: %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return rc_err_set(err, -RC_EIO, "'%s': is a directory, not an ELF file", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return rc_err_set(err, -RC_EFORMAT, "'%s': not a regular file, not an ELF file",
				  path);
	}
	if (st.st_size == 0) {
		close(fd);
		return fmt_err(err, path, "empty file, not an ELF file");
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got < 0) {
		int e = errno;
		close(fd);
		return rc_err_set(err, -RC_EIO, "'%s': cannot read: %s", path, strerror(e));
	}
	if (got < 4 || memcmp(head, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return fmt_err(err, path, guess_kind(head, (size_t)got));
	}
	if (got < EI_NIDENT || (head[EI_CLASS] != ELFCLASS32 && head[EI_CLASS] != ELFCLASS64)) {
		close(fd);
		return fmt_err(err, path, "truncated or invalid ELF identification");
	}
	if (head[EI_DATA] != ELFDATA2LSB && head[EI_DATA] != ELFDATA2MSB) {
		close(fd);
		return fmt_err(err, path, "invalid ELF byte order");
	}
	if ((size_t)got <
	    (head[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr))) {
		close(fd);
		return fmt_err(err, path, "truncated ELF header");
	}
	*fdp = fd;
	return 0;
}

static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int load_sections(struct rc_elf *elf, struct rc_err *err)
{
	const char *path = elf->path;
	uint64_t entsize =
		elf->ehdr.e_ident[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr);
	GElf_Shdr shstr;
	Elf_Scn *scn;

	if (elf_getshdrnum(elf->e, &elf->shnum) != 0)
		return rc_err_set(err, -RC_EFORMAT, "'%s': bad section count: %s", path,
				  elf_errmsg(-1));
	if (elf->shnum == 0 && elf->ehdr.e_shnum != 0) {
		/* libelf reports no sections when the table is unreadable. */
		elf->shnum = elf->ehdr.e_shnum;
	}
	if (elf->shnum == 0)
		return 0;
	if (elf->ehdr.e_shentsize != entsize)
		return rc_err_set(err, -RC_EFORMAT, "'%s': section header size %u, expected %u",
				  path, elf->ehdr.e_shentsize, (unsigned)entsize);
	if (elf->shnum > elf->size / entsize ||
	    !range_ok(elf->ehdr.e_shoff, elf->shnum * entsize, elf->size))
		return rc_err_set(err, -RC_EFORMAT,
				  "'%s': section header table (offset %llu, %zu entries) runs past "
				  "end of file (%zu bytes)",
				  path, (unsigned long long)elf->ehdr.e_shoff, elf->shnum,
				  elf->size);
	if (elf_getshdrstrndx(elf->e, &elf->shstrndx) != 0 || elf->shstrndx >= elf->shnum)
		return rc_err_set(err, -RC_EFORMAT,
				  "'%s': section name table index out of range (%zu sections)",
				  path, elf->shnum);
	scn = elf_getscn(elf->e, elf->shstrndx);
	if (!scn || !gelf_getshdr(scn, &shstr) || shstr.sh_type != SHT_STRTAB)
		return fmt_err(err, path, "section name table is not a string table");
	if (!range_ok(shstr.sh_offset, shstr.sh_size, elf->size))
		return fmt_err(err, path, "section name table runs past end of file");

	elf->secs = calloc(elf->shnum, sizeof(*elf->secs));
	if (!elf->secs)
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory for %zu sections", path,
				  elf->shnum);
	for (size_t i = 0; i < elf->shnum; i++) {
		GElf_Shdr sh;
		struct rc_elf_section *s = &elf->secs[i];
		const char *name;

		scn = elf_getscn(elf->e, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': cannot read section header %zu: %s", path, i,
					  elf_errmsg(-1));
		name = i ? elf_strptr(elf->e, elf->shstrndx, sh.sh_name) : "";
		if (!name)
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': section %zu has a name offset %u outside the name "
					  "table",
					  path, i, sh.sh_name);
		s->name = name;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		if (i && sh.sh_type != SHT_NOBITS && !range_ok(sh.sh_offset, sh.sh_size, elf->size))
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': section %zu (%s) at offset %llu, %llu bytes, runs "
					  "past end of file (%zu bytes)",
					  path, i, name, (unsigned long long)sh.sh_offset,
					  (unsigned long long)sh.sh_size, elf->size);
		if (sh.sh_link >= elf->shnum)
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': section %zu (%s) links to section %u of %zu", path,
					  i, name, sh.sh_link, elf->shnum);
	}
	return 0;
}

static int load_segments(struct rc_elf *elf, struct rc_err *err)
{
	const char *path = elf->path;
	uint64_t entsize =
		elf->ehdr.e_ident[EI_CLASS] == ELFCLASS32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);

	if (elf_getphdrnum(elf->e, &elf->phnum) != 0)
		return rc_err_set(err, -RC_EFORMAT, "'%s': bad program header count: %s", path,
				  elf_errmsg(-1));
	if (elf->phnum == 0)
		return 0;
	if (elf->phnum > elf->size / entsize ||
	    !range_ok(elf->ehdr.e_phoff, elf->phnum * entsize, elf->size))
		return rc_err_set(err, -RC_EFORMAT,
				  "'%s': program header table (offset %llu, %zu entries) runs past "
				  "end of file (%zu bytes)",
				  path, (unsigned long long)elf->ehdr.e_phoff, elf->phnum,
				  elf->size);
	elf->segs = calloc(elf->phnum, sizeof(*elf->segs));
	if (!elf->segs)
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", path);
	for (size_t i = 0; i < elf->phnum; i++) {
		GElf_Phdr ph;
		struct rc_elf_segment *s = &elf->segs[i];

		if (!gelf_getphdr(elf->e, (int)i, &ph))
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': cannot read program header %zu: %s", path, i,
					  elf_errmsg(-1));
		s->type = ph.p_type;
		s->flags = ph.p_flags;
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->align = ph.p_align;
		if (ph.p_filesz && !range_ok(ph.p_offset, ph.p_filesz, elf->size))
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': program header %zu (offset %llu, %llu bytes) runs "
					  "past end of file (%zu bytes)",
					  path, i, (unsigned long long)ph.p_offset,
					  (unsigned long long)ph.p_filesz, elf->size);
		if (ph.p_type == PT_INTERP && !elf->interp && ph.p_filesz) {
			const char *p = (const char *)elf->raw + ph.p_offset;

			if (memchr(p, '\0', ph.p_filesz))
				elf->interp = p;
		}
	}
	return 0;
}

int rc_elf_open(const char *path, struct rc_elf **out, struct rc_err *err)
{
	struct rc_elf *elf;
	int fd = -1;
	int rc;

	rc = check_open_file(path, &fd, err);
	if (rc)
		return rc;
	elf = calloc(1, sizeof(*elf));
	if (elf) {
		elf->path = strdup(path);
		elf->cache = calloc(1, sizeof(*elf->cache));
	}
	if (!elf || !elf->path || !elf->cache) {
		if (elf) {
			free(elf->path);
			free(elf->cache);
		}
		free(elf);
		close(fd);
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", path);
	}
	elf->fd = fd;
	elf_version(EV_CURRENT);
	elf->e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf->e || elf_kind(elf->e) != ELF_K_ELF) {
		rc = rc_err_set(err, -RC_EFORMAT, "'%s': not a readable ELF file: %s", path,
				elf_errmsg(-1));
		goto out;
	}
	elf->raw = (const unsigned char *)elf_rawfile(elf->e, &elf->size);
	if (!elf->raw || !gelf_getehdr(elf->e, &elf->ehdr)) {
		rc = rc_err_set(err, -RC_EFORMAT, "'%s': truncated ELF header: %s", path,
				elf_errmsg(-1));
		goto out;
	}
	if (elf->ehdr.e_type == ET_CORE) {
		rc = fmt_err(err, path, "is a core dump, not an executable or shared object");
		goto out;
	}
	if (elf->ehdr.e_type != ET_EXEC && elf->ehdr.e_type != ET_DYN &&
	    elf->ehdr.e_type != ET_REL) {
		rc = rc_err_set(err, -RC_EFORMAT,
				"'%s': ELF type %u is not an executable, shared object or object "
				"file",
				path, elf->ehdr.e_type);
		goto out;
	}
	rc = load_sections(elf, err);
	if (!rc)
		rc = load_segments(elf, err);
out:
	if (rc) {
		rc_elf_free(elf);
		return rc;
	}
	*out = elf;
	return 0;
}

void rc_elf_free(struct rc_elf *elf)
{
	if (!elf)
		return;
	if (elf->cache) {
		for (int i = 0; i < 2; i++)
			free(elf->cache->tables[i].syms);
		free(elf->cache->dyn.needed);
		free(elf->cache->vn);
		free(elf->cache->vd);
		free(elf->cache);
	}
	free(elf->secs);
	free(elf->segs);
	if (elf->e)
		elf_end(elf->e);
	if (elf->fd >= 0)
		close(elf->fd);
	free(elf->path);
	free(elf);
}

const char *rc_elf_path(const struct rc_elf *elf)
{
	return elf->path;
}

uint64_t rc_elf_file_size(const struct rc_elf *elf)
{
	return elf->size;
}

uint64_t rc_elf_read_uint(const struct rc_elf *elf, const unsigned char *p, size_t size)
{
	uint64_t v = 0;
	bool be = elf->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;

	for (size_t i = 0; i < size && i < 8; i++) {
		size_t k = be ? i : size - 1 - i;
		v = (v << 8) | p[k];
	}
	return v;
}

static int load_dynamic(const struct rc_elf *elf, const struct rc_elf_dynamic **out,
			struct rc_err *err);

void rc_elf_ident(const struct rc_elf *elf, struct rc_elf_ident *out)
{
	const struct rc_elf_dynamic *dyn = NULL;

	memset(out, 0, sizeof(*out));
	out->elfclass = elf->ehdr.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 64;
	out->big_endian = elf->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	out->machine = elf->ehdr.e_machine;
	out->osabi = elf->ehdr.e_ident[EI_OSABI];
	out->abiversion = elf->ehdr.e_ident[EI_ABIVERSION];
	out->type = elf->ehdr.e_type;
	out->entry = elf->ehdr.e_entry;
	out->interp = elf->interp;
	for (size_t i = 0; i < elf->phnum; i++)
		if (elf->segs[i].type == PT_DYNAMIC)
			out->dynamic = true;
	/* The dynamic section was validated at open; a decode error means no flags. */
	if (load_dynamic(elf, &dyn, NULL) != 0)
		dyn = NULL;
	out->pie =
		elf->ehdr.e_type == ET_DYN && (elf->interp || (dyn && (dyn->flags_1 & DF_1_PIE)));
}

const char *rc_elf_machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386:
		return "i386";
	case EM_X86_64:
		return "x86-64";
	case EM_AARCH64:
		return "AArch64";
	case EM_ARM:
		return "ARM";
	case EM_PPC:
		return "PowerPC";
	case EM_PPC64:
		return "PowerPC64";
	case EM_S390:
		return "S/390";
	case EM_RISCV:
		return "RISC-V";
	case EM_MIPS:
		return "MIPS";
	case EM_SPARCV9:
		return "SPARC V9";
	case EM_LOONGARCH:
		return "LoongArch";
	default:
		return "unknown machine";
	}
}

const char *rc_elf_osabi_name(unsigned osabi)
{
	switch (osabi) {
	case ELFOSABI_SYSV:
		return "SYSV";
	case ELFOSABI_GNU:
		return "GNU/Linux";
	case ELFOSABI_FREEBSD:
		return "FreeBSD";
	case ELFOSABI_NETBSD:
		return "NetBSD";
	case ELFOSABI_SOLARIS:
		return "Solaris";
	default:
		return "other";
	}
}

const char *rc_elf_type_name(unsigned type)
{
	switch (type) {
	case ET_EXEC:
		return "EXEC";
	case ET_DYN:
		return "DYN";
	case ET_REL:
		return "REL";
	case ET_CORE:
		return "CORE";
	default:
		return "unknown";
	}
}

bool rc_elf_same_contents(const struct rc_elf *a, const struct rc_elf *b)
{
	return a->size == b->size && memcmp(a->raw, b->raw, a->size) == 0;
}

void rc_elf_content_hash(const struct rc_elf *elf, char *hex, size_t size)
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(elf->raw, elf->size));
	rc_hex(c.digest, sizeof(c.digest), hex, size);
}

void rc_hex(const unsigned char *id, size_t len, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t j = 0;

	if (!size)
		return;
	for (size_t i = 0; i < len && j + 2 < size; i++) {
		buf[j++] = digits[id[i] >> 4];
		buf[j++] = digits[id[i] & 15];
	}
	buf[j] = '\0';
}

/* The descriptor of the first note of @type whose name is the @owner_size bytes @owner. */
static int note_find(Elf_Data *d, const char *owner, size_t owner_size, uint32_t type,
		     const unsigned char **id, size_t *len)
{
	size_t off = 0, next;
	GElf_Nhdr nh;
	size_t name_off, desc_off;

	while (off < d->d_size) {
		const char *name;

		next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
		if (next == 0)
			break;
		name = (const char *)d->d_buf + name_off;

		if (nh.n_type == type && nh.n_namesz == owner_size &&
		    memcmp(name, owner, owner_size) == 0 && nh.n_descsz > 0) {
			*id = (const unsigned char *)d->d_buf + desc_off;
			*len = nh.n_descsz;
			return 0;
		}
		off = next;
	}
	return -RC_ENOENT;
}

static int find_note(const struct rc_elf *elf, const char *owner, size_t owner_size, uint32_t type,
		     const unsigned char **id, size_t *len)
{
	bool any_note_section = false;

	for (size_t i = 1; i < elf->shnum; i++) {
		Elf_Data *d;

		if (elf->secs[i].type != SHT_NOTE)
			continue;
		any_note_section = true;
		d = elf_getdata(elf_getscn(elf->e, i), NULL);
		if (d && note_find(d, owner, owner_size, type, id, len) == 0)
			return 0;
	}
	if (any_note_section)
		return -RC_ENOENT;
	for (size_t i = 0; i < elf->phnum; i++) {
		const struct rc_elf_segment *s = &elf->segs[i];
		Elf_Data *d;

		if (s->type != PT_NOTE || !s->filesz)
			continue;
		d = elf_getdata_rawchunk(elf->e, (int64_t)s->offset, s->filesz,
					 s->align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (d && note_find(d, owner, owner_size, type, id, len) == 0)
			return 0;
	}
	return -RC_ENOENT;
}

int rc_elf_build_id(const struct rc_elf *elf, const unsigned char **id, size_t *len)
{
	return find_note(elf, "GNU", 4, NT_GNU_BUILD_ID, id, len);
}

int rc_elf_build_id_of_path(const char *path, char *hex, size_t size, struct rc_err *err)
{
	struct rc_elf *elf;
	const unsigned char *id;
	size_t len;
	int rc;

	if (size)
		hex[0] = '\0';
	rc = rc_elf_open(path, &elf, err);
	if (rc < 0)
		return rc;
	rc = rc_elf_build_id(elf, &id, &len);
	if (rc == 0 && len == 0)
		rc = -RC_ENOENT;
	if (rc == 0)
		rc_hex(id, len, hex, size);
	else
		rc_err_set(err, rc, "no GNU build-id in '%s'", path);
	rc_elf_free(elf);
	return rc;
}

/* The Go linker's note: owner "Go\0\0" (namesz 4), type 4 (ELF_NOTE_GOBUILDID_TAG). */
#define NT_GO_BUILD_ID 4

int rc_elf_go_build_id(const struct rc_elf *elf, const char **id, size_t *len)
{
	const unsigned char *p;
	int rc = find_note(elf, "Go\0\0", 4, NT_GO_BUILD_ID, &p, len);

	if (rc)
		return rc;
	*id = (const char *)p;
	while (*len && p[*len - 1] == '\0')
		(*len)--;
	return *len ? 0 : -RC_ENOENT;
}

size_t rc_elf_section_count(const struct rc_elf *elf)
{
	return elf->shnum;
}

void rc_elf_section(const struct rc_elf *elf, size_t i, struct rc_elf_section *out)
{
	*out = elf->secs[i];
}

int rc_elf_find_section(const struct rc_elf *elf, const char *name, struct rc_elf_section *out)
{
	for (size_t i = 1; i < elf->shnum; i++) {
		if (strcmp(elf->secs[i].name, name) == 0) {
			*out = elf->secs[i];
			return 0;
		}
	}
	return -RC_ENOENT;
}

const unsigned char *rc_elf_section_bytes(const struct rc_elf *elf, const struct rc_elf_section *s)
{
	if (s->type == SHT_NOBITS || s->size == 0)
		return NULL;
	return elf->raw + s->offset; /* bounds checked at open */
}

size_t rc_elf_segment_count(const struct rc_elf *elf)
{
	return elf->phnum;
}

void rc_elf_segment(const struct rc_elf *elf, size_t i, struct rc_elf_segment *out)
{
	*out = elf->segs[i];
}

int rc_elf_find_segment(const struct rc_elf *elf, uint32_t type, struct rc_elf_segment *out)
{
	for (size_t i = 0; i < elf->phnum; i++) {
		if (elf->segs[i].type == type) {
			*out = elf->segs[i];
			return 0;
		}
	}
	return -RC_ENOENT;
}

const unsigned char *rc_elf_vaddr_bytes(const struct rc_elf *elf, uint64_t vaddr, size_t *avail)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < elf->phnum; i++) {
			const struct rc_elf_segment *s = &elf->segs[i];

			if (s->type != (pass ? PT_TLS : PT_LOAD))
				continue;
			if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
				*avail = (size_t)(s->filesz - (vaddr - s->vaddr));
				return elf->raw + s->offset + (vaddr - s->vaddr);
			}
		}
	}
	*avail = 0;
	return NULL;
}

/* One version entry of .gnu.version_d (its first name) or .gnu.version_r. */
struct ver_entry {
	uint32_t type;	  /* SHT_GNU_verdef or SHT_GNU_verneed */
	unsigned ndx;	  /* the index versym entries use */
	unsigned flags;	  /* VER_FLG_* */
	const char *name; /* NULL when outside its string table */
	const char *file; /* verneed: the library that must define it, or NULL */
};

typedef int (*ver_fn)(const struct ver_entry *e, void *arg);

/*
 * Call @fn for each entry of every section of @type (SHT_GNU_verdef or
 * SHT_GNU_verneed). With @strict, a truncated entry is an error; without, the
 * rest of that section is skipped. Returns 0, @fn's negative return, or
 * -RC_EFORMAT.
 */
static int walk_versions(const struct rc_elf *elf, uint32_t type, bool strict, ver_fn fn, void *arg,
			 struct rc_err *err)
{
	const char *what = type == SHT_GNU_verdef ? ".gnu.version_d" : ".gnu.version_r";

	for (size_t i = 1; i < elf->shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf->e, i);
		GElf_Shdr sh;
		Elf_Data *d;
		size_t off = 0;

		if (elf->secs[i].type != type)
			continue;
		d = gelf_getshdr(scn, &sh) ? elf_getdata(scn, NULL) : NULL;
		if (!d) {
			if (!strict)
				continue;
			return rc_err_set(err, -RC_EFORMAT, "'%s': cannot read %s: %s", elf->path,
					  what, elf_errmsg(-1));
		}
		for (size_t k = 0; k < sh.sh_info && off < d->d_size; k++) {
			struct ver_entry e = {.type = type};
			size_t next;
			int rc;

			if (type == SHT_GNU_verdef) {
				GElf_Verdef vd;
				GElf_Verdaux va;

				if (!gelf_getverdef(d, (int)off, &vd))
					goto truncated;
				if (vd.vd_cnt && gelf_getverdaux(d, (int)(off + vd.vd_aux), &va)) {
					e.ndx = vd.vd_ndx;
					e.flags = vd.vd_flags;
					e.name = elf_strptr(elf->e, sh.sh_link, va.vda_name);
					rc = fn(&e, arg);
					if (rc < 0)
						return rc;
				}
				next = vd.vd_next;
			} else {
				GElf_Verneed vn;
				size_t aoff;

				if (!gelf_getverneed(d, (int)off, &vn))
					goto truncated;
				e.file = elf_strptr(elf->e, sh.sh_link, vn.vn_file);
				aoff = off + vn.vn_aux;
				for (size_t a = 0; a < vn.vn_cnt && aoff < d->d_size; a++) {
					GElf_Vernaux va;

					if (!gelf_getvernaux(d, (int)aoff, &va)) {
						if (!strict)
							break;
						return rc_err_set(err, -RC_EFORMAT,
								  "'%s': %s auxiliary entry is "
								  "truncated",
								  elf->path, what);
					}
					e.ndx = va.vna_other & 0x7fff;
					e.flags = va.vna_flags;
					e.name = elf_strptr(elf->e, sh.sh_link, va.vna_name);
					rc = fn(&e, arg);
					if (rc < 0)
						return rc;
					if (!va.vna_next)
						break;
					aoff += va.vna_next;
				}
				next = vn.vn_next;
			}
			if (!next)
				break;
			off += next;
			continue;
		truncated:
			if (!strict)
				break;
			return rc_err_set(err, -RC_EFORMAT, "'%s': %s entry %zu is truncated",
					  elf->path, what, k);
		}
	}
	return 0;
}

/* Version names by index (from .gnu.version_d and .gnu.version_r) for dynsym. */
struct vernames {
	const char **names;
	size_t n;
	size_t max; /* the highest index seen (first pass) */
};

static int vernames_max(const struct ver_entry *e, void *arg)
{
	struct vernames *v = arg;

	if (e->ndx > v->max)
		v->max = e->ndx;
	return 0;
}

static int vernames_set(const struct ver_entry *e, void *arg)
{
	struct vernames *v = arg;

	if (e->ndx < v->n && e->name)
		v->names[e->ndx] = e->name;
	return 0;
}

/* Best effort: a malformed version section leaves its symbols without versions. */
static int load_vernames(const struct rc_elf *elf, struct vernames *v)
{
	static const uint32_t types[] = {SHT_GNU_verdef, SHT_GNU_verneed};

	v->max = 1;
	for (size_t t = 0; t < 2; t++)
		walk_versions(elf, types[t], false, vernames_max, v, NULL);
	v->n = v->max + 1;
	v->names = calloc(v->n, sizeof(*v->names));
	if (!v->names)
		return -RC_ENOMEM;
	for (size_t t = 0; t < 2; t++)
		walk_versions(elf, types[t], false, vernames_set, v, NULL);
	return 0;
}

int rc_elf_symbols(struct rc_elf *elf, enum rc_elf_table which, const struct rc_elf_sym **syms,
		   size_t *n, bool *present, struct rc_err *err)
{
	struct symtab_cache *c = &elf->cache->tables[which];
	uint32_t want = which == RC_ELF_DYNSYM ? SHT_DYNSYM : SHT_SYMTAB;
	struct vernames vn = {0};
	Elf_Data *versym = NULL;
	size_t idx = 0;
	Elf_Scn *scn;
	Elf_Data *d, *strd;
	GElf_Shdr sh;
	size_t count, out = 0;
	const char *strs;
	bool str_terminated;
	int rc = 0;

	if (c->loaded)
		goto done;
	for (size_t i = 1; i < elf->shnum; i++) {
		if (elf->secs[i].type == want) {
			idx = i;
			break;
		}
	}
	if (!idx) {
		c->loaded = true;
		goto done;
	}
	scn = elf_getscn(elf->e, idx);
	d = gelf_getshdr(scn, &sh) ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return rc_err_set(err, -RC_EFORMAT, "'%s': cannot read %s: %s", elf->path,
				  elf->secs[idx].name, elf_errmsg(-1));
	if (elf->secs[sh.sh_link].type != SHT_STRTAB)
		return rc_err_set(err, -RC_EFORMAT,
				  "'%s': %s links to section %u, which is not a string table",
				  elf->path, elf->secs[idx].name, sh.sh_link);
	strd = elf_getdata(elf_getscn(elf->e, sh.sh_link), NULL);
	strs = strd ? strd->d_buf : NULL;
	str_terminated = strd && strd->d_size && strs[strd->d_size - 1] == '\0';
	count = sh.sh_entsize ? d->d_size / sh.sh_entsize : 0;
	if (which == RC_ELF_DYNSYM) {
		for (size_t i = 1; i < elf->shnum; i++) {
			if (elf->secs[i].type == SHT_GNU_versym) {
				versym = elf_getdata(elf_getscn(elf->e, i), NULL);
				break;
			}
		}
		if (versym && load_vernames(elf, &vn) != 0)
			return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", elf->path);
	}
	c->syms = count > 1 ? calloc(count - 1, sizeof(*c->syms)) : NULL;
	if (count > 1 && !c->syms) {
		rc = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory for %zu symbols", elf->path,
				count);
		goto out;
	}
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		struct rc_elf_sym *o = &c->syms[out];
		const char *name;

		if (!gelf_getsym(d, (int)i, &s))
			break;
		if (str_terminated && s.st_name < strd->d_size)
			name = strs + s.st_name;
		else
			name = elf_strptr(elf->e, sh.sh_link, s.st_name);
		if (!name) {
			rc = rc_err_set(err, -RC_EFORMAT,
					"'%s': symbol %zu of %s has a name offset %u outside its "
					"string table",
					elf->path, i, elf->secs[idx].name, s.st_name);
			goto out;
		}
		o->name = name;
		o->name_len = (uint32_t)strlen(name);
		o->value = s.st_value;
		o->size = s.st_size;
		o->shndx = s.st_shndx;
		o->type = GELF_ST_TYPE(s.st_info);
		o->bind = GELF_ST_BIND(s.st_info);
		o->visibility = GELF_ST_VISIBILITY(s.st_other);
		o->defined = s.st_shndx != SHN_UNDEF;
		if (versym && (i + 1) * sizeof(GElf_Versym) <= versym->d_size) {
			GElf_Versym v = ((const GElf_Versym *)versym->d_buf)[i];
			size_t vi = v & 0x7fff;

			o->version_hidden = (v & 0x8000) != 0;
			if (vi >= 2 && vi < vn.n)
				o->version = vn.names[vi];
		}
		out++;
	}
	c->n = out;
	c->present = true;
	c->loaded = true;
out:
	free(vn.names);
	if (rc) {
		free(c->syms);
		c->syms = NULL;
		return rc;
	}
done:
	*syms = c->syms;
	*n = c->n;
	if (present)
		*present = c->present;
	return 0;
}

/* Fills a struct rc_elf_dynamic; on failure the caller frees needed. */
static int decode_dynamic(const struct rc_elf *elf, struct rc_elf_dynamic *dy, struct rc_err *err)
{
	size_t idx = 0;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *d;
	size_t count, n_needed = 0;

	for (size_t i = 1; i < elf->shnum; i++) {
		if (elf->secs[i].type == SHT_DYNAMIC) {
			idx = i;
			break;
		}
	}
	if (!idx)
		return 0;
	scn = elf_getscn(elf->e, idx);
	d = gelf_getshdr(scn, &sh) ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return rc_err_set(err, -RC_EFORMAT, "'%s': cannot read .dynamic: %s", elf->path,
				  elf_errmsg(-1));
	count = sh.sh_entsize ? d->d_size / sh.sh_entsize : 0;
	for (size_t i = 0; i < count; i++) {
		GElf_Dyn dyn;

		if (gelf_getdyn(d, (int)i, &dyn) && dyn.d_tag == DT_NEEDED)
			n_needed++;
	}
	dy->needed = n_needed ? calloc(n_needed, sizeof(char *)) : NULL;
	if (n_needed && !dy->needed)
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", elf->path);
	for (size_t i = 0; i < count; i++) {
		GElf_Dyn dyn;
		const char *s = NULL;

		if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RPATH ||
		    dyn.d_tag == DT_RUNPATH) {
			s = elf_strptr(elf->e, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				return rc_err_set(
					err, -RC_EFORMAT,
					"'%s': dynamic entry %zu has a string offset %llu "
					"outside .dynstr",
					elf->path, i, (unsigned long long)dyn.d_un.d_val);
		}
		switch (dyn.d_tag) {
		case DT_NEEDED:
			dy->needed[dy->n_needed++] = s;
			break;
		case DT_SONAME:
			dy->soname = s;
			break;
		case DT_RPATH:
			dy->rpath = s;
			break;
		case DT_RUNPATH:
			dy->runpath = s;
			break;
		case DT_FLAGS_1:
			dy->flags_1 = dyn.d_un.d_val;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* rc_elf_dynamic for a const @elf: the decoded result lives in its cache. */
static int load_dynamic(const struct rc_elf *elf, const struct rc_elf_dynamic **out,
			struct rc_err *err)
{
	struct elf_cache *c = elf->cache;

	if (!c->dyn_loaded) {
		struct rc_elf_dynamic dy = {0};
		int rc = decode_dynamic(elf, &dy, err);

		if (rc < 0) {
			free(dy.needed);
			return rc;
		}
		c->dyn = dy;
		c->dyn_loaded = true;
	}
	*out = &c->dyn;
	return 0;
}

int rc_elf_dynamic(struct rc_elf *elf, const struct rc_elf_dynamic **out, struct rc_err *err)
{
	return load_dynamic(elf, out, err);
}

struct verneeds {
	struct rc_elf_verneed *v;
	size_t n, cap;
	const char *path;
	struct rc_err *err;
};

static int add_verneed(const struct ver_entry *e, void *arg)
{
	struct verneeds *vs = arg;

	if (!e->name || !e->file)
		return rc_err_set(vs->err, -RC_EFORMAT,
				  "'%s': .gnu.version_r names a string outside its string table",
				  vs->path);
	if (RC_GROW(vs->v, vs->cap, vs->n + 1) < 0)
		return rc_err_set(vs->err, -RC_ENOMEM, "'%s': out of memory", vs->path);
	vs->v[vs->n++] = (struct rc_elf_verneed){
		.file = e->file,
		.version = e->name,
		.weak = (e->flags & VER_FLG_WEAK) != 0,
	};
	return 0;
}

int rc_elf_verneeds(struct rc_elf *elf, const struct rc_elf_verneed **out, size_t *n,
		    struct rc_err *err)
{
	struct elf_cache *c = elf->cache;

	if (!c->vn_loaded) {
		struct verneeds vs = {.path = elf->path, .err = err};
		int rc = walk_versions(elf, SHT_GNU_verneed, true, add_verneed, &vs, err);

		if (rc < 0) {
			free(vs.v);
			return rc;
		}
		c->vn = vs.v;
		c->n_vn = vs.n;
		c->vn_loaded = true;
	}
	*out = c->vn;
	*n = c->n_vn;
	return 0;
}

struct verdefs {
	const char **v;
	size_t n, cap;
	const char *path;
	struct rc_err *err;
};

static int add_verdef(const struct ver_entry *e, void *arg)
{
	struct verdefs *vs = arg;

	if (e->flags & VER_FLG_BASE)
		return 0; /* the file's own name, not a version */
	if (!e->name)
		return rc_err_set(vs->err, -RC_EFORMAT,
				  "'%s': .gnu.version_d names a string outside its string table",
				  vs->path);
	if (RC_GROW(vs->v, vs->cap, vs->n + 1) < 0)
		return rc_err_set(vs->err, -RC_ENOMEM, "'%s': out of memory", vs->path);
	vs->v[vs->n++] = e->name;
	return 0;
}

int rc_elf_verdefs(struct rc_elf *elf, const char *const **out, size_t *n, struct rc_err *err)
{
	struct elf_cache *c = elf->cache;

	if (!c->vd_loaded) {
		struct verdefs vs = {.path = elf->path, .err = err};
		int rc = walk_versions(elf, SHT_GNU_verdef, true, add_verdef, &vs, err);

		if (rc < 0) {
			free(vs.v);
			return rc;
		}
		c->vd = vs.v;
		c->n_vd = vs.n;
		c->vd_loaded = true;
	}
	*out = c->vd;
	*n = c->n_vd;
	return 0;
}
