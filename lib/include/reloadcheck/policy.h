/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_POLICY_H
#define RELOADCHECK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <reloadcheck/report.h>

struct rc_err;
struct rc_canary_spec;

/*
 * The gate's policy file (JSON, schema reloadcheck/policy/v1): which checks
 * run, severity overrides per finding code, suppressions (each with a
 * required reason), thresholds, fail_on, and inputs for the probe and pprof.
 */

#define RC_POLICY_SCHEMA "reloadcheck/policy/v1"

/* What exists, for validating ids and codes (lib knows no checks). */
struct rc_policy_catalog {
	const char *const *ids;		 /* check ids */
	const char *const *const *codes; /* per id: NULL-terminated finding codes */
	size_t n;
};

struct rc_thresholds {
	double pprof_gap_seconds;      /* default 300 */
	int64_t pprof_min_samples;     /* default 1: fewer samples is "no samples" */
	double pprof_max_unsymbolized; /* default 0.10 */
	double pprof_goroutine_factor; /* default 4 */
	double pprof_hot_share;	       /* default 0.10 */
};

struct rc_policy;

/*
 * Load and validate @path. Errors are -RC_EINVAL (a usage error) with the
 * file, line and key named: "'p.json' line 7: key 'checks.symbol-drift.severity.symbol.gone':
 * unknown finding code 'symbol.gone' for check 'symbol-drift'"; bad JSON,
 * unknown keys, wrong types, unknown check ids and codes, a suppression
 * without a reason, a bad regex. -RC_EIO when the file cannot be read.
 */
int rc_policy_load(const char *path, const struct rc_policy_catalog *cat, struct rc_policy **out,
		   struct rc_err *err);
void rc_policy_free(struct rc_policy *p);

/* The defaults when @p is NULL. */
void rc_policy_thresholds(const struct rc_policy *p, struct rc_thresholds *out);
bool rc_policy_enabled(const struct rc_policy *p, const char *check_id);
/* RC_VERDICT_WARN when warnings of @check_id fail the gate, else RC_VERDICT_FAIL. */
enum rc_verdict rc_policy_fail_on(const struct rc_policy *p, const char *check_id);

/*
 * Apply severity overrides and suppressions to a check's findings (suppressed
 * ones stay listed, marked with the reason), then rc_result_finish again.
 * Suppressions match check (exact, optional), code (exact, optional) and the
 * finding's "name" detail (or "function", "symbol", "signal", "address") by
 * shell glob ("symbol") or POSIX extended regex ("symbol_regex").
 */
void rc_policy_apply(const struct rc_policy *p, struct rc_check_result *res);

/* Probe inputs: "probe": {"tls_canaries": {"SYMBOL": "0x..."|integer}}. */
size_t rc_policy_canaries(const struct rc_policy *p, const struct rc_canary_spec **out);
/* dwarf-layout's state types: "state_types": ["struct session_table", ...]. */
size_t rc_policy_state_types(const struct rc_policy *p, const char *const **out);
/* Listeners the process must hold: "proto address" strings, e.g. "tcp 127.0.0.1:8080". */
size_t rc_policy_listeners(const struct rc_policy *p, const char *const **out);
/* pprof inputs: "pprof": {"url": "...", "seconds": N, "headers": ["Name: value"]}. */
const char *rc_policy_pprof_url(const struct rc_policy *p);
int rc_policy_pprof_seconds(const struct rc_policy *p); /* 0 when unset */
size_t rc_policy_pprof_headers(const struct rc_policy *p, const char *const **out);

#endif
