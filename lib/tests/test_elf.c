/* SPDX-License-Identifier: MIT */
/* The ELF reader on real fixtures, generated 32-bit and big-endian files, and bad input. */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>

static struct rc_elf *open_ok(const char *rel)
{
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};

	snprintf(path, sizeof(path), "%s/%s", RC_FIXTURES, rel);
	ck_assert_msg(rc_elf_open(path, &elf, &err) == 0, "%s: %s", path, err.msg);
	return elf;
}

static const struct rc_elf_sym *find_sym(struct rc_elf *elf, enum rc_elf_table t, const char *name)
{
	const struct rc_elf_sym *syms;
	size_t n;
	bool present;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_elf_symbols(elf, t, &syms, &n, &present, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(syms[i].name, name) == 0)
			return &syms[i];
	return NULL;
}

START_TEST(identity_of_x86_64_exec)
{
	struct rc_elf *elf = open_ok("identical/old");
	struct rc_elf_ident id;

	rc_elf_ident(elf, &id);
	ck_assert_uint_eq(id.elfclass, 64);
	ck_assert(!id.big_endian);
	ck_assert_uint_eq(id.machine, EM_X86_64);
	ck_assert_uint_eq(id.type, ET_EXEC);
	ck_assert(!id.pie);
	ck_assert(id.dynamic);
	ck_assert_str_eq(id.interp, "/lib64/ld-linux-x86-64.so.2");
	ck_assert_str_eq(rc_elf_machine_name(id.machine), "x86-64");
	ck_assert_str_eq(rc_elf_type_name(id.type), "EXEC");
	rc_elf_free(elf);
}
END_TEST

START_TEST(identity_of_pie)
{
	struct rc_elf *elf = open_ok("pie_change/new");
	struct rc_elf_ident id;

	rc_elf_ident(elf, &id);
	ck_assert_uint_eq(id.type, ET_DYN);
	ck_assert(id.pie);
	rc_elf_free(elf);
	elf = open_ok("removed_export/old"); /* a shared library: DYN but not PIE */
	rc_elf_ident(elf, &id);
	ck_assert_uint_eq(id.type, ET_DYN);
	ck_assert(!id.pie);
	ck_assert_ptr_null(id.interp);
	rc_elf_free(elf);
}
END_TEST

START_TEST(build_id_present_and_absent)
{
	struct rc_elf *a = open_ok("identical/old"), *b = open_ok("identical/new");
	struct rc_elf *c = open_ok("no_build_id_new/new");
	const unsigned char *ia, *ib, *ic;
	size_t la, lb, lc;
	char hex[41];

	ck_assert_int_eq(rc_elf_build_id(a, &ia, &la), 0);
	ck_assert_int_eq(rc_elf_build_id(b, &ib, &lb), 0);
	ck_assert_uint_eq(la, 20);
	ck_assert_mem_eq(ia, ib, 20);
	rc_hex(ia, la, hex, sizeof(hex));
	ck_assert_uint_eq(strlen(hex), 40);
	ck_assert_int_eq(rc_elf_build_id(c, &ic, &lc), -RC_ENOENT);
	rc_elf_free(a);
	rc_elf_free(b);
	rc_elf_free(c);
}
END_TEST

START_TEST(build_id_of_path)
{
	const unsigned char *id;
	struct rc_elf *a = open_ok("identical/old");
	struct rc_err err = {0};
	char path[4096], hex[129], want[129];
	size_t len;

	ck_assert_int_eq(rc_elf_build_id(a, &id, &len), 0);
	rc_hex(id, len, want, sizeof(want));
	rc_elf_free(a);
	snprintf(path, sizeof(path), "%s/identical/old", RC_FIXTURES);
	ck_assert_int_eq(rc_elf_build_id_of_path(path, hex, sizeof(hex), &err), 0);
	ck_assert_str_eq(hex, want);
	snprintf(path, sizeof(path), "%s/no_build_id_new/new", RC_FIXTURES);
	ck_assert_int_eq(rc_elf_build_id_of_path(path, hex, sizeof(hex), &err), -RC_ENOENT);
	ck_assert_str_eq(hex, "");
	ck_assert_ptr_nonnull(strstr(err.msg, "no GNU build-id"));
	ck_assert_int_lt(rc_elf_build_id_of_path("/nonexistent/x", hex, sizeof(hex), &err), 0);
	ck_assert_str_eq(hex, "");
}
END_TEST

START_TEST(go_build_id_note)
{
	struct rc_elf *go = open_ok("go/pure/plain"), *c = open_ok("identical/old");
	const char *id;
	size_t len;
	const unsigned char *gnu;
	size_t gnu_len;

	ck_assert_int_eq(rc_elf_go_build_id(go, &id, &len), 0);
	ck_assert_uint_gt(len, 20);
	ck_assert_ptr_nonnull(memchr(id, '/', len));
	ck_assert_ptr_null(memchr(id, '\0', len));
	/* Pure Go links no GNU build-id; C has no Go one. */
	ck_assert_int_eq(rc_elf_build_id(go, &gnu, &gnu_len), -RC_ENOENT);
	ck_assert_int_eq(rc_elf_go_build_id(c, &id, &len), -RC_ENOENT);
	rc_elf_free(go);
	rc_elf_free(c);
}
END_TEST

START_TEST(sections_and_segments)
{
	struct rc_elf *elf = open_ok("identical/old");
	struct rc_elf_section s;
	struct rc_elf_segment seg;

	ck_assert_int_eq(rc_elf_find_section(elf, ".symtab", &s), 0);
	ck_assert_uint_eq(s.type, SHT_SYMTAB);
	ck_assert_int_eq(rc_elf_find_section(elf, ".dynsym", &s), 0);
	ck_assert_int_eq(rc_elf_find_section(elf, ".gopclntab", &s), -RC_ENOENT);
	ck_assert_int_eq(rc_elf_find_section(elf, ".interp", &s), 0);
	ck_assert_str_eq((const char *)rc_elf_section_bytes(elf, &s),
			 "/lib64/ld-linux-x86-64.so.2");
	ck_assert_int_eq(rc_elf_find_segment(elf, PT_LOAD, &seg), 0);
	ck_assert_int_eq(rc_elf_find_segment(elf, PT_TLS, &seg), 0);
	ck_assert_uint_gt(rc_elf_section_count(elf), 20);
	rc_elf_free(elf);
}
END_TEST

START_TEST(symbols_and_tls_image)
{
	struct rc_elf *elf = open_ok("tls_added/new");
	const struct rc_elf_sym *s = find_sym(elf, RC_ELF_SYMTAB, "fix_tls_new");
	struct rc_elf_segment tls;
	const unsigned char *p;
	size_t avail;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->type, STT_TLS);
	ck_assert_uint_eq(s->size, 8);
	ck_assert(s->defined);
	ck_assert_int_eq(rc_elf_find_segment(elf, PT_TLS, &tls), 0);
	p = rc_elf_vaddr_bytes(elf, tls.vaddr + s->value, &avail);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(avail, 8);
	ck_assert_uint_eq(rc_elf_read_uint(elf, p, 8), 42);
	s = find_sym(elf, RC_ELF_SYMTAB, "main");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->type, STT_FUNC);
	ck_assert_uint_eq(s->bind, STB_GLOBAL);
	ck_assert_ptr_null(rc_elf_vaddr_bytes(elf, 0x10, &avail));
	rc_elf_free(elf);
}
END_TEST

START_TEST(dynsym_versions)
{
	struct rc_elf *elf = open_ok("identical/old");
	const struct rc_elf_sym *s = find_sym(elf, RC_ELF_DYNSYM, "__libc_start_main");

	ck_assert_ptr_nonnull(s);
	ck_assert(!s->defined);
	ck_assert_str_eq(s->version, "GLIBC_2.34");
	rc_elf_free(elf);
}
END_TEST

START_TEST(dynamic_and_verneed)
{
	struct rc_elf *elf = open_ok("needed_added/new");
	struct rc_elf *lib = open_ok("removed_export/old");
	struct rc_elf *patched = open_ok("glibc_newer/new");
	const struct rc_elf_dynamic *dyn;
	const struct rc_elf_verneed *vn;
	size_t n;
	bool libm = false, libc = false, v238 = false;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_elf_dynamic(elf, &dyn, &err), 0);
	for (size_t i = 0; i < dyn->n_needed; i++) {
		libm |= strcmp(dyn->needed[i], "libm.so.6") == 0;
		libc |= strcmp(dyn->needed[i], "libc.so.6") == 0;
	}
	ck_assert(libm && libc);
	ck_assert_ptr_null(dyn->soname);
	ck_assert_int_eq(rc_elf_dynamic(lib, &dyn, &err), 0);
	ck_assert_str_eq(dyn->soname, "libfix.so.1");
	ck_assert_int_eq(rc_elf_verneeds(patched, &vn, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(vn[i].version, "GLIBC_2.38") == 0 &&
		    strcmp(vn[i].file, "libc.so.6") == 0)
			v238 = true;
	ck_assert(v238);
	rc_elf_free(elf);
	rc_elf_free(lib);
	rc_elf_free(patched);
}
END_TEST

/*
 * A copy of fixture @rel with @patch applied to the bytes of its section
 * @sect, in a temporary file whose name goes into @path (the caller unlinks).
 */
static void patched_copy(const char *rel, const char *sect, void (*patch)(unsigned char *, size_t),
			 char *path, size_t size)
{
	struct rc_elf *elf = open_ok(rel);
	struct rc_elf_section sec;
	unsigned char *bytes;
	char src[4096];
	long len;
	FILE *f;
	int fd;

	ck_assert_int_eq(rc_elf_find_section(elf, sect, &sec), 0);
	rc_elf_free(elf);
	snprintf(src, sizeof(src), "%s/%s", RC_FIXTURES, rel);
	f = fopen(src, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	bytes = malloc((size_t)len);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_uint_eq(fread(bytes, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_uint_le(sec.offset + sec.size, (uint64_t)len);
	patch(bytes + sec.offset, (size_t)sec.size);
	snprintf(path, size, "/tmp/rc_test_elf_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, (size_t)len), len);
	close(fd);
	free(bytes);
}

/* Point the last DT_NEEDED (of two or more) outside .dynstr. */
static void bad_second_needed(unsigned char *p, size_t size)
{
	Elf64_Dyn d;
	size_t last = 0, seen = 0;

	for (size_t off = 0; off + sizeof(d) <= size; off += sizeof(d)) {
		memcpy(&d, p + off, sizeof(d));
		if (d.d_tag == DT_NEEDED) {
			last = off;
			seen++;
		}
	}
	ck_assert_uint_ge(seen, 2);
	memcpy(&d, p + last, sizeof(d));
	d.d_un.d_val = 0x7fffffff;
	memcpy(p + last, &d, sizeof(d));
}

/* Point the name of the last needed version outside .dynstr. */
static void bad_last_vernaux(unsigned char *p, size_t size)
{
	Elf64_Verneed vn;
	Elf64_Vernaux va;
	size_t off = 0, last = 0, seen = 0;

	for (;;) {
		size_t aoff;

		ck_assert_uint_le(off + sizeof(vn), size);
		memcpy(&vn, p + off, sizeof(vn));
		aoff = off + vn.vn_aux;
		for (unsigned a = 0; a < vn.vn_cnt; a++) {
			ck_assert_uint_le(aoff + sizeof(va), size);
			memcpy(&va, p + aoff, sizeof(va));
			last = aoff;
			seen++;
			if (!va.vna_next)
				break;
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		off += vn.vn_next;
	}
	ck_assert_uint_ge(seen, 2);
	memcpy(&va, p + last, sizeof(va));
	va.vna_name = 0x7fffffff;
	memcpy(p + last, &va, sizeof(va));
}

START_TEST(failed_decode_leaves_nothing_behind)
{
	const struct rc_elf_dynamic *dyn = NULL;
	const struct rc_elf_verneed *vn = NULL;
	struct rc_elf *elf = NULL;
	struct rc_elf_ident id;
	struct rc_err err = {0};
	char path[64];
	size_t n = 99;

	/* Each retry decodes from scratch: no entries left from the last attempt. */
	patched_copy("needed_added/new", ".dynamic", bad_second_needed, path, sizeof(path));
	ck_assert_int_eq(rc_elf_open(path, &elf, &err), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(rc_elf_dynamic(elf, &dyn, &err), -RC_EFORMAT);
		ck_assert_ptr_nonnull(strstr(err.msg, "outside .dynstr"));
		ck_assert_ptr_null(dyn);
	}
	rc_elf_ident(elf, &id);
	ck_assert(id.dynamic);
	rc_elf_free(elf);
	unlink(path);

	patched_copy("glibc_newer/new", ".gnu.version_r", bad_last_vernaux, path, sizeof(path));
	ck_assert_int_eq(rc_elf_open(path, &elf, &err), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(rc_elf_verneeds(elf, &vn, &n, &err), -RC_EFORMAT);
		ck_assert_ptr_nonnull(strstr(err.msg, "outside its string table"));
		ck_assert_ptr_null(vn);
		ck_assert_uint_eq(n, 99);
	}
	rc_elf_free(elf);
	unlink(path);
}
END_TEST

START_TEST(host_libc_verdefs)
{
	struct rc_elf *libc = NULL;
	struct rc_err err = {0};
	const char *const *vd;
	size_t n;
	bool has_225 = false;

	ck_assert_int_eq(rc_elf_open("/lib/x86_64-linux-gnu/libc.so.6", &libc, &err), 0);
	ck_assert_int_eq(rc_elf_verdefs(libc, &vd, &n, &err), 0);
	ck_assert_uint_gt(n, 20);
	for (size_t i = 0; i < n; i++)
		has_225 |= strcmp(vd[i], "GLIBC_2.2.5") == 0;
	ck_assert(has_225);
	rc_elf_free(libc);
}
END_TEST

static const struct {
	const char *file;
	unsigned elfclass;
	bool big_endian;
	unsigned machine;
} generated[] = {
	{"elfgen/le32", 32, false, EM_386},
	{"elfgen/be32", 32, true, EM_PPC},
	{"elfgen/be64", 64, true, EM_PPC64},
};

START_TEST(generated_class_and_byte_order)
{
	struct rc_elf *elf = open_ok(generated[_i].file);
	struct rc_elf_ident id;
	const struct rc_elf_sym *s;

	rc_elf_ident(elf, &id);
	ck_assert_uint_eq(id.elfclass, generated[_i].elfclass);
	ck_assert_int_eq(id.big_endian, generated[_i].big_endian);
	ck_assert_uint_eq(id.machine, generated[_i].machine);
	s = find_sym(elf, RC_ELF_SYMTAB, "gen_main");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->type, STT_FUNC);
	ck_assert_uint_eq(s->value, 0x10100);
	ck_assert_ptr_nonnull(find_sym(elf, RC_ELF_SYMTAB, "gen_data"));
	rc_elf_free(elf);
}
END_TEST

START_TEST(read_uint_byte_order)
{
	struct rc_elf *le = open_ok("elfgen/le32"), *be = open_ok("elfgen/be32");
	static const unsigned char b[] = {0x12, 0x34, 0x56, 0x78};

	ck_assert_uint_eq(rc_elf_read_uint(le, b, 4), 0x78563412);
	ck_assert_uint_eq(rc_elf_read_uint(be, b, 4), 0x12345678);
	ck_assert_uint_eq(rc_elf_read_uint(be, b, 2), 0x1234);
	rc_elf_free(le);
	rc_elf_free(be);
}
END_TEST

static const struct {
	const char *file; /* relative to RC_FIXTURES, or absolute */
	int code;
	const char *words;
} bad[] = {
	{"/dev/null", -RC_EFORMAT, "not a regular file"},
	{"bad/empty", -RC_EFORMAT, "empty file"},
	{"bad/dir", -RC_EIO, "is a directory"},
	{"bad/text.txt", -RC_EFORMAT, "looks like text"},
	{"bad/does-not-exist", -RC_EIO, "No such file"},
	{"bad/truncated", -RC_EFORMAT, "runs past end of file"},
	{"bad/shoff_past_end", -RC_EFORMAT, "section header table"},
	{"bad/sections_past_end", -RC_EFORMAT, "(.symtab)"},
	{"bad/bad_strtab", -RC_EFORMAT, "out of range"},
	{"bad/core", -RC_EFORMAT, "core dump"},
};

START_TEST(bad_input_rejected)
{
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	int rc;

	if (bad[_i].file[0] == '/')
		snprintf(path, sizeof(path), "%s", bad[_i].file);
	else
		snprintf(path, sizeof(path), "%s/%s", RC_FIXTURES, bad[_i].file);
	rc = rc_elf_open(path, &elf, &err);
	ck_assert_int_eq(rc, bad[_i].code);
	ck_assert_ptr_null(elf);
	ck_assert_msg(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
	ck_assert_msg(strstr(err.msg, bad[_i].words) != NULL, "message lacks '%s': %s",
		      bad[_i].words, err.msg);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc;

	tc = tcase_create("identity");
	tcase_add_test(tc, identity_of_x86_64_exec);
	tcase_add_test(tc, identity_of_pie);
	tcase_add_test(tc, build_id_present_and_absent);
	tcase_add_test(tc, build_id_of_path);
	tcase_add_test(tc, go_build_id_note);
	suite_add_tcase(s, tc);
	tc = tcase_create("tables");
	tcase_add_test(tc, sections_and_segments);
	tcase_add_test(tc, symbols_and_tls_image);
	tcase_add_test(tc, dynsym_versions);
	tcase_add_test(tc, dynamic_and_verneed);
	tcase_add_test(tc, failed_decode_leaves_nothing_behind);
	tcase_add_test(tc, host_libc_verdefs);
	suite_add_tcase(s, tc);
	tc = tcase_create("foreign");
	tcase_add_loop_test(tc, generated_class_and_byte_order, 0,
			    sizeof(generated) / sizeof(generated[0]));
	tcase_add_test(tc, read_uint_byte_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad_input");
	tcase_add_loop_test(tc, bad_input_rejected, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(elf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
