/* SPDX-License-Identifier: MIT */
/* pprof-continuity on hand-built summaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

static void summary(struct rc_pprof_summary *s, int64_t start, const char *hot, double share)
{
	memset(s, 0, sizeof(*s));
	s->n_sample_types = 2;
	snprintf(s->sample_types[0].type, 64, "samples");
	snprintf(s->sample_types[0].unit, 64, "count");
	snprintf(s->sample_types[1].type, 64, "cpu");
	snprintf(s->sample_types[1].unit, 64, "nanoseconds");
	snprintf(s->period_type.unit, 64, "nanoseconds");
	s->period = 10000000;
	s->time_nanos = start;
	s->duration_nanos = 5000000000LL;
	s->n_samples = 100;
	s->n_locations = 100;
	s->goroutines = 10;
	s->n_top = 2;
	snprintf(s->top[0].name, sizeof(s->top[0].name), "%s", hot);
	s->top[0].flat_share = share;
	snprintf(s->top[1].name, sizeof(s->top[1].name), "runtime.futex");
	s->top[1].flat_share = 0.05;
}

static void run_check(struct proctest *t, const struct rc_pprof_summary *b,
		      const struct rc_pprof_fetch *p)
{
	struct rc_ctx ctx = {.pprof = p, .pprof_baseline = b};

	t->res = checktest_run_ctx(&rc_check_pprof_continuity, &ctx, &t->report);
}

START_TEST(continuous_passes_with_diff_table)
{
	struct rc_pprof_summary b;
	struct rc_pprof_fetch p = {.profile_ok = true};
	struct proctest t;
	const struct rc_finding *f;

	summary(&b, 0, "main.burnHot", 0.6);
	summary(&p.summary, 60LL * 1000000000LL, "main.burnHot", 0.55);
	run_check(&t, &b, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(proctest_count(&t, "pprof.top_diff"), 2);
	f = proctest_find(&t, "pprof.top_diff");
	ck_assert_str_eq(proctest_detail(f, "old_share"), "60.0%");
	ck_assert_str_eq(proctest_detail(f, "new_share"), "55.0%");
	ck_assert_str_eq(proctest_detail(f, "change"), "-5.0%");
	ck_assert_int_eq(proctest_find(&t, "pprof.gap")->severity, RC_SEV_INFO);
	proctest_done(&t);
}
END_TEST

START_TEST(long_gap_warns)
{
	struct rc_pprof_summary b;
	struct rc_pprof_fetch p = {.profile_ok = true};
	struct proctest t;

	summary(&b, 0, "main.burnHot", 0.6);
	summary(&p.summary, 10LL * 60 * 1000000000LL, "main.burnHot", 0.6);
	run_check(&t, &b, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_int_eq(proctest_find(&t, "pprof.gap")->severity, RC_SEV_WARN);
	proctest_done(&t);
}
END_TEST

START_TEST(hot_function_vanished_warns)
{
	struct rc_pprof_summary b;
	struct rc_pprof_fetch p = {.profile_ok = true};
	struct proctest t;
	const struct rc_finding *f;

	summary(&b, 0, "main.burnHot", 0.6);
	summary(&p.summary, 1, "main.burnCold", 0.6);
	run_check(&t, &b, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	f = proctest_find(&t, "pprof.hot_function_vanished");
	ck_assert_str_eq(proctest_detail(f, "function"), "main.burnHot");
	ck_assert_int_eq(proctest_count(&t, "pprof.top_diff"), 3);
	proctest_done(&t);
}
END_TEST

START_TEST(period_symbols_goroutines_warn)
{
	struct rc_pprof_summary b;
	struct rc_pprof_fetch p = {.profile_ok = true};
	struct proctest t;

	summary(&b, 0, "main.burnHot", 0.6);
	summary(&p.summary, 1, "main.burnHot", 0.6);
	p.summary.period = 1000000;
	p.summary.n_locations_unsymbolized = 30;
	p.summary.goroutines = 100;
	snprintf(p.summary.sample_types[1].unit, 64, "microseconds");
	run_check(&t, &b, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.period_changed"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.symbolization_dropped"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.goroutines_changed"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.sample_types_changed"));
	proctest_done(&t);
}
END_TEST

START_TEST(no_baseline_skips)
{
	struct rc_pprof_fetch p = {.profile_ok = true};
	struct proctest t;

	summary(&p.summary, 1, "main.burnHot", 0.6);
	run_check(&t, NULL, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_SKIP);
	proctest_done(&t);
}
END_TEST

static Suite *pprof_continuity_suite(void)
{
	return checktest_suite("pprof_continuity",
			       (const struct checktest_tcase[]){
				       {"continuity",
					{continuous_passes_with_diff_table, long_gap_warns,
					 hot_function_vanished_warns,
					 period_symbols_goroutines_warn, no_baseline_skips}},
				       {NULL}});
}

int main(void)
{
	return checktest_main(pprof_continuity_suite());
}
