/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing the JSON documents of the library (pprof summaries,
 * snapshots) through cJSON: see jsonio.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>

#include "jsonio.h"
#include "procfs.h"
#include "util.h"

/* Line and column of @at in @buf, for a parse error. */
static void position(const char *buf, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = buf; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int rci_json_load_file(const char *path, size_t max, const char *what, cJSON **root, char **text,
		       size_t *text_len, struct rc_err *err)
{
	const char *end = NULL;
	cJSON *doc = NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int line, col;
	int rc = rci_read_file(path, max, &buf, &cap, &len);

	if (rc == -RC_EFORMAT) {
		rc = rc_err_set(err, rc, "'%s': more than %zu bytes, too large for a %s", path, max,
				what);
		goto out;
	}
	if (rc < 0) {
		rc = rc_err_set(err, rc, "'%s': cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (len == 0) {
		rc = rc_err_set(err, -RC_EFORMAT, "'%s': empty file, not a %s", path, what);
		goto out;
	}
	doc = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!doc) {
		position(buf, end && end >= buf && end <= buf + len ? end : buf, &line, &col);
		rc = rc_err_set(err, -RC_EFORMAT, "'%s': not valid JSON at line %d, column %d",
				path, line, col);
		goto out;
	}
	end += strspn(end, " \t\r\n");
	if (end != buf + len) {
		position(buf, end, &line, &col);
		rc = rc_err_set(err, -RC_EFORMAT,
				"'%s': data after the end of the JSON value at line %d, column %d",
				path, line, col);
		goto out;
	}
	*root = doc;
	doc = NULL;
	if (text) {
		*text = buf;
		*text_len = len;
		buf = NULL;
	}
out:
	cJSON_Delete(doc);
	free(buf);
	return rc;
}

/* Locating values in the raw text, which is valid JSON (cJSON accepted it) */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string starting at the '"' at @p. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\')
			p++;
	}
	return p < end ? p + 1 : end;
}

/* Past the value at @p. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	do {
		if (*p == '"') {
			p = skip_string(p, end);
			continue;
		}
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (depth == 0) {
			/* a scalar: up to the next delimiter */
			while (p < end && !strchr(",]} \t\r\n", *p))
				p++;
			return p;
		}
		p++;
	} while (p < end && depth > 0);
	return p;
}

/* The character a one-letter escape ("\\n") stands for, or -1. */
static int unescape(char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

static unsigned read_u4(const char *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned)rci_hexval(p[i]);
	return v;
}

/* Whether the JSON string at @p (its '"') decodes to @want. */
static bool key_equals(const char *p, const char *end, const char *want)
{
	const unsigned char *w = (const unsigned char *)want;
	unsigned char u8[4];
	unsigned cp;
	size_t n;

	for (p++; p < end && *p != '"'; p++) {
		if (*p != '\\') {
			if (*w++ != (unsigned char)*p)
				return false;
			continue;
		}
		p++;
		if (p >= end)
			return false;
		if (*p != 'u') {
			if (unescape(*p) < 0 || *w++ != (unsigned char)unescape(*p))
				return false;
			continue;
		}
		if (end - p < 5)
			return false;
		cp = read_u4(p + 1);
		p += 4;
		if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (read_u4(p + 3) - 0xdc00);
			p += 6;
		}
		if (cp < 0x80) {
			u8[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u8[0] = (unsigned char)(0xc0 | cp >> 6);
			u8[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			u8[0] = (unsigned char)(0xe0 | cp >> 12);
			u8[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u8[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			u8[0] = (unsigned char)(0xf0 | cp >> 18);
			u8[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			u8[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u8[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		for (size_t i = 0; i < n; i++) {
			if (*w++ != u8[i])
				return false;
		}
	}
	return *w == '\0';
}

const char *rci_json_locate(const char *text, size_t len, const struct rci_json_seg *path,
			    size_t depth)
{
	const char *end = text + len;
	const char *p = text, *at;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* cJSON skips a UTF-8 byte order mark */
	p = skip_ws(p, end);
	at = p;
	for (size_t i = 0; i < depth; i++) {
		const char *found = NULL;

		if (path[i].key && p < end && *p == '{') {
			int skip = path[i].index;

			p = skip_ws(p + 1, end);
			while (p < end && *p == '"') {
				const char *k = p;

				p = skip_ws(skip_string(p, end), end);
				if (p < end && *p == ':')
					p = skip_ws(p + 1, end);
				if (key_equals(k, end, path[i].key) && skip-- == 0) {
					found = k;
					break;
				}
				p = skip_ws(skip_value(p, end), end);
				if (p < end && *p == ',')
					p = skip_ws(p + 1, end);
			}
		} else if (!path[i].key && p < end && *p == '[') {
			p = skip_ws(p + 1, end);
			for (int n = 0; p < end && *p != ']'; n++) {
				if (n == path[i].index) {
					found = p;
					break;
				}
				p = skip_ws(skip_value(p, end), end);
				if (p < end && *p == ',')
					p = skip_ws(p + 1, end);
			}
		}
		if (!found)
			break;
		at = found;
	}
	return at;
}

int rci_json_line(const char *text, const char *at)
{
	int line, col;

	position(text, at, &line, &col);
	return line;
}

int rci_jr_schema(struct rci_jr *r, const cJSON *root, const char *schema, const char *what)
{
	const char *v = NULL;
	int rc;

	if (!cJSON_IsObject(root))
		return rc_err_set(r->err, -RC_EFORMAT,
				  "'%s': not a %s: the top level is not an object", r->file, what);
	rc = rci_jr_cstr(r, root, "", "schema", false, &v);
	if (rc < 0)
		return rc;
	if (strcmp(v, schema) != 0)
		return rc_err_set(r->err, -RC_EFORMAT, "'%s': schema is '%.64s', not '%s'", r->file,
				  v, schema);
	return 0;
}

/* "'f': key 'top[3].flat' must be ..." */
int rci_jr_fail(struct rci_jr *r, const char *pre, const char *key, const char *what)
{
	return rc_err_set(r->err, -RC_EFORMAT, "'%s': key '%s%s%s' %s", r->file, pre,
			  *pre && *key ? "." : "", key, what);
}

int rci_jr_oom(struct rci_jr *r)
{
	return rc_err_set(r->err, -RC_ENOMEM, "'%s': out of memory", r->file);
}

int rci_jr_item(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		const cJSON **out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		return rci_jr_fail(r, pre, key, "is missing");
	*out = it;
	return 0;
}

int rci_jr_object(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		  const cJSON **out)
{
	const cJSON *it = NULL;
	int rc = rci_jr_item(r, o, pre, key, &it);

	if (rc < 0)
		return rc;
	if (!cJSON_IsObject(it))
		return rci_jr_fail(r, pre, key, "must be an object");
	*out = it;
	return 0;
}

int rci_jr_array(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, size_t max,
		 const cJSON **out, size_t *n)
{
	const cJSON *it = NULL;
	char what[64];
	size_t len;
	int rc = rci_jr_item(r, o, pre, key, &it);

	if (rc < 0)
		return rc;
	if (!cJSON_IsArray(it))
		return rci_jr_fail(r, pre, key, "must be an array");
	len = (size_t)cJSON_GetArraySize(it);
	if (len > max) {
		snprintf(what, sizeof(what), "must have at most %zu elements", max);
		return rci_jr_fail(r, pre, key, what);
	}
	*out = it;
	*n = len;
	return 0;
}

int rci_jr_cstr(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool nullable,
		const char **out)
{
	const cJSON *it = NULL;
	int rc = rci_jr_item(r, o, pre, key, &it);

	if (rc < 0)
		return rc;
	if (nullable && cJSON_IsNull(it)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return rci_jr_fail(r, pre, key,
				   nullable ? "must be a string or null" : "must be a string");
	*out = it->valuestring;
	return 0;
}

int rci_jr_str(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool nullable,
	       char *buf, size_t size)
{
	const char *v = NULL;
	char what[64];
	size_t len;
	int rc = rci_jr_cstr(r, o, pre, key, nullable, &v);

	if (rc < 0)
		return rc;
	if (!v)
		v = "";
	len = strlen(v);
	if (len >= size) {
		snprintf(what, sizeof(what), "must be at most %zu bytes long", size - 1);
		return rci_jr_fail(r, pre, key, what);
	}
	memcpy(buf, v, len + 1);
	return 0;
}

int rci_jr_bool(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool *out)
{
	const cJSON *it = NULL;
	int rc = rci_jr_item(r, o, pre, key, &it);

	if (rc < 0)
		return rc;
	if (!cJSON_IsBool(it))
		return rci_jr_fail(r, pre, key, "must be true or false");
	*out = cJSON_IsTrue(it);
	return 0;
}

int rci_jr_int_item(struct rci_jr *r, const cJSON *it, const char *pre, const char *key,
		    int64_t min, int64_t max, int64_t *out)
{
	char what[96];
	double d;

	if (!cJSON_IsNumber(it))
		return rci_jr_fail(r, pre, key, "must be an integer");
	d = it->valuedouble;
	if (!(d >= (double)-RCI_JSON_MAX_SAFE_INTEGER && d <= (double)RCI_JSON_MAX_SAFE_INTEGER) ||
	    d != (double)(int64_t)d)
		return rci_jr_fail(r, pre, key, "must be an integer below 2^53 in magnitude");
	if ((int64_t)d < min || (int64_t)d > max) {
		snprintf(what, sizeof(what), "must be an integer from %" PRId64 " to %" PRId64, min,
			 max);
		return rci_jr_fail(r, pre, key, what);
	}
	*out = (int64_t)d;
	return 0;
}

int rci_jr_int(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, int64_t min,
	       int64_t max, int64_t *out)
{
	const cJSON *it = NULL;
	int rc = rci_jr_item(r, o, pre, key, &it);

	if (rc < 0)
		return rc;
	return rci_jr_int_item(r, it, pre, key, min, max, out);
}

cJSON *rci_jw_check(struct rci_jw *w, cJSON *item)
{
	if (!item)
		w->oom = true;
	return item;
}

cJSON *rci_jw_push(struct rci_jw *w, cJSON *arr, cJSON *item)
{
	if (!arr || !item || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		w->oom = true;
		return NULL;
	}
	return item;
}

void rci_jw_raw(struct rci_jw *w, cJSON *o, const char *key, const char *text)
{
	cJSON *raw = cJSON_CreateRaw(text);

	if (!o || !raw ||
	    !(key ? cJSON_AddItemToObject(o, key, raw) : cJSON_AddItemToArray(o, raw))) {
		cJSON_Delete(raw);
		w->oom = true;
	}
}

void rci_jw_str(struct rci_jw *w, cJSON *o, const char *key, const char *v)
{
	rci_jw_check(w, v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key));
}

void rci_jw_bool(struct rci_jw *w, cJSON *o, const char *key, bool v)
{
	rci_jw_check(w, cJSON_AddBoolToObject(o, key, v));
}

void rci_jw_int(struct rci_jw *w, cJSON *o, const char *key, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	rci_jw_raw(w, o, key, buf);
}

int rci_jw_finish(struct rci_jw *w, cJSON *root, FILE *out, const char *what, struct rc_err *err)
{
	char *text = NULL;
	int rc = 0;

	if (!w->oom)
		text = cJSON_Print(root);
	if (!text) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory while writing the %s", what);
		goto out;
	}
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
		rc = rc_err_set(err, -RC_EIO, "cannot write the %s: %s", what, strerror(errno));
out:
	cJSON_free(text);
	cJSON_Delete(root);
	return rc;
}
