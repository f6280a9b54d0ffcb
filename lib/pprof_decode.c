/* SPDX-License-Identifier: MIT */
/*
 * pprof profiles reduced to a summary: zlib inflates the gzip wrapper,
 * protobuf-c (code generated from proto/profile.proto at build time) unpacks
 * the message, and one pass over it checks every reference and adds up the
 * totals and the flat value per function. Also the goroutine text of
 * /debug/pprof/goroutine?debug=1. The summary's JSON form is in pprof_summary.c.
 *
 * Profiles of a busy server are tens of megabytes decompressed, hundreds of
 * thousands of samples. protobuf-c allocates every sub-message separately, so
 * it gets an arena allocator (freed in one go); ids are mapped to indexes
 * through a direct table when they are dense, as Go writes them (1..n), else a
 * hash table; nothing is allocated per sample.
 */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <reloadcheck/error.h>
#include <reloadcheck/pprof.h>

#include "arena.h"
#include "profile.pb-c.h"

#define DEFAULT_MAX_DECOMPRESSED ((size_t)256 << 20)
#define MAX_DEFLATE_RATIO 1032 /* deflate's best case: 258 bytes from 2 bits */

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;

static const char *subject(const char *what)
{
	return what ? what : "profile";
}

/* Copy @src into @dst of @size bytes, cut at a UTF-8 character boundary if too long. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* protobuf-c's arena: chunks from 64 KiB, doubling up to 64 MiB for large profiles. */
#define ARENA_MIN_CHUNK ((size_t)64 << 10)
#define ARENA_MAX_CHUNK ((size_t)64 << 20)

/* gzip */

static void format_limit(size_t limit, char *buf, size_t size)
{
	if (limit >= ((size_t)1 << 20) && limit % ((size_t)1 << 20) == 0)
		snprintf(buf, size, "%zu MiB", limit >> 20);
	else
		snprintf(buf, size, "%zu bytes", limit);
}

/*
 * Inflate the gzip stream (members) in @data into a malloc'd buffer of at most
 * @max bytes: *@out (the caller frees) and *@out_len.
 */
static int gunzip(const unsigned char *data, size_t len, size_t max, const char *what,
		  unsigned char **out, size_t *out_len, struct rc_err *err)
{
	z_stream zs = {0};
	unsigned char *buf = NULL;
	size_t cap, total = 0, hint;
	char limit[32];
	int rc = 0, zrc;

	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory for zlib", what);
	/*
	 * The trailer's ISIZE (the size mod 2^32) is a hint for the first buffer,
	 * bounded by what deflate can expand @len bytes to and by the limit.
	 */
	hint = (size_t)data[len - 4] | (size_t)data[len - 3] << 8 | (size_t)data[len - 2] << 16 |
	       (size_t)data[len - 1] << 24;
	cap = hint < SIZE_MAX - 1 ? hint + 1 : hint;
	if (len < (SIZE_MAX - 65536) / MAX_DEFLATE_RATIO && cap > len * MAX_DEFLATE_RATIO + 65536)
		cap = len * MAX_DEFLATE_RATIO + 65536;
	if (cap < 65536)
		cap = 65536;
	if (cap > max + 1)
		cap = max + 1;
	buf = rci_alloc_big(&cap);
	if (!buf) {
		rc = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory for %zu bytes", what, cap);
		goto out;
	}
	zs.next_in = (unsigned char *)data;
	for (;;) {
		size_t in_left = len - (size_t)(zs.next_in - data);
		size_t out_left = cap - total;

		if (out_left == 0) {
			/* total <= max here: the check below stopped at max + 1. */
			unsigned char *nbuf;
			size_t ncap;

			ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			nbuf = rci_alloc_big(&ncap);
			if (nbuf)
				memcpy(nbuf, buf, total);
			free(buf);
			buf = nbuf;
			if (!buf) {
				rc = rc_err_set(err, -RC_ENOMEM,
						"'%s': out of memory for %zu bytes", what, ncap);
				goto out;
			}
			cap = ncap;
			out_left = cap - total;
		}
		zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
		zs.next_out = buf + total;
		zs.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
		zrc = inflate(&zs, Z_NO_FLUSH);
		total = (size_t)(zs.next_out - buf);
		in_left = len - (size_t)(zs.next_in - data);
		if (total > max) {
			format_limit(max, limit, sizeof(limit));
			rc = rc_err_set(
				err, -RC_EFORMAT,
				"'%s': profile larger than %s when decompressed (a gzip bomb?)",
				what, limit);
			goto out;
		}
		if (zrc == Z_STREAM_END) {
			if (in_left == 0)
				break;
			/* Another gzip member, as gzip -c a b > ab makes; anything else is wrong. */
			if (in_left >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			rc = rc_err_set(err, -RC_EFORMAT,
					"'%s': %zu bytes of trailing data after the gzip stream",
					what, in_left);
			goto out;
		}
		if (zrc == Z_BUF_ERROR && in_left == 0) {
			rc = rc_err_set(err, -RC_EFORMAT, "'%s': truncated gzip stream", what);
			goto out;
		}
		if (zrc == Z_BUF_ERROR && zs.avail_out == 0)
			continue; /* grow */
		if (zrc == Z_MEM_ERROR) {
			rc = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory in zlib", what);
			goto out;
		}
		if (zrc != Z_OK) {
			rc = rc_err_set(err, -RC_EFORMAT, "'%s': corrupt gzip stream: %s", what,
					zs.msg ? zs.msg : "bad data");
			goto out;
		}
	}
	*out = buf;
	*out_len = total;
	buf = NULL;
out:
	inflateEnd(&zs);
	free(buf);
	return rc;
}

/* id -> index: a direct table for dense ids (Go's 1..n), else open addressing. */

struct idmap {
	uint32_t *slot; /* direct: [id] = index + 1; hash: index + 1 beside keys[] */
	uint64_t *keys; /* hash only; 0 = empty (ids are non-zero) */
	size_t size;	/* direct: max id + 1; hash: a power of two */
	bool direct;
};

static inline size_t id_hash(uint64_t id, size_t mask)
{
	return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
}

static void idmap_release(struct idmap *m)
{
	free(m->slot);
	free(m->keys);
}

/*
 * Map the ids of the @n messages of @arr (id_of(arr, i)): 0 on success, 1 for
 * a zero id, 2 for a duplicate (*@bad = its position), -1 out of memory.
 */
static int idmap_build(struct idmap *m, size_t n, uint64_t (*id_of)(const void *, size_t),
		       const void *arr, size_t *bad)
{
	uint64_t max = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		uint64_t id = id_of(arr, i);

		if (id == 0) {
			*bad = i;
			return 1;
		}
		if (id > max)
			max = id;
	}
	if (n >= UINT32_MAX)
		return -1;
	if (max <= (uint64_t)n * 4 + 1024) {
		m->direct = true;
		m->size = (size_t)max + 1;
		m->slot = calloc(m->size, sizeof(*m->slot));
		if (!m->slot)
			return -1;
		for (size_t i = 0; i < n; i++) {
			uint64_t id = id_of(arr, i);

			if (m->slot[id]) {
				*bad = i;
				return 2;
			}
			m->slot[id] = (uint32_t)i + 1;
		}
		return 0;
	}
	m->size = 16;
	while (m->size < n * 2)
		m->size *= 2;
	m->slot = calloc(m->size, sizeof(*m->slot));
	m->keys = calloc(m->size, sizeof(*m->keys));
	if (!m->slot || !m->keys)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = id_of(arr, i);
		size_t h = id_hash(id, m->size - 1);

		while (m->keys[h] && m->keys[h] != id)
			h = (h + 1) & (m->size - 1);
		if (m->keys[h]) {
			*bad = i;
			return 2;
		}
		m->keys[h] = id;
		m->slot[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* Index of @id, or -1. */
static inline int64_t idmap_find(const struct idmap *m, uint64_t id)
{
	size_t h;

	if (m->direct)
		return id < m->size ? (int64_t)m->slot[id] - 1 : -1;
	if (!m->keys || id == 0)
		return -1;
	h = id_hash(id, m->size - 1);
	while (m->keys[h]) {
		if (m->keys[h] == id)
			return (int64_t)m->slot[h] - 1;
		h = (h + 1) & (m->size - 1);
	}
	return -1;
}

static uint64_t mapping_id(const void *arr, size_t i)
{
	return ((Mapping *const *)arr)[i]->id;
}

static uint64_t location_id(const void *arr, size_t i)
{
	return ((Location *const *)arr)[i]->id;
}

static uint64_t function_id(const void *arr, size_t i)
{
	return ((Function *const *)arr)[i]->id;
}

/* Functions grouped by name: the flat value is per name ("" for unknown). */

struct group {
	const char *name;
	int64_t flat;
};

struct name_table {
	uint32_t *slot; /* group + 1, 0 = empty */
	size_t mask;
	struct group *groups;
	size_t n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

static uint32_t name_group(struct name_table *t, const char *name)
{
	size_t h = (size_t)str_hash(name) & t->mask;

	while (t->slot[h]) {
		uint32_t g = t->slot[h] - 1;

		if (strcmp(t->groups[g].name, name) == 0)
			return g;
		h = (h + 1) & t->mask;
	}
	t->groups[t->n] = (struct group){.name = name};
	t->slot[h] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->flat != y->flat)
		return x->flat > y->flat ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Validation and the summary */

struct sum {
	const Profile *p;
	const char *what;
	struct rc_err *err;
	struct rc_pprof_summary *s;
	struct idmap maps, locs, funcs;
	struct name_table names;
	uint32_t *func_group; /* per function */
	uint32_t *loc_group;  /* per location: the group of its innermost function */
};

static bool str_ok(const Profile *p, int64_t i)
{
	return i >= 0 && (uint64_t)i < p->n_string_table;
}

static int bad_str(struct sum *m, const char *where, size_t i, const char *field, int64_t idx)
{
	return rc_err_set(m->err, -RC_EFORMAT,
			  "'%s': %s %zu: %s string index %" PRId64
			  " out of range (the string table has %zu entries)",
			  m->what, where, i, field, idx, m->p->n_string_table);
}

static int oom(struct sum *m)
{
	return rc_err_set(m->err, -RC_ENOMEM, "'%s': out of memory while summarising the profile",
			  m->what);
}

static int check_value_type(struct sum *m, const ValueType *vt, const char *where, size_t i,
			    struct rc_pprof_value_type *out)
{
	if (!str_ok(m->p, vt->type))
		return bad_str(m, where, i, "type", vt->type);
	if (!str_ok(m->p, vt->unit))
		return bad_str(m, where, i, "unit", vt->unit);
	copy_str(out->type, sizeof(out->type), m->p->string_table[vt->type]);
	copy_str(out->unit, sizeof(out->unit), m->p->string_table[vt->unit]);
	return 0;
}

static int id_error(struct sum *m, int rc, const char *kind, uint64_t id, size_t i)
{
	if (rc < 0)
		return oom(m);
	if (rc == 1)
		return rc_err_set(m->err, -RC_EFORMAT, "'%s': %s %zu has id 0 (ids are non-zero)",
				  m->what, kind, i);
	return rc_err_set(m->err, -RC_EFORMAT, "'%s': %s id %" PRIu64 " appears twice", m->what,
			  kind, id);
}

static int sum_header(struct sum *m)
{
	const Profile *p = m->p;
	struct rc_pprof_summary *s = m->s;
	int rc;

	if (p->n_string_table == 0)
		return rc_err_set(m->err, -RC_EFORMAT,
				  "'%s': the string table is empty (entry 0 must be \"\")",
				  m->what);
	if (p->string_table[0][0] != '\0')
		return rc_err_set(m->err, -RC_EFORMAT,
				  "'%s': the string table does not start with \"\"", m->what);
	if (p->n_sample_type > sizeof(s->sample_types) / sizeof(s->sample_types[0]))
		return rc_err_set(m->err, -RC_ENOTSUP,
				  "'%s': %zu sample types, more than the %zu a summary holds",
				  m->what, p->n_sample_type,
				  sizeof(s->sample_types) / sizeof(s->sample_types[0]));
	s->n_sample_types = p->n_sample_type;
	s->main_value = p->n_sample_type ? p->n_sample_type - 1 : 0;
	for (size_t i = 0; i < p->n_sample_type; i++) {
		rc = check_value_type(m, p->sample_type[i], "sample type", i, &s->sample_types[i]);
		if (rc < 0)
			return rc;
	}
	for (size_t i = p->n_sample_type; i-- > 0;)
		if (strcmp(p->string_table[p->sample_type[i]->type], "cpu") == 0)
			s->main_value = i;
	if (p->period_type) {
		rc = check_value_type(m, p->period_type, "period type", 0, &s->period_type);
		if (rc < 0)
			return rc;
	}
	if (!str_ok(p, p->drop_frames))
		return bad_str(m, "profile", 0, "drop_frames", p->drop_frames);
	if (!str_ok(p, p->keep_frames))
		return bad_str(m, "profile", 0, "keep_frames", p->keep_frames);
	if (!str_ok(p, p->default_sample_type))
		return bad_str(m, "profile", 0, "default_sample_type", p->default_sample_type);
	for (size_t i = 0; i < p->n_comment; i++)
		if (!str_ok(p, p->comment[i]))
			return bad_str(m, "comment", i, "comment", p->comment[i]);
	s->period = p->period;
	s->time_nanos = p->time_nanos;
	s->duration_nanos = p->duration_nanos;
	return 0;
}

static int sum_mappings(struct sum *m)
{
	const Profile *p = m->p;
	struct rc_pprof_summary *s = m->s;
	size_t bad = 0;
	int rc;

	for (size_t i = 0; i < p->n_mapping; i++) {
		const Mapping *mp = p->mapping[i];

		if (!str_ok(p, mp->filename))
			return bad_str(m, "mapping", i, "filename", mp->filename);
		if (!str_ok(p, mp->build_id))
			return bad_str(m, "mapping", i, "build_id", mp->build_id);
	}
	rc = idmap_build(&m->maps, p->n_mapping, mapping_id, p->mapping, &bad);
	if (rc)
		return id_error(m, rc, "mapping", rc == 2 ? p->mapping[bad]->id : 0, bad);
	if (p->n_mapping) {
		s->has_main_mapping = true;
		s->main_has_functions = p->mapping[0]->has_functions;
		copy_str(s->main_build_id, sizeof(s->main_build_id),
			 p->string_table[p->mapping[0]->build_id]);
		copy_str(s->main_filename, sizeof(s->main_filename),
			 p->string_table[p->mapping[0]->filename]);
	}
	return 0;
}

static int sum_functions(struct sum *m)
{
	const Profile *p = m->p;
	struct name_table *t = &m->names;
	size_t bad = 0, size = 16;
	int rc;

	for (size_t i = 0; i < p->n_function; i++) {
		const Function *f = p->function[i];

		if (!str_ok(p, f->name))
			return bad_str(m, "function", i, "name", f->name);
		if (!str_ok(p, f->system_name))
			return bad_str(m, "function", i, "system_name", f->system_name);
		if (!str_ok(p, f->filename))
			return bad_str(m, "function", i, "filename", f->filename);
	}
	rc = idmap_build(&m->funcs, p->n_function, function_id, p->function, &bad);
	if (rc)
		return id_error(m, rc, "function", rc == 2 ? p->function[bad]->id : 0, bad);
	/* Group 0 is "": functions without a name and locations without a function. */
	while (size < (p->n_function + 1) * 2)
		size *= 2;
	t->mask = size - 1;
	t->slot = calloc(size, sizeof(*t->slot));
	t->groups = malloc((p->n_function + 1) * sizeof(*t->groups));
	m->func_group = malloc((p->n_function + 1) * sizeof(*m->func_group));
	if (!t->slot || !t->groups || !m->func_group)
		return oom(m);
	name_group(t, "");
	for (size_t i = 0; i < p->n_function; i++)
		m->func_group[i] = name_group(t, p->string_table[p->function[i]->name]);
	m->s->n_functions = p->n_function;
	return 0;
}

static int sum_locations(struct sum *m)
{
	const Profile *p = m->p;
	size_t bad = 0;
	uint64_t unsym = 0;
	int rc;

	rc = idmap_build(&m->locs, p->n_location, location_id, p->location, &bad);
	if (rc)
		return id_error(m, rc, "location", rc == 2 ? p->location[bad]->id : 0, bad);
	m->loc_group = malloc((p->n_location + 1) * sizeof(*m->loc_group));
	if (!m->loc_group)
		return oom(m);
	for (size_t i = 0; i < p->n_location; i++) {
		const Location *l = p->location[i];
		bool symbolized = false;

		if (l->mapping_id && idmap_find(&m->maps, l->mapping_id) < 0)
			return rc_err_set(m->err, -RC_EFORMAT,
					  "'%s': location %" PRIu64 " refers to mapping %" PRIu64
					  ", which does not exist",
					  m->what, l->id, l->mapping_id);
		m->loc_group[i] = 0;
		for (size_t j = 0; j < l->n_line; j++) {
			uint64_t fid = l->line[j]->function_id;
			int64_t fi;

			if (!fid)
				continue;
			fi = idmap_find(&m->funcs, fid);
			if (fi < 0)
				return rc_err_set(m->err, -RC_EFORMAT,
						  "'%s': location %" PRIu64
						  " refers to function %" PRIu64
						  ", which does not exist",
						  m->what, l->id, fid);
			if (p->string_table[p->function[fi]->name][0])
				symbolized = true;
			if (j == 0)
				m->loc_group[i] = m->func_group[fi];
		}
		if (!symbolized)
			unsym++;
	}
	m->s->n_locations = p->n_location;
	m->s->n_locations_unsymbolized = unsym;
	return 0;
}

static int sum_samples(struct sum *m)
{
	const Profile *p = m->p;
	struct rc_pprof_summary *s = m->s;
	struct group *groups = m->names.groups;
	const size_t nt = p->n_sample_type, mv = s->main_value;

	for (size_t i = 0; i < p->n_sample; i++) {
		const Sample *smp = p->sample[i];

		if (smp->n_value != nt)
			return rc_err_set(m->err, -RC_EFORMAT,
					  "'%s': sample %zu has %zu values for %zu sample types",
					  m->what, i, smp->n_value, nt);
		for (size_t j = 0; j < smp->n_location_id; j++) {
			int64_t li = idmap_find(&m->locs, smp->location_id[j]);

			if (li < 0)
				return rc_err_set(m->err, -RC_EFORMAT,
						  "'%s': sample %zu refers to location %" PRIu64
						  ", which does not exist",
						  m->what, i, smp->location_id[j]);
			if (j == 0 && nt &&
			    __builtin_add_overflow(groups[m->loc_group[li]].flat, smp->value[mv],
						   &groups[m->loc_group[li]].flat))
				return rc_err_set(
					m->err, -RC_EFORMAT,
					"'%s': the flat value of '%.80s' overflows 64 bits",
					m->what, groups[m->loc_group[li]].name);
		}
		for (size_t j = 0; j < nt; j++)
			if (__builtin_add_overflow(s->totals[j], smp->value[j], &s->totals[j]))
				return rc_err_set(
					m->err, -RC_EFORMAT,
					"'%s': the total of sample type '%s' overflows 64 bits",
					m->what, s->sample_types[j].type);
		for (size_t j = 0; j < smp->n_label; j++) {
			const Perftools__Profiles__Label *lb = smp->label[j];

			if (!str_ok(p, lb->key))
				return bad_str(m, "sample", i, "label key", lb->key);
			if (!str_ok(p, lb->str))
				return bad_str(m, "sample", i, "label str", lb->str);
			if (!str_ok(p, lb->num_unit))
				return bad_str(m, "sample", i, "label num_unit", lb->num_unit);
		}
	}
	s->n_samples = p->n_sample;
	return 0;
}

static void sum_top(struct sum *m)
{
	struct rc_pprof_summary *s = m->s;
	const struct group *g = m->names.groups;
	struct group best[RC_PPROF_TOP];
	size_t n = 0;
	int64_t total = s->n_sample_types ? s->totals[s->main_value] : 0;

	/* Insertion into the few best: most groups lose to the last of them at once. */
	for (size_t i = 0; i < m->names.n; i++) {
		size_t j;

		if (g[i].flat == 0 || (n == RC_PPROF_TOP && cmp_group(&g[i], &best[n - 1]) >= 0))
			continue;
		j = n < RC_PPROF_TOP ? n++ : RC_PPROF_TOP - 1;
		for (; j > 0 && cmp_group(&g[i], &best[j - 1]) < 0; j--)
			best[j] = best[j - 1];
		best[j] = g[i];
	}
	for (size_t i = 0; i < n; i++) {
		struct rc_pprof_func *f = &s->top[i];

		copy_str(f->name, sizeof(f->name), best[i].name);
		f->flat = best[i].flat;
		f->flat_share = total ? (double)best[i].flat / (double)total : 0.0;
	}
	s->n_top = n;
}

static int summarise(const Profile *p, const char *what, struct rc_pprof_summary *s,
		     struct rc_err *err)
{
	struct sum m = {.p = p, .what = what, .err = err, .s = s};
	int rc;

	rc = sum_header(&m);
	if (rc == 0)
		rc = sum_mappings(&m);
	if (rc == 0)
		rc = sum_functions(&m);
	if (rc == 0)
		rc = sum_locations(&m);
	if (rc == 0)
		rc = sum_samples(&m);
	if (rc == 0)
		sum_top(&m);
	idmap_release(&m.maps);
	idmap_release(&m.locs);
	idmap_release(&m.funcs);
	free(m.names.slot);
	free(m.names.groups);
	free(m.func_group);
	free(m.loc_group);
	return rc;
}

int rc_pprof_decode(const unsigned char *data, size_t len, const struct rc_pprof_limits *lim,
		    const char *what, struct rc_pprof_summary *out, struct rc_err *err)
{
	size_t max =
		lim && lim->max_decompressed ? lim->max_decompressed : DEFAULT_MAX_DECOMPRESSED;
	struct rci_arena arena = {0};
	ProtobufCAllocator alloc = {
		.alloc = rci_arena_pb_alloc,
		.free = rci_arena_pb_free,
		.allocator_data = &arena,
	};
	struct rc_pprof_summary *s = NULL;
	unsigned char *raw = NULL;
	Profile *p;
	size_t chunk;
	int rc;

	what = subject(what);
	if (len == 0)
		return rc_err_set(err, -RC_EFORMAT, "'%s': empty, not a profile", what);
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		size_t raw_len = 0;

		if (len < 18)
			return rc_err_set(err, -RC_EFORMAT, "'%s': truncated gzip stream", what);
		rc = gunzip(data, len, max, what, &raw, &raw_len, err);
		if (rc < 0)
			return rc;
		if (raw_len == 0) {
			free(raw);
			return rc_err_set(err, -RC_EFORMAT,
					  "'%s': empty when decompressed, not a profile", what);
		}
		data = raw;
		len = raw_len;
	}
	/* Sized for a large profile, and grown as protobuf-c asks. */
	chunk = ARENA_MIN_CHUNK;
	while (chunk < len && chunk < ARENA_MAX_CHUNK)
		chunk *= 2;
	rci_arena_init(&arena, chunk, ARENA_MAX_CHUNK);
	p = perftools__profiles__profile__unpack(&alloc, len, data);
	free(raw);
	if (!p) {
		if (arena.oom)
			rc = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory decoding the profile",
					what);
		else
			rc = rc_err_set(err, -RC_EFORMAT, "'%s': not a valid profile.proto message",
					what);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", what);
		goto out;
	}
	s->goroutines = -1;
	rc = summarise(p, what, s, err);
	if (rc == 0)
		*out = *s;
out:
	free(s);
	rci_arena_release(&arena);
	return rc;
}

/* The goroutine text */

#define GOROUTINE_HEADER "goroutine profile: total "

int rc_pprof_parse_goroutines(const char *text, size_t len, const char *what,
			      struct rc_pprof_summary *out, struct rc_err *err)
{
	const size_t hlen = sizeof(GOROUTINE_HEADER) - 1,
		     max = sizeof(out->top_goroutine_stack) - 1;
	const char *nl, *block, *end;
	size_t l1, blen, i;
	int64_t n = 0;

	what = subject(what);
	if (!text)
		len = 0;
	nl = len ? memchr(text, '\n', len) : NULL;
	l1 = nl ? (size_t)(nl - text) : len;
	if (l1 > 0 && text[l1 - 1] == '\r')
		l1--;
	i = hlen;
	if (l1 > hlen && memcmp(text, GOROUTINE_HEADER, hlen) == 0) {
		for (; i < l1 && text[i] >= '0' && text[i] <= '9'; i++) {
			int d = text[i] - '0';

			if (n > (INT64_MAX - d) / 10)
				break;
			n = n * 10 + d;
		}
	}
	if (i == hlen || i != l1) {
		char first[64];
		size_t k;

		for (k = 0; k < l1 && k < 48; k++)
			first[k] = text[k] >= 0x20 && text[k] < 0x7f ? text[k] : '?';
		first[k] = '\0';
		return rc_err_set(err, -RC_EFORMAT,
				  "'%s': not a goroutine profile (first line is '%s%s')", what,
				  first, l1 > k ? "..." : "");
	}
	/* The first stack: up to the blank line that ends it. Go sorts by count. */
	block = nl ? nl + 1 : text + len;
	end = block;
	while (end < text + len) {
		const char *e = memchr(end, '\n', (size_t)(text + len - end));
		const char *line_end = e ? e : text + len;

		if (line_end == end || (line_end == end + 1 && *end == '\r'))
			break;
		end = e ? e + 1 : text + len;
	}
	blen = (size_t)(end - block);
	while (blen > 0 && (block[blen - 1] == '\n' || block[blen - 1] == '\r'))
		blen--;
	if (blen > max) {
		/* Whole lines when at least one fits, else a UTF-8 boundary. */
		const char *cut = memrchr(block, '\n', max + 1);

		if (cut && cut > block) {
			blen = (size_t)(cut - block);
		} else {
			blen = max;
			while (blen > 0 && ((unsigned char)block[blen] & 0xC0) == 0x80)
				blen--;
		}
	}
	out->goroutines = n;
	memcpy(out->top_goroutine_stack, block, blen);
	out->top_goroutine_stack[blen] = '\0';
	return 0;
}

double rc_pprof_unsymbolized_share(const struct rc_pprof_summary *s)
{
	if (!s->n_locations)
		return 0.0;
	return (double)s->n_locations_unsymbolized / (double)s->n_locations;
}
