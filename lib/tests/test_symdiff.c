/* SPDX-License-Identifier: MIT */
/* The symbol diff engine: normalisation, matching, change flags, digests. */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/symdiff.h>

static struct rc_elf_sym sym(const char *name, uint64_t value, uint64_t size, unsigned type)
{
	return (struct rc_elf_sym){
		.name = name,
		.name_len = (uint32_t)strlen(name),
		.value = value,
		.size = size,
		.type = (uint8_t)type,
		.bind = STB_GLOBAL,
		.visibility = STV_DEFAULT,
		.shndx = 1,
		.defined = true,
	};
}

static char *norm(const char *name)
{
	static char buf[256];

	rc_sym_normalize(name, strlen(name), buf, sizeof(buf));
	return buf;
}

/* Each cases[i][0] normalises to cases[i][1]. */
static void assert_norms(const char *const cases[][2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(norm(cases[i][0]), cases[i][1]);
}

START_TEST(clone_suffixes_stripped)
{
	static const char *const cases[][2] = {
		{"foo.isra.0", "foo"},	    {"foo.constprop.12", "foo"},
		{"foo.part.3", "foo"},	    {"foo.cold", "foo"},
		{"foo.lto_priv.4", "foo"},  {"foo.constprop.0.isra.1", "foo"},
		{"foo.part.0.cold", "foo"}, {"foo.cold.2", "foo"},
	};

	assert_norms(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(other_dots_kept)
{
	static const char *const cases[][2] = {
		{"foo.5", "foo.5"},
		{"foo.bar", "foo.bar"},
		{"main.main", "main.main"},
		{".isra.0", ".isra.0"},
		{"isra.0", "isra.0"},
		/* GCC numbers every clone but .cold: a bare ".isra" is not a clone suffix. */
		{"foo.isra", "foo.isra"},
		{"x.coldd", "x.coldd"},
		{"_ZN4llvm3FooC2Ev", "_ZN4llvm3FooC2Ev"},
	};

	assert_norms(cases, sizeof(cases) / sizeof(cases[0]));
	ck_assert_uint_eq(rc_sym_strip_clone_suffix("abc", 3), 3);
}
END_TEST

START_TEST(cgo_hash_normalised)
{
	static const char *const cases[][2] = {
		{"_cgo_0a1b2c3d4e5f_Cfunc_puts", "_cgo_Cfunc_puts"},
		{"main._cgo_9f8e7d6c5b4a_Cfunc_puts", "main._cgo_Cfunc_puts"},
		{"_cgoexp_abcdef012345_Exported", "_cgoexp_Exported"},
		/* Too short a hash, or no trailing underscore: left alone. */
		{"_cgo_abc_x", "_cgo_abc_x"},
		{"_cgo_panic", "_cgo_panic"},
		{"_cgo_0a1b2c3d4e5f", "_cgo_0a1b2c3d4e5f"},
		/* Both at once. */
		{"_cgo_0a1b2c3d4e5f_Cfunc_x.isra.0", "_cgo_Cfunc_x"},
	};

	assert_norms(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

struct events {
	int added, removed, changed;
	unsigned last_changes;
	const char *last_added, *last_removed;
};

static void collect(void *arg, const struct rc_elf_sym *o, const struct rc_elf_sym *n, unsigned ch)
{
	struct events *e = arg;

	if (!n) {
		e->removed++;
		e->last_removed = o->name;
	} else if (!o) {
		e->added++;
		e->last_added = n->name;
	} else {
		e->changed++;
		e->last_changes = ch;
	}
}

static struct rc_symdiff_stats diff(const struct rc_elf_sym *o, size_t no,
				    const struct rc_elf_sym *n, size_t nn, struct events *e)
{
	struct rc_symdiff_stats st;
	struct rc_err err = {0};

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(rc_symdiff(o, no, n, nn, RC_SYMDIFF_DEFINED_ONLY, collect, e, &st, &err),
			 0);
	return st;
}

/* diff() with no event at all and the same digest on both sides. */
static struct rc_symdiff_stats diff_clean(const struct rc_elf_sym *o, size_t no,
					  const struct rc_elf_sym *n, size_t nn)
{
	struct events e;
	struct rc_symdiff_stats st = diff(o, no, n, nn, &e);

	ck_assert_int_eq(e.added + e.removed + e.changed, 0);
	ck_assert_str_eq(st.old_digest, st.new_digest);
	return st;
}

START_TEST(added_removed_changed)
{
	struct rc_elf_sym o[] = {sym("keep", 0x10, 4, STT_FUNC), sym("gone", 0x20, 4, STT_FUNC),
				 sym("grow", 0x30, 8, STT_OBJECT)};
	struct rc_elf_sym n[] = {sym("grow", 0x30, 16, STT_OBJECT), sym("keep", 0x10, 4, STT_FUNC),
				 sym("new", 0x40, 4, STT_FUNC)};
	struct events e;
	struct rc_symdiff_stats st = diff(o, 3, n, 3, &e);

	ck_assert_int_eq(e.removed, 1);
	ck_assert_str_eq(e.last_removed, "gone");
	ck_assert_int_eq(e.added, 1);
	ck_assert_str_eq(e.last_added, "new");
	ck_assert_int_eq(e.changed, 1);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_SIZE);
	ck_assert_uint_eq(st.unchanged, 1);
	ck_assert_uint_eq(st.old_count, 3);
	ck_assert_str_ne(st.old_digest, st.new_digest);
}
END_TEST

START_TEST(moved_only_counted_not_reported)
{
	struct rc_elf_sym o[] = {sym("a", 0x10, 4, STT_FUNC), sym("b", 0x20, 4, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("b", 0x60, 4, STT_FUNC), sym("a", 0x50, 4, STT_FUNC)};
	struct rc_symdiff_stats st = diff_clean(o, 2, n, 2);

	ck_assert_uint_eq(st.moved_only, 2);
}
END_TEST

START_TEST(type_bind_visibility_flags)
{
	struct rc_elf_sym o[] = {sym("t", 0, 4, STT_OBJECT), sym("b", 0, 4, STT_FUNC),
				 sym("v", 0, 4, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("t", 0, 4, STT_FUNC), sym("b", 0, 4, STT_FUNC),
				 sym("v", 0, 4, STT_FUNC)};
	struct events e;

	n[1].bind = STB_WEAK;
	n[2].visibility = STV_PROTECTED;
	diff(o, 1, n, 1, &e);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_TYPE);
	diff(o + 1, 1, n + 1, 1, &e);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_BIND);
	diff(o + 2, 1, n + 2, 1, &e);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_VISIBILITY);
}
END_TEST

START_TEST(clone_rename_is_not_drift)
{
	struct rc_elf_sym o[] = {sym("f.isra.0", 0x10, 4, STT_FUNC),
				 sym("_cgo_0a1b2c3d4e5f_Cfunc_x", 0x20, 8, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("f.isra.3", 0x10, 4, STT_FUNC),
				 sym("_cgo_ffffffffffff_Cfunc_x", 0x20, 8, STT_FUNC)};
	struct rc_symdiff_stats st = diff_clean(o, 2, n, 2);

	ck_assert_uint_eq(st.unchanged, 2);
}
END_TEST

START_TEST(clone_twins_pair_by_name_then_size)
{
	/* foo.part.0 and foo.part.0.cold share a key; each pairs with its twin. */
	struct rc_elf_sym o[] = {sym("foo.part.0", 0x10, 11, STT_FUNC),
				 sym("foo.part.0.cold", 0x90, 4, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("foo.part.1.cold", 0x90, 4, STT_FUNC),
				 sym("foo.part.1", 0x10, 11, STT_FUNC)};
	struct events e;
	struct rc_symdiff_stats st = diff(o, 2, n, 2, &e);

	ck_assert_int_eq(e.changed, 0);
	ck_assert_uint_eq(st.unchanged, 2);
}
END_TEST

START_TEST(duplicate_locals_pair_in_order)
{
	struct rc_elf_sym o[] = {sym("init", 0x10, 4, STT_FUNC), sym("init", 0x20, 8, STT_FUNC),
				 sym("init", 0x30, 12, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("init", 0x10, 4, STT_FUNC), sym("init", 0x20, 8, STT_FUNC)};
	struct events e;
	struct rc_symdiff_stats st = diff(o, 3, n, 2, &e);

	ck_assert_int_eq(e.removed, 1);
	ck_assert_int_eq(e.changed, 0);
	ck_assert_uint_eq(st.unchanged, 2);
}
END_TEST

START_TEST(version_change_reported)
{
	struct rc_elf_sym o[] = {sym("api", 0x10, 4, STT_FUNC)};
	struct rc_elf_sym n[] = {sym("api", 0x10, 4, STT_FUNC), sym("api", 0x10, 4, STT_FUNC)};
	struct events e;
	struct rc_symdiff_stats st;

	o[0].version = "LIB_1";
	n[0].version = "LIB_2";
	n[1].version = "LIB_1";
	n[1].version_hidden = true;
	/* api@@LIB_1 is now the hidden api@LIB_1: same version string, preferred match. */
	st = diff(o, 1, n, 2, &e);
	ck_assert_int_eq(e.changed, 1);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_VERSION);
	ck_assert_int_eq(e.added, 1);
	ck_assert_uint_eq(st.changed, 1);
	/* Only LIB_2 left: a version change. */
	st = diff(o, 1, n, 1, &e);
	ck_assert_uint_eq(e.last_changes, RC_SYMDIFF_VERSION);
	ck_assert_str_ne(st.old_digest, st.new_digest);
}
END_TEST

START_TEST(undefined_and_section_symbols_ignored)
{
	struct rc_elf_sym o[] = {sym("imp", 0, 0, STT_FUNC), sym("", 0, 0, STT_FUNC),
				 sym("sec", 0, 0, STT_SECTION), sym("f.c", 0, 0, STT_FILE)};
	struct rc_elf_sym n[] = {sym("other", 0, 0, STT_FUNC)};
	struct events e;
	struct rc_symdiff_stats st;

	o[0].defined = false;
	n[0].defined = false;
	st = diff(o, 4, n, 1, &e);
	ck_assert_int_eq(e.added + e.removed + e.changed, 0);
	ck_assert_uint_eq(st.old_count, 0);
	ck_assert_uint_eq(st.new_count, 0);
}
END_TEST

START_TEST(large_tables_match_exactly)
{
	/* 200k symbols with long shared prefixes; 1% removed, 1% added, 1% resized. */
	size_t n = 200000;
	struct rc_elf_sym *o = calloc(n, sizeof(*o)), *nw = calloc(n, sizeof(*nw));
	char *names = malloc(n * 2 * 64);
	struct events e;
	struct rc_symdiff_stats st;

	for (size_t i = 0; i < n; i++) {
		char *a = names + i * 64, *b = names + (n + i) * 64;

		snprintf(a, 64, "_ZN4llvm9SomethingLongC2E%zu", i);
		snprintf(b, 64, "_ZN4llvm9SomethingLongC2E%zu", i % 100 == 0 ? i + n : i);
		o[i] = sym(a, i * 16, 8, STT_FUNC);
		nw[i] = sym(b, i * 16 + 4, i % 100 == 1 ? 12 : 8, STT_FUNC);
	}
	st = diff(o, n, nw, n, &e);
	ck_assert_int_eq(e.removed, (int)(n / 100));
	ck_assert_int_eq(e.added, (int)(n / 100));
	ck_assert_int_eq(e.changed, (int)(n / 100));
	ck_assert_uint_eq(st.moved_only, n - 2 * (n / 100));
	free(o);
	free(nw);
	free(names);
}
END_TEST

START_TEST(digest_function_matches_stats)
{
	struct rc_elf_sym o[] = {sym("a", 0x10, 4, STT_FUNC), sym("b", 0x20, 4, STT_OBJECT)};
	struct rc_elf_sym r[] = {sym("b", 0x99, 4, STT_OBJECT), sym("a", 0x77, 4, STT_FUNC)};
	char d1[33], d2[33];
	struct rc_err err = {0};
	struct events e;
	struct rc_symdiff_stats st = diff(o, 2, r, 2, &e);

	ck_assert_int_eq(rc_symtab_digest(o, 2, RC_SYMDIFF_DEFINED_ONLY, d1, &err), 0);
	ck_assert_int_eq(rc_symtab_digest(r, 2, RC_SYMDIFF_DEFINED_ONLY, d2, &err), 0);
	ck_assert_str_eq(d1, d2);
	ck_assert_str_eq(d1, st.old_digest);
	ck_assert_uint_eq(strlen(d1), 32);
	r[0].size = 5;
	ck_assert_int_eq(rc_symtab_digest(r, 2, RC_SYMDIFF_DEFINED_ONLY, d2, &err), 0);
	ck_assert_str_ne(d1, d2);
}
END_TEST

static Suite *symdiff_suite(void)
{
	Suite *s = suite_create("symdiff");
	TCase *tc;

	tc = tcase_create("normalise");
	tcase_add_test(tc, clone_suffixes_stripped);
	tcase_add_test(tc, other_dots_kept);
	tcase_add_test(tc, cgo_hash_normalised);
	suite_add_tcase(s, tc);
	tc = tcase_create("diff");
	tcase_add_test(tc, added_removed_changed);
	tcase_add_test(tc, moved_only_counted_not_reported);
	tcase_add_test(tc, type_bind_visibility_flags);
	tcase_add_test(tc, clone_rename_is_not_drift);
	tcase_add_test(tc, clone_twins_pair_by_name_then_size);
	tcase_add_test(tc, duplicate_locals_pair_in_order);
	tcase_add_test(tc, version_change_reported);
	tcase_add_test(tc, undefined_and_section_symbols_ignored);
	tcase_add_test(tc, large_tables_match_exactly);
	suite_add_tcase(s, tc);
	tc = tcase_create("digest");
	tcase_add_test(tc, digest_function_matches_stats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(symdiff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
