/* SPDX-License-Identifier: MIT */
/*
 * pprof-continuity: profiling went on across the reload. Compares NEW's
 * profile summary with one saved before (--baseline). Verdict rules: a gap
 * over the threshold, changed sample types or period, a drop in
 * symbolization, a goroutine count off by more than a factor, and a hot
 * function (>= 10% flat) that vanished warn; the top-function diff informs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/error.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/report.h>

#define SYMBOLIZATION_DROP 0.05 /* 5 points more unnamed locations */

static const struct rc_pprof_func *find_top(const struct rc_pprof_summary *s, const char *name)
{
	for (size_t i = 0; i < s->n_top; i++)
		if (!strcmp(s->top[i].name, name))
			return &s->top[i];
	return NULL;
}

static void pct(double share, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f%%", share * 100);
}

static void top_row(struct rc_check_result *res, const char *name, double o, double n)
{
	char os[16], ns[16], ch[16];
	struct rc_finding *f;

	pct(o, os, sizeof(os));
	pct(n, ns, sizeof(ns));
	snprintf(ch, sizeof(ch), "%+.1f%%", (n - o) * 100);
	f = rc_result_add(res, RC_SEV_INFO, "pprof.top_diff", "%-60s %7s -> %7s  (%s)",
			  name[0] ? name : "(unnamed)", os, ns, ch);
	rc_finding_str(f, "function", name);
	rc_finding_str(f, "old_share", os);
	rc_finding_str(f, "new_share", ns);
	rc_finding_str(f, "change", ch);
}

static void top_diff(const struct rc_pprof_summary *b, const struct rc_pprof_summary *s,
		     double hot_share, struct rc_check_result *res)
{
	struct rc_finding *f;

	/* NEW's top first (like pprof -diff_base, by the new order), then what left it. */
	for (size_t i = 0; i < s->n_top; i++) {
		const struct rc_pprof_func *o = find_top(b, s->top[i].name);

		top_row(res, s->top[i].name, o ? o->flat_share : 0, s->top[i].flat_share);
	}
	for (size_t i = 0; i < b->n_top; i++) {
		const struct rc_pprof_func *o = &b->top[i];

		if (find_top(s, o->name))
			continue;
		top_row(res, o->name, o->flat_share, 0);
		if (o->flat_share < hot_share || !o->name[0])
			continue;
		f = rc_result_add(res, RC_SEV_WARN, "pprof.hot_function_vanished",
				  "%s held %.1f%% of CPU before the reload and is gone from NEW's "
				  "top functions: the workload moved, or NEW no longer runs it",
				  o->name, o->flat_share * 100);
		rc_finding_str(f, "function", o->name);
	}
}

static bool same_types(const struct rc_pprof_summary *a, const struct rc_pprof_summary *b)
{
	if (a->n_sample_types != b->n_sample_types)
		return false;
	for (size_t i = 0; i < a->n_sample_types; i++)
		if (strcmp(a->sample_types[i].type, b->sample_types[i].type) ||
		    strcmp(a->sample_types[i].unit, b->sample_types[i].unit))
			return false;
	return true;
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_pprof_summary *b = ctx->pprof_baseline;
	const struct rc_pprof_fetch *p = ctx->pprof;
	const struct rc_pprof_summary *s = &p->summary;
	struct rc_finding *f;
	struct rc_thresholds th;
	int64_t gap, gap_warn;
	double ob, nb;

	if (ctx->thresholds)
		th = *ctx->thresholds;
	else
		rc_policy_thresholds(NULL, &th);
	gap_warn = (int64_t)(th.pprof_gap_seconds * 1e9);

	if (!b) {
		rc_result_skip(res, "no --baseline summary saved before the reload");
		return 0;
	}
	if (!p->profile_ok) {
		rc_result_skip(res, "no profile from NEW to compare (pprof-endpoint says why)");
		return 0;
	}
	gap = s->time_nanos - (b->time_nanos + b->duration_nanos);
	f = rc_result_add(res, gap > gap_warn ? RC_SEV_WARN : RC_SEV_INFO, "pprof.gap",
			  "%.1f s between the end of the baseline profile and the start of NEW's%s",
			  (double)gap / 1e9,
			  gap > gap_warn ? ": longer than the policy allows" : "");
	rc_finding_int(f, "gap_nanos", gap);
	if (!same_types(b, s)) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.sample_types_changed",
			"the sample types changed (%zu before, %zu now): dashboards keyed "
			"by type lose the series",
			b->n_sample_types, s->n_sample_types);
	}
	if (b->period != s->period || strcmp(b->period_type.unit, s->period_type.unit)) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.period_changed",
			"the sampling period changed from %lld to %lld %s: rates before and "
			"after are not comparable",
			(long long)b->period, (long long)s->period, s->period_type.unit);
		rc_finding_int(f, "old_period", b->period);
		rc_finding_int(f, "new_period", s->period);
	}
	ob = rc_pprof_unsymbolized_share(b);
	nb = rc_pprof_unsymbolized_share(s);
	if (nb > ob + SYMBOLIZATION_DROP) {
		f = rc_result_add(
			res, RC_SEV_WARN, "pprof.symbolization_dropped",
			"locations without a function name went from %.1f%% to %.1f%%: NEW "
			"lost symbols",
			ob * 100, nb * 100);
	}
	if (b->goroutines > 0 && s->goroutines >= 0) {
		double ratio = s->goroutines > 0 ? (double)s->goroutines / (double)b->goroutines
						 : INFINITY;

		if (ratio > th.pprof_goroutine_factor || ratio < 1 / th.pprof_goroutine_factor) {
			f = rc_result_add(
				res, RC_SEV_WARN, "pprof.goroutines_changed",
				"goroutines went from %lld to %lld (more than a factor of "
				"%.0f): a leak, or workers that did not start",
				(long long)b->goroutines, (long long)s->goroutines,
				th.pprof_goroutine_factor);
			rc_finding_int(f, "old", b->goroutines);
			rc_finding_int(f, "new", s->goroutines);
		}
	}
	top_diff(b, s, th.pprof_hot_share, res);
	rc_result_metric(res, "gap_ms", gap / 1000000);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"pprof.top_diff",
	"pprof.hot_function_vanished",
	"pprof.gap",
	"pprof.sample_types_changed",
	"pprof.period_changed",
	"pprof.symbolization_dropped",
	"pprof.goroutines_changed",
	NULL,
};

const struct rc_check rc_check_pprof_continuity = {
	.id = "pprof-continuity",
	.summary = "profiling continued across the reload: gap, period, symbols, top functions",
	.explain = "Compares NEW's profile summary with the one saved before the reload "
		   "(reloadcheck pprof --save, then --baseline). The gap between the end of the "
		   "baseline profile (time + duration) and the start of the new one warns above 5 "
		   "minutes; changed sample types or sampling period warn (dashboards lose the "
		   "series, rates stop being comparable); a rise of more than 5 points in "
		   "locations without function names warns (NEW lost symbols); a goroutine count "
		   "that changed by more than a factor of 4 warns (a leak, or workers that did not "
		   "start). The top 20 functions by flat share of both profiles are listed as a "
		   "diff table (old %, new %, change), like pprof -diff_base, and a function that "
		   "held at least 10% and vanished warns.\n\n"
		   "Skipped without --baseline.\n\n"
		   "To fix: profile again soon after every reload (the gap), keep the sampling "
		   "rate (runtime.SetCPUProfileRate) and symbols unchanged, and look at the "
		   "vanished hot function: the reload changed what the service does.",
	.needs = RC_NEEDS_PPROF,
	.codes = finding_codes,
	.run = run,
};
