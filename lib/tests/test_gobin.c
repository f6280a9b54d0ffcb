/* SPDX-License-Identifier: MIT */
/*
 * Go binary formats: buildinfo and pclntab parsers on hand-built images (every
 * layout, byte order and pointer size, and corrupt variants of each), then the
 * ELF readers on the Go fixtures against `go tool nm` and the ELF symbol table.
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/gobin.h>

/* ---- byte image helpers ---- */

static void put(unsigned char *b, size_t off, uint64_t v, size_t n, bool be)
{
	for (size_t i = 0; i < n; i++)
		b[off + (be ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

static size_t put_uvarint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

/* cmd/go's modinfo framing: 16-byte sentinels around the text. */
static const char info_start[] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char info_end[] = "\xf9\x32\x43\x31\x86\x18 r\x00\x82\x42\x10\x41\x16\xd8\xf2";

static size_t frame(unsigned char *out, const char *text)
{
	size_t n = strlen(text);

	memcpy(out, info_start, 16);
	memcpy(out + 16, text, n);
	memcpy(out + 16 + n, info_end, 16);
	return n + 32;
}

static void bi_header(unsigned char *b, unsigned ps, unsigned flags)
{
	memset(b, 0, 32);
	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = (unsigned char)ps;
	b[15] = (unsigned char)flags;
}

/* An inline (Go >= 1.18) blob: header, version, modinfo of @mlen bytes. */
static size_t bi_inline(unsigned char *b, bool be, const char *vers, const unsigned char *mod,
			size_t mlen)
{
	size_t n = 32, vl = strlen(vers);

	bi_header(b, 8, 2 | (be ? 1 : 0));
	n += put_uvarint(b + n, vl);
	memcpy(b + n, vers, vl);
	n += vl;
	n += put_uvarint(b + n, mlen);
	memcpy(b + n, mod, mlen);
	return n + mlen;
}

/* A memory image at a base address, for the pointer-based layout. */
struct mem {
	unsigned char b[4096];
	uint64_t base;
	size_t len;
};

static const unsigned char *mem_resolve(void *arg, uint64_t addr, size_t *avail)
{
	struct mem *m = arg;

	if (addr < m->base || addr - m->base >= m->len)
		return NULL;
	*avail = (size_t)(m->len - (addr - m->base));
	return m->b + (addr - m->base);
}

/*
 * Old layout: header at 0 with pointers to two string headers at 64 and 96,
 * the version at 128 and the modinfo behind it.
 */
static void bi_pointer(struct mem *m, unsigned ps, bool be, const char *vers,
		       const unsigned char *mod, size_t mlen)
{
	size_t vl = strlen(vers), moff = 128 + vl;

	memset(m, 0, sizeof(*m));
	m->base = 0x500000;
	bi_header(m->b, ps, be ? 1 : 0);
	put(m->b, 16, m->base + 64, ps, be);
	put(m->b, 16 + ps, m->base + 96, ps, be);
	put(m->b, 64, m->base + 128, ps, be);
	put(m->b, 64 + ps, vl, ps, be);
	put(m->b, 96, m->base + moff, ps, be);
	put(m->b, 96 + ps, mlen, ps, be);
	memcpy(m->b + 128, vers, vl);
	memcpy(m->b + moff, mod, mlen);
	m->len = moff + mlen;
}

static const char modtext[] = "path\texample.com/app/cmd/app\n"
			      "mod\texample.com/app\t(devel)\t\n"
			      "dep\tgolang.org/x/sys\tv0.5.0\th1:sys=\n"
			      "dep\texample.com/lib\tv1.2.0\th1:lib=\n"
			      "=>\t../lib\t(devel)\t\n"
			      "dep\texample.com/other\tv0.1.0\n"
			      "build\t-compiler=gc\n"
			      "build\t-ldflags=\"-s -w\"\n"
			      "build\tCGO_ENABLED=1\n"
			      "build\tGOOS=linux\n";

static void check_modtext(const struct rc_go_buildinfo *bi)
{
	ck_assert_str_eq(bi->go_version, "go1.19.8");
	ck_assert_str_eq(bi->path, "example.com/app/cmd/app");
	ck_assert_str_eq(bi->main.path, "example.com/app");
	ck_assert_str_eq(bi->main.version, "(devel)");
	ck_assert_str_eq(bi->main.sum, "");
	ck_assert_ptr_null(bi->main.replace);
	ck_assert_uint_eq(bi->n_deps, 3);
	ck_assert_str_eq(bi->deps[0].path, "golang.org/x/sys");
	ck_assert_str_eq(bi->deps[0].version, "v0.5.0");
	ck_assert_str_eq(bi->deps[0].sum, "h1:sys=");
	ck_assert_ptr_null(bi->deps[0].replace);
	ck_assert_str_eq(bi->deps[1].path, "example.com/lib");
	ck_assert_ptr_nonnull(bi->deps[1].replace);
	ck_assert_str_eq(bi->deps[1].replace->path, "../lib");
	ck_assert_str_eq(bi->deps[1].replace->version, "(devel)");
	ck_assert_str_eq(bi->deps[1].replace->sum, "");
	ck_assert_str_eq(bi->deps[2].path, "example.com/other");
	ck_assert_str_eq(bi->deps[2].version, "v0.1.0");
	ck_assert_str_eq(bi->deps[2].sum, "");
	ck_assert_uint_eq(bi->n_settings, 4);
	ck_assert_str_eq(bi->settings[0].key, "-compiler");
	ck_assert_str_eq(bi->settings[0].value, "gc");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "-ldflags"), "-s -w");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "CGO_ENABLED"), "1");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "GOOS"), "linux");
	ck_assert_ptr_null(rc_go_buildinfo_setting(bi, "GOARCH"));
	ck_assert_ptr_null(rc_go_buildinfo_setting(bi, "GOO"));
	ck_assert_str_eq(bi->modinfo, modtext);
}

static struct rc_go_buildinfo *parse_inline(const char *text, struct rc_err *err)
{
	static unsigned char mod[4096], b[8192];
	struct rc_go_buildinfo *bi = NULL;
	size_t ml = frame(mod, text), n = bi_inline(b, false, "go1.19.8", mod, ml);

	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, err), 0);
	return bi;
}

START_TEST(buildinfo_inline_little_endian)
{
	struct rc_err err = {0};
	struct rc_go_buildinfo *bi = parse_inline(modtext, &err);

	ck_assert_uint_eq(bi->ptr_size, 8);
	ck_assert(!bi->big_endian);
	ck_assert(bi->inline_format);
	check_modtext(bi);
	rc_go_buildinfo_free(bi);
	rc_go_buildinfo_free(NULL);
}
END_TEST

START_TEST(buildinfo_inline_long_varint)
{
	/* A modinfo over 16 KiB needs a three-byte length. */
	static unsigned char mod[40000], b[41000];
	static char text[39000];
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};
	size_t n = 0, ml;

	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "dep\tm%04d\tv1.0.%d\th1:x=\n", i,
				      i);
	ml = frame(mod, text);
	ck_assert_uint_gt(ml, 16384);
	n = bi_inline(b, false, "go1.21.0", mod, ml);
	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), 0);
	ck_assert_uint_eq(bi->n_deps, 1000);
	ck_assert_str_eq(bi->deps[999].path, "m0999");
	ck_assert_str_eq(bi->deps[999].version, "v1.0.999");
	ck_assert_str_eq(bi->go_version, "go1.21.0");
	rc_go_buildinfo_free(bi);
}
END_TEST

static void pointer_case(unsigned ps, bool be)
{
	static unsigned char mod[4096];
	struct mem m;
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};
	size_t ml = frame(mod, modtext);

	bi_pointer(&m, ps, be, "go1.19.8", mod, ml);
	ck_assert_int_eq(rc_go_buildinfo_parse(m.b, 32, mem_resolve, &m, &bi, &err), 0);
	ck_assert_uint_eq(bi->ptr_size, ps);
	ck_assert(bi->big_endian == be);
	ck_assert(!bi->inline_format);
	check_modtext(bi);
	rc_go_buildinfo_free(bi);
}

START_TEST(buildinfo_pointer_layouts)
{
	pointer_case(8, false);
	pointer_case(4, false);
	pointer_case(8, true);
	pointer_case(4, true);
}
END_TEST

START_TEST(buildinfo_pointer_errors)
{
	static unsigned char mod[4096];
	struct mem m;
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};
	size_t ml = frame(mod, modtext);

	/* The version header points nowhere. */
	bi_pointer(&m, 8, false, "go1.19.8", mod, ml);
	put(m.b, 16, 0xdead0000, 8, false);
	ck_assert_int_eq(rc_go_buildinfo_parse(m.b, 32, mem_resolve, &m, &bi, &err), -RC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "unresolvable"));
	ck_assert_ptr_nonnull(strstr(err.msg, "0xdead0000"));
	/* The modinfo string runs past the image. */
	bi_pointer(&m, 4, true, "go1.19.8", mod, ml);
	put(m.b, 96 + 4, 100000, 4, true);
	ck_assert_int_eq(rc_go_buildinfo_parse(m.b, 32, mem_resolve, &m, &bi, &err), -RC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "modinfo"));
	/* A string header cut short by the end of the image. */
	bi_pointer(&m, 8, false, "go1.19.8", mod, ml);
	put(m.b, 16, m.base + m.len - 8, 8, false);
	ck_assert_int_eq(rc_go_buildinfo_parse(m.b, 32, mem_resolve, &m, &bi, &err), -RC_EFORMAT);
	/* No resolver for a layout that needs one. */
	bi_pointer(&m, 8, false, "go1.19.8", mod, ml);
	ck_assert_int_eq(rc_go_buildinfo_parse(m.b, 32, NULL, NULL, &bi, &err), -RC_EINVAL);
	ck_assert_ptr_null(bi);
}
END_TEST

START_TEST(buildinfo_modinfo_framing)
{
	static unsigned char b[8192];
	const char *text = "path\tx\nbuild\tGOOS=linux\n";
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};
	unsigned char mod[256];
	size_t ml, n;

	/* The sentinels are stripped and not part of modinfo. */
	bi = parse_inline(text, &err);
	ck_assert_str_eq(bi->modinfo, text);
	ck_assert_str_eq(bi->path, "x");
	rc_go_buildinfo_free(bi);

	/* Unframed text is no module information at all (as in Go). */
	n = bi_inline(b, false, "go1.19.8", (const unsigned char *)text, strlen(text));
	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), 0);
	ck_assert_str_eq(bi->modinfo, "");
	ck_assert_str_eq(bi->path, "");
	ck_assert_str_eq(bi->main.path, "");
	ck_assert_uint_eq(bi->n_settings, 0);
	ck_assert_ptr_null(rc_go_buildinfo_setting(bi, "GOOS"));
	rc_go_buildinfo_free(bi);

	/* Framed, but the byte before the end sentinel is not a newline. */
	ml = frame(mod, "path\tx\nbuild\tGOOS=linux");
	n = bi_inline(b, false, "go1.19.8", mod, ml);
	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), 0);
	ck_assert_str_eq(bi->modinfo, "");
	rc_go_buildinfo_free(bi);

	/* Exactly 33 bytes: one newline between the sentinels. */
	ml = frame(mod, "\n");
	ck_assert_uint_eq(ml, 33);
	n = bi_inline(b, false, "go1.19.8", mod, ml);
	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), 0);
	ck_assert_str_eq(bi->modinfo, "\n");
	ck_assert_uint_eq(bi->n_deps, 0);
	rc_go_buildinfo_free(bi);

	/* No modinfo (GOPATH build): empty string. */
	n = bi_inline(b, true, "go1.20", mod, 0);
	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), 0);
	ck_assert(bi->big_endian);
	ck_assert_str_eq(bi->go_version, "go1.20");
	ck_assert_str_eq(bi->modinfo, "");
	rc_go_buildinfo_free(bi);
}
END_TEST

START_TEST(buildinfo_quoted_settings)
{
	const char *text = "build\t-ldflags=\"-s -w -X \\\"main.v=1 2\\\"\"\n"
			   "build\t-gcflags=\"all=-N -l\"\n"
			   "build\tesc=\"a\\tb\\\\c\\x41\\u00e9\\U0001F600\\101\\n\"\n"
			   "build\traw=`x \\n y`\n"
			   "build\t\"we ird=key\"=v\n"
			   "build\tbad=\"unterminated\n"
			   "build\tbadesc=\"\\q x\"\n"
			   "build\tempty=\n"
			   "build\tnoequals\n"
			   "build\t=nokey\n"
			   "build\t-tags=netgo,osusergo\n"
			   "weird\tline\n"
			   "\n";
	struct rc_err err = {0};
	struct rc_go_buildinfo *bi = parse_inline(text, &err);

	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "-ldflags"), "-s -w -X \"main.v=1 2\"");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "-gcflags"), "all=-N -l");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "esc"), "a\tb\\cA\xc3\xa9\xf0\x9f\x98\x80"
							     "A\n");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "raw"), "x \\n y");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "we ird=key"), "v");
	/* Malformed quoting is kept as written rather than guessed at. */
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "bad"), "\"unterminated");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "badesc"), "\"\\q x\"");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "empty"), "");
	ck_assert_str_eq(rc_go_buildinfo_setting(bi, "-tags"), "netgo,osusergo");
	/* Lines without a key or '=' are skipped. */
	ck_assert_ptr_null(rc_go_buildinfo_setting(bi, "noequals"));
	ck_assert_ptr_null(rc_go_buildinfo_setting(bi, ""));
	ck_assert_uint_eq(bi->n_settings, 9);
	rc_go_buildinfo_free(bi);
}
END_TEST

START_TEST(buildinfo_replacements)
{
	const char *text = "=>\torphan\tv0\th\n"
			   "mod\tex.com/main\tv1.0.0\th1:m=\n"
			   "=>\t./main\t\t\n"
			   "dep\ta\tv1\th1:a=\n"
			   "=>\tb\tv2\th1:b=\n"
			   "=>\tc\tv3\th1:c=\n"
			   "dep\td\tv4\n"
			   "=>\tshort\tv5\n"
			   "dep\tbad\n"
			   "dep\tp\tv\ts\textra\n"
			   "dep\te\tv6\th1:e=\n";
	struct rc_err err = {0};
	struct rc_go_buildinfo *bi = parse_inline(text, &err);

	ck_assert_str_eq(bi->main.path, "ex.com/main");
	ck_assert_str_eq(bi->main.version, "v1.0.0");
	ck_assert_ptr_nonnull(bi->main.replace);
	ck_assert_str_eq(bi->main.replace->path, "./main");
	ck_assert_str_eq(bi->main.replace->version, "");
	/* Malformed dep lines (one or four columns) are skipped. */
	ck_assert_uint_eq(bi->n_deps, 3);
	ck_assert_str_eq(bi->deps[0].path, "a");
	ck_assert_ptr_nonnull(bi->deps[0].replace);
	/* Only the first "=>" after a module applies. */
	ck_assert_str_eq(bi->deps[0].replace->path, "b");
	ck_assert_str_eq(bi->deps[0].replace->version, "v2");
	ck_assert_str_eq(bi->deps[0].replace->sum, "h1:b=");
	ck_assert_str_eq(bi->deps[1].path, "d");
	/* A replacement needs three columns. */
	ck_assert_ptr_null(bi->deps[1].replace);
	ck_assert_str_eq(bi->deps[2].path, "e");
	ck_assert_ptr_null(bi->deps[2].replace);
	rc_go_buildinfo_free(bi);
}
END_TEST

static void expect_bi_format(const unsigned char *b, size_t n, const char *needle)
{
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_go_buildinfo_parse(b, n, NULL, NULL, &bi, &err), -RC_EFORMAT);
	ck_assert_ptr_null(bi);
	ck_assert_int_eq(err.code, -RC_EFORMAT);
	ck_assert_msg(err.msg[0] != '\0', "no reason given");
	if (needle)
		ck_assert_msg(strstr(err.msg, needle), "'%s' not in '%s'", needle, err.msg);
}

START_TEST(buildinfo_bad_input)
{
	static unsigned char mod[4096], b[8192], g[512];
	size_t ml = frame(mod, modtext), n = bi_inline(b, false, "go1.19.8", mod, ml);
	uint32_t seed = 12345;

	/* Every truncation of a valid blob is rejected, never read past. */
	for (size_t cut = 0; cut < n; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);

		memcpy(copy, b, cut);
		expect_bi_format(copy, cut, NULL);
		free(copy);
	}
	expect_bi_format(NULL, 0, "truncated");
	expect_bi_format(b, 31, "truncated");
	b[1] = 'g';
	expect_bi_format(b, n, "magic");
	b[1] = ' ';
	b[14] = 3;
	expect_bi_format(b, n, "pointer size 3");
	b[14] = 8;
	/* A varint that never ends, one too long, and a length past the end. */
	memset(b + 32, 0x80, 16);
	expect_bi_format(b, 48, "version");
	memset(b + 32, 0xff, 9);
	b[41] = 0x02;
	expect_bi_format(b, 64, "version");
	n = bi_inline(b, false, "go1.19.8", mod, ml);
	b[32] = 0xff;
	b[33] = 0x7f;
	expect_bi_format(b, n, "version of 16383 bytes");
	b[32] = 8;
	b[33] = 'g';
	b[32 + 9] = 0xff;
	b[32 + 10] = 0x7f;
	expect_bi_format(b, n, "modinfo of 16383 bytes");
	/* An empty version is not a Go binary. */
	n = bi_inline(b, false, "", mod, ml);
	expect_bi_format(b, n, "empty go version");
	/* Random bytes behind a valid header: an error or a result, never a crash. */
	for (int round = 0; round < 2000; round++) {
		struct rc_go_buildinfo *bi = NULL;
		struct rc_err err = {0};
		int rc;

		bi_header(g, 8, 2);
		for (size_t i = 32; i < sizeof(g); i++) {
			seed = seed * 1103515245u + 12345u;
			g[i] = (unsigned char)(seed >> 16);
		}
		/* Sometimes small lengths, so that parsing gets further. */
		if (round % 2) {
			g[32] = (unsigned char)(round % 60);
			g[33 + g[32]] = (unsigned char)(round % 120);
		}
		rc = rc_go_buildinfo_parse(g, sizeof(g), NULL, NULL, &bi, &err);
		ck_assert(rc == 0 || rc == -RC_EFORMAT);
		if (rc == 0)
			ck_assert_ptr_nonnull(bi->modinfo);
		rc_go_buildinfo_free(bi);
	}
}
END_TEST

/* ---- pclntab images ---- */

struct tfunc {
	const char *name;
	uint64_t entry;
};

/* A built table and where its parts are, for corrupting them. */
struct ptab {
	unsigned char b[4096];
	size_t len;
	bool be;
	unsigned ps, fs;
	size_t ftab;	 /* function table */
	size_t funcbase; /* _func offsets are relative to this */
	size_t rec[8];	 /* _func records */
	size_t nametab;	 /* name offsets are relative to this */
	size_t name[8];	 /* names */
};

static uint32_t version_magic(int ver)
{
	switch (ver) {
	case 12:
		return 0xfffffffbu;
	case 116:
		return 0xfffffffau;
	case 118:
		return 0xfffffff0u;
	}
	return 0xfffffff1u;
}

/*
 * Header, function table, _func records (36 bytes of fields behind the
 * entry, like Go's), then the names, the last one ending the image.
 */
static void build_pcln(struct ptab *t, int ver, unsigned ps, bool be, unsigned quantum,
		       const struct tfunc *f, size_t n, uint64_t end, uint64_t text)
{
	unsigned nwords = ver == 12 ? 1 : ver == 116 ? 7 : 8;
	size_t hdr = 8 + nwords * ps, recsz, off;
	bool new = ver >= 118;

	ck_assert_uint_le(n, 8);
	memset(t, 0, sizeof(*t));
	t->be = be;
	t->ps = ps;
	t->fs = new ? 4 : ps;
	put(t->b, 0, version_magic(ver), 4, be);
	t->b[6] = (unsigned char)quantum;
	t->b[7] = (unsigned char)ps;
	put(t->b, 8, n, ps, be);
	t->ftab = ver == 12 ? 8 + ps : (hdr + 7) & ~(size_t)7;
	t->funcbase = ver == 12 ? 0 : t->ftab;
	recsz = t->fs + 36;
	/* The table, then (1.2) the file table offset, then the records. */
	off = t->ftab + (2 * n + 1) * t->fs + (ver == 12 ? 4 : 0);
	off = (off + 7) & ~(size_t)7;
	for (size_t i = 0; i < n; i++) {
		t->rec[i] = off;
		off += recsz;
	}
	t->nametab = ver == 12 ? 0 : off;
	for (size_t i = 0; i < n; i++) {
		t->name[i] = off;
		memcpy(t->b + off, f[i].name, strlen(f[i].name) + 1);
		off += strlen(f[i].name) + 1;
	}
	t->len = off;
	for (size_t i = 0; i <= n; i++) {
		uint64_t e = i < n ? f[i].entry : end;
		uint64_t v = new ? e - text : e;

		put(t->b, t->ftab + 2 * i * t->fs, v, t->fs, be);
		if (i == n)
			break;
		put(t->b, t->ftab + (2 * i + 1) * t->fs, t->rec[i] - t->funcbase, t->fs, be);
		put(t->b, t->rec[i], v, t->fs, be);
		put(t->b, t->rec[i] + t->fs, t->name[i] - t->nametab, 4, be);
	}
	switch (ver) {
	case 116:
		put(t->b, 8 + 1 * ps, 1, ps, be);	   /* nfiles */
		put(t->b, 8 + 2 * ps, t->nametab, ps, be); /* funcnametab */
		for (unsigned w = 3; w < 6; w++)	   /* cu, file, pc tabs */
			put(t->b, 8 + w * ps, t->nametab, ps, be);
		put(t->b, 8 + 6 * ps, t->ftab, ps, be);
		break;
	case 118:
	case 120:
		put(t->b, 8 + 1 * ps, 1, ps, be);
		put(t->b, 8 + 2 * ps, text, ps, be);
		put(t->b, 8 + 3 * ps, t->nametab, ps, be);
		for (unsigned w = 4; w < 7; w++)
			put(t->b, 8 + w * ps, t->nametab, ps, be);
		put(t->b, 8 + 7 * ps, t->ftab, ps, be);
		break;
	}
}

static const struct tfunc three[] = {
	{"main.main", 0x401000},
	{"runtime.(*m).lock", 0x401040},
	{"example.com/x.F[...]", 0x4010a0},
};

static void check_three(const struct rc_go_pclntab *t, uint64_t end)
{
	ck_assert_uint_eq(t->nfunc, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(t->funcs[i].name, three[i].name);
		ck_assert_uint_eq(t->funcs[i].name_len, strlen(three[i].name));
		ck_assert_uint_eq(t->funcs[i].entry, three[i].entry);
	}
	ck_assert_uint_eq(t->funcs[0].size, 0x40);
	ck_assert_uint_eq(t->funcs[1].size, 0x60);
	ck_assert_uint_eq(t->funcs[2].size, end - 0x4010a0);
	ck_assert_uint_eq(t->text_end, end);
}

/* @t is a pclntab of @version with @quantum whose text starts at @text_start. */
static void check_header(const struct rc_go_pclntab *t, int version, unsigned quantum,
			 uint64_t text_start)
{
	ck_assert_int_eq(t->version, version);
	ck_assert_uint_eq(t->quantum, quantum);
	ck_assert_uint_eq(t->text_start, text_start);
}

static struct rc_go_pclntab *parse_ok(const struct ptab *p)
{
	struct rc_go_pclntab *t = NULL;
	struct rc_err err = {0};

	ck_assert_msg(rc_go_pclntab_parse(p->b, p->len, p->be, &t, &err) == 0, "parse: %s",
		      err.msg);
	return t;
}

START_TEST(pclntab_go12_ptr4_big_endian)
{
	struct ptab p;
	struct rc_go_pclntab *t;

	build_pcln(&p, 12, 4, true, 4, three, 3, 0x401100, 0);
	t = parse_ok(&p);
	check_header(t, RC_GO_PCLNTAB_12, 4, 0x401000);
	ck_assert_uint_eq(t->ptr_size, 4);
	ck_assert(t->big_endian);
	check_three(t, 0x401100);
	/* Names are borrowed from the data. */
	ck_assert_ptr_eq(t->funcs[1].name, (const char *)p.b + p.name[1]);
	ck_assert_ptr_nonnull(t->where);
	rc_go_pclntab_free(t);
	rc_go_pclntab_free(NULL);
}
END_TEST

START_TEST(pclntab_go116_ptr8)
{
	struct ptab p;
	struct rc_go_pclntab *t;

	build_pcln(&p, 116, 8, false, 1, three, 3, 0x401234, 0);
	t = parse_ok(&p);
	check_header(t, RC_GO_PCLNTAB_116, 1, 0x401000);
	ck_assert_uint_eq(t->ptr_size, 8);
	ck_assert(!t->big_endian);
	check_three(t, 0x401234);
	rc_go_pclntab_free(t);
}
END_TEST

START_TEST(pclntab_go118)
{
	struct ptab p;
	struct rc_go_pclntab *t;

	/* textStart below the first function: entries are textStart + offset. */
	build_pcln(&p, 118, 8, false, 1, three, 3, 0x401200, 0x400f00);
	t = parse_ok(&p);
	ck_assert_int_eq(t->version, RC_GO_PCLNTAB_118);
	ck_assert_uint_eq(t->text_start, 0x400f00);
	check_three(t, 0x401200);
	rc_go_pclntab_free(t);

	/* 32-bit, big-endian (e.g. mips, ppc). */
	build_pcln(&p, 118, 4, true, 4, three, 3, 0x401200, 0x401000);
	t = parse_ok(&p);
	ck_assert_uint_eq(t->ptr_size, 4);
	ck_assert(t->big_endian);
	check_three(t, 0x401200);
	rc_go_pclntab_free(t);
}
END_TEST

START_TEST(pclntab_go120)
{
	struct ptab p;
	struct rc_go_pclntab *t;

	build_pcln(&p, 120, 8, false, 2, three, 3, 0x401300, 0x401000);
	t = parse_ok(&p);
	check_header(t, RC_GO_PCLNTAB_120, 2, 0x401000);
	check_three(t, 0x401300);
	rc_go_pclntab_free(t);
}
END_TEST

START_TEST(pclntab_zero_size_and_empty)
{
	static const struct tfunc same[] = {{"a", 0x1000}, {"b", 0x1000}, {"c", 0x1010}};
	struct ptab p;
	struct rc_go_pclntab *t;

	/* Equal entries are allowed (size 0); only decreasing ones are not. */
	build_pcln(&p, 118, 8, false, 1, same, 3, 0x1010, 0x1000);
	t = parse_ok(&p);
	ck_assert_uint_eq(t->funcs[0].size, 0);
	ck_assert_uint_eq(t->funcs[1].size, 0x10);
	ck_assert_uint_eq(t->funcs[2].size, 0);
	rc_go_pclntab_free(t);
	build_pcln(&p, 116, 8, false, 1, same, 0, 0x2000, 0);
	t = parse_ok(&p);
	ck_assert_uint_eq(t->nfunc, 0);
	ck_assert_uint_eq(t->text_end, 0x2000);
	rc_go_pclntab_free(t);
}
END_TEST

static void expect_pcln_format(const struct ptab *p, size_t len, const char *needle)
{
	struct rc_go_pclntab *t = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_go_pclntab_parse(p->b, len, p->be, &t, &err), -RC_EFORMAT);
	ck_assert_ptr_null(t);
	ck_assert_msg(err.msg[0] != '\0', "no reason given");
	if (needle)
		ck_assert_msg(strstr(err.msg, needle), "'%s' not in '%s'", needle, err.msg);
}

static const int versions[] = {12, 116, 118, 120};

START_TEST(pclntab_nfunc_huge)
{
	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, 8, 0xffffffffffffffffull, 8, false);
		expect_pcln_format(&p, p.len, "function count");
		put(p.b, 8, 1ull << 40, 8, false);
		expect_pcln_format(&p, p.len, "function count");
		/* Just past what the data could hold. */
		put(p.b, 8, p.len / 8, 8, false);
		expect_pcln_format(&p, p.len, "function count");
	}
}
END_TEST

START_TEST(pclntab_offsets_out_of_range)
{
	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, p.ftab + 3 * p.fs, 0x7fff0000, p.fs, false);
		expect_pcln_format(&p, p.len, "record offset");
		/* A record whose name offset field would be past the end. */
		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, p.ftab + 3 * p.fs, p.len - p.funcbase - p.fs - 2, p.fs, false);
		expect_pcln_format(&p, p.len, "record offset");
		/* A name offset past the end, and a negative one. */
		build_pcln(&p, versions[v], 4, true, 1, three, 3, 0x401100, 0x401000);
		put(p.b, p.rec[2] + p.fs, 0x10000, 4, true);
		expect_pcln_format(&p, p.len, "name");
		put(p.b, p.rec[2] + p.fs, 0x80000000u, 4, true);
		expect_pcln_format(&p, p.len, "negative name offset");
	}
	/* 1.16+: table offsets in the header. */
	{
		struct ptab p;

		build_pcln(&p, 118, 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, 8 + 7 * 8, 0x100000, 8, false);
		expect_pcln_format(&p, p.len, "function table offset");
		build_pcln(&p, 118, 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, 8 + 3 * 8, 0x100000, 8, false);
		expect_pcln_format(&p, p.len, "name table offset");
		build_pcln(&p, 116, 4, false, 1, three, 3, 0x401100, 0);
		put(p.b, 8 + 6 * 4, p.len - 2, 4, false);
		expect_pcln_format(&p, p.len, "function count");
	}
}
END_TEST

START_TEST(pclntab_name_unterminated)
{
	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		/* The last name ends the image: drop its NUL. */
		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401100, 0x401000);
		expect_pcln_format(&p, p.len - 1, "not NUL-terminated");
	}
}
END_TEST

START_TEST(pclntab_entries_decreasing)
{
	static const struct tfunc down[] = {{"a", 0x1000}, {"b", 0x1080}, {"c", 0x1040}};

	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		build_pcln(&p, versions[v], 8, false, 1, down, 3, 0x1100, 0x1000);
		expect_pcln_format(&p, p.len, "decreasing");
		/* The end PC before the last entry. */
		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401050, 0x401000);
		expect_pcln_format(&p, p.len, "decreasing");
	}
}
END_TEST

START_TEST(pclntab_entry_mismatch)
{
	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		build_pcln(&p, versions[v], 8, false, 1, three, 3, 0x401100, 0x401000);
		put(p.b, p.rec[1], 0x20, p.fs, false);
		expect_pcln_format(&p, p.len, "does not match");
	}
}
END_TEST

START_TEST(pclntab_bad_header)
{
	struct ptab p;

	build_pcln(&p, 118, 8, false, 1, three, 3, 0x401100, 0x401000);
	p.b[6] = 3;
	expect_pcln_format(&p, p.len, "quantum 3");
	p.b[6] = 0;
	expect_pcln_format(&p, p.len, "quantum 0");
	p.b[6] = 1;
	p.b[7] = 6;
	expect_pcln_format(&p, p.len, "pointer size 6");
	p.b[7] = 8;
	p.b[4] = 1;
	expect_pcln_format(&p, p.len, "pad");
	p.b[4] = 0;
	p.b[5] = 0x80;
	expect_pcln_format(&p, p.len, "pad");
	p.b[5] = 0;
	p.b[0] = 0xfc;
	expect_pcln_format(&p, p.len, "magic");
	p.b[0] = 0xf0;
	/* The right magic in the wrong byte order. */
	p.be = true;
	expect_pcln_format(&p, p.len, "magic");
	p.be = false;
	expect_pcln_format(&p, 7, "truncated");
	expect_pcln_format(&p, 8 + 7 * 8, "truncated");
	{
		struct rc_go_pclntab *t = NULL;
		struct rc_err err = {0};

		ck_assert_int_eq(rc_go_pclntab_parse(NULL, 0, false, &t, &err), -RC_EFORMAT);
	}
}
END_TEST

START_TEST(pclntab_truncated_and_mutated)
{
	uint32_t seed = 99;

	for (size_t v = 0; v < 4; v++) {
		struct ptab p;

		build_pcln(&p, versions[v], 8, v % 2, 1, three, 3, 0x401100, 0x401000);
		for (size_t cut = 0; cut < p.len; cut++) {
			unsigned char *copy = malloc(cut ? cut : 1);
			struct rc_go_pclntab *t = NULL;
			struct rc_err err = {0};

			memcpy(copy, p.b, cut);
			ck_assert_int_eq(rc_go_pclntab_parse(copy, cut, p.be, &t, &err),
					 -RC_EFORMAT);
			ck_assert(err.msg[0]);
			free(copy);
		}
		/* Random byte changes: an error or a table whose names are in bounds. */
		for (int round = 0; round < 3000; round++) {
			unsigned char *copy = malloc(p.len);
			struct rc_go_pclntab *t = NULL;
			struct rc_err err = {0};
			int rc;

			memcpy(copy, p.b, p.len);
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % p.len] = (unsigned char)(seed >> 24);
			}
			rc = rc_go_pclntab_parse(copy, p.len, p.be, &t, &err);
			ck_assert(rc == 0 || rc == -RC_EFORMAT);
			for (size_t i = 0; rc == 0 && i < t->nfunc; i++) {
				const char *s = t->funcs[i].name;

				ck_assert((const unsigned char *)s >= copy &&
					  (const unsigned char *)s + t->funcs[i].name_len <
						  copy + p.len);
				ck_assert_uint_eq(strlen(s), t->funcs[i].name_len);
			}
			rc_go_pclntab_free(t);
			free(copy);
		}
	}
}
END_TEST

/* ---- real binaries (testdata/go fixtures) ---- */

#define GO_PURE RC_FIXTURES "/go/pure/"
#define GO_CGO RC_FIXTURES "/go/cgo/"

static struct rc_elf *open_fixture(const char *path)
{
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};

	ck_assert_msg(access(path, R_OK) == 0,
		      "Go fixture '%s' is missing: build the fixtures target (testdata/go)", path);
	ck_assert_msg(rc_elf_open(path, &elf, &err) == 0, "%s", err.msg);
	return elf;
}

static struct rc_go_pclntab *read_pcln(struct rc_elf *elf)
{
	struct rc_go_pclntab *t = NULL;
	struct rc_err err = {0};

	ck_assert_msg(rc_go_pclntab_read(elf, &t, &err) == 0, "%s", err.msg);
	return t;
}

/*
 * The name a symbol table entry has in the pclntab: the linker names
 * assembly (ABI0) functions "f.abi0" in the symbol table but "f" in the
 * pclntab, and writes everything between the first '[' and the last ']' of
 * a name as "[...]" there (type..eq.[5]T -> type..eq.[...]T, generic
 * instantiations). Returns a malloc'd string.
 */
static char *pcln_name(const char *name, size_t len)
{
	const char *lb, *rb;
	char *out;

	if (len >= 5 && memcmp(name + len - 5, ".abi0", 5) == 0)
		len -= 5;
	lb = memchr(name, '[', len);
	rb = lb ? memrchr(name, ']', len) : NULL;
	if (lb && rb > lb) {
		size_t a = (size_t)(lb - name), c = len - (size_t)(rb + 1 - name);

		out = malloc(a + 5 + c + 1);
		memcpy(out, name, a);
		memcpy(out + a, "[...]", 5);
		memcpy(out + a + 5, rb + 1, c);
		out[a + 5 + c] = '\0';
		return out;
	}
	out = malloc(len + 1);
	memcpy(out, name, len);
	out[len] = '\0';
	return out;
}

struct nmsym {
	uint64_t addr, size;
	char *name;
};

static int nmsym_cmp(const void *a, const void *b)
{
	const struct nmsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Text symbols in the nm listing that are not functions, so have no pclntab
 * entry: the zero-size markers at both ends of the Go text.
 */
static const char *const nm_markers[] = {"runtime.text", "runtime.etext"};

static bool is_marker(const char *name)
{
	for (size_t i = 0; i < sizeof(nm_markers) / sizeof(nm_markers[0]); i++)
		if (strcmp(name, nm_markers[i]) == 0)
			return true;
	return false;
}

/* T/t lines of `go tool nm -size` ("addr size type name"), sorted. */
static struct nmsym *load_nm(const char *path, size_t *n, size_t *markers)
{
	FILE *f = fopen(path, "r");
	struct nmsym *v = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t ll;

	ck_assert_msg(f != NULL, "Go fixture '%s' is missing: build the fixtures target", path);
	*n = *markers = 0;
	while ((ll = getline(&line, &lcap, f)) > 0) {
		unsigned long long addr, size;
		char type;
		int off = 0;

		if (line[ll - 1] == '\n')
			line[--ll] = '\0';
		if (sscanf(line, "%llx %llu %c %n", &addr, &size, &type, &off) != 3 || !off)
			continue;
		if (type != 'T' && type != 't')
			continue;
		if (is_marker(line + off)) {
			ck_assert_uint_eq(size, 0);
			(*markers)++;
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		v[*n].addr = addr;
		v[*n].size = size;
		v[*n].name = pcln_name(line + off, strlen(line + off));
		(*n)++;
	}
	free(line);
	fclose(f);
	qsort(v, *n, sizeof(*v), nmsym_cmp);
	return v;
}

static void free_nm(struct nmsym *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * The pclntab of @bin against `go tool nm -size` of it (@nmfile): every
 * function is a text symbol at its entry, and every text symbol inside the Go
 * text range [text_start, text_end) other than the markers is a function.
 * Symbols outside the range are C code (cgo, crt); their count goes to
 * *@outside.
 */
static void oracle_nm(const char *bin, const char *nmfile, size_t *outside)
{
	struct rc_elf *elf = open_fixture(bin);
	struct rc_go_pclntab *t = read_pcln(elf);
	size_t n, markers, inside = 0;
	struct nmsym *nm = load_nm(nmfile, &n, &markers);
	bool main_seen = false;

	ck_assert_int_eq(t->version, RC_GO_PCLNTAB_118);
	ck_assert_uint_eq(t->ptr_size, 8);
	ck_assert_uint_eq(markers, 2);
	ck_assert_uint_gt(t->nfunc, 1000);
	for (size_t i = 0; i < n; i++)
		if (nm[i].addr >= t->text_start && nm[i].addr < t->text_end)
			inside++;
	*outside = n - inside;
	ck_assert_uint_eq(t->nfunc, inside);
	for (size_t i = 0; i < t->nfunc; i++) {
		const struct rc_go_func *f = &t->funcs[i];
		struct nmsym key = {.addr = f->entry, .name = (char *)f->name};
		struct nmsym *hit = bsearch(&key, nm, n, sizeof(*nm), nmsym_cmp);

		ck_assert_msg(hit, "pclntab function %s at 0x%llx not in go tool nm", f->name,
			      (unsigned long long)f->entry);
		/* pclntab sizes run to the next function: nm's plus alignment padding. */
		ck_assert_msg(f->size >= hit->size && f->size < hit->size + 64,
			      "%s: pclntab size %llu, nm size %llu", f->name,
			      (unsigned long long)f->size, (unsigned long long)hit->size);
		if (strcmp(f->name, "main.main") == 0)
			main_seen = true;
	}
	ck_assert(main_seen);
	free_nm(nm, n);
	rc_go_pclntab_free(t);
	rc_elf_free(elf);
}

START_TEST(oracle_go_tool_nm)
{
	size_t outside;

	oracle_nm(GO_PURE "plain", GO_PURE "plain.nm", &outside);
	/* Pure Go: no text outside the Go functions. */
	ck_assert_uint_eq(outside, 0);
	oracle_nm(GO_CGO "plain", GO_CGO "plain.nm", &outside);
	/* cgo: _start, crt and the cgo runtime's C functions. */
	ck_assert_uint_gt(outside, 10);
}
END_TEST

/* Every function's entry is a FUNC symbol of that name in the file's .symtab. */
static void check_against_symtab(struct rc_elf *elf, const struct rc_go_pclntab *t)
{
	const struct rc_elf_sym *syms;
	size_t n, k = 0;
	bool present;
	struct rc_err err = {0};
	struct nmsym *v;

	ck_assert_int_eq(rc_elf_symbols(elf, RC_ELF_SYMTAB, &syms, &n, &present, &err), 0);
	ck_assert(present);
	v = calloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		if (syms[i].type != STT_FUNC || !syms[i].defined)
			continue;
		v[k].addr = syms[i].value;
		v[k].size = syms[i].size;
		v[k].name = pcln_name(syms[i].name, syms[i].name_len);
		k++;
	}
	qsort(v, k, sizeof(*v), nmsym_cmp);
	for (size_t i = 0; i < t->nfunc; i++) {
		struct nmsym key = {.addr = t->funcs[i].entry, .name = (char *)t->funcs[i].name};

		ck_assert_msg(bsearch(&key, v, k, sizeof(*v), nmsym_cmp),
			      "%s at 0x%llx is not in .symtab", t->funcs[i].name,
			      (unsigned long long)t->funcs[i].entry);
	}
	free_nm(v, k);
}

START_TEST(oracle_variants_same_functions)
{
	static const char *const same[] = {GO_PURE "sw", GO_PURE "stripped"};
	struct rc_elf *pe = open_fixture(GO_PURE "plain");
	struct rc_go_pclntab *pt = read_pcln(pe);

	check_against_symtab(pe, pt);
	/* -s -w and strip keep .gopclntab: the very same table. */
	for (size_t k = 0; k < 2; k++) {
		struct rc_elf *elf = open_fixture(same[k]);
		struct rc_go_pclntab *t = read_pcln(elf);

		ck_assert_str_eq(t->where, "section .gopclntab");
		ck_assert_uint_eq(t->nfunc, pt->nfunc);
		ck_assert_uint_eq(t->text_start, pt->text_start);
		ck_assert_uint_eq(t->text_end, pt->text_end);
		for (size_t i = 0; i < t->nfunc; i++) {
			ck_assert_str_eq(t->funcs[i].name, pt->funcs[i].name);
			ck_assert_uint_eq(t->funcs[i].entry, pt->funcs[i].entry);
			ck_assert_uint_eq(t->funcs[i].size, pt->funcs[i].size);
		}
		rc_go_pclntab_free(t);
		rc_elf_free(elf);
	}
	rc_go_pclntab_free(pt);
	rc_elf_free(pe);
}
END_TEST

START_TEST(oracle_pie)
{
	struct rc_elf *pe = open_fixture(GO_PURE "plain");
	struct rc_elf *elf = open_fixture(GO_PURE "pie");
	struct rc_go_pclntab *pt = read_pcln(pe), *t = read_pcln(elf);
	struct rc_elf_ident id;

	rc_elf_ident(elf, &id);
	ck_assert_uint_eq(id.type, ET_DYN);
	/* Internally linked PIE: .data.rel.ro.gopclntab, textStart as linked. */
	ck_assert_ptr_nonnull(strstr(t->where, "gopclntab"));
	ck_assert_uint_ne(t->text_start, 0);
	/* The same functions in the same order; PIE code differs, so sizes may. */
	ck_assert_uint_eq(t->nfunc, pt->nfunc);
	for (size_t i = 0; i < t->nfunc; i++) {
		ck_assert_str_eq(t->funcs[i].name, pt->funcs[i].name);
		ck_assert_uint_gt(t->funcs[i].size, 0);
	}
	/* Entries are the link-time addresses of the unstripped file's symbols. */
	check_against_symtab(elf, t);
	rc_go_pclntab_free(t);
	rc_go_pclntab_free(pt);
	rc_elf_free(elf);
	rc_elf_free(pe);
}
END_TEST

struct patch {
	uint64_t off;
	uint64_t value;
	size_t size; /* little-endian bytes */
};

/* Open a patched private copy of @src (the copy is unlinked once mapped). */
static struct rc_elf *open_patched(const char *src, const struct patch *p, size_t np)
{
	char path[] = "/tmp/rc_test_gobin_XXXXXX";
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	FILE *f = fopen(src, "rb");
	unsigned char *buf;
	long size;
	int fd;

	ck_assert_msg(f != NULL, "Go fixture '%s' is missing: build the fixtures target", src);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	for (size_t i = 0; i < np; i++) {
		ck_assert_uint_le(p[i].off + p[i].size, (uint64_t)size);
		put(buf, (size_t)p[i].off, p[i].value, p[i].size, false);
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, (size_t)size), size);
	close(fd);
	free(buf);
	ck_assert_msg(rc_elf_open(path, &elf, &err) == 0, "%s", err.msg);
	unlink(path);
	return elf;
}

static uint64_t symbol_value(struct rc_elf *elf, const char *name)
{
	const struct rc_elf_sym *syms;
	size_t n;
	bool present;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_elf_symbols(elf, RC_ELF_SYMTAB, &syms, &n, &present, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(syms[i].name, name) == 0)
			return syms[i].value;
	ck_abort_msg("no symbol %s", name);
	return 0;
}

/* File offset of virtual address @addr through the section holding it. */
static uint64_t file_offset(struct rc_elf *elf, uint64_t addr)
{
	for (size_t i = 1; i < rc_elf_section_count(elf); i++) {
		struct rc_elf_section s;

		rc_elf_section(elf, i, &s);
		if (s.type != SHT_NOBITS && (s.flags & SHF_ALLOC) && addr >= s.addr &&
		    addr - s.addr < s.size)
			return s.offset + (addr - s.addr);
	}
	ck_abort_msg("0x%llx is in no section", (unsigned long long)addr);
	return 0;
}

START_TEST(externally_linked_pie)
{
	struct rc_elf *elf = open_fixture(GO_CGO "pie"), *z;
	struct rc_go_pclntab *t = read_pcln(elf), *tz;
	uint64_t text = symbol_value(elf, "runtime.text");
	uint64_t pcln = symbol_value(elf, "runtime.pclntab");
	struct rc_elf_section dot_text;
	struct patch p = {.off = file_offset(elf, pcln) + 8 + 2 * 8, .size = 8};

	/* The external linker merges the table into .data.rel.ro: found by the scan. */
	ck_assert_str_eq(t->where, "magic scan in .data.rel.ro");
	ck_assert_uint_eq(t->text_start, text);
	check_against_symtab(elf, t);
	ck_assert_int_eq(rc_elf_find_section(elf, ".text", &dot_text), 0);
	/* crt code comes first, so .text is not runtime.text. */
	ck_assert_uint_lt(dot_text.addr, text);

	/*
	 * A linker that leaves the relocated textStart 0 in the file: the value
	 * comes from its R_X86_64_RELATIVE addend, not from .text.
	 */
	z = open_patched(GO_CGO "pie", &p, 1);
	tz = read_pcln(z);
	ck_assert_uint_eq(tz->text_start, text);
	ck_assert_uint_eq(tz->nfunc, t->nfunc);
	ck_assert_uint_eq(tz->text_end, t->text_end);
	for (size_t i = 0; i < t->nfunc; i++) {
		ck_assert_uint_eq(tz->funcs[i].entry, t->funcs[i].entry);
		ck_assert_uint_eq(tz->funcs[i].size, t->funcs[i].size);
	}
	rc_go_pclntab_free(tz);
	rc_elf_free(z);
	rc_go_pclntab_free(t);
	rc_elf_free(elf);
}
END_TEST

START_TEST(no_section_headers)
{
	/* e_shoff, e_shnum, e_shstrndx zeroed: only the program headers are left. */
	static const struct patch p[] = {
		{.off = 0x28, .value = 0, .size = 8},
		{.off = 0x3c, .value = 0, .size = 2},
		{.off = 0x3e, .value = 0, .size = 2},
	};
	struct rc_elf *pe = open_fixture(GO_PURE "plain");
	struct rc_elf *elf = open_patched(GO_PURE "stripped", p, 3);
	struct rc_go_pclntab *pt = read_pcln(pe), *t = read_pcln(elf);
	struct rc_go_buildinfo *bi = NULL;
	struct rc_err err = {0};

	ck_assert_uint_le(rc_elf_section_count(elf), 1);
	ck_assert_msg(strstr(t->where, "magic scan in PT_LOAD"), "%s", t->where);
	ck_assert_uint_eq(t->nfunc, pt->nfunc);
	for (size_t i = 0; i < t->nfunc; i++) {
		ck_assert_str_eq(t->funcs[i].name, pt->funcs[i].name);
		ck_assert_uint_eq(t->funcs[i].entry, pt->funcs[i].entry);
		ck_assert_uint_eq(t->funcs[i].size, pt->funcs[i].size);
	}
	/* Buildinfo from the first writable segment. */
	ck_assert_msg(rc_go_buildinfo_read(elf, &bi, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(bi->path, "example.com/reloadfix");
	rc_go_buildinfo_free(bi);
	rc_go_pclntab_free(t);
	rc_go_pclntab_free(pt);
	rc_elf_free(elf);
	rc_elf_free(pe);
}
END_TEST

START_TEST(oracle_buildinfo)
{
	static const char *const files[] = {GO_PURE "plain", GO_PURE "stripped", GO_PURE "pie",
					    GO_PURE "sw"};

	for (size_t k = 0; k < 4; k++) {
		struct rc_elf *elf = open_fixture(files[k]);
		struct rc_go_buildinfo *bi = NULL;
		struct rc_err err = {0};
		const struct rc_go_module *dep = NULL;

		ck_assert_msg(rc_go_buildinfo_read(elf, &bi, &err) == 0, "%s", err.msg);
		ck_assert(bi->inline_format);
		ck_assert_uint_eq(bi->ptr_size, 8);
		ck_assert_msg(strncmp(bi->go_version, "go1.", 4) == 0, "%s", bi->go_version);
		ck_assert_str_eq(bi->path, "example.com/reloadfix");
		ck_assert_str_eq(bi->main.path, "example.com/reloadfix");
		ck_assert_str_eq(bi->main.version, "(devel)");
		for (size_t i = 0; i < bi->n_deps; i++)
			if (strcmp(bi->deps[i].path, "example.com/reloaddep") == 0)
				dep = &bi->deps[i];
		ck_assert_ptr_nonnull(dep);
		ck_assert_str_eq(dep->version, "v1.2.0");
		ck_assert_ptr_nonnull(dep->replace);
		ck_assert_str_eq(dep->replace->path, "./dep");
		ck_assert_str_eq(rc_go_buildinfo_setting(bi, "GOOS"), "linux");
		ck_assert_str_eq(rc_go_buildinfo_setting(bi, "CGO_ENABLED"), "1");
		ck_assert_str_eq(rc_go_buildinfo_setting(bi, "-trimpath"), "true");
		rc_go_buildinfo_free(bi);
		rc_elf_free(elf);
	}
}
END_TEST

START_TEST(not_go_binary)
{
	struct rc_elf *elf = open_fixture(RC_FIXTURES "/identical/old");
	struct rc_go_buildinfo *bi = NULL;
	struct rc_go_pclntab *t = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_go_buildinfo_read(elf, &bi, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no Go build information"));
	ck_assert_ptr_nonnull(strstr(err.msg, "identical/old'"));
	ck_assert_ptr_null(bi);
	ck_assert_int_eq(rc_go_pclntab_read(elf, &t, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no Go function table"));
	/* A non-Go file is not scanned for a pclntab magic at all. */
	ck_assert_ptr_nonnull(strstr(err.msg, "no sign of Go"));
	ck_assert_ptr_null(t);
	rc_elf_free(elf);
}
END_TEST

static Suite *gobin_suite(void)
{
	Suite *s = suite_create("gobin");
	TCase *tc;

	tc = tcase_create("buildinfo-layouts");
	tcase_add_test(tc, buildinfo_inline_little_endian);
	tcase_add_test(tc, buildinfo_inline_long_varint);
	tcase_add_test(tc, buildinfo_pointer_layouts);
	suite_add_tcase(s, tc);
	tc = tcase_create("buildinfo-modinfo");
	tcase_add_test(tc, buildinfo_modinfo_framing);
	tcase_add_test(tc, buildinfo_quoted_settings);
	tcase_add_test(tc, buildinfo_replacements);
	suite_add_tcase(s, tc);
	tc = tcase_create("buildinfo-bad-input");
	tcase_add_test(tc, buildinfo_pointer_errors);
	tcase_add_test(tc, buildinfo_bad_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("pclntab-layouts");
	tcase_add_test(tc, pclntab_go12_ptr4_big_endian);
	tcase_add_test(tc, pclntab_go116_ptr8);
	tcase_add_test(tc, pclntab_go118);
	tcase_add_test(tc, pclntab_go120);
	tcase_add_test(tc, pclntab_zero_size_and_empty);
	suite_add_tcase(s, tc);
	tc = tcase_create("pclntab-corrupt");
	tcase_add_test(tc, pclntab_nfunc_huge);
	tcase_add_test(tc, pclntab_offsets_out_of_range);
	tcase_add_test(tc, pclntab_name_unterminated);
	tcase_add_test(tc, pclntab_entries_decreasing);
	tcase_add_test(tc, pclntab_entry_mismatch);
	tcase_add_test(tc, pclntab_bad_header);
	tcase_add_test(tc, pclntab_truncated_and_mutated);
	suite_add_tcase(s, tc);
	tc = tcase_create("real-binaries");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, oracle_go_tool_nm);
	tcase_add_test(tc, oracle_variants_same_functions);
	tcase_add_test(tc, oracle_pie);
	tcase_add_test(tc, oracle_buildinfo);
	tcase_add_test(tc, externally_linked_pie);
	tcase_add_test(tc, no_section_headers);
	tcase_add_test(tc, not_go_binary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gobin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
