/* SPDX-License-Identifier: MIT */
/*
 * pprof decoding: profiles built here with the protobuf-c code generated from
 * lib/proto/profile.proto (and gzipped with zlib), hand-written bytes for the
 * packed and unpacked encodings, every kind of broken reference, broken gzip
 * and a gzip bomb; a real Go CPU profile checked against what `go tool pprof
 * -raw` reads from it (both made at build time, see CMakeLists.txt); the
 * goroutine text; the summary's JSON round trip and bad summary files.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include <reloadcheck/error.h>
#include <reloadcheck/pprof.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;

#define PERIOD 10000000
#define MIB ((size_t)1 << 20)

/* Helpers */

struct buf {
	unsigned char *data;
	size_t len;
};

static void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static struct buf gzip_bytes(const void *in, size_t len)
{
	z_stream zs = {0};
	struct buf b;
	size_t cap;

	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	cap = deflateBound(&zs, (uLong)len);
	b.data = malloc(cap);
	ck_assert_ptr_nonnull(b.data);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = b.data;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	b.len = zs.total_out;
	deflateEnd(&zs);
	return b;
}

/* @mib MiB of zeros, gzipped (about 1 KB per MiB). */
static struct buf gzip_zeros(size_t mib)
{
	z_stream zs = {0};
	unsigned char *zeros = calloc(1, MIB);
	struct buf b;
	size_t cap = mib * 1100 + 4096;

	ck_assert_ptr_nonnull(zeros);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
			 Z_OK);
	b.data = malloc(cap);
	ck_assert_ptr_nonnull(b.data);
	zs.next_out = b.data;
	zs.avail_out = (uInt)cap;
	for (size_t i = 0; i < mib; i++) {
		zs.next_in = zeros;
		zs.avail_in = (uInt)MIB;
		ck_assert_int_eq(deflate(&zs, i + 1 == mib ? Z_FINISH : Z_NO_FLUSH),
				 i + 1 == mib ? Z_STREAM_END : Z_OK);
		ck_assert_uint_eq(zs.avail_in, 0);
	}
	b.len = zs.total_out;
	deflateEnd(&zs);
	free(zeros);
	return b;
}

static struct buf pack(const Profile *p)
{
	struct buf b;

	b.len = perftools__profiles__profile__get_packed_size(p);
	b.data = malloc(b.len ? b.len : 1);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(perftools__profiles__profile__pack(p, b.data), b.len);
	return b;
}

static struct buf read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	size_t cap = 0, n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (b.len == cap) {
			cap = cap ? cap * 2 : 65536;
			b.data = realloc(b.data, cap + 1);
			ck_assert_ptr_nonnull(b.data);
		}
		n = fread(b.data + b.len, 1, cap - b.len, f);
		if (n == 0)
			break;
		b.len += n;
	}
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	b.data[b.len] = '\0';
	return b;
}

static int decode(const struct buf *b, size_t limit, struct rc_pprof_summary *s, struct rc_err *err)
{
	struct rc_pprof_limits lim = {.max_decompressed = limit};

	return rc_pprof_decode(b->data, b->len, &lim, "prof.pb.gz", s, err);
}

/* A decode that must fail with -RC_EFORMAT, a message containing @needle, and @out untouched. */
static void expect_bad(const struct buf *b, size_t limit, const char *needle)
{
	struct rc_pprof_summary s;
	struct rc_err err = {0};
	int rc;

	memset(&s, 0x5a, sizeof(s));
	rc = decode(b, limit, &s, &err);
	ck_assert_msg(rc == -RC_EFORMAT, "rc %d (%s), wanted -RC_EFORMAT with '%s'", rc, err.msg,
		      needle);
	ck_assert_int_eq(err.code, -RC_EFORMAT);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "message '%s' lacks '%s'", err.msg, needle);
	ck_assert_msg(strncmp(err.msg, "'prof.pb.gz': ", 14) == 0, "message '%s' lacks the subject",
		      err.msg);
	for (size_t i = 0; i < sizeof(s); i++)
		ck_assert_msg(((unsigned char *)&s)[i] == 0x5a, "output written at byte %zu", i);
}

static void assert_summary_eq(const struct rc_pprof_summary *a, const struct rc_pprof_summary *b)
{
	ck_assert_uint_eq(a->n_sample_types, b->n_sample_types);
	for (size_t i = 0; i < a->n_sample_types; i++) {
		ck_assert_str_eq(a->sample_types[i].type, b->sample_types[i].type);
		ck_assert_str_eq(a->sample_types[i].unit, b->sample_types[i].unit);
		ck_assert_int_eq(a->totals[i], b->totals[i]);
	}
	ck_assert_uint_eq(a->main_value, b->main_value);
	ck_assert_str_eq(a->period_type.type, b->period_type.type);
	ck_assert_str_eq(a->period_type.unit, b->period_type.unit);
	ck_assert_int_eq(a->period, b->period);
	ck_assert_int_eq(a->time_nanos, b->time_nanos);
	ck_assert_int_eq(a->duration_nanos, b->duration_nanos);
	ck_assert_uint_eq(a->n_samples, b->n_samples);
	ck_assert_uint_eq(a->n_locations, b->n_locations);
	ck_assert_uint_eq(a->n_locations_unsymbolized, b->n_locations_unsymbolized);
	ck_assert_uint_eq(a->n_functions, b->n_functions);
	ck_assert(a->has_main_mapping == b->has_main_mapping);
	ck_assert(a->main_has_functions == b->main_has_functions);
	ck_assert_str_eq(a->main_build_id, b->main_build_id);
	ck_assert_str_eq(a->main_filename, b->main_filename);
	ck_assert_uint_eq(a->n_top, b->n_top);
	for (size_t i = 0; i < a->n_top; i++) {
		ck_assert_str_eq(a->top[i].name, b->top[i].name);
		ck_assert_int_eq(a->top[i].flat, b->top[i].flat);
		/* Exact: the JSON round trip must not lose a bit. */
		ck_assert_msg(
			memcmp(&a->top[i].flat_share, &b->top[i].flat_share, sizeof(double)) == 0,
			"top[%zu].flat_share %.17g != %.17g", i, a->top[i].flat_share,
			b->top[i].flat_share);
	}
	ck_assert_int_eq(a->goroutines, b->goroutines);
	ck_assert_str_eq(a->top_goroutine_stack, b->top_goroutine_stack);
}

/*
 * The hand-built CPU profile: 2 sample types, 3 functions, 5 locations (the
 * fifth has no line: unsymbolized; the fourth has beta inlined into gamma),
 * 10 samples. Leaf counts: beta 10, alpha 9, "" 6, gamma 2; 27 in all.
 */
enum {
	S_EMPTY,
	S_SAMPLES,
	S_COUNT,
	S_CPU,
	S_NS,
	S_ALPHA,
	S_BETA,
	S_GAMMA,
	S_FILE,
	S_BUILD_ID,
	S_SRC,
	S_THREAD,
	S_MAIN,
	N_STRINGS
};

struct fx {
	Profile p;
	char *strings[N_STRINGS];
	ValueType st[2], pt, *stp[2];
	Mapping map, *mapp[1];
	Function fn[3], *fnp[3];
	Line ln[5], *lnp[5];
	Location loc[5], *locp[5];
	Sample smp[10], *smpp[10];
	uint64_t locids[10][3];
	int64_t vals[10][2];
	Label label, *labelp[1];
};

static const struct {
	int64_t count;
	uint64_t locs[3];
	size_t n_locs;
} fx_samples[10] = {
	{5, {1, 3}, 2},	   {3, {1}, 1},	      {4, {2, 3}, 2}, {2, {4, 3}, 2}, {1, {3}, 1},
	{6, {5, 1, 3}, 3}, {1, {1, 2, 3}, 3}, {2, {2}, 1},    {1, {3, 1}, 2}, {2, {4}, 1},
};

static void fx_init(struct fx *f)
{
	static const char *const strings[N_STRINGS] = {
		"",	      "samples",   "count",	 "cpu",	     "nanoseconds",
		"main.alpha", "main.beta", "main.gamma", "/srv/app", "4f1c0de5",
		"main.go",    "thread",	   "main",
	};
	/* Lines: loc1 alpha, loc2 beta, loc3 gamma, loc4 beta inlined into gamma. */
	static const struct {
		uint64_t fn;
		int64_t line;
	} lines[5] = {{1, 10}, {2, 20}, {3, 30}, {2, 21}, {3, 31}};
	static const size_t loc_lines[5][2] = {{0, 1}, {1, 1}, {2, 1}, {3, 2}, {0, 0}};

	memset(f, 0, sizeof(*f));
	perftools__profiles__profile__init(&f->p);
	for (size_t i = 0; i < N_STRINGS; i++)
		f->strings[i] = (char *)strings[i];
	f->p.n_string_table = N_STRINGS;
	f->p.string_table = f->strings;
	for (size_t i = 0; i < 2; i++) {
		perftools__profiles__value_type__init(&f->st[i]);
		f->st[i].type = i ? S_CPU : S_SAMPLES;
		f->st[i].unit = i ? S_NS : S_COUNT;
		f->stp[i] = &f->st[i];
	}
	f->p.n_sample_type = 2;
	f->p.sample_type = f->stp;
	perftools__profiles__value_type__init(&f->pt);
	f->pt.type = S_CPU;
	f->pt.unit = S_NS;
	f->p.period_type = &f->pt;
	f->p.period = PERIOD;
	f->p.time_nanos = INT64_C(1700000000123456789);
	f->p.duration_nanos = INT64_C(2000000000);

	perftools__profiles__mapping__init(&f->map);
	f->map.id = 1;
	f->map.memory_start = 0x400000;
	f->map.memory_limit = 0x500000;
	f->map.filename = S_FILE;
	f->map.build_id = S_BUILD_ID;
	f->map.has_functions = true;
	f->mapp[0] = &f->map;
	f->p.n_mapping = 1;
	f->p.mapping = f->mapp;

	for (size_t i = 0; i < 3; i++) {
		perftools__profiles__function__init(&f->fn[i]);
		f->fn[i].id = i + 1;
		f->fn[i].name = S_ALPHA + (int64_t)i;
		f->fn[i].system_name = S_ALPHA + (int64_t)i;
		f->fn[i].filename = S_SRC;
		f->fnp[i] = &f->fn[i];
	}
	f->p.n_function = 3;
	f->p.function = f->fnp;

	for (size_t i = 0; i < 5; i++) {
		perftools__profiles__line__init(&f->ln[i]);
		f->ln[i].function_id = lines[i].fn;
		f->ln[i].line = lines[i].line;
		f->lnp[i] = &f->ln[i];
	}
	for (size_t i = 0; i < 5; i++) {
		perftools__profiles__location__init(&f->loc[i]);
		f->loc[i].id = i + 1;
		f->loc[i].mapping_id = 1;
		f->loc[i].address = 0x401000 + i * 16;
		f->loc[i].n_line = loc_lines[i][1];
		f->loc[i].line = loc_lines[i][1] ? &f->lnp[loc_lines[i][0]] : NULL;
		f->locp[i] = &f->loc[i];
	}
	f->p.n_location = 5;
	f->p.location = f->locp;

	for (size_t i = 0; i < 10; i++) {
		perftools__profiles__sample__init(&f->smp[i]);
		memcpy(f->locids[i], fx_samples[i].locs, sizeof(f->locids[i]));
		f->smp[i].n_location_id = fx_samples[i].n_locs;
		f->smp[i].location_id = f->locids[i];
		f->vals[i][0] = fx_samples[i].count;
		f->vals[i][1] = fx_samples[i].count * PERIOD;
		f->smp[i].n_value = 2;
		f->smp[i].value = f->vals[i];
		f->smpp[i] = &f->smp[i];
	}
	perftools__profiles__label__init(&f->label);
	f->label.key = S_THREAD;
	f->label.str = S_MAIN;
	f->labelp[0] = &f->label;
	f->smp[0].n_label = 1;
	f->smp[0].label = f->labelp;
	f->p.n_sample = 10;
	f->p.sample = f->smpp;
}

static void check_fx_summary(const struct rc_pprof_summary *s)
{
	static const struct {
		const char *name;
		int64_t count;
	} top[] = {{"main.beta", 10}, {"main.alpha", 9}, {"", 6}, {"main.gamma", 2}};

	ck_assert_uint_eq(s->n_sample_types, 2);
	ck_assert_str_eq(s->sample_types[0].type, "samples");
	ck_assert_str_eq(s->sample_types[0].unit, "count");
	ck_assert_str_eq(s->sample_types[1].type, "cpu");
	ck_assert_str_eq(s->sample_types[1].unit, "nanoseconds");
	ck_assert_uint_eq(s->main_value, 1);
	ck_assert_str_eq(s->period_type.type, "cpu");
	ck_assert_str_eq(s->period_type.unit, "nanoseconds");
	ck_assert_int_eq(s->period, PERIOD);
	ck_assert_int_eq(s->time_nanos, INT64_C(1700000000123456789));
	ck_assert_int_eq(s->duration_nanos, INT64_C(2000000000));
	ck_assert_uint_eq(s->n_samples, 10);
	ck_assert_int_eq(s->totals[0], 27);
	ck_assert_int_eq(s->totals[1], INT64_C(27) * PERIOD);
	ck_assert_uint_eq(s->n_locations, 5);
	ck_assert_uint_eq(s->n_locations_unsymbolized, 1);
	ck_assert_uint_eq(s->n_functions, 3);
	ck_assert(s->has_main_mapping);
	ck_assert(s->main_has_functions);
	ck_assert_str_eq(s->main_build_id, "4f1c0de5");
	ck_assert_str_eq(s->main_filename, "/srv/app");
	ck_assert_uint_eq(s->n_top, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(s->top[i].name, top[i].name);
		ck_assert_int_eq(s->top[i].flat, top[i].count * PERIOD);
		ck_assert_double_eq_tol(s->top[i].flat_share, (double)top[i].count / 27.0, 1e-15);
	}
	ck_assert_int_eq(s->goroutines, -1);
	ck_assert_str_eq(s->top_goroutine_stack, "");
	ck_assert_double_eq_tol(rc_pprof_unsymbolized_share(s), 0.2, 1e-15);
}

static struct buf fx_packed(void (*mutate)(struct fx *))
{
	struct fx f;

	fx_init(&f);
	if (mutate)
		mutate(&f);
	return pack(&f.p);
}

/* Decoding */

START_TEST(decode_gzip_and_raw)
{
	struct buf raw = fx_packed(NULL), gz = gzip_bytes(raw.data, raw.len);
	struct rc_pprof_summary a, b;
	struct rc_err err = {0};

	ck_assert_msg(decode(&gz, 0, &a, &err) == 0, "%s", err.msg);
	check_fx_summary(&a);
	ck_assert_msg(decode(&raw, 0, &b, &err) == 0, "%s", err.msg);
	check_fx_summary(&b);
	assert_summary_eq(&a, &b);
	/* A NULL limit and subject are allowed. */
	ck_assert_int_eq(rc_pprof_decode(gz.data, gz.len, NULL, NULL, &b, NULL), 0);
	assert_summary_eq(&a, &b);
	buf_free(&raw);
	buf_free(&gz);
}
END_TEST

/* Ids far apart go through the hash table instead of the direct one. */
static void sparse_ids(struct fx *f)
{
	const uint64_t k = UINT64_C(0x9e3779b97f4a7c15);

	for (size_t i = 0; i < 5; i++)
		f->loc[i].id *= k;
	for (size_t i = 0; i < 10; i++)
		for (size_t j = 0; j < f->smp[i].n_location_id; j++)
			f->locids[i][j] *= k;
	for (size_t i = 0; i < 3; i++)
		f->fn[i].id = f->fn[i].id * 1000003 + (UINT64_C(1) << 40);
	for (size_t i = 0; i < 5; i++)
		f->ln[i].function_id = f->ln[i].function_id * 1000003 + (UINT64_C(1) << 40);
	f->map.id = 77;
	for (size_t i = 0; i < 5; i++)
		f->loc[i].mapping_id = 77;
}

START_TEST(decode_sparse_ids)
{
	struct buf raw = fx_packed(sparse_ids);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	check_fx_summary(&s);
	buf_free(&raw);
}
END_TEST

/* Two functions of the same name (as in a profile merged from two binaries) are one. */
static void same_name(struct fx *f)
{
	f->fn[2].name = S_ALPHA;
}

START_TEST(decode_groups_by_name)
{
	struct buf raw = fx_packed(same_name);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s.n_functions, 3);
	ck_assert_uint_eq(s.n_top, 3);
	ck_assert_str_eq(s.top[0].name, "main.alpha");
	ck_assert_int_eq(s.top[0].flat, 11 * PERIOD);
	ck_assert_str_eq(s.top[1].name, "main.beta");
	ck_assert_str_eq(s.top[2].name, "");
	buf_free(&raw);
}
END_TEST

/* No "cpu" sample type: the last one is the main value; a nameless function is unsymbolized. */
static void no_cpu(struct fx *f)
{
	f->st[0].type = S_THREAD;
	f->st[1].type = S_MAIN;
	f->fn[1].name = S_EMPTY;
}

START_TEST(decode_main_value_last)
{
	struct buf raw = fx_packed(no_cpu);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s.main_value, 1);
	ck_assert_str_eq(s.sample_types[1].type, "main");
	/* loc2 (beta only) is now unsymbolized; loc4 still has gamma. */
	ck_assert_uint_eq(s.n_locations_unsymbolized, 2);
	ck_assert_double_eq_tol(rc_pprof_unsymbolized_share(&s), 0.4, 1e-15);
	/* beta's leaves (10) and the empty location's (6) are one "" group now. */
	ck_assert_uint_eq(s.n_top, 3);
	ck_assert_str_eq(s.top[0].name, "");
	ck_assert_int_eq(s.top[0].flat, 16 * PERIOD);
	buf_free(&raw);
}
END_TEST

/* An empty but valid profile: nothing to add up, and no division by zero. */
static void empty_profile(struct fx *f)
{
	f->p.n_sample = 0;
	f->p.n_location = 0;
	f->p.n_function = 0;
	f->p.n_mapping = 0;
	f->p.period_type = NULL;
}

START_TEST(decode_no_samples)
{
	struct buf raw = fx_packed(empty_profile);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s.n_samples, 0);
	ck_assert_int_eq(s.totals[1], 0);
	ck_assert_uint_eq(s.n_top, 0);
	ck_assert(!s.has_main_mapping);
	ck_assert_str_eq(s.main_filename, "");
	ck_assert_str_eq(s.period_type.type, "");
	ck_assert_double_eq(rc_pprof_unsymbolized_share(&s), 0.0);
	buf_free(&raw);
}
END_TEST

/*
 * One sample with location_id {1, 2} and value {7, 70}, written by hand in
 * each encoding of repeated scalars: protobuf-c must read them all the same.
 */
START_TEST(decode_packed_and_unpacked)
{
	static const unsigned char head[] = {
		0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, /* sample_type {1, 2} */
		0x0a, 0x04, 0x08, 0x03, 0x10, 0x04, /* sample_type {3, 4} */
	};
	static const unsigned char samples[][12] = {
		/* packed: location_id [1 2], value [7 70] */
		{0x12, 0x08, 0x0a, 0x02, 0x01, 0x02, 0x12, 0x02, 0x07, 0x46},
		/* unpacked: each element its own field */
		{0x12, 0x08, 0x08, 0x01, 0x08, 0x02, 0x10, 0x07, 0x10, 0x46},
		/* mixed: location_id packed, value unpacked */
		{0x12, 0x08, 0x0a, 0x02, 0x01, 0x02, 0x10, 0x07, 0x10, 0x46},
		/* mixed the other way round */
		{0x12, 0x08, 0x08, 0x01, 0x08, 0x02, 0x12, 0x02, 0x07, 0x46},
	};
	static const unsigned char tail[] = {
		0x22, 0x02, 0x08, 0x01, /* location {id 1} */
		0x22, 0x02, 0x08, 0x02, /* location {id 2} */
		0x32, 0x00,		/* "" */
		0x32, 0x07, 's',  'a',	'm',  'p',  'l', 'e', 's', 0x32, 0x05, 'c',
		'o',  'u',  'n',  't',	0x32, 0x03, 'c', 'p', 'u', 0x32, 0x0b, 'n',
		'a',  'n',  'o',  's',	'e',  'c',  'o', 'n', 'd', 's',	 0x60, 0x0a, /* period 10 */
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		unsigned char msg[sizeof(head) + 10 + sizeof(tail)];
		struct buf b = {.data = msg, .len = sizeof(msg)};
		struct rc_pprof_summary s;
		struct rc_err err = {0};

		memcpy(msg, head, sizeof(head));
		memcpy(msg + sizeof(head), samples[i], 10);
		memcpy(msg + sizeof(head) + 10, tail, sizeof(tail));
		ck_assert_msg(decode(&b, 0, &s, &err) == 0, "encoding %zu: %s", i, err.msg);
		ck_assert_uint_eq(s.n_samples, 1);
		ck_assert_int_eq(s.totals[0], 7);
		ck_assert_int_eq(s.totals[1], 70);
		ck_assert_uint_eq(s.main_value, 1);
		ck_assert_uint_eq(s.n_locations, 2);
		ck_assert_uint_eq(s.n_locations_unsymbolized, 2);
		ck_assert_int_eq(s.period, 10);
		ck_assert_uint_eq(s.n_top, 1);
		ck_assert_str_eq(s.top[0].name, "");
		ck_assert_int_eq(s.top[0].flat, 70);
		ck_assert_double_eq(s.top[0].flat_share, 1.0);
	}
}
END_TEST

/* Broken references */

static void m_fn_name(struct fx *f)
{
	f->fn[0].name = 999;
}
static void m_negative_unit(struct fx *f)
{
	f->st[1].unit = -1;
}
static void m_first_string(struct fx *f)
{
	f->strings[0] = "x";
}
static void m_no_strings(struct fx *f)
{
	f->p.n_string_table = 0;
}
static void m_sample_loc(struct fx *f)
{
	f->locids[3][1] = 42;
}
static void m_line_fn(struct fx *f)
{
	f->ln[4].function_id = 9;
}
static void m_values(struct fx *f)
{
	f->smp[7].n_value = 1;
}
static void m_dup_loc(struct fx *f)
{
	f->loc[4].id = 2;
}
static void m_zero_fn(struct fx *f)
{
	f->fn[1].id = 0;
}
static void m_mapping(struct fx *f)
{
	f->loc[2].mapping_id = 5;
}
static void m_label(struct fx *f)
{
	f->label.str = N_STRINGS;
}
static void m_build_id(struct fx *f)
{
	f->map.build_id = 1000;
}
static void m_period_type(struct fx *f)
{
	f->pt.type = -5;
}
static void m_overflow(struct fx *f)
{
	f->vals[0][0] = INT64_MAX;
}

START_TEST(bad_references)
{
	static const struct {
		void (*mutate)(struct fx *);
		const char *msg;
	} cases[] = {
		{m_fn_name, "function 0: name string index 999 out of range (the string table has "
			    "13 entries)"},
		{m_negative_unit, "sample type 1: unit string index -1 out of range"},
		{m_first_string, "the string table does not start with \"\""},
		{m_no_strings, "the string table is empty"},
		{m_sample_loc, "sample 3 refers to location 42, which does not exist"},
		{m_line_fn, "location 4 refers to function 9, which does not exist"},
		{m_values, "sample 7 has 1 values for 2 sample types"},
		{m_dup_loc, "location id 2 appears twice"},
		{m_zero_fn, "function 1 has id 0"},
		{m_mapping, "location 3 refers to mapping 5, which does not exist"},
		{m_label, "sample 0: label str string index 13 out of range"},
		{m_build_id, "mapping 0: build_id string index 1000 out of range"},
		{m_period_type, "period type 0: type string index -5 out of range"},
		{m_overflow, "the total of sample type 'samples' overflows 64 bits"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf raw = fx_packed(cases[i].mutate);

		expect_bad(&raw, 0, cases[i].msg);
		buf_free(&raw);
	}
}
END_TEST

static void nine_types(struct fx *f)
{
	static ValueType vt[9], *vtp[9];

	for (size_t i = 0; i < 9; i++) {
		perftools__profiles__value_type__init(&vt[i]);
		vt[i].type = S_SAMPLES;
		vt[i].unit = S_COUNT;
		vtp[i] = &vt[i];
	}
	f->p.n_sample_type = 9;
	f->p.sample_type = vtp;
	f->p.n_sample = 0;
}

START_TEST(too_many_sample_types)
{
	struct buf raw = fx_packed(nine_types);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_int_eq(decode(&raw, 0, &s, &err), -RC_ENOTSUP);
	ck_assert_str_eq(err.msg, "'prof.pb.gz': 9 sample types, more than the 8 a summary holds");
	buf_free(&raw);
}
END_TEST

/* Bad input */

START_TEST(bad_gzip)
{
	struct buf raw = fx_packed(NULL), gz = gzip_bytes(raw.data, raw.len), b;
	size_t cuts[] = {2, 10, 17, 18, gz.len / 2, gz.len - 8, gz.len - 4, gz.len - 1};

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		b = (struct buf){.data = gz.data, .len = cuts[i]};
		expect_bad(&b, 0, "truncated gzip stream");
	}
	/* A flipped bit in the compressed data or in the CRC. */
	b.len = gz.len;
	b.data = malloc(gz.len + 8);
	ck_assert_ptr_nonnull(b.data);
	memcpy(b.data, gz.data, gz.len);
	b.data[gz.len - 6] ^= 0x10;
	expect_bad(&b, 0, "corrupt gzip stream: incorrect data check");
	/* Trailing bytes that are not another gzip member. */
	memcpy(b.data, gz.data, gz.len);
	memcpy(b.data + gz.len, "\0\0\0garb", 8);
	b.len = gz.len + 8;
	expect_bad(&b, 0, "8 bytes of trailing data after the gzip stream");
	/* A deflate stream that is not valid. */
	memcpy(b.data, gz.data, 10);
	memset(b.data + 10, 0xff, 20);
	b.len = 30;
	expect_bad(&b, 0, "corrupt gzip stream");
	buf_free(&b);
	buf_free(&raw);
	buf_free(&gz);
}
END_TEST

START_TEST(multi_member_gzip)
{
	struct buf raw = fx_packed(NULL), g1 = gzip_bytes(raw.data, raw.len / 3),
		   g2 = gzip_bytes(raw.data + raw.len / 3, raw.len - raw.len / 3), b;
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	b.len = g1.len + g2.len;
	b.data = malloc(b.len);
	ck_assert_ptr_nonnull(b.data);
	memcpy(b.data, g1.data, g1.len);
	memcpy(b.data + g1.len, g2.data, g2.len);
	ck_assert_msg(decode(&b, 0, &s, &err) == 0, "%s", err.msg);
	check_fx_summary(&s);
	buf_free(&b);
	buf_free(&raw);
	buf_free(&g1);
	buf_free(&g2);
}
END_TEST

START_TEST(gzip_bomb)
{
	struct buf bomb = gzip_zeros(300);

	/* 300 MiB in about 300 KB. */
	ck_assert_uint_lt(bomb.len, 400 * 1024);
	expect_bad(&bomb, MIB,
		   "'prof.pb.gz': profile larger than 1 MiB when decompressed (a gzip "
		   "bomb?)");
	expect_bad(&bomb, 1000, "profile larger than 1000 bytes when decompressed");
	/* The default limit. */
	expect_bad(&bomb, 0, "profile larger than 256 MiB when decompressed (a gzip bomb?)");
	buf_free(&bomb);
}
END_TEST

/* The limit is inclusive: a profile of exactly the limit is decoded. */
START_TEST(limit_boundary)
{
	struct buf raw = fx_packed(NULL), gz = gzip_bytes(raw.data, raw.len);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&gz, raw.len, &s, &err) == 0, "%s", err.msg);
	check_fx_summary(&s);
	expect_bad(&gz, raw.len - 1, "when decompressed");
	buf_free(&raw);
	buf_free(&gz);
}
END_TEST

START_TEST(garbage)
{
	unsigned char data[4096];
	struct buf b = {.data = data, .len = sizeof(data)};
	uint64_t x = 0x243f6a8885a308d3;

	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (unsigned char)x;
	}
	data[0] = 0xff;
	expect_bad(&b, 0, "not a valid profile.proto message");
	/* A message that decodes, but is not a profile (no string table). */
	memcpy(data, "\x60\x01", 2);
	b.len = 2;
	expect_bad(&b, 0, "the string table is empty");
	/* HTML, as a wrong endpoint serves it. */
	b.data = (unsigned char *)"<html><body>404 page not found</body></html>";
	b.len = strlen((const char *)b.data);
	expect_bad(&b, 0, "not a valid profile.proto message");
	b.len = 0;
	expect_bad(&b, 0, "'prof.pb.gz': empty, not a profile");
	{
		struct buf gz = gzip_bytes("", 0);

		expect_bad(&gz, 0, "'prof.pb.gz': empty when decompressed, not a profile");
		buf_free(&gz);
	}
	b.data = (unsigned char *)"\x1f";
	b.len = 1;
	expect_bad(&b, 0, "not a valid profile.proto message");
}
END_TEST

/* The oracle: a real Go CPU profile and `go tool pprof -raw` */

struct oracle_loc {
	uint64_t id;
	char leaf[256]; /* the first line's function, "" for none */
	bool symbolized;
};

struct oracle {
	char period_type[128];
	int64_t period, time_nanos;
	char duration[32];
	char types[2][64];
	size_t n_types;
	uint64_t n_samples;
	int64_t totals[8];
	struct oracle_loc locs[4096];
	size_t n_locs;
	char names[4096][256];
	size_t n_names;
	/* flat per leaf name, in order of first appearance */
	char flat_names[4096][256];
	int64_t flat[4096];
	size_t n_flat;
	/* the leaf location of every sample, and its main value */
	uint64_t leaf_loc[65536];
	int64_t leaf_val[65536];
};

static size_t find_name(char (*names)[256], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return n;
}

/* "Time: 2024-05-01 12:00:00.123456789 +0000 UTC" (TZ=UTC) -> unix ns. */
static int64_t parse_go_time(const char *v)
{
	struct tm tm = {0};
	const char *p = strptime(v, "%Y-%m-%d %H:%M:%S", &tm);
	int64_t frac = 0;
	int digits = 0;

	ck_assert_msg(p != NULL, "bad Time '%s'", v);
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			frac = frac * 10 + (*p - '0');
	}
	for (; digits < 9; digits++)
		frac *= 10;
	ck_assert_msg(strcmp(p, " +0000 UTC") == 0, "Time '%s' not in UTC", v);
	return (int64_t)timegm(&tm) * 1000000000 + frac;
}

/* Go's time.Duration.String() for 1 ms <= @ns < 1 min, cut as pprof's "%.4v" does. */
static void go_duration(int64_t ns, char *buf, size_t size)
{
	char tmp[64];
	int64_t unit = ns >= 1000000000 ? 1000000000 : 1000000;
	int n;

	ck_assert(ns >= 1000000 && ns < INT64_C(60000000000));
	n = snprintf(tmp, sizeof(tmp), "%" PRId64 ".%0*" PRId64, ns / unit,
		     unit == 1000000000 ? 9 : 6, ns % unit);
	while (tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (tmp[n - 1] == '.')
		tmp[--n] = '\0';
	snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%s", unit == 1000000000 ? "s" : "ms");
	snprintf(buf, size, "%.4s", tmp);
}

static void parse_oracle(const char *text, struct oracle *o)
{
	enum { HEAD, SAMPLES, LOCATIONS, MAPPINGS } part = HEAD;
	const char *line = text;
	bool header_seen = false;

	memset(o, 0, sizeof(*o));
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char l[1024];

		ck_assert_uint_lt(len, sizeof(l));
		memcpy(l, line, len);
		l[len] = '\0';
		line = nl ? nl + 1 : line + len;
		if (part == HEAD) {
			if (sscanf(l, "PeriodType: %127[^\n]", o->period_type) == 1)
				continue;
			if (sscanf(l, "Period: %" SCNd64, &o->period) == 1)
				continue;
			if (strncmp(l, "Time: ", 6) == 0) {
				o->time_nanos = parse_go_time(l + 6);
				continue;
			}
			if (sscanf(l, "Duration: %31s", o->duration) == 1)
				continue;
			ck_assert_str_eq(l, "Samples:");
			part = SAMPLES;
		} else if (part == SAMPLES) {
			char *p = l, *end;

			if (strcmp(l, "Locations") == 0) {
				part = LOCATIONS;
				continue;
			}
			if (!header_seen) {
				/* "samples/count cpu/nanoseconds" */
				ck_assert_int_eq(
					sscanf(l, "%63[^/]/%*s %63[^/]/", o->types[0], o->types[1]),
					2);
				o->n_types = 2;
				header_seen = true;
				continue;
			}
			/* "         20  200000000: 1 2 3 " */
			ck_assert_msg(strchr(l, ':') != NULL, "bad sample line '%s'", l);
			for (size_t t = 0; t < o->n_types; t++) {
				int64_t v = strtoll(p, &end, 10);

				ck_assert_msg(end != p, "bad sample line '%s'", l);
				o->totals[t] += v;
				if (t == 1)
					o->leaf_val[o->n_samples] = v;
				p = end;
			}
			ck_assert_int_eq(*p, ':');
			o->leaf_loc[o->n_samples] = strtoull(p + 1, &end, 10);
			ck_assert_msg(end != p + 1, "sample without locations '%s'", l);
			o->n_samples++;
			ck_assert_uint_lt(o->n_samples, 65536);
		} else if (part == LOCATIONS) {
			struct oracle_loc *lc;
			char *p = l, *end, name[256];
			bool cont = strncmp(l, "             ", 13) == 0;

			if (strcmp(l, "Mappings") == 0) {
				part = MAPPINGS;
				continue;
			}
			if (cont) {
				ck_assert_uint_gt(o->n_locs, 0);
				lc = &o->locs[o->n_locs - 1];
				p = l + 13;
			} else {
				ck_assert_uint_lt(o->n_locs, 4096);
				lc = &o->locs[o->n_locs++];
				lc->id = strtoull(l, &end, 10);
				ck_assert_msg(end != l && *end == ':', "bad location line '%s'", l);
				p = end + 1;
				while (*p == ' ')
					p++;
				p = strchr(p, ' '); /* the address */
				if (!p)
					continue; /* no lines */
				p++;
				if (strncmp(p, "M=", 2) == 0)
					p = strchr(p, ' ') + 1;
				if (strncmp(p, "[F] ", 4) == 0)
					p += 4;
				if (!*p)
					continue; /* no lines */
			}
			ck_assert_int_eq(sscanf(p, "%255s", name), 1);
			if (strcmp(name, "??") == 0)
				continue;
			if (!cont)
				snprintf(lc->leaf, sizeof(lc->leaf), "%s", name);
			if (*name)
				lc->symbolized = true;
			if (find_name(o->names, o->n_names, name) == o->n_names) {
				ck_assert_uint_lt(o->n_names, 4096);
				snprintf(o->names[o->n_names++], 256, "%s", name);
			}
		}
	}
	ck_assert_int_eq(part, MAPPINGS);
	/* Flat per leaf name. */
	for (uint64_t i = 0; i < o->n_samples; i++) {
		const char *leaf = NULL;
		size_t k;

		for (size_t j = 0; j < o->n_locs; j++)
			if (o->locs[j].id == o->leaf_loc[i])
				leaf = o->locs[j].leaf;
		ck_assert_msg(leaf != NULL, "sample %" PRIu64 ": no location %" PRIu64, i,
			      o->leaf_loc[i]);
		k = find_name(o->flat_names, o->n_flat, leaf);
		if (k == o->n_flat)
			snprintf(o->flat_names[o->n_flat++], 256, "%s", leaf);
		o->flat[k] += o->leaf_val[i];
	}
}

START_TEST(oracle_go_cpu_profile)
{
	struct buf gz = read_all(PPROF_ORACLE), raw = read_all(PPROF_ORACLE_RAW);
	struct oracle *o = calloc(1, sizeof(*o));
	struct rc_pprof_summary s;
	struct rc_err err = {0};
	char duration[32], period_type[200];
	uint64_t unsym = 0;
	bool alpha = false;

	ck_assert_ptr_nonnull(o);
	ck_assert_msg(decode(&gz, 0, &s, &err) == 0, "%s", err.msg);
	parse_oracle((const char *)raw.data, o);

	ck_assert_uint_gt(o->n_samples, 0);
	ck_assert_uint_eq(s.n_samples, o->n_samples);
	ck_assert_uint_eq(s.n_sample_types, o->n_types);
	for (size_t t = 0; t < o->n_types; t++) {
		ck_assert_str_eq(s.sample_types[t].type, o->types[t]);
		ck_assert_int_eq(s.totals[t], o->totals[t]);
	}
	ck_assert_str_eq(s.sample_types[1].type, "cpu");
	ck_assert_uint_eq(s.main_value, 1);
	snprintf(period_type, sizeof(period_type), "%s %s", s.period_type.type, s.period_type.unit);
	ck_assert_str_eq(period_type, o->period_type);
	ck_assert_int_eq(s.period, o->period);
	ck_assert_int_eq(s.time_nanos, o->time_nanos);
	go_duration(s.duration_nanos, duration, sizeof(duration));
	ck_assert_str_eq(duration, o->duration);
	/* Go's value[1] = value[0] x period. */
	ck_assert_int_eq(s.totals[1], s.totals[0] * s.period);

	ck_assert_uint_eq(s.n_locations, o->n_locs);
	for (size_t i = 0; i < o->n_locs; i++)
		unsym += !o->locs[i].symbolized;
	ck_assert_uint_eq(s.n_locations_unsymbolized, unsym);
	/* runtime/pprof makes one Function per name. */
	ck_assert_uint_eq(s.n_functions, o->n_names);
	ck_assert(s.has_main_mapping);
	ck_assert(s.main_has_functions);
	ck_assert_msg(strstr(s.main_filename, "pprof_gen") != NULL, "main mapping '%s'",
		      s.main_filename);

	/* The top list is every leaf function with its flat value, as -raw adds them up. */
	ck_assert_uint_eq(s.n_top, o->n_flat < RC_PPROF_TOP ? o->n_flat : RC_PPROF_TOP);
	for (size_t i = 0; i < s.n_top; i++) {
		size_t k = find_name(o->flat_names, o->n_flat, s.top[i].name);

		ck_assert_msg(k < o->n_flat, "top function '%s' is no leaf in -raw", s.top[i].name);
		ck_assert_int_eq(s.top[i].flat, o->flat[k]);
		ck_assert_double_eq_tol(s.top[i].flat_share,
					(double)o->flat[k] / (double)o->totals[1], 1e-12);
		ck_assert_msg(find_name(o->names, o->n_names, s.top[i].name) < o->n_names,
			      "'%s' is not among the -raw functions", s.top[i].name);
		if (i > 0)
			ck_assert_int_ge(s.top[i - 1].flat, s.top[i].flat);
		if (strcmp(s.top[i].name, "main.burnAlpha") == 0)
			alpha = true;
	}
	ck_assert_msg(alpha, "main.burnAlpha is not in the top list");
	ck_assert_msg(find_name(o->names, o->n_names, "main.burnBeta") < o->n_names,
		      "main.burnBeta is not in the profile");
	free(o);
	buf_free(&gz);
	buf_free(&raw);
}
END_TEST

/* Goroutines */

static const char goroutines_text[] =
	"goroutine profile: total 12\n"
	"7 @ 0x43a1b6 0x4070ab 0x406b58\n"
	"#\t0x5e3a44\tnet/http.(*conn).serve+0x5a4\t/usr/lib/go/src/net/http/server.go:1995\n"
	"\n"
	"5 @ 0x43a1b6 0x44a2f1\n"
	"#\t0x44a2f0\ttime.Sleep+0x130\t/usr/lib/go/src/runtime/time.go:195\n"
	"\n";

START_TEST(goroutines_ok)
{
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	memset(&s, 0, sizeof(s));
	s.n_samples = 99;
	ck_assert_int_eq(rc_pprof_parse_goroutines(goroutines_text, strlen(goroutines_text),
						   "goroutine", &s, &err),
			 0);
	ck_assert_int_eq(s.goroutines, 12);
	ck_assert_str_eq(s.top_goroutine_stack,
			 "7 @ 0x43a1b6 0x4070ab 0x406b58\n"
			 "#\t0x5e3a44\tnet/http.(*conn).serve+0x5a4\t/usr/lib/go/src/net/http/"
			 "server.go:1995");
	ck_assert_uint_eq(s.n_samples, 99); /* the rest is left alone */

	/* Only the header; CRLF; no final newline. */
	ck_assert_int_eq(rc_pprof_parse_goroutines("goroutine profile: total 0", 26, "g", &s, &err),
			 0);
	ck_assert_int_eq(s.goroutines, 0);
	ck_assert_str_eq(s.top_goroutine_stack, "");
	ck_assert_int_eq(rc_pprof_parse_goroutines("goroutine profile: total 3\r\n1 @ 0x1\r\n\r\nx",
						   40, "g", &s, &err),
			 0);
	ck_assert_int_eq(s.goroutines, 3);
	ck_assert_str_eq(s.top_goroutine_stack, "1 @ 0x1");
	/* @len counts, not the NUL. */
	ck_assert_int_eq(rc_pprof_parse_goroutines(goroutines_text, 31, "g", &s, &err), 0);
	ck_assert_int_eq(s.goroutines, 12);
	ck_assert_str_eq(s.top_goroutine_stack, "7 @");
}
END_TEST

START_TEST(goroutines_long_stack)
{
	char text[4096];
	struct rc_pprof_summary s = {0};
	struct rc_err err = {0};
	size_t n = (size_t)snprintf(text, sizeof(text), "goroutine profile: total 1\n1 @ 0x1\n");
	size_t len;

	while (n < 3000)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "#\t0x4a8e0f\tmain.frame%zu+0x2f\t/src/main.go:%zu\n", n, n);
	ck_assert_int_eq(rc_pprof_parse_goroutines(text, n, "g", &s, &err), 0);
	len = strlen(s.top_goroutine_stack);
	ck_assert_uint_le(len, sizeof(s.top_goroutine_stack) - 1);
	ck_assert_uint_gt(len, 400);
	/* Cut after a whole line. */
	ck_assert_int_eq(memcmp(s.top_goroutine_stack, text + 27, len), 0);
	ck_assert_int_eq(text[27 + len], '\n');

	/* One line longer than the field: cut at a UTF-8 boundary. */
	n = (size_t)snprintf(text, sizeof(text), "goroutine profile: total 1\n1 @");
	while (n < 1000)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " \xc3\xa9");
	ck_assert_int_eq(rc_pprof_parse_goroutines(text, n, "g", &s, &err), 0);
	len = strlen(s.top_goroutine_stack);
	ck_assert_uint_ge(len, sizeof(s.top_goroutine_stack) - 3);
	ck_assert_uint_le(len, sizeof(s.top_goroutine_stack) - 1);
	ck_assert_int_ne((unsigned char)s.top_goroutine_stack[len - 1], 0xc3);
}
END_TEST

START_TEST(goroutines_bad)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{"", "'u': not a goroutine profile (first line is '')"},
		{"<html>\n<body>", "'u': not a goroutine profile (first line is '<html>')"},
		{"goroutine profile: total \n", "(first line is 'goroutine profile: total ')"},
		{"goroutine profile: total 12x\n",
		 "(first line is 'goroutine profile: total 12x')"},
		{"goroutine profile: total -1\n", "(first line is 'goroutine profile: total -1')"},
		{"goroutine profile: total 99999999999999999999\n",
		 "(first line is 'goroutine profile: total 99999999999999999999')"},
		{"heap profile: 1: 2 [3: 4] @ heap/1048576\n",
		 "(first line is 'heap profile: 1: 2 [3: 4] @ heap/1048576')"},
		{"\x1f\x8b\x08\x01"
		 "binary",
		 "(first line is '????binary')"},
		{"a very long first line that goes on and on and on and on and on\n",
		 "(first line is 'a very long first line that goes on and on and o...')"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rc_pprof_summary s;
		struct rc_err err = {0};

		memset(&s, 0x5a, sizeof(s));
		ck_assert_int_eq(rc_pprof_parse_goroutines(cases[i].text, strlen(cases[i].text),
							   "u", &s, &err),
				 -RC_EFORMAT);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "'%s' lacks '%s'", err.msg,
			      cases[i].msg);
		ck_assert_int_eq(((unsigned char *)&s.goroutines)[0], 0x5a);
	}
	{
		struct rc_pprof_summary s = {0};
		struct rc_err err = {0};

		ck_assert_int_eq(rc_pprof_parse_goroutines(NULL, 0, NULL, &s, &err), -RC_EFORMAT);
		ck_assert_str_eq(err.msg, "'profile': not a goroutine profile (first line is '')");
	}
}
END_TEST

/* JSON */

static char tmp_dir[64];

static void tmp_setup(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_pprof.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void tmp_teardown(void)
{
	static const char *const files[] = {"s.json", "bad.json"};
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, files[i]);
		unlink(path);
	}
	ck_assert_int_eq(rmdir(tmp_dir), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void save(const struct rc_pprof_summary *s, const char *path)
{
	FILE *f = fopen(path, "w");
	struct rc_err err = {0};

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(rc_pprof_summary_write_json(s, f, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(fclose(f), 0);
}

static void round_trip(const struct rc_pprof_summary *s)
{
	char path[128];
	struct rc_pprof_summary back;
	struct rc_err err = {0};

	snprintf(path, sizeof(path), "%s/s.json", tmp_dir);
	save(s, path);
	memset(&back, 0x5a, sizeof(back));
	ck_assert_msg(rc_pprof_summary_read_json(path, &back, &err) == 0, "%s", err.msg);
	assert_summary_eq(s, &back);
}

START_TEST(json_round_trip_decoded)
{
	struct buf raw = fx_packed(NULL);
	struct rc_pprof_summary s;
	struct rc_err err = {0};

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(
		rc_pprof_parse_goroutines(goroutines_text, strlen(goroutines_text), "g", &s, &err),
		0);
	round_trip(&s);
	buf_free(&raw);
}
END_TEST

START_TEST(json_round_trip_edges)
{
	struct rc_pprof_summary s = {0};
	const int64_t big = (INT64_C(1) << 53) - 1;

	s.n_sample_types = 8;
	for (size_t i = 0; i < 8; i++) {
		snprintf(s.sample_types[i].type, sizeof(s.sample_types[i].type), "t\"%zu\\\n", i);
		memset(s.sample_types[i].unit, 'u', sizeof(s.sample_types[i].unit) - 1);
		s.totals[i] = i % 2 ? big : -big;
	}
	s.main_value = 7;
	snprintf(s.period_type.type, sizeof(s.period_type.type), "\x01\x1f\t\xc3\xa9\xe2\x82\xac");
	s.period = -1;
	s.time_nanos = INT64_MIN;
	s.duration_nanos = big;
	s.n_samples = (uint64_t)big;
	s.n_locations = 5;
	s.n_locations_unsymbolized = 5;
	s.n_functions = 0;
	s.has_main_mapping = true;
	memset(s.main_build_id, 'f', sizeof(s.main_build_id) - 1);
	memset(s.main_filename, '/', sizeof(s.main_filename) - 1);
	s.n_top = RC_PPROF_TOP;
	for (size_t i = 0; i < RC_PPROF_TOP; i++) {
		snprintf(s.top[i].name, sizeof(s.top[i].name), "f%zu</script>", i);
		s.top[i].flat = (int64_t)i * 7919 - 3;
		s.top[i].flat_share = (double)i / 3.0 + 1e-300 * (double)i;
	}
	s.top[1].flat_share = 0.1 + 0.2; /* 0.30000000000000004: 17 digits */
	s.top[2].flat_share = 5e-324;
	s.top[3].flat_share = -0.0;
	s.top[4].flat_share = 1.0;
	s.goroutines = -1;
	memset(s.top_goroutine_stack, 'g', sizeof(s.top_goroutine_stack) - 1);
	round_trip(&s);
	s.time_nanos = INT64_MAX;
	s.n_sample_types = 0;
	s.main_value = 0;
	s.n_top = 0;
	s.goroutines = big;
	round_trip(&s);
}
END_TEST

START_TEST(json_unwritable)
{
	static const struct {
		int what;
		const char *msg;
	} cases[] = {
		{0, "pprof summary: period 9007199254740992 too large for a JSON number"},
		{1, "pprof summary: total -9007199254740992 too large"},
		{2, "pprof summary: n_samples 9007199254740992 too large"},
		{3, "pprof summary: flat value 9223372036854775807 too large"},
		{4, "not a number"},
		{5, "inconsistent counts (2 sample types, main value 2, 0 top functions)"},
		{6, "pprof summary: goroutines -2 negative"},
	};
	char *text = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rc_pprof_summary s = {.n_sample_types = 2, .goroutines = -1};
		struct rc_err err = {0};
		FILE *f = open_memstream(&text, &len);

		ck_assert_ptr_nonnull(f);
		switch (cases[i].what) {
		case 0:
			s.period = INT64_C(1) << 53;
			break;
		case 1:
			s.totals[1] = -(INT64_C(1) << 53);
			break;
		case 2:
			s.n_samples = UINT64_C(1) << 53;
			break;
		case 3:
			s.n_top = 1;
			s.top[0].flat = INT64_MAX;
			break;
		case 4:
			s.n_top = 1;
			s.top[0].flat_share = NAN;
			break;
		case 5:
			s.main_value = 2;
			break;
		case 6:
			s.goroutines = -2;
			break;
		}
		ck_assert_int_eq(rc_pprof_summary_write_json(&s, f, &err), -RC_EINVAL);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "'%s' lacks '%s'", err.msg,
			      cases[i].msg);
		fclose(f);
		ck_assert_uint_eq(len, 0); /* nothing written */
		free(text);
		text = NULL;
	}
}
END_TEST

/* A valid summary file with @from replaced by @to (which must occur). */
static void write_variant(const char *path, const char *good, const char *from, const char *to)
{
	const char *at = strstr(good, from);
	char *text;

	ck_assert_msg(at != NULL, "'%s' not in the summary", from);
	text = malloc(strlen(good) + strlen(to) + 1);
	ck_assert_ptr_nonnull(text);
	memcpy(text, good, (size_t)(at - good));
	memcpy(text + (at - good), to, strlen(to));
	memcpy(text + (at - good) + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	write_file(path, text);
	free(text);
}

START_TEST(json_bad_files)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{"\"schema\":\t\"reloadcheck/pprof-summary/v1\"", "\"schema\": \"x/v2\"",
		 "schema is 'x/v2', not 'reloadcheck/pprof-summary/v1'"},
		{"\"schema\":\t\"reloadcheck/pprof-summary/v1\"", "\"schema\": 1",
		 "key 'schema' must be a string"},
		{"\"period\":\t10000000", "\"period\": \"10\"", "key 'period' must be an integer"},
		{"\"period\":\t10000000", "\"period\": 1.5", "key 'period' must be an integer"},
		{"\"period\":\t10000000", "\"period\": 1e300",
		 "key 'period' must be an integer below"},
		{"\"period\":\t10000000,", "", "key 'period' is missing"},
		{"\"time_nanos\":\t\"1700000000123456789\"", "\"time_nanos\": 1",
		 "key 'time_nanos' must be a string of decimal digits"},
		{"\"time_nanos\":\t\"1700000000123456789\"",
		 "\"time_nanos\": \"99999999999999999999\"",
		 "key 'time_nanos' must be a 64-bit integer"},
		{"\"main_value\":\t1", "\"main_value\": 2",
		 "key 'main_value' must be an integer from 0 to 1"},
		{"\"n_samples\":\t10", "\"n_samples\": -1",
		 "key 'n_samples' must be an integer from 0 to 9007199254740991"},
		{"\"n_locations_unsymbolized\":\t1", "\"n_locations_unsymbolized\": 6",
		 "key 'n_locations_unsymbolized' must not exceed n_locations"},
		{"\"has_main_mapping\":\ttrue", "\"has_main_mapping\": 1",
		 "key 'has_main_mapping' must be true or false"},
		{"\"type\":\t\"samples\"", "\"type\": null",
		 "key 'sample_types[0].type' must be a string"},
		{"\"unit\":\t\"count\"",
		 "\"unit\": \"" /* 64 bytes */
		 "0123456789012345678901234567890123456789012345678901234567890123\"",
		 "key 'sample_types[0].unit' must be at most 63 bytes long"},
		{"\"totals\":\t[27, 270000000]", "\"totals\": [27]",
		 "key 'totals' must have one element per sample type"},
		{"\"totals\":\t[27, 270000000]", "\"totals\": [27, \"x\"]",
		 "key 'totals[1]' must be an integer"},
		{"\"totals\":\t[27, 270000000]", "\"totals\": {}", "key 'totals' must be an array"},
		{"\"flat\":\t90000000", "\"flat\": true", "key 'top[1].flat' must be an integer"},
		{"\"flat_share\":\t1", "\"flat_share\": \"0.3\"",
		 "key 'top[0].flat_share' must be a number"},
		{"\"goroutines\":\t12", "\"goroutines\": -2",
		 "key 'goroutines' must be an integer from -1 to"},
		{"\"period_type\":\t{", "\"period_type\": [], \"x\": {",
		 "key 'period_type' must be an object"},
		{"\"top\":\t[{", "\"top\": [3, {", "key 'top[0]' must be an object"},
		{"\n}", "\n} {}", "data after the end of the JSON value at line"},
		{"\"n_functions\":\t3,", "\"n_functions\": 3,,", "not valid JSON at line"},
	};
	struct buf raw = fx_packed(NULL);
	struct rc_pprof_summary s, back;
	struct rc_err err = {0};
	char path[128], bad[128], *good;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(decode(&raw, 0, &s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(
		rc_pprof_parse_goroutines(goroutines_text, strlen(goroutines_text), "g", &s, &err),
		0);
	/* flat_share 1 for the first entry, for the replacement below. */
	s.top[0].flat_share = 1.0;
	f = open_memstream(&good, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(rc_pprof_summary_write_json(&s, f, &err) == 0, "%s", err.msg);
	fclose(f);
	snprintf(path, sizeof(path), "%s/bad.json", tmp_dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_variant(path, good, cases[i].from, cases[i].to);
		memset(&back, 0x5a, sizeof(back));
		ck_assert_int_eq(rc_pprof_summary_read_json(path, &back, &err), -RC_EFORMAT);
		ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "case %zu: '%s' lacks '%s'", i,
			      err.msg, cases[i].msg);
		ck_assert_msg(strncmp(err.msg, "'", 1) == 0 && strstr(err.msg, path) != NULL,
			      "case %zu: '%s' does not name the file", i, err.msg);
		ck_assert_int_eq(((unsigned char *)&back)[0], 0x5a);
	}

	/* Too many top entries. */
	{
		char top[8192] = "\"top\": [";
		size_t n = strlen(top);

		for (int i = 0; i < RC_PPROF_TOP + 1; i++)
			n += (size_t)snprintf(top + n, sizeof(top) - n,
					      "%s{\"name\": \"f\", \"flat\": 1, \"flat_share\": 0}",
					      i ? ", " : "");
		snprintf(top + n, sizeof(top) - n, "], \"x\": [");
		write_variant(path, good, "\"top\":\t[", top);
		ck_assert_int_eq(rc_pprof_summary_read_json(path, &back, &err), -RC_EFORMAT);
		ck_assert_msg(strstr(err.msg, "key 'top' must have at most 20 elements"), "%s",
			      err.msg);
	}

	write_file(path, "");
	ck_assert_int_eq(rc_pprof_summary_read_json(path, &back, &err), -RC_EFORMAT);
	ck_assert_msg(strstr(err.msg, "empty file, not a pprof summary"), "%s", err.msg);
	write_file(path, "[1, 2]");
	ck_assert_int_eq(rc_pprof_summary_read_json(path, &back, &err), -RC_EFORMAT);
	ck_assert_msg(strstr(err.msg, "not a pprof summary: the top level is not an object"), "%s",
		      err.msg);
	snprintf(bad, sizeof(bad), "%s/missing.json", tmp_dir);
	ck_assert_int_eq(rc_pprof_summary_read_json(bad, &back, &err), -RC_ENOENT);
	ck_assert_msg(strstr(err.msg, "cannot read: No such file or directory"), "%s", err.msg);

	/* The good one reads back. */
	write_file(path, good);
	ck_assert_msg(rc_pprof_summary_read_json(path, &back, &err) == 0, "%s", err.msg);
	assert_summary_eq(&s, &back);
	free(good);
	buf_free(&raw);
}
END_TEST

static Suite *pprof_suite(void)
{
	Suite *s = suite_create("pprof");
	TCase *tc;

	tc = tcase_create("decode");
	tcase_add_test(tc, decode_gzip_and_raw);
	tcase_add_test(tc, decode_sparse_ids);
	tcase_add_test(tc, decode_groups_by_name);
	tcase_add_test(tc, decode_main_value_last);
	tcase_add_test(tc, decode_no_samples);
	suite_add_tcase(s, tc);
	tc = tcase_create("encodings");
	tcase_add_test(tc, decode_packed_and_unpacked);
	tcase_add_test(tc, multi_member_gzip);
	suite_add_tcase(s, tc);
	tc = tcase_create("references");
	tcase_add_test(tc, bad_references);
	tcase_add_test(tc, too_many_sample_types);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad_input");
	tcase_add_test(tc, bad_gzip);
	tcase_add_test(tc, gzip_bomb);
	tcase_add_test(tc, limit_boundary);
	tcase_add_test(tc, garbage);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("oracle");
	tcase_add_test(tc, oracle_go_cpu_profile);
	suite_add_tcase(s, tc);
	tc = tcase_create("goroutines");
	tcase_add_test(tc, goroutines_ok);
	tcase_add_test(tc, goroutines_long_stack);
	tcase_add_test(tc, goroutines_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, json_round_trip_decoded);
	tcase_add_test(tc, json_round_trip_edges);
	tcase_add_test(tc, json_unwritable);
	tcase_add_test(tc, json_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pprof_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
