/* SPDX-License-Identifier: MIT */
/*
 * pprof-endpoint: the Go net/http/pprof endpoints answer and the CPU profile
 * samples. Verdict rules: a missing handler, a wrong or undecodable answer,
 * no goroutines, unexpected sample types, and zero samples from a busy process
 * fail; contention, zero samples from an idle (or unknown) process, a
 * duration far from the request, poor symbolization and a build-id that is
 * not the running file's warn. Transport failures are an error.
 */
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/report.h>

/* A process that used at least this share of a core while profiled is busy. */
#define BUSY_CPU_SHARE 0.05
/* Functions listed by flat share: the head of `go tool pprof -top`. */
#define TOP_SHOWN 10

static bool has_type(const struct rc_pprof_summary *s, const char *type, const char *unit)
{
	for (size_t i = 0; i < s->n_sample_types; i++)
		if (!strcmp(s->sample_types[i].type, type) &&
		    !strcmp(s->sample_types[i].unit, unit))
			return true;
	return false;
}

/* Samples taken: the samples/count total (Go merges equal stacks into one record). */
static int64_t total_samples(const struct rc_pprof_summary *s)
{
	for (size_t i = 0; i < s->n_sample_types; i++)
		if (!strcmp(s->sample_types[i].type, "samples"))
			return s->totals[i];
	return (int64_t)s->n_samples;
}

static void endpoint_index(const struct rc_pprof_fetch *p, struct rc_check_result *res)
{
	struct rc_finding *f;

	if (p->index.error[0]) {
		f = rc_result_add(res, RC_SEV_FAIL, "pprof.index_missing", "%s/debug/pprof/: %s",
				  p->url, p->index.error);
		rc_finding_int(f, "status", p->index.status);
		rc_finding_str(f, "content_type", p->index.content_type);
		return;
	}
	f = rc_result_add(res, RC_SEV_INFO, "pprof.index", "%s/debug/pprof/ answers (HTTP %ld, %s)",
			  p->url, p->index.status, p->index.content_type);
	rc_finding_int(f, "status", p->index.status);
}

static void endpoint_goroutines(const struct rc_pprof_fetch *p, struct rc_check_result *res)
{
	const struct rc_pprof_summary *s = &p->summary;
	struct rc_finding *f;

	if (p->goroutine.error[0]) {
		f = rc_result_add(res, RC_SEV_FAIL, "pprof.goroutine_invalid",
				  "%s/debug/pprof/goroutine?debug=1: %s", p->url,
				  p->goroutine.error);
		rc_finding_int(f, "status", p->goroutine.status);
		return;
	}
	if (s->goroutines <= 0) {
		f = rc_result_add(res, RC_SEV_FAIL, "pprof.no_goroutines",
				  "the goroutine profile lists %lld goroutines: a live Go process "
				  "has at least one",
				  (long long)s->goroutines);
		rc_finding_int(f, "goroutines", s->goroutines);
		return;
	}
	f = rc_result_add(res, RC_SEV_INFO, "pprof.goroutines",
			  "%lld goroutines; the largest group: %.*s", (long long)s->goroutines,
			  (int)strcspn(s->top_goroutine_stack, "\n"), s->top_goroutine_stack);
	rc_finding_int(f, "goroutines", s->goroutines);
	rc_finding_str(f, "top_stack", s->top_goroutine_stack);
}

static void profile_samples(const struct rc_pprof_fetch *p, const struct rc_thresholds *th,
			    struct rc_check_result *res)
{
	const struct rc_pprof_summary *s = &p->summary;
	double share = rc_pprof_unsymbolized_share(s);
	double secs = (double)s->duration_nanos / 1e9;
	struct rc_finding *f;

	f = rc_result_add(
		res, RC_SEV_INFO, "pprof.profile",
		"CPU profile: %lld samples (%llu distinct stacks) over %.1f s, period %lld "
		"%s, %zu sample types, %llu locations (%.1f%% without a function name)",
		(long long)total_samples(s), (unsigned long long)s->n_samples, secs,
		(long long)s->period, s->period_type.unit, s->n_sample_types,
		(unsigned long long)s->n_locations, share * 100);
	rc_finding_int(f, "samples", total_samples(s));
	rc_finding_uint(f, "stacks", s->n_samples);
	rc_finding_int(f, "period", s->period);
	rc_finding_int(f, "duration_nanos", s->duration_nanos);
	rc_finding_uint(f, "locations", s->n_locations);
	rc_finding_uint(f, "unsymbolized", s->n_locations_unsymbolized);
	if (!has_type(s, "samples", "count") || !has_type(s, "cpu", "nanoseconds")) {
		f = rc_result_add(
			res, RC_SEV_FAIL, "pprof.sample_types",
			"the CPU profile's sample types are not samples/count and "
			"cpu/nanoseconds (%zu types, the first '%s/%s'): not a Go CPU profile",
			s->n_sample_types, s->n_sample_types ? s->sample_types[0].type : "",
			s->n_sample_types ? s->sample_types[0].unit : "");
	}
	if (!p->from_file && p->seconds > 0 &&
	    (secs < p->seconds * 0.8 || secs > p->seconds * 1.5 + 1)) {
		f = rc_result_add(res, RC_SEV_WARN, "pprof.duration_off",
				  "the profile covers %.1f s, %d s were requested: the server cut "
				  "it short (write timeout?) or profiled longer",
				  secs, p->seconds);
		rc_finding_int(f, "requested_seconds", p->seconds);
	}
	if (total_samples(s) < th->pprof_min_samples || s->n_samples == 0) {
		bool busy = p->have_cpu && p->seconds > 0 &&
			    p->cpu_seconds >= BUSY_CPU_SHARE * p->seconds;
		char cpu[32];

		snprintf(cpu, sizeof(cpu), "%.2f", p->cpu_seconds);
		if (busy)
			f = rc_result_add(
				res, RC_SEV_FAIL, "pprof.no_samples",
				"the profile has no samples although the process used %s s "
				"of CPU meanwhile: CPU profiling is broken (SIGPROF not "
				"delivered?)",
				cpu);
		else if (p->have_cpu)
			f = rc_result_add(
				res, RC_SEV_WARN, "pprof.no_samples",
				"the profile has no samples; the process used only %s s of "
				"CPU meanwhile, so it is idle rather than broken",
				cpu);
		else
			f = rc_result_add(res, RC_SEV_WARN, "pprof.no_samples",
					  "the profile has no samples (give --pid to tell an idle "
					  "process from broken profiling)");
		rc_finding_bool(f, "busy", busy);
		if (p->have_cpu)
			rc_finding_str(f, "cpu_seconds", cpu);
	}
	if (s->has_main_mapping && !s->main_has_functions) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.no_functions",
			"the main mapping (%s) has no function information: profiles of NEW "
			"show addresses, not names",
			s->main_filename[0] ? s->main_filename : "unnamed");
	}
	if (s->n_locations && share > th->pprof_max_unsymbolized) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.unsymbolized",
			"%.1f%% of the profile's locations have no function name (more than "
			"%.0f%%): symbolization is failing",
			share * 100, th->pprof_max_unsymbolized * 100);
		rc_finding_uint(f, "unsymbolized", s->n_locations_unsymbolized);
	}
}

/* The functions the profile sampled most, as `go tool pprof -top` lists them. */
static void top_functions(const struct rc_pprof_summary *s, struct rc_check_result *res)
{
	const char *unit = s->n_sample_types ? s->sample_types[s->main_value].unit : "";
	struct rc_finding *f;

	for (size_t i = 0; i < s->n_top && i < TOP_SHOWN; i++) {
		const struct rc_pprof_func *fn = &s->top[i];
		const char *name = fn->name[0] ? fn->name : "(unnamed)";
		char share[16];

		if (fn->flat <= 0)
			break;
		snprintf(share, sizeof(share), "%.4f", fn->flat_share);
		f = rc_result_add(res, RC_SEV_INFO, "pprof.top", "#%zu %s: %.1f%% flat (%lld %s)",
				  i + 1, name, fn->flat_share * 100, (long long)fn->flat, unit);
		rc_finding_uint(f, "rank", i + 1);
		rc_finding_str(f, "name", name);
		rc_finding_int(f, "flat", fn->flat);
		rc_finding_str(f, "flat_share", share);
		rc_finding_str(f, "unit", unit);
	}
}

static void build_ids(const struct rc_pprof_fetch *p, struct rc_check_result *res)
{
	const struct rc_pprof_summary *s = &p->summary;
	struct rc_finding *f;

	if (!s->main_build_id[0])
		return;
	if (p->exe_build_id[0] && strcmp(p->exe_build_id, s->main_build_id) != 0) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.build_id_mismatch",
			"the profile's main mapping reports build-id %s but the process "
			"runs %s: after a binary swap on disk Go reports the new file's id "
			"for the old process; trust /proc/PID/exe",
			s->main_build_id, p->exe_build_id);
	} else {
		f = rc_result_add(res, RC_SEV_INFO, "pprof.build_id",
				  "the profile's main mapping %s has build-id %s%s",
				  s->main_filename, s->main_build_id,
				  p->exe_build_id[0] ? ", the running executable's" : "");
	}
	rc_finding_str(f, "profile_build_id", s->main_build_id);
	rc_finding_str(f, "exe_build_id", p->exe_build_id[0] ? p->exe_build_id : NULL);
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_pprof_fetch *p = ctx->pprof;
	struct rc_thresholds th;
	struct rc_finding *f;

	if (ctx->thresholds)
		th = *ctx->thresholds;
	else
		rc_policy_thresholds(NULL, &th);
	/* Nothing answered at all: the endpoint is down, which is not a verdict. */
	if (!p->from_file && !p->index.transport_ok && !p->goroutine.transport_ok &&
	    !p->profile.transport_ok) {
		/* The transport error names the URL already. */
		rc_result_error(res, "%s", p->index.error[0] ? p->index.error : "no answer");
		return 0;
	}
	if (!p->from_file) {
		endpoint_index(p, res);
		endpoint_goroutines(p, res);
	}
	if (p->contended) {
		f = rc_result_add(res, RC_SEV_WARN, "pprof.contended",
				  "another CPU profile was running during all %u attempts "
				  "(\"cpu profiling already in use\"): contention, not breakage; "
				  "retry when it has finished",
				  p->contention_retries + 1);
		rc_finding_uint(f, "retries", p->contention_retries);
	} else if (!p->profile_ok) {
		f = rc_result_add(res, RC_SEV_FAIL, "pprof.profile_invalid", "%s: %s",
				  p->from_file ? p->url : "/debug/pprof/profile",
				  p->profile.error[0] ? p->profile.error : "no profile");
		rc_finding_int(f, "status", p->profile.status);
		rc_finding_str(f, "content_type", p->profile.content_type);
	} else {
		profile_samples(p, &th, res);
		top_functions(&p->summary, res);
		build_ids(p, res);
	}
	rc_result_metric(res, "goroutines", p->summary.goroutines);
	rc_result_metric(res, "samples", total_samples(&p->summary));
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"pprof.index_missing",
	"pprof.index",
	"pprof.goroutine_invalid",
	"pprof.no_goroutines",
	"pprof.goroutines",
	"pprof.profile",
	"pprof.sample_types",
	"pprof.duration_off",
	"pprof.no_samples",
	"pprof.no_functions",
	"pprof.unsymbolized",
	"pprof.build_id_mismatch",
	"pprof.build_id",
	"pprof.contended",
	"pprof.profile_invalid",
	"pprof.top",
	NULL,
};

const struct rc_check rc_check_pprof_endpoint = {
	.id = "pprof-endpoint",
	.summary = "Go net/http/pprof answers: index, goroutines, a CPU profile that samples",
	.explain = "Pulls a Go net/http/pprof endpoint with libcurl: GET /debug/pprof/ (the index: "
		   "200 and HTML, else the handler is not registered in NEW), "
		   "/debug/pprof/goroutine?debug=1 (\"goroutine profile: total N\", N > 0) and "
		   "/debug/pprof/profile?seconds=N (a gzip-compressed profile.proto, decoded with "
		   "zlib and protobuf-c). The profile must have the samples/count and "
		   "cpu/nanoseconds sample types, a duration close to N, samples, function names "
		   "in the main mapping and named functions for most locations.\n\n"
		   "Zero samples fail when the process was busy (its CPU time from /proc/PID/stat "
		   "with --pid), since then SIGPROF-based profiling is broken; from an idle or "
		   "unknown process they warn. HTTP 500 \"cpu profiling already in use\" is "
		   "contention with another profiler, retried with back-off and reported as a "
		   "warning. With --pid the profile's main-mapping build-id is compared with "
		   "/proc/PID/exe: after a binary swap on disk Go profiles report the new file's "
		   "id for the old process. A refused connection, DNS failure or timeout is an "
		   "error (exit 3).\n\n"
		   "To fix: register net/http/pprof (import _ \"net/http/pprof\") on the mux NEW "
		   "serves, keep its write timeout above the profile length, and do not strip "
		   "function names from Go binaries.\n\n"
		   "Every profile also lists the functions it sampled most (pprof.top, like `go "
		   "tool pprof -top`): name, flat value and flat share of the total, for the "
		   "first 10 by flat share.",
	.needs = RC_NEEDS_PPROF,
	.codes = finding_codes,
	.run = run,
};
