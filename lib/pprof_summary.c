/* SPDX-License-Identifier: MIT */
/*
 * The pprof summary's JSON form (cJSON): written with every value checked to
 * read back as it is, and read back with each key's type and range checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <reloadcheck/error.h>
#include <reloadcheck/pprof.h>

#include "jsonio.h"

#define MAX_SUMMARY_FILE ((size_t)16 << 20)

/* JSON writing */

/* The shortest form that reads back as the same double (cJSON's may not). */
static void jw_double(struct rci_jw *w, cJSON *o, const char *key, double v)
{
	char buf[40];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	rci_jw_raw(w, o, key, buf);
}

static void jw_value_type(struct rci_jw *w, cJSON *o, const struct rc_pprof_value_type *vt)
{
	rci_jw_str(w, o, "type", vt->type);
	rci_jw_str(w, o, "unit", vt->unit);
}

static bool safe_int(int64_t v)
{
	return v >= -RCI_JSON_MAX_SAFE_INTEGER && v <= RCI_JSON_MAX_SAFE_INTEGER;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int too_large(struct rc_err *err, const char *name, int64_t v)
{
	return rc_err_set(err, -RC_EINVAL,
			  "pprof summary: %s %" PRId64
			  " too large for a JSON number (2^53 or more)",
			  name, v);
}

/* The struct can be written and read back as it is. */
static int check_writable(const struct rc_pprof_summary *s, struct rc_err *err)
{
	const uint64_t counts[] = {s->n_samples, s->n_locations, s->n_locations_unsymbolized,
				   s->n_functions};
	const char *const count_names[] = {"n_samples", "n_locations", "n_locations_unsymbolized",
					   "n_functions"};

	if (s->n_sample_types > sizeof(s->sample_types) / sizeof(s->sample_types[0]) ||
	    s->n_top > RC_PPROF_TOP ||
	    (s->n_sample_types ? s->main_value >= s->n_sample_types : s->main_value != 0))
		return rc_err_set(
			err, -RC_EINVAL,
			"pprof summary: inconsistent counts (%zu sample types, main value "
			"%zu, %zu top functions)",
			s->n_sample_types, s->main_value, s->n_top);
	if (!safe_int(s->period))
		return too_large(err, "period", s->period);
	if (!safe_int(s->duration_nanos))
		return too_large(err, "duration_nanos", s->duration_nanos);
	if (!safe_int(s->goroutines))
		return too_large(err, "goroutines", s->goroutines);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i] > (uint64_t)RCI_JSON_MAX_SAFE_INTEGER)
			return too_large(err, count_names[i], (int64_t)counts[i]);
	for (size_t i = 0; i < s->n_sample_types; i++)
		if (!safe_int(s->totals[i]))
			return too_large(err, "total", s->totals[i]);
	for (size_t i = 0; i < s->n_top; i++)
		if (!safe_int(s->top[i].flat))
			return too_large(err, "flat value", s->top[i].flat);
	if (s->goroutines < -1)
		return rc_err_set(err, -RC_EINVAL, "pprof summary: goroutines %" PRId64 " negative",
				  s->goroutines);
	for (size_t i = 0; i < s->n_top; i++)
		if (!isfinite(s->top[i].flat_share))
			return rc_err_set(err, -RC_EINVAL,
					  "pprof summary: top function %zu has a flat share that "
					  "is not a number",
					  i);
	for (size_t i = 0; i < s->n_sample_types; i++)
		if (!terminated(s->sample_types[i].type, sizeof(s->sample_types[i].type)) ||
		    !terminated(s->sample_types[i].unit, sizeof(s->sample_types[i].unit)))
			return rc_err_set(err, -RC_EINVAL,
					  "pprof summary: sample type %zu is not terminated", i);
	for (size_t i = 0; i < s->n_top; i++)
		if (!terminated(s->top[i].name, sizeof(s->top[i].name)))
			return rc_err_set(err, -RC_EINVAL,
					  "pprof summary: top function %zu is not terminated", i);
	if (!terminated(s->period_type.type, sizeof(s->period_type.type)) ||
	    !terminated(s->period_type.unit, sizeof(s->period_type.unit)) ||
	    !terminated(s->main_build_id, sizeof(s->main_build_id)) ||
	    !terminated(s->main_filename, sizeof(s->main_filename)) ||
	    !terminated(s->top_goroutine_stack, sizeof(s->top_goroutine_stack)))
		return rc_err_set(err, -RC_EINVAL, "pprof summary: a string is not terminated");
	return 0;
}

static cJSON *summary_to_json(const struct rc_pprof_summary *s, struct rci_jw *w)
{
	cJSON *root = rci_jw_check(w, cJSON_CreateObject()), *o, *arr;
	char buf[24];

	if (!root)
		return NULL;
	rci_jw_str(w, root, "schema", RC_PPROF_SUMMARY_SCHEMA);
	o = rci_jw_check(w, cJSON_AddObjectToObject(root, "tool"));
	rci_jw_str(w, o, "name", "reloadcheck");
	rci_jw_str(w, o, "version", RC_VERSION);
	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "sample_types"));
	for (size_t i = 0; arr && i < s->n_sample_types; i++)
		jw_value_type(w, rci_jw_push(w, arr, cJSON_CreateObject()), &s->sample_types[i]);
	rci_jw_int(w, root, "main_value", (int64_t)s->main_value);
	jw_value_type(w, rci_jw_check(w, cJSON_AddObjectToObject(root, "period_type")),
		      &s->period_type);
	rci_jw_int(w, root, "period", s->period);
	/* Unix nanoseconds are past 2^53: a decimal string keeps every digit. */
	snprintf(buf, sizeof(buf), "%" PRId64, s->time_nanos);
	rci_jw_str(w, root, "time_nanos", buf);
	rci_jw_int(w, root, "duration_nanos", s->duration_nanos);
	rci_jw_int(w, root, "n_samples", (int64_t)s->n_samples);
	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "totals"));
	for (size_t i = 0; arr && i < s->n_sample_types; i++)
		rci_jw_int(w, arr, NULL, s->totals[i]);
	rci_jw_int(w, root, "n_locations", (int64_t)s->n_locations);
	rci_jw_int(w, root, "n_locations_unsymbolized", (int64_t)s->n_locations_unsymbolized);
	rci_jw_int(w, root, "n_functions", (int64_t)s->n_functions);
	rci_jw_bool(w, root, "has_main_mapping", s->has_main_mapping);
	rci_jw_bool(w, root, "main_has_functions", s->main_has_functions);
	rci_jw_str(w, root, "main_build_id", s->main_build_id);
	rci_jw_str(w, root, "main_filename", s->main_filename);
	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "top"));
	for (size_t i = 0; arr && i < s->n_top; i++) {
		o = rci_jw_push(w, arr, cJSON_CreateObject());
		rci_jw_str(w, o, "name", s->top[i].name);
		rci_jw_int(w, o, "flat", s->top[i].flat);
		jw_double(w, o, "flat_share", s->top[i].flat_share);
	}
	rci_jw_int(w, root, "goroutines", s->goroutines);
	rci_jw_str(w, root, "top_goroutine_stack", s->top_goroutine_stack);
	return root;
}

int rc_pprof_summary_write_json(const struct rc_pprof_summary *s, FILE *out, struct rc_err *err)
{
	struct rci_jw w = {0};
	int rc = check_writable(s, err);

	if (rc < 0)
		return rc;
	return rci_jw_finish(&w, summary_to_json(s, &w), out, "pprof summary", err);
}

/* JSON reading */

static int jr_count(struct rci_jr *r, const cJSON *o, const char *key, uint64_t *out)
{
	int64_t v = 0;
	int rc = rci_jr_int(r, o, "", key, 0, RCI_JSON_MAX_SAFE_INTEGER, &v);

	if (rc == 0)
		*out = (uint64_t)v;
	return rc;
}

/* A decimal int64 in a string ("1714564800123456789"). */
static int jr_int_string(struct rci_jr *r, const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *it = NULL;
	const char *v, *p;
	char *end;
	long long n;
	int rc = rci_jr_item(r, o, "", key, &it);

	if (rc < 0)
		return rc;
	if (!cJSON_IsString(it) || !it->valuestring)
		return rci_jr_fail(r, "", key, "must be a string of decimal digits");
	v = it->valuestring;
	p = *v == '-' ? v + 1 : v;
	if (*p < '0' || *p > '9' || strspn(p, "0123456789") != strlen(p))
		return rci_jr_fail(r, "", key, "must be a string of decimal digits");
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end)
		return rci_jr_fail(r, "", key, "must be a 64-bit integer");
	*out = n;
	return 0;
}

static int jr_value_type(struct rci_jr *r, const cJSON *o, const char *pre,
			 struct rc_pprof_value_type *vt)
{
	int rc = rci_jr_str(r, o, pre, "type", false, vt->type, sizeof(vt->type));

	if (rc == 0)
		rc = rci_jr_str(r, o, pre, "unit", false, vt->unit, sizeof(vt->unit));
	return rc;
}

static int read_sample_types(struct rci_jr *r, const cJSON *root, struct rc_pprof_summary *s)
{
	const cJSON *arr = NULL, *it;
	size_t n = 0, i = 0;
	int rc = rci_jr_array(r, root, "", "sample_types",
			      sizeof(s->sample_types) / sizeof(s->sample_types[0]), &arr, &n);

	if (rc < 0)
		return rc;
	s->n_sample_types = n;
	cJSON_ArrayForEach(it, arr)
	{
		char pre[48];

		snprintf(pre, sizeof(pre), "sample_types[%zu]", i);
		if (!cJSON_IsObject(it))
			return rci_jr_fail(r, pre, "", "must be an object");
		rc = jr_value_type(r, it, pre, &s->sample_types[i++]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int read_totals(struct rci_jr *r, const cJSON *root, struct rc_pprof_summary *s)
{
	const cJSON *arr = NULL, *it;
	size_t n = 0, i = 0;
	int rc = rci_jr_array(r, root, "", "totals", sizeof(s->totals) / sizeof(s->totals[0]), &arr,
			      &n);

	if (rc < 0)
		return rc;
	if (n != s->n_sample_types)
		return rci_jr_fail(r, "", "totals", "must have one element per sample type");
	cJSON_ArrayForEach(it, arr)
	{
		char key[48];

		snprintf(key, sizeof(key), "totals[%zu]", i);
		rc = rci_jr_int_item(r, it, "", key, -RCI_JSON_MAX_SAFE_INTEGER,
				     RCI_JSON_MAX_SAFE_INTEGER, &s->totals[i]);
		if (rc < 0)
			return rc;
		i++;
	}
	return 0;
}

static int read_top(struct rci_jr *r, const cJSON *root, struct rc_pprof_summary *s)
{
	const cJSON *arr = NULL, *it;
	size_t n = 0, i = 0;
	int rc = rci_jr_array(r, root, "", "top", RC_PPROF_TOP, &arr, &n);

	if (rc < 0)
		return rc;
	s->n_top = n;
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_pprof_func *f = &s->top[i];
		const cJSON *share = NULL;
		char pre[48];

		snprintf(pre, sizeof(pre), "top[%zu]", i++);
		if (!cJSON_IsObject(it))
			return rci_jr_fail(r, pre, "", "must be an object");
		rc = rci_jr_str(r, it, pre, "name", false, f->name, sizeof(f->name));
		if (rc == 0)
			rc = rci_jr_int(r, it, pre, "flat", -RCI_JSON_MAX_SAFE_INTEGER,
					RCI_JSON_MAX_SAFE_INTEGER, &f->flat);
		if (rc == 0)
			rc = rci_jr_item(r, it, pre, "flat_share", &share);
		if (rc < 0)
			return rc;
		if (!cJSON_IsNumber(share) || !isfinite(share->valuedouble))
			return rci_jr_fail(r, pre, "flat_share", "must be a number");
		f->flat_share = share->valuedouble;
	}
	return 0;
}

static int summary_from_json(struct rci_jr *r, const cJSON *root, struct rc_pprof_summary *s)
{
	const cJSON *it = NULL;
	int64_t v = 0;
	int rc = rci_jr_schema(r, root, RC_PPROF_SUMMARY_SCHEMA, "pprof summary");

	if (rc < 0)
		return rc;
	rc = read_sample_types(r, root, s);
	if (rc < 0)
		return rc;
	rc = rci_jr_int(r, root, "", "main_value", 0,
			s->n_sample_types ? (int64_t)s->n_sample_types - 1 : 0, &v);
	if (rc < 0)
		return rc;
	s->main_value = (size_t)v;
	rc = rci_jr_object(r, root, "", "period_type", &it);
	if (rc == 0)
		rc = jr_value_type(r, it, "period_type", &s->period_type);
	if (rc == 0)
		rc = rci_jr_int(r, root, "", "period", -RCI_JSON_MAX_SAFE_INTEGER,
				RCI_JSON_MAX_SAFE_INTEGER, &s->period);
	if (rc == 0)
		rc = jr_int_string(r, root, "time_nanos", &s->time_nanos);
	if (rc == 0)
		rc = rci_jr_int(r, root, "", "duration_nanos", -RCI_JSON_MAX_SAFE_INTEGER,
				RCI_JSON_MAX_SAFE_INTEGER, &s->duration_nanos);
	if (rc == 0)
		rc = jr_count(r, root, "n_samples", &s->n_samples);
	if (rc == 0)
		rc = read_totals(r, root, s);
	if (rc == 0)
		rc = jr_count(r, root, "n_locations", &s->n_locations);
	if (rc == 0)
		rc = jr_count(r, root, "n_locations_unsymbolized", &s->n_locations_unsymbolized);
	if (rc == 0 && s->n_locations_unsymbolized > s->n_locations)
		rc = rci_jr_fail(r, "", "n_locations_unsymbolized", "must not exceed n_locations");
	if (rc == 0)
		rc = jr_count(r, root, "n_functions", &s->n_functions);
	if (rc == 0)
		rc = rci_jr_bool(r, root, "", "has_main_mapping", &s->has_main_mapping);
	if (rc == 0)
		rc = rci_jr_bool(r, root, "", "main_has_functions", &s->main_has_functions);
	if (rc == 0)
		rc = rci_jr_str(r, root, "", "main_build_id", false, s->main_build_id,
				sizeof(s->main_build_id));
	if (rc == 0)
		rc = rci_jr_str(r, root, "", "main_filename", false, s->main_filename,
				sizeof(s->main_filename));
	if (rc == 0)
		rc = read_top(r, root, s);
	if (rc == 0)
		rc = rci_jr_int(r, root, "", "goroutines", -1, RCI_JSON_MAX_SAFE_INTEGER,
				&s->goroutines);
	if (rc == 0)
		rc = rci_jr_str(r, root, "", "top_goroutine_stack", false, s->top_goroutine_stack,
				sizeof(s->top_goroutine_stack));
	return rc;
}

int rc_pprof_summary_read_json(const char *path, struct rc_pprof_summary *out, struct rc_err *err)
{
	struct rci_jr r = {.file = path, .err = err};
	struct rc_pprof_summary *s = NULL;
	cJSON *root = NULL;
	int rc =
		rci_json_load_file(path, MAX_SUMMARY_FILE, "pprof summary", &root, NULL, NULL, err);

	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	rc = s ? summary_from_json(&r, root, s) : rci_jr_oom(&r);
	if (rc == 0)
		*out = *s;
	free(s);
	cJSON_Delete(root);
	return rc;
}
