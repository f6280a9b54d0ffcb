/* SPDX-License-Identifier: MIT */
/* pprof-endpoint on hand-built fetch results (the Go server is probed in cmd/tests). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

/* A healthy fetch: index, 12 goroutines, a 5 s CPU profile with 480 samples. */
static void healthy(struct rc_pprof_fetch *p)
{
	struct rc_pprof_summary *s = &p->summary;

	memset(p, 0, sizeof(*p));
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:6060");
	p->seconds = 5;
	p->index =
		(struct rc_pprof_request){.attempted = true, .transport_ok = true, .status = 200};
	snprintf(p->index.content_type, sizeof(p->index.content_type), "text/html; charset=utf-8");
	p->goroutine = p->index;
	p->profile = p->index;
	p->profile_ok = true;
	s->goroutines = 12;
	snprintf(s->top_goroutine_stack, sizeof(s->top_goroutine_stack), "4 @ 0x1 0x2\n");
	s->n_sample_types = 2;
	snprintf(s->sample_types[0].type, 64, "samples");
	snprintf(s->sample_types[0].unit, 64, "count");
	snprintf(s->sample_types[1].type, 64, "cpu");
	snprintf(s->sample_types[1].unit, 64, "nanoseconds");
	s->main_value = 1;
	snprintf(s->period_type.type, 64, "cpu");
	snprintf(s->period_type.unit, 64, "nanoseconds");
	s->period = 10000000;
	s->duration_nanos = 5000000000LL;
	s->n_samples = 120; /* distinct stacks */
	s->totals[0] = 480;
	s->totals[1] = 480 * 10000000LL;
	s->n_locations = 100;
	s->n_locations_unsymbolized = 2;
	s->has_main_mapping = true;
	s->main_has_functions = true;
	snprintf(s->main_build_id, sizeof(s->main_build_id), "abcd");
	snprintf(s->main_filename, sizeof(s->main_filename), "/srv/app");
}

static void run_check(struct proctest *t, const struct rc_pprof_fetch *p)
{
	struct rc_ctx ctx = {.pprof = p};

	t->res = checktest_run_ctx(&rc_check_pprof_endpoint, &ctx, &t->report);
}

START_TEST(healthy_passes)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.index"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.goroutines"));
	ck_assert_ptr_nonnull(strstr(proctest_find(&t, "pprof.profile")->message,
				     "480 samples (120 distinct stacks)"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.build_id"));
	proctest_done(&t);
}
END_TEST

START_TEST(missing_handler_fails)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.index.status = 404;
	snprintf(p.index.error, sizeof(p.index.error),
		 "HTTP 404: the net/http/pprof handler is not registered");
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(strstr(proctest_find(&t, "pprof.index_missing")->message, "404"));
	proctest_done(&t);
}
END_TEST

START_TEST(zero_samples_busy_fails_idle_warns)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.summary.n_samples = 0;
	p.have_cpu = true;
	p.cpu_seconds = 3.0;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(strstr(proctest_find(&t, "pprof.no_samples")->message, "broken"));
	proctest_done(&t);
	p.cpu_seconds = 0.01;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(strstr(proctest_find(&t, "pprof.no_samples")->message, "idle"));
	proctest_done(&t);
	p.have_cpu = false;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	proctest_done(&t);
}
END_TEST

START_TEST(contention_warns)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.profile_ok = false;
	p.contended = true;
	p.contention_retries = 4;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.contended"));
	ck_assert_int_eq(proctest_count(&t, "pprof.profile_invalid"), 0);
	proctest_done(&t);
}
END_TEST

START_TEST(bad_profile_fails_with_cause)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.profile_ok = false;
	snprintf(p.profile.error, sizeof(p.profile.error), "truncated gzip stream");
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(
		strstr(proctest_find(&t, "pprof.profile_invalid")->message, "truncated gzip"));
	proctest_done(&t);
}
END_TEST

START_TEST(quality_warnings)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.summary.n_locations_unsymbolized = 40;
	p.summary.main_has_functions = false;
	p.summary.duration_nanos = 1000000000LL;
	snprintf(p.exe_build_id, sizeof(p.exe_build_id), "ffff");
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.unsymbolized"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.no_functions"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.duration_off"));
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.build_id_mismatch"));
	proctest_done(&t);
}
END_TEST

START_TEST(wrong_sample_types_fail)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	snprintf(p.summary.sample_types[1].type, 64, "alloc_space");
	snprintf(p.summary.sample_types[1].unit, 64, "bytes");
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.sample_types"));
	proctest_done(&t);
}
END_TEST

START_TEST(no_goroutines_fail)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.summary.goroutines = 0;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(proctest_find(&t, "pprof.no_goroutines"));
	proctest_done(&t);
}
END_TEST

/* The report names the functions sampled most, first by flat share, at most 10. */
START_TEST(top_functions_named)
{
	struct rc_pprof_fetch p;
	struct proctest t;
	const struct rc_finding *f;
	int64_t total;

	healthy(&p);
	total = p.summary.totals[1];
	for (size_t i = 0; i < 12; i++) {
		struct rc_pprof_func *fn = &p.summary.top[i];

		snprintf(fn->name, sizeof(fn->name), "main.f%zu", i);
		fn->flat = total / (int64_t)(2 + i * 4);
		fn->flat_share = (double)fn->flat / (double)total;
	}
	snprintf(p.summary.top[0].name, sizeof(p.summary.top[0].name), "main.burnHot");
	p.summary.n_top = 12;
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(proctest_count(&t, "pprof.top"), 10);
	f = proctest_find(&t, "pprof.top");
	ck_assert_int_eq(f->severity, RC_SEV_INFO);
	ck_assert_str_eq(proctest_detail(f, "name"), "main.burnHot");
	ck_assert_str_eq(proctest_detail(f, "flat_share"), "0.5000");
	ck_assert_str_eq(proctest_detail(f, "unit"), "nanoseconds");
	ck_assert_ptr_nonnull(strstr(f->message, "main.burnHot: 50.0% flat"));
	ck_assert_str_eq(proctest_detail(f->next ? f->next : f, "name"), "main.f1");
	proctest_done(&t);
	/* An empty profile names nothing. */
	healthy(&p);
	run_check(&t, &p);
	ck_assert_int_eq(proctest_count(&t, "pprof.top"), 0);
	proctest_done(&t);
}
END_TEST

START_TEST(endpoint_down_is_error)
{
	struct rc_pprof_fetch p;
	struct proctest t;

	healthy(&p);
	p.index.transport_ok = p.goroutine.transport_ok = p.profile.transport_ok = false;
	p.profile_ok = false;
	snprintf(p.index.error, sizeof(p.index.error), "connection refused");
	run_check(&t, &p);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_ERROR);
	ck_assert_ptr_nonnull(strstr(rc_result_reason(t.res), "connection refused"));
	proctest_done(&t);
}
END_TEST

static Suite *pprof_endpoint_suite(void)
{
	return checktest_suite(
		"pprof_endpoint",
		(const struct checktest_tcase[]){
			{"endpoint",
			 {healthy_passes, missing_handler_fails, zero_samples_busy_fails_idle_warns,
			  contention_warns, bad_profile_fails_with_cause, quality_warnings,
			  wrong_sample_types_fail, no_goroutines_fail, endpoint_down_is_error,
			  top_functions_named}},
			{NULL}});
}

int main(void)
{
	return checktest_main(pprof_endpoint_suite());
}
