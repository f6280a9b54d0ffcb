/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/registry.h>

#include "checktest.h"

static char *read_text(const char *path);

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

/* checks.def read as the registry and the build read it: name and symbol. */
static const struct {
	const char *name;
	const struct rc_check *check;
} def[] = {
#define RC_CHECK(name) {#name, &rc_check_##name},
#include "../checks.def"
#undef RC_CHECK
};

#define N_DEF (sizeof(def) / sizeof(def[0]))

/*
 * The table is checks.def, line for line; each check's id is its name with
 * '-' for '_', and checks/NAME.c defines its symbol rc_check_NAME.
 */
START_TEST(test_def_matches)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	ck_assert_uint_eq(n, N_DEF);
	for (size_t i = 0; i < n; i++) {
		char id[64], path[4096], want[128];
		char *src;
		int len;

		ck_assert_msg(t[i] == def[i].check, "table entry %zu is '%s', checks.def says %s",
			      i, t[i]->id, def[i].name);
		ck_assert_uint_lt(strlen(def[i].name), sizeof(id));
		snprintf(id, sizeof(id), "%s", def[i].name);
		for (char *p = id; *p; p++)
			if (*p == '_')
				*p = '-';
		ck_assert_str_eq(t[i]->id, id);

		len = snprintf(path, sizeof(path), "%s/checks/%s.c", RC_SRC, def[i].name);
		ck_assert(len > 0 && (size_t)len < sizeof(path));
		src = read_text(path);
		ck_assert_msg(src != NULL, "cannot read '%s'", path);
		snprintf(want, sizeof(want), "const struct rc_check rc_check_%s = {", def[i].name);
		ck_assert_msg(strstr(src, want) != NULL, "%s does not define rc_check_%s", path,
			      def[i].name);
		free(src);
	}
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

/* A finding code: ^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$ over @len bytes of @s. */
static bool is_coden(const char *s, size_t len)
{
	size_t i = 0, dots = 0;

	if (len == 0 || !islower((unsigned char)s[0]))
		return false;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			/* a segment after every dot: no "..", no trailing '.' */
			if (i + 1 == len || s[i + 1] == '.')
				return false;
			dots++;
		} else if (!islower(c) && !isdigit(c) && c != '_') {
			return false;
		}
	}
	return dots > 0;
}

static bool is_code(const char *s)
{
	return is_coden(s, strlen(s));
}

/*
 * Call @fn for each string literal of the C source @src (its raw text between
 * the quotes, escapes not decoded), skipping comments and character literals.
 */
static void scan_literals(const char *src, void (*fn)(const char *s, size_t len, void *arg),
			  void *arg)
{
	const char *p = src;

	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
		} else if (*p == '"' || *p == '\'') {
			char q = *p++;
			const char *start = p;

			while (*p && *p != q && *p != '\n') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (q == '"')
				fn(start, (size_t)(p - start), arg);
			if (*p == q)
				p++;
		} else {
			p++;
		}
	}
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size = -1;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size >= 0 && fseek(f, 0, SEEK_SET) == 0)
		buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[size] = '\0';
	fclose(f);
	return buf;
}

struct collect {
	char found[16][64];
	size_t n;
};

static void collect_lit(const char *s, size_t len, void *arg)
{
	struct collect *c = arg;

	if (c->n < 16 && len < sizeof(c->found[0])) {
		memcpy(c->found[c->n], s, len);
		c->found[c->n][len] = '\0';
	}
	c->n++;
}

START_TEST(test_scanner)
{
	static const char src[] = "/* \"in.comment\" */ x = '\"'; // \"line.comment\"\n"
				  "f(\"a.b\", \"q\\\"x.y\", '\\'', \"\")\n"
				  "\"last.one\"";
	struct collect c = {.n = 0};

	scan_literals(src, collect_lit, &c);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_str_eq(c.found[0], "a.b");
	ck_assert_str_eq(c.found[1], "q\\\"x.y");
	ck_assert_str_eq(c.found[2], "");
	ck_assert_str_eq(c.found[3], "last.one");

	ck_assert(is_code("symbol.removed"));
	ck_assert(is_code("go.pclntab_old_invalid"));
	ck_assert(is_code("a.b.c2"));
	ck_assert(!is_code("symbol"));
	ck_assert(!is_code("Symbol.removed"));
	ck_assert(!is_code("symbol.Removed"));
	ck_assert(!is_code("symbol..removed"));
	ck_assert(!is_code("symbol.removed."));
	ck_assert(!is_code(".symbol"));
	ck_assert(!is_code("1symbol.removed"));
	ck_assert(!is_code("symbol.re-moved"));
	ck_assert(!is_code("symbol.re moved"));
	ck_assert(!is_code(""));
}
END_TEST

static size_t count_codes(const struct rc_check *c)
{
	size_t n = 0;

	while (c->codes[n])
		n++;
	return n;
}

static bool has_code(const struct rc_check *c, const char *s, size_t len)
{
	for (size_t i = 0; c->codes[i]; i++)
		if (strlen(c->codes[i]) == len && memcmp(c->codes[i], s, len) == 0)
			return true;
	return false;
}

START_TEST(test_codes_wellformed)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = t[i];
		size_t k;

		ck_assert_msg(c->codes != NULL, "'%s' has no finding-code catalogue", c->id);
		k = count_codes(c);
		ck_assert_msg(k > 0, "'%s' catalogues no finding codes", c->id);
		for (size_t j = 0; j < k; j++) {
			ck_assert_msg(is_code(c->codes[j]), "'%s': malformed finding code '%s'",
				      c->id, c->codes[j]);
			for (size_t m = 0; m < j; m++)
				ck_assert_msg(strcmp(c->codes[m], c->codes[j]) != 0,
					      "'%s': finding code '%s' listed twice", c->id,
					      c->codes[j]);
		}
	}
}
END_TEST

struct completeness {
	const struct rc_check *check;
	const char *path;
	size_t literals;
	size_t uses[256]; /* occurrences of each catalogued code in the source */
};

/* Whether @s starts with "PREFIX." for a prefix that one of the check's codes has. */
static bool has_prefix_of_check(const struct rc_check *c, const char *s, size_t len)
{
	for (size_t i = 0; c->codes[i]; i++) {
		size_t plen = strcspn(c->codes[i], ".") + 1;

		if (len > plen && memcmp(c->codes[i], s, plen) == 0)
			return true;
	}
	return false;
}

static void check_literal(const char *s, size_t len, void *arg)
{
	struct completeness *st = arg;
	const struct rc_check *c = st->check;

	st->literals++;
	for (size_t i = 0; c->codes[i] && i < 256; i++)
		if (strlen(c->codes[i]) == len && memcmp(c->codes[i], s, len) == 0)
			st->uses[i]++;
	if (!is_coden(s, len) || !has_prefix_of_check(c, s, len))
		return;
	ck_assert_msg(has_code(c, s, len), "%s: finding code '%.*s' is not in %s's catalogue",
		      st->path, (int)len, s, c->id);
}

/*
 * Each check's source file must emit no finding code that its catalogue lacks
 * (every literal shaped like a code, with a prefix the check uses, is listed),
 * and every catalogued code must appear in the source beyond the catalogue.
 */
START_TEST(test_codes_complete)
{
	size_t n = 0;
	const struct rc_check *const *t = rc_registry(&n);

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = t[i];
		struct completeness st = {.check = c};
		char path[4096];
		char *src;
		int len;

		len = snprintf(path, sizeof(path), "%s/checks/%s.c", RC_SRC, c->id);
		ck_assert(len > 0 && (size_t)len < sizeof(path));
		/* the file is named after the id, with '_' for '-' */
		for (char *p = path + len - strlen(c->id) - 2; *p; p++)
			if (*p == '-')
				*p = '_';
		src = read_text(path);
		ck_assert_msg(src != NULL, "cannot read '%s'", path);
		ck_assert_uint_le(count_codes(c), 256);
		st.path = path;
		scan_literals(src, check_literal, &st);
		free(src);
		ck_assert_msg(st.literals > 0, "'%s': no string literals found", path);
		for (size_t j = 0; c->codes[j]; j++)
			ck_assert_msg(st.uses[j] >= 2,
				      "%s: catalogued finding code '%s' is never emitted", path,
				      c->codes[j]);
	}
}
END_TEST

Suite *registry_suite(void)
{
	return checktest_suite("registry", (const struct checktest_tcase[]){
						   {"sorted_unique", {test_sorted_unique}},
						   {"def_matches", {test_def_matches}},
						   {"kebab_case", {test_kebab_case}},
						   {"texts", {test_texts}},
						   {"find", {test_find}},
						   {"needs", {test_needs}},
						   {"scanner", {test_scanner}},
						   {"codes_wellformed", {test_codes_wellformed}},
						   {"codes_complete", {test_codes_complete}},
						   {NULL}});
}

int main(void)
{
	return checktest_main(registry_suite());
}
