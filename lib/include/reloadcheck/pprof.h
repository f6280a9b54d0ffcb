/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_PPROF_H
#define RELOADCHECK_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <reloadcheck/error.h>

struct rc_err;

/*
 * Go pprof profiles (profile.proto, gzip-wrapped) decoded with zlib and
 * protobuf-c code generated at build time, reduced to the summary the pprof
 * checks compare. The summary is also what --save writes and --baseline reads
 * (schema reloadcheck/pprof-summary/v1).
 */

#define RC_PPROF_SUMMARY_SCHEMA "reloadcheck/pprof-summary/v1"
#define RC_PPROF_TOP 20

struct rc_pprof_value_type {
	char type[64]; /* "samples", "cpu" */
	char unit[64]; /* "count", "nanoseconds" */
};

struct rc_pprof_func {
	char name[256];	   /* function name ("" when the location has none) */
	int64_t flat;	   /* sum of the main value where it is the leaf frame */
	double flat_share; /* flat / total of the main value, 0..1 */
};

struct rc_pprof_summary {
	struct rc_pprof_value_type sample_types[8];
	size_t n_sample_types;
	size_t main_value; /* index of the value used for shares (cpu if present) */
	struct rc_pprof_value_type period_type;
	int64_t period;
	int64_t time_nanos; /* profile start, unix ns */
	int64_t duration_nanos;
	uint64_t n_samples; /* number of Sample records */
	int64_t totals[8];  /* per sample type, summed over samples */
	uint64_t n_locations;
	uint64_t n_locations_unsymbolized; /* no line with a named function */
	uint64_t n_functions;
	bool has_main_mapping;
	bool main_has_functions; /* the first mapping's has_functions */
	char main_build_id[129]; /* the first mapping's build_id, or "" */
	char main_filename[256];
	struct rc_pprof_func top[RC_PPROF_TOP]; /* by flat, descending */
	size_t n_top;
	/* from /debug/pprof/goroutine?debug=1, or -1 when not fetched */
	int64_t goroutines;
	char top_goroutine_stack[512];
};

struct rc_pprof_limits {
	size_t max_decompressed; /* default 256 MiB when 0 (stops gzip bombs) */
};

/*
 * Decode a profile: @data is gzip-compressed (as /debug/pprof/profile serves
 * it, without Content-Encoding) or raw protobuf (detected by the gzip magic).
 * Fills @out (goroutines = -1). -RC_EFORMAT with the cause for truncated gzip,
 * a decompressed size over the limit, or protobuf that does not decode;
 * @what names the source in messages (a URL or a file).
 */
int rc_pprof_decode(const unsigned char *data, size_t len, const struct rc_pprof_limits *lim,
		    const char *what, struct rc_pprof_summary *out, struct rc_err *err);

/*
 * Parse the text of /debug/pprof/goroutine?debug=1 ("goroutine profile:
 * total N" then stacks): sets out->goroutines and top_goroutine_stack.
 * -RC_EFORMAT when the first line is not that.
 */
int rc_pprof_parse_goroutines(const char *text, size_t len, const char *what,
			      struct rc_pprof_summary *out, struct rc_err *err);

/* Share of locations without a function name (0..1; 0 when there are none). */
double rc_pprof_unsymbolized_share(const struct rc_pprof_summary *s);

/* Write / read the summary as JSON (schema reloadcheck/pprof-summary/v1). */
int rc_pprof_summary_write_json(const struct rc_pprof_summary *s, FILE *out, struct rc_err *err);
int rc_pprof_summary_read_json(const char *path, struct rc_pprof_summary *out, struct rc_err *err);

/* One endpoint request's outcome, for the pprof-endpoint check. */
struct rc_pprof_request {
	bool attempted;
	bool transport_ok; /* an HTTP response arrived (else error[] says why) */
	long status;	   /* HTTP status */
	char content_type[128];
	char error[RC_ERR_MSG_MAX]; /* transport error, or why the answer is wrong */
	double elapsed_s;
};

struct rc_pprof_fetch_opts {
	int seconds;		 /* CPU profile length; default 5 when 0 */
	double timeout_s;	 /* per profile request; default seconds * 1.5 + 5 when 0 */
	const char *headers[16]; /* "Name: value" */
	size_t n_headers;
	const char *cacert;
	bool insecure;
	int pid; /* > 0: read its CPU time around the profile and its exe */
	struct rc_pprof_limits limits;
	void (*progress)(void *arg, const char *what, double elapsed_s, double total_s);
	void *progress_arg;
};

/* Everything the pprof checks need from one endpoint (or a --profile file). */
struct rc_pprof_fetch {
	char url[512]; /* base URL, or the --profile file */
	bool from_file;
	struct rc_pprof_request index;	   /* GET /debug/pprof/ */
	struct rc_pprof_request goroutine; /* GET /debug/pprof/goroutine?debug=1 */
	struct rc_pprof_request profile;   /* GET /debug/pprof/profile?seconds=N */
	bool profile_ok;		   /* summary below is valid */
	bool contended; /* gave up: "cpu profiling already in use" until timeout */
	unsigned contention_retries;
	int seconds; /* requested profile length */
	struct rc_pprof_summary summary;
	/* with pid > 0 */
	bool have_cpu;
	double cpu_seconds;	/* the process's user+system CPU during the profile */
	char exe_build_id[129]; /* /proc/PID/exe's GNU build-id, or "" */
};

/*
 * Pull @base_url's endpoints in order: the index, the goroutine text and a
 * CPU profile (retrying HTTP 500 "cpu profiling already in use" with back-off
 * until the timeout), and decode. Outcomes, good and bad, are recorded in
 * @out for the checks; returns a negative code only for -RC_ENOMEM or an
 * invalid URL (-RC_EINVAL).
 */
int rc_pprof_fetch(const char *base_url, const struct rc_pprof_fetch_opts *opts,
		   struct rc_pprof_fetch *out, struct rc_err *err);

/*
 * Whether the endpoint's goroutines show a CPU profile being written (by
 * anyone): an exec then can kill a cgo process with SIGPROF. False when the
 * endpoint does not answer.
 */
bool rc_pprof_cpu_profile_in_flight(const char *base_url, const struct rc_pprof_fetch_opts *opts);

/*
 * The same from a profile file (--profile): no endpoint requests. A file that
 * cannot be read is -RC_EIO (or -RC_EACCES); one that is not a valid profile
 * (not gzip'd profile.proto, truncated, over the limits) is -RC_EFORMAT, with
 * the reason in @err and in out->profile.error.
 */
int rc_pprof_fetch_file(const char *path, const struct rc_pprof_fetch_opts *opts,
			struct rc_pprof_fetch *out, struct rc_err *err);

#endif
