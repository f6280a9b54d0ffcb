/* SPDX-License-Identifier: MIT */
/*
 * Go binary formats: the build information blob and the pclntab function
 * table. The parsers take raw bytes, an explicit byte order and the pointer
 * size from the data itself, and check every offset against the length before
 * reading. Results live in one allocation each: a buildinfo owns a copy of its
 * strings (the modinfo is split in place into a private copy); a pclntab's
 * function names are borrowed from the table bytes.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/gobin.h>
#include "util.h"

static const unsigned char bi_magic[14] = "\xff Go buildinf:";

#define BI_HEADER 32
#define BI_ALIGN 16

static uint64_t rd(const unsigned char *p, size_t n, bool be)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[be ? i : n - 1 - i];
	return v;
}

/* ---- buildinfo ---- */

/* Go's binary.Uvarint: at most 10 bytes, no overflow past 64 bits. */
static int uvarint(const unsigned char *p, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;
	unsigned shift = 0;

	for (size_t i = 0; i < len && i < 10; i++) {
		if (i == 9 && p[i] > 1)
			return -1;
		x |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i] & 0x80)) {
			*v = x;
			*used = i + 1;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

static int inline_string(const unsigned char *data, size_t len, size_t *pos,
			 const unsigned char **s, size_t *slen, const char *what,
			 struct rc_err *err)
{
	uint64_t n;
	size_t used;

	if (uvarint(data + *pos, len - *pos, &n, &used) < 0)
		return rc_err_set(err, -RC_EFORMAT,
				  "truncated or bad length of the go buildinfo %s at offset %zu",
				  what, *pos);
	if (n > len - *pos - used)
		return rc_err_set(
			err, -RC_EFORMAT,
			"go buildinfo %s of %llu bytes at offset %zu runs past the end (%zu bytes)",
			what, (unsigned long long)n, *pos, len);
	*s = data + *pos + used;
	*slen = (size_t)n;
	*pos += used + (size_t)n;
	return 0;
}

/* A Go string header {data, len} at @addr, through the resolver. */
static int pointer_string(uint64_t addr, unsigned ps, bool be, rc_go_resolve_fn resolve, void *arg,
			  const unsigned char **s, size_t *slen, const char *what,
			  struct rc_err *err)
{
	const unsigned char *hdr, *p;
	size_t avail;
	uint64_t daddr, dlen;

	hdr = resolve(arg, addr, &avail);
	if (!hdr || avail < 2 * (size_t)ps)
		return rc_err_set(err, -RC_EFORMAT,
				  "unresolvable go buildinfo %s string header at 0x%llx", what,
				  (unsigned long long)addr);
	daddr = rd(hdr, ps, be);
	dlen = rd(hdr + ps, ps, be);
	if (dlen == 0) {
		*s = (const unsigned char *)"";
		*slen = 0;
		return 0;
	}
	p = resolve(arg, daddr, &avail);
	if (!p || avail < dlen)
		return rc_err_set(err, -RC_EFORMAT,
				  "unresolvable go buildinfo %s string of %llu bytes at 0x%llx",
				  what, (unsigned long long)dlen, (unsigned long long)daddr);
	*s = p;
	*slen = (size_t)dlen;
	return 0;
}

/* @r is a valid rune: checked before decoding. */
static size_t put_utf8(char *o, uint32_t r)
{
	if (r < 0x80) {
		o[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (char)(0xc0 | r >> 6);
		o[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (char)(0xe0 | r >> 12);
		o[1] = (char)(0x80 | (r >> 6 & 0x3f));
		o[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | r >> 18);
	o[1] = (char)(0x80 | (r >> 12 & 0x3f));
	o[2] = (char)(0x80 | (r >> 6 & 0x3f));
	o[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/*
 * strconv.Unquote of the NUL-terminated @s in place (the result is never
 * longer than the quoted text). False, with @s unchanged, when it is not one
 * complete quoted string.
 */
static bool unquote_inplace(char *s)
{
	size_t n = strlen(s), i, o = 0;
	char q = s[0];

	if (n < 2 || (q != '"' && q != '`') || s[n - 1] != q)
		return false;
	if (q == '`') {
		if (memchr(s + 1, '`', n - 2))
			return false;
		/* Go drops carriage returns from raw strings. */
		for (i = 1; i < n - 1; i++)
			if (s[i] != '\r')
				s[o++] = s[i];
		s[o] = '\0';
		return true;
	}
	/* Validate first, so that a malformed string is left as it was. */
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '"' || s[i] == '\n')
			return false;
		if (s[i] != '\\')
			continue;
		if (i + 1 >= n - 1)
			return false;
		switch (s[i + 1]) {
		case 'a':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
		case 'v':
		case '\\':
		case '"':
			i++;
			break;
		case 'x':
		case 'u':
		case 'U': {
			size_t k = s[i + 1] == 'x' ? 2 : s[i + 1] == 'u' ? 4 : 8;
			uint32_t r = 0;

			if (i + 2 + k > n - 1)
				return false;
			for (size_t j = 0; j < k; j++) {
				if (rci_hexval(s[i + 2 + j]) < 0)
					return false;
				r = r << 4 | (uint32_t)rci_hexval(s[i + 2 + j]);
			}
			if (k > 2 && (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)))
				return false;
			i += 1 + k;
			break;
		}
		case '0':
		case '1':
		case '2':
		case '3':
			if (i + 4 > n - 1)
				return false;
			for (size_t j = 2; j < 4; j++)
				if (s[i + j] < '0' || s[i + j] > '7')
					return false;
			i += 3;
			break;
		default:
			return false;
		}
	}
	/* Valid: decode; the write position never passes the read position. */
	for (i = 1; i < n - 1; i++) {
		char c = s[i];
		uint32_t r = 0;

		if (c != '\\') {
			s[o++] = c;
			continue;
		}
		c = s[++i];
		switch (c) {
		case 'a':
			s[o++] = '\a';
			break;
		case 'b':
			s[o++] = '\b';
			break;
		case 'f':
			s[o++] = '\f';
			break;
		case 'n':
			s[o++] = '\n';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'v':
			s[o++] = '\v';
			break;
		case 'x':
			s[o++] = (char)(rci_hexval(s[i + 1]) << 4 | rci_hexval(s[i + 2]));
			i += 2;
			break;
		case 'u':
		case 'U': {
			size_t k = c == 'u' ? 4 : 8;

			for (size_t j = 1; j <= k; j++)
				r = r << 4 | (uint32_t)rci_hexval(s[i + j]);
			i += k;
			o += put_utf8(s + o, r);
			break;
		}
		case '0':
		case '1':
		case '2':
		case '3':
			s[o++] = (char)((c - '0') << 6 | (s[i + 1] - '0') << 3 | (s[i + 2] - '0'));
			i += 2;
			break;
		default: /* '\\', '"' */
			s[o++] = c;
			break;
		}
	}
	s[o] = '\0';
	return true;
}

/* Length of a Go-quoted prefix of @s (strconv.QuotedPrefix), 0 if none. */
static size_t quoted_prefix(const char *s)
{
	char q = s[0];

	if (q != '"' && q != '`')
		return 0;
	for (size_t i = 1; s[i]; i++) {
		if (q == '"' && s[i] == '\\') {
			if (!s[i + 1])
				return 0;
			i++;
			continue;
		}
		if (s[i] == q)
			return i + 1;
	}
	return 0;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && memcmp(s, p, pl) == 0;
}

/* Split @line (NUL-terminated) at tabs into up to @max fields; the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *t = strchr(line, '\t');

		if (n < max)
			f[n] = line;
		n++;
		if (!t)
			return n;
		*t = '\0';
		line = t + 1;
	}
}

static void set_module(struct rc_go_module *m, char **f, size_t n)
{
	m->path = f[0];
	m->version = n > 1 ? f[1] : "";
	m->sum = n > 2 ? f[2] : "";
	m->replace = NULL;
}

/*
 * Fill @bi's modinfo fields from @text (a private, NUL-terminated copy that is
 * split in place). Malformed lines are skipped as unknown ones are; a quoted
 * value that does not unquote is kept as written.
 */
static void parse_modinfo(struct rc_go_buildinfo *bi, char *text, struct rc_go_module *deps,
			  struct rc_go_module *repl, struct rc_go_setting *settings)
{
	struct rc_go_module *last = NULL;
	size_t nd = 0, nr = 0, ns = 0;
	char *line = text;

	for (;;) {
		char *nl = strchr(line, '\n');
		char *f[3];
		size_t n, ll;

		/* Like Go, a last line without its newline is not read. */
		if (!nl)
			break;
		*nl = '\0';
		ll = (size_t)(nl - line);
		if (has_prefix(line, ll, "path\t")) {
			bi->path = line + 5;
		} else if (has_prefix(line, ll, "mod\t")) {
			n = split_tabs(line + 4, f, 3);
			if (n == 2 || n == 3) {
				set_module(&bi->main, f, n);
				last = &bi->main;
			}
		} else if (has_prefix(line, ll, "dep\t")) {
			n = split_tabs(line + 4, f, 3);
			if (n == 2 || n == 3) {
				last = &deps[nd++];
				set_module(last, f, n);
			}
		} else if (has_prefix(line, ll, "=>\t")) {
			n = split_tabs(line + 3, f, 3);
			if (n == 3 && last) {
				set_module(&repl[nr], f, n);
				last->replace = &repl[nr++];
				last = NULL;
			}
		} else if (has_prefix(line, ll, "build\t")) {
			char *kv = line + 6, *key, *val;
			size_t qk = quoted_prefix(kv);

			if (qk) {
				if (kv[qk] != '=')
					goto next;
				kv[qk] = '\0';
				key = kv;
				val = kv + qk + 1;
				unquote_inplace(key);
			} else {
				char *eq = strchr(kv, '=');

				if (!eq || eq == kv)
					goto next;
				*eq = '\0';
				key = kv;
				val = eq + 1;
			}
			if (val[0] == '"' || val[0] == '`')
				unquote_inplace(val);
			settings[ns].key = key;
			settings[ns].value = val;
			ns++;
		}
	next:
		line = nl + 1;
	}
	bi->n_deps = nd;
	bi->n_settings = ns;
}

static void count_lines(const char *s, size_t len, size_t *deps, size_t *repl, size_t *settings)
{
	const char *end = s + len;

	*deps = *repl = *settings = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll;

		if (!nl)
			break;
		ll = (size_t)(nl - s);
		if (has_prefix(s, ll, "dep\t"))
			(*deps)++;
		else if (has_prefix(s, ll, "=>\t"))
			(*repl)++;
		else if (has_prefix(s, ll, "build\t"))
			(*settings)++;
		s = nl + 1;
	}
}

int rc_go_buildinfo_parse(const unsigned char *data, size_t len, rc_go_resolve_fn resolve,
			  void *arg, struct rc_go_buildinfo **out, struct rc_err *err)
{
	const unsigned char *vers, *mod;
	size_t vlen, mlen, ndeps, nrepl, nset, size, pos;
	struct rc_go_buildinfo *bi;
	struct rc_go_module *deps, *repl;
	struct rc_go_setting *settings;
	unsigned ps;
	bool be, inl;
	char *str;
	int rc;

	if (!data || len < BI_HEADER)
		return rc_err_set(err, -RC_EFORMAT,
				  "truncated go buildinfo header: %zu bytes, need %d", len,
				  BI_HEADER);
	if (memcmp(data, bi_magic, sizeof(bi_magic)) != 0)
		return rc_err_set(err, -RC_EFORMAT, "bad go buildinfo magic");
	ps = data[14];
	be = data[15] & 1;
	inl = data[15] & 2;
	if (ps != 4 && ps != 8)
		return rc_err_set(err, -RC_EFORMAT, "bad go buildinfo pointer size %u", ps);
	if (inl) {
		pos = BI_HEADER;
		rc = inline_string(data, len, &pos, &vers, &vlen, "version", err);
		if (rc)
			return rc;
		rc = inline_string(data, len, &pos, &mod, &mlen, "modinfo", err);
		if (rc)
			return rc;
	} else {
		if (!resolve)
			return rc_err_set(err, -RC_EINVAL,
					  "pointer-based go buildinfo needs an address resolver");
		rc = pointer_string(rd(data + 16, ps, be), ps, be, resolve, arg, &vers, &vlen,
				    "version", err);
		if (rc)
			return rc;
		rc = pointer_string(rd(data + 16 + ps, ps, be), ps, be, resolve, arg, &mod, &mlen,
				    "modinfo", err);
		if (rc)
			return rc;
	}
	if (vlen == 0)
		return rc_err_set(err, -RC_EFORMAT, "empty go version in go buildinfo");
	/* Strip the framing sentinels (cmd/go infoStart/infoEnd); unframed means none. */
	if (mlen >= 33 && mod[mlen - 17] == '\n') {
		mod += 16;
		mlen -= 32;
	} else {
		mlen = 0;
	}
	count_lines((const char *)mod, mlen, &ndeps, &nrepl, &nset);
	if (mlen > SIZE_MAX / 4 || vlen > SIZE_MAX / 4)
		return rc_err_set(err, -RC_ENOMEM, "go buildinfo too large");
	/* struct, modules, settings, then version, raw modinfo, split modinfo. */
	size = sizeof(*bi) + (ndeps + nrepl) * sizeof(*deps) + nset * sizeof(*settings) +
	       (vlen + 1) + 2 * (mlen + 1);
	bi = calloc(1, size);
	if (!bi)
		return rc_err_set(err, -RC_ENOMEM, "out of memory for go buildinfo (%zu bytes)",
				  size);
	deps = (struct rc_go_module *)(bi + 1);
	repl = deps + ndeps;
	settings = (struct rc_go_setting *)(repl + nrepl);
	str = (char *)(settings + nset);
	bi->ptr_size = ps;
	bi->big_endian = be;
	bi->inline_format = inl;
	memcpy(str, vers, vlen);
	bi->go_version = str;
	str += vlen + 1;
	memcpy(str, mod, mlen);
	bi->modinfo = str;
	str += mlen + 1;
	memcpy(str, mod, mlen);
	bi->path = "";
	bi->main.path = bi->main.version = bi->main.sum = "";
	bi->deps = deps;
	bi->settings = settings;
	parse_modinfo(bi, str, deps, repl, settings);
	*out = bi;
	return 0;
}

void rc_go_buildinfo_free(struct rc_go_buildinfo *bi)
{
	free(bi);
}

const char *rc_go_buildinfo_setting(const struct rc_go_buildinfo *bi, const char *key)
{
	if (!bi || !key)
		return NULL;
	for (size_t i = 0; i < bi->n_settings; i++)
		if (strcmp(bi->settings[i].key, key) == 0)
			return bi->settings[i].value;
	return NULL;
}

static const unsigned char *elf_resolve(void *arg, uint64_t addr, size_t *avail)
{
	return rc_elf_vaddr_bytes(arg, addr, avail);
}

/* Re-set @err's message with the file name in front. */
static int with_path(const struct rc_elf *elf, int rc, struct rc_err *err, const struct rc_err *e)
{
	return rc_err_set(err, rc, "'%s': %s", rc_elf_path(elf), e->msg);
}

/*
 * Go's linker puts the buildinfo at the start of the first writable data
 * segment; like Go's own debug/buildinfo, look only at its first 64 KiB, so a
 * large non-Go file is not read end to end.
 */
#define BI_SCAN_LIMIT (64 * 1024)

/* The buildinfo bytes of @elf without parsing them: 0, -RC_ENOENT or -RC_EFORMAT. */
static int locate_buildinfo(const struct rc_elf *elf, const unsigned char **pp, size_t *lenp,
			    struct rc_err *err)
{
	struct rc_elf_section sec;
	size_t n = rc_elf_segment_count(elf);

	if (rc_elf_find_section(elf, ".go.buildinfo", &sec) == 0) {
		const unsigned char *p = rc_elf_section_bytes(elf, &sec);
		size_t len = p ? (size_t)sec.size : 0;

		if (!p || len < sizeof(bi_magic) || memcmp(p, bi_magic, sizeof(bi_magic)) != 0)
			return rc_err_set(
				err, -RC_EFORMAT,
				"'%s': no go buildinfo magic at the start of .go.buildinfo",
				rc_elf_path(elf));
		*pp = p;
		*lenp = len;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct rc_elf_segment seg;
		const unsigned char *b;
		size_t avail, limit;

		rc_elf_segment(elf, i, &seg);
		if (seg.type != PT_LOAD || (seg.flags & (PF_W | PF_X)) != PF_W)
			continue;
		b = rc_elf_vaddr_bytes(elf, seg.vaddr, &avail);
		if (!b)
			break;
		if (avail > seg.filesz)
			avail = (size_t)seg.filesz;
		limit = avail < BI_SCAN_LIMIT ? avail : BI_SCAN_LIMIT;
		for (size_t off = (BI_ALIGN - seg.vaddr % BI_ALIGN) % BI_ALIGN;
		     off + BI_HEADER <= limit; off += BI_ALIGN) {
			if (b[off] == 0xff && memcmp(b + off, bi_magic, sizeof(bi_magic)) == 0) {
				*pp = b + off;
				*lenp = avail - off;
				return 0;
			}
		}
		break; /* only the first writable, non-executable one */
	}
	return rc_err_set(err, -RC_ENOENT, "'%s': no Go build information (.go.buildinfo)",
			  rc_elf_path(elf));
}

int rc_go_buildinfo_read(const struct rc_elf *elf, struct rc_go_buildinfo **out, struct rc_err *err)
{
	struct rc_err e = {0};
	const unsigned char *p = NULL;
	size_t len = 0;
	int rc;

	rc = locate_buildinfo(elf, &p, &len, err);
	if (rc)
		return rc;
	rc = rc_go_buildinfo_parse(p, len, elf_resolve, (void *)elf, out, &e);
	if (rc)
		return with_path(elf, rc, err, &e);
	return 0;
}

/* ---- pclntab ---- */

#define MAGIC_12 0xfffffffbu
#define MAGIC_116 0xfffffffau
#define MAGIC_118 0xfffffff0u
#define MAGIC_120 0xfffffff1u

static int pcln_version(uint32_t magic)
{
	switch (magic) {
	case MAGIC_12:
		return RC_GO_PCLNTAB_12;
	case MAGIC_116:
		return RC_GO_PCLNTAB_116;
	case MAGIC_118:
		return RC_GO_PCLNTAB_118;
	case MAGIC_120:
		return RC_GO_PCLNTAB_120;
	}
	return 0;
}

/* Header word @i (pointer-sized, behind the 8 fixed bytes). */
static uint64_t word(const unsigned char *data, unsigned i, unsigned ps, bool be)
{
	return rd(data + 8 + (size_t)i * ps, ps, be);
}

/* Room behind the table for the "where" text. */
#define WHERE_MAX 96

struct pcln_alloc {
	struct rc_go_pclntab tab;
	char where[WHERE_MAX];
	struct rc_go_func funcs[];
};

/* A NUL-terminated name at @off: its length, or -1. */
static long long name_at(const unsigned char *data, size_t len, uint64_t off)
{
	const unsigned char *z;

	if (off >= len)
		return -1;
	z = memchr(data + off, 0, len - (size_t)off);
	if (!z)
		return -1;
	return (long long)(z - (data + off));
}

/* Where the parts of a table are, from its header. */
struct pcln_layout {
	uint64_t nfunc;
	uint64_t ftab;	   /* function table */
	uint64_t fs;	   /* width of its fields: 4 from 1.18, else the pointer size */
	uint64_t funcbase; /* _func offsets are relative to this */
	uint64_t nametab;  /* name offsets are relative to this */
	uint64_t text;	   /* 1.18+: entries are offsets from here */
};

/* Header checks and layout; nothing behind the header is read yet. */
static int pcln_header(const unsigned char *data, size_t len, bool be, struct rc_go_pclntab *t,
		       struct pcln_layout *l, struct rc_err *err)
{
	unsigned nwords, q, ps;
	uint32_t magic;
	int ver;

	if (!data || len < 8)
		return rc_err_set(err, -RC_EFORMAT, "truncated pclntab header: %zu bytes", len);
	magic = (uint32_t)rd(data, 4, be);
	ver = pcln_version(magic);
	if (!ver)
		return rc_err_set(err, -RC_EFORMAT, "bad pclntab magic 0x%08x", (unsigned)magic);
	if (data[4] || data[5])
		return rc_err_set(err, -RC_EFORMAT, "non-zero pclntab header pad 0x%02x%02x",
				  data[4], data[5]);
	q = data[6];
	ps = data[7];
	if (q != 1 && q != 2 && q != 4)
		return rc_err_set(err, -RC_EFORMAT, "bad pclntab pc quantum %u", q);
	if (ps != 4 && ps != 8)
		return rc_err_set(err, -RC_EFORMAT, "bad pclntab pointer size %u", ps);
	nwords = ver == RC_GO_PCLNTAB_12 ? 1 : ver == RC_GO_PCLNTAB_116 ? 7 : 8;
	if (len < 8 + (size_t)nwords * ps)
		return rc_err_set(err, -RC_EFORMAT, "truncated pclntab header: %zu bytes, need %u",
				  len, 8 + nwords * ps);

	memset(l, 0, sizeof(*l));
	l->nfunc = word(data, 0, ps, be);
	switch (ver) {
	case RC_GO_PCLNTAB_12:
		/* Offsets are from the start of the pclntab. */
		l->ftab = 8 + ps;
		l->fs = ps;
		break;
	case RC_GO_PCLNTAB_116:
		l->nametab = word(data, 2, ps, be);
		l->ftab = l->funcbase = word(data, 6, ps, be);
		l->fs = ps;
		break;
	default:
		l->text = word(data, 2, ps, be);
		l->nametab = word(data, 3, ps, be);
		l->ftab = l->funcbase = word(data, 7, ps, be);
		l->fs = 4;
		break;
	}
	if (l->nametab > len)
		return rc_err_set(
			err, -RC_EFORMAT,
			"pclntab function name table offset 0x%llx out of range (%zu bytes)",
			(unsigned long long)l->nametab, len);
	if (l->ftab >= len)
		return rc_err_set(err, -RC_EFORMAT,
				  "pclntab function table offset 0x%llx out of range (%zu bytes)",
				  (unsigned long long)l->ftab, len);
	/* nfunc pairs and the end entry must fit behind the table offset. */
	if (len - l->ftab < l->fs || l->nfunc > (len - l->ftab - l->fs) / (2 * l->fs))
		return rc_err_set(err, -RC_EFORMAT,
				  "pclntab function count %llu too large for %zu bytes",
				  (unsigned long long)l->nfunc, len);
	t->version = (enum rc_go_pclntab_version)ver;
	t->quantum = q;
	t->ptr_size = ps;
	t->big_endian = be;
	return 0;
}

/*
 * Walk the function table into @funcs (nfunc entries): entries in order,
 * each _func record in range and agreeing with its table entry, each name
 * NUL-terminated inside the data. Sets the table's end PC.
 */
static int pcln_funcs(const unsigned char *data, size_t len, bool be, const struct pcln_layout *l,
		      struct rc_go_func *funcs, uint64_t *end, struct rc_err *err)
{
	uint64_t prev = 0;

	for (uint64_t i = 0; i <= l->nfunc; i++) {
		const unsigned char *fp = data + l->ftab + i * 2 * l->fs;
		uint64_t raw = rd(fp, l->fs, be);
		uint64_t entry = l->fs == 4 ? l->text + raw : raw;
		uint64_t foff, fentry, nameoff;
		long long nl;

		if (i > 0 && entry < prev)
			return rc_err_set(
				err, -RC_EFORMAT,
				"pclntab entries decreasing at function %llu: 0x%llx after 0x%llx",
				(unsigned long long)i, (unsigned long long)entry,
				(unsigned long long)prev);
		if (i > 0)
			funcs[i - 1].size = entry - prev;
		prev = entry;
		if (i == l->nfunc)
			break;
		/* The _func record: the entry (u32 offset from 1.18), then int32 nameoff. */
		foff = rd(fp + l->fs, l->fs, be);
		if (foff > len - l->funcbase || len - l->funcbase - foff < l->fs + 4)
			return rc_err_set(err, -RC_EFORMAT,
					  "pclntab function %llu record offset 0x%llx out of range",
					  (unsigned long long)i, (unsigned long long)foff);
		fentry = rd(data + l->funcbase + foff, l->fs, be);
		if (fentry != raw)
			return rc_err_set(err, -RC_EFORMAT,
					  "pclntab function %llu entry 0x%llx does not match the "
					  "table entry 0x%llx",
					  (unsigned long long)i, (unsigned long long)fentry,
					  (unsigned long long)raw);
		nameoff = rd(data + l->funcbase + foff + l->fs, 4, be);
		if (nameoff & 0x80000000u)
			return rc_err_set(err, -RC_EFORMAT,
					  "pclntab function %llu has a negative name offset",
					  (unsigned long long)i);
		nl = name_at(data, len, l->nametab + nameoff);
		if (nl < 0)
			return rc_err_set(err, -RC_EFORMAT,
					  "pclntab function %llu name at 0x%llx out of range or "
					  "not NUL-terminated",
					  (unsigned long long)i,
					  (unsigned long long)(l->nametab + nameoff));
		funcs[i].name = (const char *)data + l->nametab + nameoff;
		funcs[i].name_len = nl > UINT32_MAX ? UINT32_MAX : (uint32_t)nl;
		funcs[i].entry = entry;
	}
	*end = prev;
	return 0;
}

int rc_go_pclntab_parse(const unsigned char *data, size_t len, bool big_endian,
			struct rc_go_pclntab **out, struct rc_err *err)
{
	struct rc_go_pclntab hdr = {0};
	struct pcln_layout l;
	struct pcln_alloc *a;
	uint64_t end = 0;
	int rc;

	rc = pcln_header(data, len, big_endian, &hdr, &l, err);
	if (rc)
		return rc;
	/* One allocation: the table, its "where" text and all functions. */
	a = malloc(sizeof(*a) + (size_t)l.nfunc * sizeof(a->funcs[0]));
	if (!a)
		return rc_err_set(err, -RC_ENOMEM, "out of memory for %llu pclntab functions",
				  (unsigned long long)l.nfunc);
	rc = pcln_funcs(data, len, big_endian, &l, a->funcs, &end, err);
	if (rc)
		goto out;
	a->tab = hdr;
	snprintf(a->where, sizeof(a->where), "raw bytes");
	a->tab.where = a->where;
	a->tab.funcs = a->funcs;
	a->tab.nfunc = (size_t)l.nfunc;
	a->tab.text_end = end;
	if (hdr.version >= RC_GO_PCLNTAB_118)
		a->tab.text_start = l.text;
	else
		a->tab.text_start = l.nfunc ? a->funcs[0].entry : end;
	*out = &a->tab;
	a = NULL;
out:
	free(a);
	return rc;
}

void rc_go_pclntab_free(struct rc_go_pclntab *tab)
{
	/* The table is the first member of its allocation. */
	free(tab);
}

static bool pcln_header_ok(const unsigned char *p, size_t avail, bool be)
{
	if (avail < 16 || p[4] || p[5] || (p[6] != 1 && p[6] != 2 && p[6] != 4) ||
	    (p[7] != 4 && p[7] != 8))
		return false;
	return pcln_version((uint32_t)rd(p, 4, be)) != 0;
}

/*
 * The link-time value of the pointer-sized word at @vaddr from a RELA
 * relocation (R_*_RELATIVE keeps it in the addend), or 0 when none.
 */
static uint64_t rela_addend(const struct rc_elf *elf, uint64_t vaddr)
{
	struct rc_elf_ident id;
	size_t n = rc_elf_section_count(elf);

	rc_elf_ident(elf, &id);
	for (size_t i = 1; i < n; i++) {
		struct rc_elf_section s;
		const unsigned char *b;
		size_t w = id.elfclass == 64 ? 8 : 4, esz = 3 * w;

		rc_elf_section(elf, i, &s);
		if (s.type != SHT_RELA)
			continue;
		b = rc_elf_section_bytes(elf, &s);
		if (!b)
			continue;
		for (uint64_t off = 0; off + esz <= s.size; off += esz)
			if (rc_elf_read_uint(elf, b + off, w) == vaddr)
				return rc_elf_read_uint(elf, b + off + 2 * w, w);
	}
	return 0;
}

/*
 * A 1.18+ table whose header textStart is 0 in the file (a PIE linked
 * without applying dynamic relocations in place): take the link-time value
 * from the relocation of that word, else the .text address, and move the
 * entries there.
 */
static void pcln_fix_text(const struct rc_elf *elf, struct rc_go_pclntab *t, uint64_t vaddr)
{
	struct rc_elf_section text;
	struct rc_elf_ident id;
	uint64_t base;

	rc_elf_ident(elf, &id);
	if (id.type != ET_DYN || t->version < RC_GO_PCLNTAB_118 || t->text_start != 0)
		return;
	base = rela_addend(elf, vaddr + 8 + 2 * (uint64_t)t->ptr_size);
	if (!base && rc_elf_find_section(elf, ".text", &text) == 0)
		base = text.addr;
	if (!base)
		return;
	for (size_t i = 0; i < t->nfunc; i++)
		((struct pcln_alloc *)t)->funcs[i].entry += base;
	t->text_start = base;
	t->text_end += base;
}

static void pcln_where(struct rc_go_pclntab *t, const char *fmt, const char *what)
{
	struct pcln_alloc *a = (struct pcln_alloc *)t;

	snprintf(a->where, sizeof(a->where), fmt, what);
}

/* Scan @p for a 4-byte-aligned (by @vaddr) header that fully parses. */
static int pcln_scan(const unsigned char *p, size_t len, uint64_t vaddr, bool be,
		     struct rc_go_pclntab **out, uint64_t *at, struct rc_err *last)
{
	for (size_t off = (4 - vaddr % 4) % 4; off + 16 <= len; off += 4) {
		struct rc_go_pclntab *t;

		if (p[off] != 0xff && p[off] != 0xfb && p[off] != 0xfa && p[off] != 0xf0 &&
		    p[off] != 0xf1)
			continue;
		if (!pcln_header_ok(p + off, len - off, be))
			continue;
		if (rc_go_pclntab_parse(p + off, len - off, be, &t, last) < 0)
			continue;
		if (t->nfunc == 0) {
			rc_err_set(last, -RC_EFORMAT, "pclntab-like header without functions");
			rc_go_pclntab_free(t);
			continue;
		}
		*out = t;
		*at = vaddr + off;
		return 0;
	}
	return -RC_ENOENT;
}

static bool looks_like_go(const struct rc_elf *elf)
{
	const char *id;
	size_t len;
	const unsigned char *p;
	struct rc_err e;

	return rc_elf_go_build_id(elf, &id, &len) == 0 ||
	       locate_buildinfo(elf, &p, &len, &e) != -RC_ENOENT;
}

static bool is_named(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

int rc_go_pclntab_read(const struct rc_elf *elf, struct rc_go_pclntab **out, struct rc_err *err)
{
	static const char *const own[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	static const char *const first[] = {".data.rel.ro", ".rodata", ".noptrdata"};
	const size_t nfirst = sizeof(first) / sizeof(first[0]);
	struct rc_elf_ident id;
	struct rc_elf_section s;
	struct rc_go_pclntab *t = NULL;
	struct rc_err e = {0}, last = {0};
	size_t nsec = rc_elf_section_count(elf);
	uint64_t at;
	int rc;

	rc_elf_ident(elf, &id);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		const unsigned char *p;

		if (rc_elf_find_section(elf, own[i], &s) < 0)
			continue;
		p = rc_elf_section_bytes(elf, &s);
		if (!p)
			return rc_err_set(err, -RC_EFORMAT, "'%s': section %s has no file contents",
					  rc_elf_path(elf), own[i]);
		rc = rc_go_pclntab_parse(p, (size_t)s.size, id.big_endian, &t, &e);
		if (rc)
			return rc_err_set(err, rc, "'%s': section %s: %s", rc_elf_path(elf), own[i],
					  e.msg);
		pcln_where(t, "section %s", own[i]);
		pcln_fix_text(elf, t, s.addr);
		*out = t;
		return 0;
	}

	/*
	 * No own section: scan for the magic, but only in what looks like a Go
	 * binary (Go build ID note or build information), so that a large C++
	 * library is not read end to end looking for a Go header.
	 */
	if (!looks_like_go(elf))
		return rc_err_set(err, -RC_ENOENT,
				  "'%s': no Go function table (.gopclntab) and no sign of Go",
				  rc_elf_path(elf));
	/* Scan the likely sections first, then every other data one. */
	for (size_t pass = 0; pass < 2 && nsec > 1; pass++) {
		for (size_t i = 1; i < nsec; i++) {
			const unsigned char *p;
			size_t k;

			rc_elf_section(elf, i, &s);
			if (pass == 0) {
				for (k = 0; k < nfirst; k++)
					if (strcmp(s.name, first[k]) == 0)
						break;
				if (k == nfirst)
					continue;
			} else if (!(s.flags & SHF_ALLOC) || (s.flags & SHF_EXECINSTR) ||
				   is_named(s.name, first, nfirst)) {
				continue;
			}
			p = rc_elf_section_bytes(elf, &s);
			if (!p)
				continue;
			if (pcln_scan(p, (size_t)s.size, s.addr, id.big_endian, &t, &at, &last))
				continue;
			pcln_where(t, "magic scan in %s", s.name);
			pcln_fix_text(elf, t, at);
			*out = t;
			return 0;
		}
	}

	/* No section headers at all: the loaded file bytes, data segments first. */
	if (nsec <= 1) {
		size_t nseg = rc_elf_segment_count(elf);

		for (int pass = 0; pass < 2; pass++) {
			for (size_t i = 0; i < nseg; i++) {
				struct rc_elf_segment seg;
				const unsigned char *p;
				size_t avail;
				char name[32];

				rc_elf_segment(elf, i, &seg);
				if (seg.type != PT_LOAD || !(seg.flags & PF_X) != !pass)
					continue;
				p = rc_elf_vaddr_bytes(elf, seg.vaddr, &avail);
				if (!p)
					continue;
				if (avail > seg.filesz)
					avail = (size_t)seg.filesz;
				if (pcln_scan(p, avail, seg.vaddr, id.big_endian, &t, &at, &last))
					continue;
				snprintf(name, sizeof(name), "PT_LOAD %zu", i);
				pcln_where(t, "magic scan in %s", name);
				pcln_fix_text(elf, t, at);
				*out = t;
				return 0;
			}
		}
	}
	if (last.code)
		return rc_err_set(err, -RC_ENOENT,
				  "'%s': no Go function table (.gopclntab); last candidate: %s",
				  rc_elf_path(elf), last.msg);
	return rc_err_set(err, -RC_ENOENT, "'%s': no Go function table (.gopclntab)",
			  rc_elf_path(elf));
}
