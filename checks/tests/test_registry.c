/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

static bool is_kebab(const char *id)
{
	if (!islower((unsigned char)id[0]))
		return false;
	for (const char *p = id; *p; p++) {
		if (*p == '-') {
			/* no "--" and no trailing '-' */
			if (p[1] == '-' || p[1] == '\0')
				return false;
		} else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			return false;
		}
	}
	return true;
}

START_TEST(test_sorted_unique)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ge(n, 6);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(strcmp(t[i - 1]->id, t[i]->id) < 0, "'%s' must sort before '%s'",
			      t[i - 1]->id, t[i]->id);
}
END_TEST

START_TEST(test_kebab_case)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	for (size_t i = 0; i < n; i++)
		ck_assert_msg(is_kebab(t[i]->id), "id '%s' is not kebab-case", t[i]->id);
	/* the predicate itself must reject what it should */
	ck_assert(!is_kebab("Elf-identity"));
	ck_assert(!is_kebab("elf_identity"));
	ck_assert(!is_kebab("elf--identity"));
	ck_assert(!is_kebab("elf-"));
	ck_assert(!is_kebab("-elf"));
	ck_assert(is_kebab("tls-layout"));
}
END_TEST

START_TEST(test_texts)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = t[i];

		ck_assert_ptr_nonnull(c->summary);
		ck_assert_msg(strlen(c->summary) > 10, "'%s' summary too short", c->id);
		ck_assert_msg(strchr(c->summary, '\n') == NULL, "'%s' summary is not one line",
			      c->id);
		ck_assert_ptr_nonnull(c->explain);
		ck_assert_msg(strlen(c->explain) > 200, "'%s' explain is %zu chars", c->id,
			      strlen(c->explain));
		ck_assert_ptr_nonnull(c->run);
		ck_assert_msg(c->needs & RC_NEEDS_BINARIES || c->needs & RC_NEEDS_PROCESS ||
				      c->needs & RC_NEEDS_PPROF,
			      "'%s' needs no input", c->id);
	}
}
END_TEST

START_TEST(test_find)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	for (size_t i = 0; i < n; i++)
		ck_assert_ptr_eq(rc_registry_find(t[i]->id), t[i]);
	ck_assert_ptr_eq(rc_registry_find("elf-identity"), &rc_check_elf_identity);
	ck_assert_ptr_eq(rc_registry_find("build-id"), &rc_check_build_id);
	ck_assert_ptr_eq(rc_registry_find("symtab-presence"), &rc_check_symtab_presence);
	ck_assert_ptr_eq(rc_registry_find("dynamic-deps"), &rc_check_dynamic_deps);
	ck_assert_ptr_eq(rc_registry_find("tls-layout"), &rc_check_tls_layout);
	ck_assert_ptr_null(rc_registry_find("no-such-check"));
	ck_assert_ptr_null(rc_registry_find(""));
	ck_assert_ptr_null(rc_registry_find("tls-layout-x"));
	ck_assert_ptr_null(rc_registry_find("TLS-LAYOUT"));
	ck_assert_ptr_null(rc_registry_find("a"));
	ck_assert_ptr_null(rc_registry_find("zzz"));
}
END_TEST

START_TEST(test_needs)
{
	ck_assert_uint_eq(rc_check_dynamic_deps.needs, RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC);
	ck_assert_uint_eq(rc_check_elf_identity.needs, RC_NEEDS_BINARIES);
	ck_assert_uint_eq(rc_check_build_id.needs, RC_NEEDS_BINARIES);
	ck_assert_uint_eq(rc_check_symtab_presence.needs, RC_NEEDS_BINARIES);
	ck_assert_uint_eq(rc_check_tls_layout.needs, RC_NEEDS_BINARIES);
}
END_TEST

Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc;

	tc = tcase_create("sorted_unique");
	tcase_add_test(tc, test_sorted_unique);
	suite_add_tcase(s, tc);
	tc = tcase_create("kebab_case");
	tcase_add_test(tc, test_kebab_case);
	suite_add_tcase(s, tc);
	tc = tcase_create("texts");
	tcase_add_test(tc, test_texts);
	suite_add_tcase(s, tc);
	tc = tcase_create("find");
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);
	tc = tcase_create("needs");
	tcase_add_test(tc, test_needs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(registry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed < 255 ? failed : 255;
}
