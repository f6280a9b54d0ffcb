/* SPDX-License-Identifier: MIT */
/* The streaming JSON writer: structure, escaping, invalid UTF-8, round trip through cJSON. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/report.h>

#include "../json.h"

/* Run @fn on a fresh writer (compact or pretty) and return what it wrote (free it). */
static char *capture(void (*fn)(struct rci_json *), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rci_json *j = malloc(sizeof(*j));

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(j);
	rci_json_init(j, f, pretty);
	fn(j);
	ck_assert_int_eq(rci_json_finish(j), 0);
	free(j);
	fclose(f);
	return buf;
}

static void write_nested(struct rci_json *j)
{
	rci_json_begin_object(j);
	rci_json_key(j, "a");
	rci_json_int(j, -42);
	rci_json_key(j, "b");
	rci_json_begin_array(j);
	rci_json_uint(j, 18446744073709551615ULL);
	rci_json_bool(j, true);
	rci_json_null(j);
	rci_json_begin_object(j);
	rci_json_end_object(j);
	rci_json_begin_array(j);
	rci_json_end_array(j);
	rci_json_end_array(j);
	rci_json_key(j, "c");
	rci_json_string(j, "x");
	rci_json_end_object(j);
}

START_TEST(compact_structure)
{
	char *s = capture(write_nested, false);

	ck_assert_str_eq(s, "{\"a\":-42,\"b\":[18446744073709551615,true,null,{},[]],\"c\":\"x\"}");
	free(s);
}
END_TEST

START_TEST(pretty_parses_same)
{
	char *s = capture(write_nested, true);
	cJSON *root = cJSON_Parse(s);

	ck_assert_msg(root != NULL, "pretty output does not parse: %s", s);
	ck_assert_int_eq(cJSON_GetObjectItem(root, "a")->valueint, -42);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "b")), 5);
	ck_assert_ptr_nonnull(strchr(s, '\n'));
	cJSON_Delete(root);
	free(s);
}
END_TEST

static const char *escape_input;
static size_t escape_len;

static void write_escape(struct rci_json *j)
{
	rci_json_stringn(j, escape_input, escape_len);
}

static char *escaped(const char *in, size_t len)
{
	escape_input = in;
	escape_len = len;
	return capture(write_escape, false);
}

START_TEST(escapes_specials)
{
	const char *in = "a\"b\\c\nd\re\tf\bg\fh";
	char *s = escaped(in, strlen(in));

	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\"");
	free(s);
}
END_TEST

START_TEST(escapes_control_and_nul)
{
	static const char in[] = {'x', 0x01, 0x1f, 0x00, 'y'};
	char *s = escaped(in, sizeof(in));

	ck_assert_str_eq(s, "\"x\\u0001\\u001f\\u0000y\"");
	free(s);
}
END_TEST

START_TEST(valid_utf8_passes)
{
	const char *in = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	char *s = escaped(in, strlen(in));
	cJSON *v = cJSON_Parse(s);

	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->valuestring, in);
	cJSON_Delete(v);
	free(s);
}
END_TEST

START_TEST(invalid_utf8_replaced)
{
	/* lone continuation, overlong '/', surrogate, truncated 3-byte, 0xff */
	static const char in[] = "a\x80"
				 "b\xc0\xaf"
				 "c\xed\xa0\x80"
				 "d\xe2\x82"
				 "e\xff";
	char *s = escaped(in, sizeof(in) - 1);
	cJSON *v = cJSON_Parse(s);

	ck_assert_msg(v != NULL, "output is not JSON: %s", s);
	ck_assert_ptr_null(strstr(s, "\x80"));
	ck_assert_ptr_null(strstr(s, "\xff"));
	ck_assert_ptr_nonnull(strstr(s, "a\\ufffdb\\ufffd\\ufffdc"));
	cJSON_Delete(v);
	free(s);
}
END_TEST

START_TEST(long_strings_cross_buffer)
{
	/* Longer than the writer's 64 KiB buffer, with specials near the end. */
	size_t n = 200000;
	char *in = malloc(n);
	char *s;
	cJSON *v;

	ck_assert_ptr_nonnull(in);
	memset(in, 'q', n);
	in[n - 3] = '"';
	in[n - 9] = '\\';
	s = escaped(in, n);
	v = cJSON_Parse(s);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(strlen(v->valuestring), n);
	ck_assert_int_eq(v->valuestring[n - 3], '"');
	ck_assert_int_eq(v->valuestring[n - 9], '\\');
	cJSON_Delete(v);
	free(s);
	free(in);
}
END_TEST

START_TEST(every_byte_round_trips_or_replaced)
{
	/* Every single byte value: ASCII ones round-trip, high ones become U+FFFD. */
	for (int c = 0; c < 256; c++) {
		char in[3] = {'<', (char)c, '>'};
		char *s = escaped(in, 3);
		cJSON *v = cJSON_Parse(s);

		ck_assert_msg(v != NULL, "byte 0x%02x: not JSON: %s", c, s);
		if (c < 0x80)
			ck_assert_int_eq((unsigned char)v->valuestring[1], c == 0 ? 0 : c);
		else
			ck_assert_str_eq(v->valuestring, "<\xef\xbf\xbd>");
		cJSON_Delete(v);
		free(s);
	}
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc;

	tc = tcase_create("structure");
	tcase_add_test(tc, compact_structure);
	tcase_add_test(tc, pretty_parses_same);
	suite_add_tcase(s, tc);
	tc = tcase_create("escaping");
	tcase_add_test(tc, escapes_specials);
	tcase_add_test(tc, escapes_control_and_nul);
	tcase_add_test(tc, valid_utf8_passes);
	tcase_add_test(tc, invalid_utf8_replaced);
	tcase_add_test(tc, long_strings_cross_buffer);
	tcase_add_test(tc, every_byte_round_trips_or_replaced);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
