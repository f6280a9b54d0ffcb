/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer (RFC 8259). The report writer uses it instead
 * of building a cJSON tree, which costs a malloc per value on large reports.
 * It buffers its own output and scans strings eight bytes at a time, since a
 * report of 60k symbol findings is tens of megabytes of mostly plain ASCII.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"

#define MAX_DEPTH ((int)(sizeof(((struct rci_json *)0)->need_comma)))

/*
 * Pretty output indents the outer levels only: objects nested deeper than
 * PRETTY_DEPTH (a finding and its detail) stay on one line, which keeps large
 * reports small and greppable.
 */
#define PRETTY_DEPTH 4

void rci_json_init(struct rci_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
	j->pretty = pretty;
	j->failed = false;
	j->len = 0;
}

static void flush(struct rci_json *j)
{
	if (j->len && fwrite(j->buf, 1, j->len, j->out) != j->len)
		j->failed = true;
	j->len = 0;
}

int rci_json_finish(struct rci_json *j)
{
	flush(j);
	return j->failed ? -1 : 0;
}

static inline void put(struct rci_json *j, const void *p, size_t n)
{
	if (n > sizeof(j->buf) - j->len) {
		flush(j);
		if (n > sizeof(j->buf)) {
			if (fwrite(p, 1, n, j->out) != n)
				j->failed = true;
			return;
		}
	}
	memcpy(j->buf + j->len, p, n);
	j->len += n;
}

static inline void putch(struct rci_json *j, char c)
{
	if (j->len == sizeof(j->buf))
		flush(j);
	j->buf[j->len++] = c;
}

static void newline(struct rci_json *j)
{
	static const char indent[] = "\n                ";

	if (!j->pretty)
		return;
	if (j->depth > PRETTY_DEPTH)
		putch(j, ' ');
	else
		put(j, indent, 1 + (size_t)j->depth * 2);
}

/* Separator before a value (array element, top level, or after a key). */
static void before_value(struct rci_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->depth <= MAX_DEPTH) {
		if (j->need_comma[j->depth - 1])
			putch(j, ',');
		j->need_comma[j->depth - 1] = true;
		newline(j);
	}
}

static void open_container(struct rci_json *j, char c)
{
	before_value(j);
	putch(j, c);
	if (j->depth < MAX_DEPTH)
		j->need_comma[j->depth] = false;
	j->depth++;
}

static void close_container(struct rci_json *j, char c)
{
	bool had_items = j->depth <= MAX_DEPTH && j->need_comma[j->depth - 1];

	j->depth--;
	if (had_items && j->depth < PRETTY_DEPTH)
		newline(j);
	putch(j, c);
}

void rci_json_begin_object(struct rci_json *j)
{
	open_container(j, '{');
}

void rci_json_end_object(struct rci_json *j)
{
	close_container(j, '}');
}

void rci_json_begin_array(struct rci_json *j)
{
	open_container(j, '[');
}

void rci_json_end_array(struct rci_json *j)
{
	close_container(j, ']');
}

/*
 * Length of the valid UTF-8 sequence at @s (1-4), or 0 when the bytes there
 * are not valid UTF-8 (overlong forms, surrogates and > U+10FFFF included).
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Nonzero when any byte of @w needs escaping: < 0x20, '"', '\\' or >= 0x80. */
static uint64_t special_bytes(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"');
	uint64_t bslash = w ^ (ONES * '\\');
	uint64_t zero_quote = (quote - ONES) & ~quote;
	uint64_t zero_bslash = (bslash - ONES) & ~bslash;
	uint64_t control = (w - ONES * 0x20) & ~w;

	/* May flag a byte after a real one (borrows); the byte loop sorts that out. */
	return (zero_quote | zero_bslash | control | w) & HIGHS;
}

/* Index of the first byte at or after @i that needs escaping, or @len. */
static size_t scan_plain(const unsigned char *s, size_t i, size_t len)
{
	uint64_t w;

	while (i + 8 <= len) {
		memcpy(&w, s + i, 8);
		if (special_bytes(w))
			goto bytes;
		i += 8;
	}
	/* The tail: one more word, overlapping what was already scanned. */
	if (len >= 8 && i < len) {
		memcpy(&w, s + len - 8, 8);
		if (!special_bytes(w))
			return len;
	}
bytes:
	while (i < len && plain_byte(s[i]))
		i++;
	return i;
}

static void escape(struct rci_json *j, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		size_t run = scan_plain(s, i, len);
		unsigned char c;
		char u[6] = {'\\', 'u', '0', '0', 0, 0};

		if (run > i)
			put(j, s + i, run - i);
		i = run;
		if (i == len)
			break;
		c = s[i];
		if (c >= 0x80) {
			size_t l = utf8_seq(s + i, len - i);

			if (l) {
				put(j, s + i, l);
				i += l;
			} else {
				put(j, "\\ufffd", 6); /* invalid UTF-8 byte */
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':
			put(j, "\\\"", 2);
			break;
		case '\\':
			put(j, "\\\\", 2);
			break;
		case '\n':
			put(j, "\\n", 2);
			break;
		case '\r':
			put(j, "\\r", 2);
			break;
		case '\t':
			put(j, "\\t", 2);
			break;
		case '\b':
			put(j, "\\b", 2);
			break;
		case '\f':
			put(j, "\\f", 2);
			break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			put(j, u, 6);
			break;
		}
		i++;
	}
}

void rci_json_key(struct rci_json *j, const char *key)
{
	size_t len = strlen(key);

	before_value(j);
	putch(j, '"');
	if (scan_plain((const unsigned char *)key, 0, len) == len)
		put(j, key, len);
	else
		escape(j, key, len);
	putch(j, '"');
	putch(j, ':');
	if (j->pretty)
		putch(j, ' ');
	j->after_key = true;
}

void rci_json_stringn(struct rci_json *j, const char *s, size_t len)
{
	before_value(j);
	putch(j, '"');
	escape(j, s, len);
	putch(j, '"');
}

void rci_json_string(struct rci_json *j, const char *s)
{
	rci_json_stringn(j, s, strlen(s));
}

static void put_u64(struct rci_json *j, uint64_t v, bool neg)
{
	char tmp[24];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		tmp[--n] = '-';
	put(j, tmp + n, sizeof(tmp) - n);
}

void rci_json_int(struct rci_json *j, int64_t v)
{
	before_value(j);
	put_u64(j, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void rci_json_uint(struct rci_json *j, uint64_t v)
{
	before_value(j);
	put_u64(j, v, false);
}

void rci_json_bool(struct rci_json *j, bool v)
{
	before_value(j);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void rci_json_null(struct rci_json *j)
{
	before_value(j);
	put(j, "null", 4);
}
