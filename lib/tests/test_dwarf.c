/* SPDX-License-Identifier: MIT */
/*
 * Type layouts from DWARF: lib/tests/dwarf/types.c compiled as DWARF 3, 4, 5,
 * with type units, with a name index and split off in separate files, each
 * read back to the exact x86-64 layout; a Go binary; and bad input (stripped,
 * truncated, a bad abbreviation code, a reference out of range).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <libdwarf.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>

struct variant {
	const char *file;
	unsigned version;
	bool clang;
};

static const struct variant variants[] = {
	{"d3", 3, false},    {"d4", 4, false},	 {"d5", 5, false},   {"tu4", 4, false},
	{"tu5", 5, false},   {"pub4", 4, false}, {"pub5", 5, false}, {"split/app", 4, false},
#ifdef DW_HAVE_CLANG
	{"names5", 5, true},
#endif
};
#define N_VARIANTS ((int)(sizeof(variants) / sizeof(variants[0])))

struct opened {
	struct rc_elf *elf;
	struct rc_dwarf *dw;
};

static void input_path(const char *rel, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", DW_INPUTS, rel);
}

static int try_open(const char *path, const char *debug_dir, struct opened *o, struct rc_err *err)
{
	struct rc_err e = {0};

	memset(o, 0, sizeof(*o));
	ck_assert_msg(rc_elf_open(path, &o->elf, &e) == 0, "%s: %s", path, e.msg);
	return rc_dwarf_open(o->elf, debug_dir, &o->dw, err);
}

static struct opened open_ok(const char *rel)
{
	char path[4096];
	struct opened o;
	struct rc_err err = {0};

	input_path(rel, path, sizeof(path));
	ck_assert_msg(try_open(path, NULL, &o, &err) == 0, "%s: %s", path, err.msg);
	return o;
}

static void close_opened(struct opened *o)
{
	rc_dwarf_free(o->dw);
	rc_elf_free(o->elf);
}

static const struct rc_layout *type_ok(struct rc_dwarf *dw, const char *name)
{
	const struct rc_layout *l = NULL;
	struct rc_err err = {0};

	ck_assert_msg(rc_dwarf_type(dw, name, &l, &err) == 0, "%s: %s", name, err.msg);
	ck_assert_ptr_nonnull(l);
	return l;
}

static const struct rc_layout_member *member(const struct rc_layout *l, const char *name)
{
	for (size_t i = 0; i < l->n_members; i++)
		if (strcmp(l->members[i].name, name) == 0)
			return &l->members[i];
	ck_abort_msg("%s has no member %s", l->name, name);
	return NULL;
}

/* type_ok(), which must be of @kind. */
static const struct rc_layout *kind_ok(struct rc_dwarf *dw, const char *name,
				       enum rc_layout_kind kind)
{
	const struct rc_layout *l = type_ok(dw, name);

	ck_assert_int_eq(l->kind, kind);
	return l;
}

/* @l is @size bytes, aligned to @align. */
static void check_size(const struct rc_layout *l, uint64_t size, uint64_t align)
{
	ck_assert_uint_eq(l->size, size);
	ck_assert_uint_eq(l->align, align);
}

static void check_member(const struct rc_layout *l, const char *name, uint64_t offset,
			 uint64_t size, const char *type)
{
	const struct rc_layout_member *m = member(l, name);

	ck_assert_msg(m->offset == offset, "%s.%s offset %llu", l->name, name,
		      (unsigned long long)m->offset);
	ck_assert_msg(m->size == size, "%s.%s size %llu", l->name, name,
		      (unsigned long long)m->size);
	ck_assert_int_eq(m->bit_offset, -1);
	ck_assert_uint_eq(m->bit_size, 0);
	if (type)
		ck_assert_str_eq(m->type, type);
}

static void check_bits(const struct rc_layout *l, const char *name, uint64_t offset,
		       int64_t bit_offset, uint64_t bit_size)
{
	const struct rc_layout_member *m = member(l, name);

	ck_assert_msg(m->offset == offset, "%s.%s offset %llu", l->name, name,
		      (unsigned long long)m->offset);
	ck_assert_msg(m->bit_offset == bit_offset, "%s.%s bit offset %lld", l->name, name,
		      (long long)m->bit_offset);
	ck_assert_uint_eq(m->bit_size, bit_size);
}

static bool has_nested(const struct rc_layout *l, const char *name)
{
	for (size_t i = 0; i < l->n_nested; i++)
		if (strcmp(l->nested[i]->name, name) == 0)
			return true;
	return false;
}

START_TEST(session_table_layout)
{
	const struct variant *v = &variants[_i];
	struct opened o = open_ok(v->file);
	const struct rc_layout *l = type_ok(o.dw, "struct session_table");

	ck_assert_uint_eq(rc_dwarf_version(o.dw), v->version);
	ck_assert_str_eq(l->name, "struct session_table");
	ck_assert_int_eq(l->kind, RC_LAYOUT_STRUCT);
	check_size(l, 136, 8);
	ck_assert_ptr_null(l->target);
	ck_assert_uint_eq(l->n_members, 11);
	ck_assert_str_eq(l->members[0].name, "name");
	ck_assert_str_eq(l->members[10].name, "fl");
	check_member(l, "name", 0, 16, "char[16]");
	check_member(l, "count", 16, 4, "counter_t");
	check_member(l, "st", 20, 4, "enum state");
	check_member(l, "origin", 24, 8, "point_t");
	check_member(l, "grid", 32, 48, "struct point[2][3]");
	check_member(l, "head", 80, 8, "struct node *");
	check_member(l, "v", 88, 16, "union value");
	check_member(l, "range", 104, 4,
		     v->clang ? "struct { short lo; short hi; }"
			      : "struct { short int lo; short int hi; }");
	check_member(l, "cb", 112, 8, "int (*)(int, const char *)");
	check_member(l, "cvp", 120, 8,
		     v->clang ? "const volatile long *" : "volatile const long int *");
	check_member(l, "fl", 128, 8, "struct flags");

	/* Embedded named types, each once; not struct node (a pointer). */
	ck_assert_uint_eq(l->n_nested, 4);
	ck_assert(has_nested(l, "enum state"));
	ck_assert(has_nested(l, "struct point"));
	ck_assert(has_nested(l, "union value"));
	ck_assert(has_nested(l, "struct flags"));
	ck_assert(!has_nested(l, "struct node"));
	/* The same layout again comes from the cache. */
	ck_assert_ptr_eq(type_ok(o.dw, "session_table"), l);
	close_opened(&o);
}
END_TEST

START_TEST(bit_fields)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = type_ok(o.dw, "struct flags");

	check_size(l, 8, 8);
	check_bits(l, "a", 0, 0, 3);
	check_bits(l, "b", 0, 3, 5);
	check_bits(l, "c", 1, 8, 7);
	check_member(l, "pad", 2, 1, "char");
	check_bits(l, "wide", 3, 24, 40);
	ck_assert_uint_eq(member(l, "a")->size, 4);
	ck_assert_uint_eq(member(l, "wide")->size, 8);
	close_opened(&o);
}
END_TEST

START_TEST(enums)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = kind_ok(o.dw, "enum state", RC_LAYOUT_ENUM);

	check_size(l, 4, 4);
	ck_assert_uint_eq(l->n_enumerators, 3);
	ck_assert_str_eq(l->enumerators[0].name, "ST_IDLE");
	ck_assert_int_eq(l->enumerators[0].value, 0);
	ck_assert_str_eq(l->enumerators[1].name, "ST_BUSY");
	ck_assert_int_eq(l->enumerators[1].value, 200);
	ck_assert_str_eq(l->enumerators[2].name, "ST_NEG");
	ck_assert_int_eq(l->enumerators[2].value, -3);
	l = type_ok(o.dw, "big");
	ck_assert_str_eq(l->name, "enum big");
	ck_assert_uint_eq(l->n_enumerators, 1);
	ck_assert_int_eq(l->enumerators[0].value, 0xffffffffLL);
	close_opened(&o);
}
END_TEST

START_TEST(typedefs_unions_and_alignment)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = kind_ok(o.dw, "counter_t", RC_LAYOUT_TYPEDEF);

	ck_assert_str_eq(l->name, "counter_t");
	ck_assert_str_eq(l->target, "unsigned int");
	ck_assert_uint_eq(l->size, 4);
	ck_assert_uint_eq(l->n_nested, 0);
	l = type_ok(o.dw, "point_t");
	ck_assert_str_eq(l->target, "struct point");
	check_size(l, 8, 4);
	ck_assert_uint_eq(l->n_nested, 1);
	ck_assert_str_eq(l->nested[0]->name, "struct point");
	ck_assert_uint_eq(l->nested[0]->n_members, 2);

	l = kind_ok(o.dw, "union value", RC_LAYOUT_UNION);
	check_size(l, 16, 8);
	check_member(l, "i", 0, 4, "int");
	check_member(l, "d", 0, 8, "double");
	check_member(l, "bytes", 0, 12, "char[12]");

	l = type_ok(o.dw, "struct packed");
	check_size(l, 5, 1);
	check_member(l, "i", 1, 4, "int");
	l = type_ok(o.dw, "struct aligned32");
	check_size(l, 32, 32);

	l = kind_ok(o.dw, "int", RC_LAYOUT_BASE);
	ck_assert_uint_eq(l->size, 4);
	close_opened(&o);
}
END_TEST

START_TEST(self_reference_terminates)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = type_ok(o.dw, "struct node");

	ck_assert_uint_eq(l->size, 16);
	check_member(l, "next", 0, 8, "struct node *");
	check_member(l, "value", 8, 4, "int");
	ck_assert_uint_eq(l->n_nested, 0);
	close_opened(&o);
}
END_TEST

START_TEST(variables)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_dwarf_variable(o.dw, "g_table", &l, &err), 0);
	ck_assert_str_eq(l->name, "struct session_table");
	ck_assert_uint_eq(l->size, 136);
	ck_assert_int_eq(rc_dwarf_variable(o.dw, "tls_point", &l, &err), 0);
	ck_assert_str_eq(l->name, "struct point");
	ck_assert_uint_eq(l->size, 8);
	ck_assert_int_eq(rc_dwarf_variable(o.dw, "g_counters", &l, &err), 0);
	ck_assert_int_eq(l->kind, RC_LAYOUT_ARRAY);
	ck_assert_str_eq(l->name, "counter_t[4]");
	ck_assert_uint_eq(l->n_dims, 1);
	ck_assert_uint_eq(l->dims[0], 4);
	check_size(l, 16, 4);
	close_opened(&o);
}
END_TEST

START_TEST(not_found)
{
	struct opened o = open_ok(variants[_i].file);
	const struct rc_layout *l = NULL;
	struct rc_err err = {0};

	ck_assert_int_eq(rc_dwarf_type(o.dw, "struct no_such_type", &l, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "'struct no_such_type' not found"));
	ck_assert_ptr_null(l);
	/* A typedef is not a struct, nor a struct an enum. */
	ck_assert_int_eq(rc_dwarf_type(o.dw, "struct counter_t", &l, &err), -RC_ENOENT);
	ck_assert_int_eq(rc_dwarf_type(o.dw, "enum point", &l, &err), -RC_ENOENT);
	ck_assert_int_eq(rc_dwarf_variable(o.dw, "no_such_var", &l, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "'no_such_var'"));
	/* A function is not a variable. */
	ck_assert_int_eq(rc_dwarf_variable(o.dw, "main", &l, &err), -RC_ENOENT);
	ck_assert_int_eq(rc_dwarf_type(o.dw, "", &l, &err), -RC_EINVAL);
	ck_assert_ptr_null(l);
	close_opened(&o);
}
END_TEST

START_TEST(source_names_the_file)
{
	struct opened o = open_ok("d4");

	ck_assert_ptr_nonnull(strstr(rc_dwarf_source(o.dw), "/d4' .debug_info"));
	close_opened(&o);
	o = open_ok("split/app");
	ck_assert_ptr_nonnull(strstr(rc_dwarf_source(o.dw), "split/app.debug'"));
	ck_assert_uint_eq(type_ok(o.dw, "struct point")->size, 8);
	close_opened(&o);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

START_TEST(build_id_debug_dir)
{
	char path[4096], debug[4096], dir[] = "/tmp/rc_dwarf_XXXXXX", hex[81], sub[4200],
				      dest[4400];
	struct opened o;
	struct rc_err err = {0};
	const unsigned char *id;
	size_t len;

	input_path("bid.stripped", path, sizeof(path));
	input_path("bid.debug", debug, sizeof(debug));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* Not in the default directory, nor in an empty one: where it looked. */
	ck_assert_int_eq(try_open(path, NULL, &o, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "/usr/lib/debug/.build-id/"));
	ck_assert_ptr_null(o.dw);
	rc_elf_free(o.elf);

	ck_assert_int_eq(try_open(path, dir, &o, &err), -RC_ENOENT);
	ck_assert_int_eq(rc_elf_build_id(o.elf, &id, &len), 0);
	rc_hex(id, len, hex, sizeof(hex));
	rc_elf_free(o.elf);
	snprintf(sub, sizeof(sub), "%s/.build-id", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/.build-id/%.2s", dir, hex);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(dest, sizeof(dest), "%s/%s.debug", sub, hex + 2);
	copy_file(debug, dest);

	ck_assert_msg(try_open(path, dir, &o, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(rc_dwarf_source(o.dw), dest));
	ck_assert_uint_eq(rc_dwarf_version(o.dw), 5);
	ck_assert_uint_eq(type_ok(o.dw, "struct session_table")->size, 136);
	close_opened(&o);
	unlink(dest);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/.build-id", dir);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

/*
 * The .gnu_debuglink file under @debug_dir + the binary's directory; a file
 * of that name with another checksum next to the binary is passed over.
 */
START_TEST(debuglink_in_debug_dir)
{
	char app[4096], debug[4096], other[4096], dir[] = "/tmp/rc_dwarf_XXXXXX", real[4096],
						  bin[4200], sub[8500], dest[8600], decoy[4300];
	struct opened o;
	struct rc_err err = {0};

	input_path("split/app", app, sizeof(app));
	input_path("split/app.debug", debug, sizeof(debug));
	input_path("bid.debug", other, sizeof(other));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(realpath(dir, real));
	snprintf(bin, sizeof(bin), "%s/app", real);
	copy_file(app, bin);
	snprintf(decoy, sizeof(decoy), "%s/app.debug", real);
	copy_file(other, decoy);

	ck_assert_int_eq(try_open(bin, real, &o, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "crc mismatch"));
	rc_elf_free(o.elf);

	/* <debug_dir>/<the binary's absolute directory>/app.debug */
	snprintf(sub, sizeof(sub), "%s%s", real, real);
	for (char *p = sub + strlen(real) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(sub, 0700);
			*p = '/';
		}
	}
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(dest, sizeof(dest), "%s/app.debug", sub);
	copy_file(debug, dest);
	ck_assert_msg(try_open(bin, real, &o, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(rc_dwarf_source(o.dw), dest));
	ck_assert_uint_eq(type_ok(o.dw, "struct flags")->size, 8);
	close_opened(&o);
	unlink(dest);
	unlink(decoy);
	unlink(bin);
	/* Remove the directory chain, innermost first. */
	for (char *p; strlen(sub) > strlen(real); *p = '\0') {
		rmdir(sub);
		p = strrchr(sub, '/');
	}
	rmdir(real);
}
END_TEST

START_TEST(stripped_has_none)
{
	char path[4096];
	struct opened o;
	struct rc_err err = {0};

	input_path("stripped", path, sizeof(path));
	ck_assert_int_eq(try_open(path, "/nonexistent", &o, &err), -RC_ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no debug info for"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no .debug_info section"));
	ck_assert_ptr_null(o.dw);
	rc_elf_free(o.elf);
}
END_TEST

/*
 * Open @path and look up a few things: some step must fail with
 * -RC_EFORMAT and a reason, none crash.
 */
static void expect_format_error(const char *path)
{
	struct opened o;
	struct rc_err err = {0};
	const struct rc_layout *l;
	int rc = try_open(path, "/nonexistent", &o, &err);

	if (rc == 0) {
		rc = rc_dwarf_type(o.dw, "struct session_table", &l, &err);
		if (rc == 0)
			rc = rc_dwarf_type(o.dw, "struct point", &l, &err);
		rc_dwarf_free(o.dw);
	}
	ck_assert_msg(rc == -RC_EFORMAT, "%s: %d %s", path, rc, err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad debug info in"));
	rc_elf_free(o.elf);
}

START_TEST(truncated_debug_info)
{
	char path[4096];

	input_path("trunc", path, sizeof(path));
	expect_format_error(path);
}
END_TEST

/* A copy of d4 in a temporary file with @n bytes at .debug_info + @off replaced. */
static void patched_copy(const unsigned char *bytes, size_t n, uint64_t off, char *tmp)
{
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	struct rc_elf_section s;
	int fd;

	input_path("d4", path, sizeof(path));
	ck_assert_int_eq(rc_elf_open(path, &elf, &err), 0);
	ck_assert_int_eq(rc_elf_find_section(elf, ".debug_info", &s), 0);
	ck_assert_uint_lt(off + n, s.size);
	rc_elf_free(elf);
	fd = mkstemp(tmp);
	ck_assert_int_ge(fd, 0);
	close(fd);
	copy_file(path, tmp);
	fd = open(tmp, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, bytes, n, (off_t)(s.offset + off)), (ssize_t)n);
	close(fd);
}

START_TEST(bad_abbreviation_code)
{
	/* DWARF 4 unit header: 11 bytes, then the unit DIE's abbreviation code. */
	const unsigned char bad = 0x7e;
	char tmp[] = "/tmp/rc_dwarf_abbrev_XXXXXX";

	patched_copy(&bad, 1, 11, tmp);
	expect_format_error(tmp);
	unlink(tmp);
}
END_TEST

/* Offset in .debug_info of the DW_AT_type value of struct point's member x. */
static uint64_t point_x_type_offset(void)
{
	char path[4096];
	Dwarf_Debug dbg = NULL;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned len, typeoff, next;
	Dwarf_Half ver, asz, lsz, esz, ut;
	Dwarf_Off abbrev, result = 0;
	Dwarf_Sig8 sig;
	Dwarf_Die cu = NULL, die = NULL;

	input_path("d4", path, sizeof(path));
	ck_assert_int_eq(dwarf_init_path(path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL,
					 &dbg, NULL, 0, NULL, &e),
			 DW_DLV_OK);
	ck_assert_int_eq(dwarf_next_cu_header_d(dbg, 1, &len, &ver, &abbrev, &asz, &lsz, &esz, &sig,
						&typeoff, &next, &ut, &e),
			 DW_DLV_OK);
	ck_assert_int_eq(dwarf_siblingof_b(dbg, NULL, 1, &cu, &e), DW_DLV_OK);
	ck_assert_int_eq(dwarf_child(cu, &die, &e), DW_DLV_OK);
	while (die && !result) {
		Dwarf_Half tag;
		char *name = NULL;
		Dwarf_Die next_die = NULL;

		ck_assert_int_eq(dwarf_tag(die, &tag, &e), DW_DLV_OK);
		if (tag == DW_TAG_structure_type && dwarf_diename(die, &name, &e) == DW_DLV_OK &&
		    strcmp(name, "point") == 0) {
			Dwarf_Die x = NULL;
			Dwarf_Attribute a = NULL;

			ck_assert_int_eq(dwarf_child(die, &x, &e), DW_DLV_OK);
			ck_assert_int_eq(dwarf_attr(x, DW_AT_type, &a, &e), DW_DLV_OK);
			ck_assert_int_eq(dwarf_attr_offset(x, a, &result, &e), DW_DLV_OK);
			dwarf_dealloc_attribute(a);
			dwarf_dealloc_die(x);
		}
		if (dwarf_siblingof_b(dbg, die, 1, &next_die, &e) != DW_DLV_OK)
			next_die = NULL;
		dwarf_dealloc_die(die);
		die = next_die;
	}
	dwarf_dealloc_die(cu);
	dwarf_finish(dbg, &e);
	ck_assert_uint_ne(result, 0);
	return result;
}

START_TEST(reference_out_of_range)
{
	const unsigned char bad[4] = {0xf0, 0xff, 0xff, 0x7f}; /* DW_FORM_ref4 0x7ffffff0 */
	char tmp[] = "/tmp/rc_dwarf_ref_XXXXXX";
	struct opened o;
	struct rc_err err = {0};
	const struct rc_layout *l;

	patched_copy(bad, sizeof(bad), point_x_type_offset(), tmp);
	ck_assert_msg(try_open(tmp, NULL, &o, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rc_dwarf_type(o.dw, "struct point", &l, &err), -RC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad debug info in"));
	/* Other types still read. */
	ck_assert_uint_eq(type_ok(o.dw, "struct node")->size, 16);
	close_opened(&o);
	unlink(tmp);
}
END_TEST

START_TEST(go_runtime_g)
{
	char path[4096];
	struct opened o;
	struct rc_err err = {0};
	const struct rc_layout *l;

	snprintf(path, sizeof(path), "%s/go/pure/plain", RC_FIXTURES);
	ck_assert_msg(try_open(path, NULL, &o, &err) == 0, "%s", err.msg);
	l = type_ok(o.dw, "runtime.g");
	ck_assert_str_eq(l->name, "runtime.g");
	ck_assert_int_eq(l->kind, RC_LAYOUT_STRUCT);
	ck_assert_uint_gt(l->size, 0);
	ck_assert_uint_eq(member(l, "stack")->offset, 0);
	ck_assert_str_eq(member(l, "stack")->type, "runtime.stack");
	ck_assert_uint_eq(member(l, "stack")->size, 16);
	ck_assert(has_nested(l, "runtime.stack"));
	ck_assert_int_eq(rc_dwarf_type(o.dw, "main.NoSuchType", &l, &err), -RC_ENOENT);
	close_opened(&o);
}
END_TEST

static Suite *dwarf_suite(void)
{
	Suite *s = suite_create("dwarf");
	struct {
		const char *name;
		const TTest *test;
		bool all_variants;
	} cases[] = {
		{"session_table_layout", session_table_layout, true},
		{"bit_fields", bit_fields, true},
		{"enums", enums, true},
		{"typedefs_unions_and_alignment", typedefs_unions_and_alignment, true},
		{"self_reference_terminates", self_reference_terminates, true},
		{"variables", variables, true},
		{"not_found", not_found, true},
		{"source_names_the_file", source_names_the_file, false},
		{"build_id_debug_dir", build_id_debug_dir, false},
		{"debuglink_in_debug_dir", debuglink_in_debug_dir, false},
		{"stripped_has_none", stripped_has_none, false},
		{"truncated_debug_info", truncated_debug_info, false},
		{"bad_abbreviation_code", bad_abbreviation_code, false},
		{"reference_out_of_range", reference_out_of_range, false},
		{"go_runtime_g", go_runtime_g, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_set_timeout(tc, 60);
		if (cases[i].all_variants)
			tcase_add_loop_test(tc, cases[i].test, 0, N_VARIANTS);
		else
			tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dwarf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
