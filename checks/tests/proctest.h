/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_PROCTEST_H
#define RELOADCHECK_PROCTEST_H

#include <reloadcheck/check.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

/*
 * Hand-built snapshots for the proc-* checks: the checks only compare
 * snapshots, so their verdict rules are tested here without a live process
 * (cmd/tests/test_probe.c probes real ones).
 */
struct proctest {
	struct rc_report *report;
	struct rc_check_result *res;
};

/*
 * A process 100 "app" running /srv/app (build-id "aa...", content hash "cc...",
 * a file identity), 2 threads, no listeners.
 */
void proctest_snapshot(struct rc_snapshot *s);
void proctest_add_listener(struct rc_snapshot *s, enum rc_sock_proto proto, const char *address);
/* A canary read in every thread of @s with @value, except thread @odd_tid (odd_value). */
void proctest_add_canary(struct rc_snapshot *s, const char *symbol, uint64_t expected,
			 uint64_t value, int odd_tid, uint64_t odd_value);
void proctest_release(struct rc_snapshot *s);

void proctest_run(struct proctest *t, const struct rc_check *check, const struct rc_snapshot *now,
		  const struct rc_snapshot *baseline, struct rc_elf *expect);
/* Run @check on a context built by the test (gate's expect_is_old, reexec_seen). */
void proctest_run_ctx(struct proctest *t, const struct rc_check *check, const struct rc_ctx *ctx);
void proctest_done(struct proctest *t);
const struct rc_finding *proctest_find(const struct proctest *t, const char *code);
int proctest_count(const struct proctest *t, const char *code);
const char *proctest_detail(const struct rc_finding *f, const char *key);

#endif
