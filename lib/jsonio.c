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

int rci_jr_load(struct rci_jr *r, size_t max, const char *what, int missing, cJSON **root)
{
	const char *end = NULL;
	cJSON *doc = NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int line, col;
	int rc = rci_read_file(r->file, &buf, &cap, &len);

	if (rc < 0) {
		rc = rc_err_set(r->err, rc == -RC_ENOENT ? missing : rc, "'%s': cannot read: %s",
				r->file, strerror(errno));
		goto out;
	}
	if (len == 0) {
		rc = rc_err_set(r->err, -RC_EFORMAT, "'%s': empty file, not a %s", r->file, what);
		goto out;
	}
	if (len > max) {
		rc = rc_err_set(r->err, -RC_EFORMAT, "'%s': %zu bytes, too large for a %s", r->file,
				len, what);
		goto out;
	}
	doc = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!doc) {
		position(buf, end && end >= buf && end <= buf + len ? end : buf, &line, &col);
		rc = rc_err_set(r->err, -RC_EFORMAT, "'%s': not valid JSON (line %d, column %d)",
				r->file, line, col);
		goto out;
	}
	end += strspn(end, " \t\r\n");
	if (end != buf + len) {
		position(buf, end, &line, &col);
		rc = rc_err_set(r->err, -RC_EFORMAT,
				"'%s': not valid JSON: data after the end (line %d, column %d)",
				r->file, line, col);
		goto out;
	}
	*root = doc;
	doc = NULL;
out:
	cJSON_Delete(doc);
	free(buf);
	return rc;
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
