/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_REPORT_H
#define RELOADCHECK_REPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rc_err;

#define RC_REPORT_SCHEMA "reloadcheck/report/v1"

/* Ordered by badness for the worst-of rule; skip is as good as pass. */
enum rc_verdict {
	RC_VERDICT_PASS = 0,
	RC_VERDICT_SKIP,
	RC_VERDICT_WARN,
	RC_VERDICT_FAIL,
	RC_VERDICT_ERROR,
};

enum rc_severity {
	RC_SEV_INFO = 0,
	RC_SEV_WARN,
	RC_SEV_FAIL,
};

const char *rc_verdict_name(enum rc_verdict v);
const char *rc_severity_name(enum rc_severity s);

enum rc_detail_type {
	RC_DETAIL_STR,
	RC_DETAIL_INT,
	RC_DETAIL_UINT,
	RC_DETAIL_HEX, /* unsigned, written as a "0x..." string */
	RC_DETAIL_BOOL,
};

/* Read-only views: records live in the report's arena until rc_report_free(). */
struct rc_detail {
	const struct rc_detail *next;
	const char *key; /* static string */
	uint32_t len;	 /* string length for RC_DETAIL_STR */
	uint32_t type;	 /* enum rc_detail_type */
	union {
		const char *s;
		int64_t i;
		uint64_t u;
		bool b;
	} v;
};

struct rc_finding {
	const struct rc_finding *next;
	const char *code; /* static string, e.g. "symbol.removed" */
	enum rc_severity severity;
	const char *message;
	const struct rc_detail *detail; /* in the order added */
	const char *suppressed;		/* the policy's reason, or NULL: not counted */
};

struct rc_metric {
	const struct rc_metric *next;
	const char *key; /* static string */
	int64_t value;
};

struct rc_report;
struct rc_check_result;

/* A new, empty report; free with rc_report_free(). NULL when out of memory. */
struct rc_report *rc_report_new(void);
void rc_report_free(struct rc_report *r);

/* The report's inputs (paths, sizes, build-ids); strings are copied. */
void rc_report_set_input(struct rc_report *r, const char *role, const char *path, uint64_t size,
			 const char *build_id_hex);
void rc_report_set_pid(struct rc_report *r, long pid);
void rc_report_set_pprof_url(struct rc_report *r, const char *url);
void rc_report_set_tool_version(struct rc_report *r, const char *version);
void rc_report_set_duration_ms(struct rc_report *r, uint64_t ms);
/*
 * Fix the run's duration: the time since rc_report_new(). Only the first call
 * (or rc_report_set_duration_ms) counts, so every file written afterwards
 * shows the same duration.
 */
void rc_report_stop_clock(struct rc_report *r);
void rc_report_set_created(struct rc_report *r, int64_t unix_seconds);
/*
 * What `reload` did besides the checks (the JSON report's "reload" member):
 * the preflight of the static checks, the trigger, the new process.
 */
struct rc_report_reload {
	bool refused;		 /* the preflight failed: nothing was triggered */
	bool forced;		 /* the preflight failed and --force went on */
	const char *reason;	 /* why it was refused or forced, or NULL */
	bool triggered;		 /* the signal was sent or the command run */
	const char *signal;	 /* "SIGUSR2", or NULL */
	const char *command;	 /* the --exec command, or NULL */
	int exit_status;	 /* the command's (128 + N for signal N); -1 unknown */
	const char *output_tail; /* its last lines of output, or NULL */
	long new_pid;		 /* 0 when none was found */
	const char *found_by;	 /* "same-pid", "pidfile", "child", or NULL */
	const char *evidence;	 /* the exec evidence, or NULL */
};
/* Record @rl in @r; strings are copied. */
void rc_report_set_reload(struct rc_report *r, const struct rc_report_reload *rl);
/* The recorded reload, or NULL. */
const struct rc_report_reload *rc_report_reload(const struct rc_report *r);

/* Mark the whole run as unable to check (verdict "error", an "error" member). */
void rc_report_set_error(struct rc_report *r, const char *message);

/* Append a check result for @id (static string); owned by the report. */
struct rc_check_result *rc_report_add_check(struct rc_report *r, const char *id);

size_t rc_report_check_count(const struct rc_report *r);
struct rc_check_result *rc_report_check(const struct rc_report *r, size_t i);

/*
 * The report's verdict (after rc_result_finish), policy applied: fail if any
 * check failed, else the worst of the rest, where error is worst and all-skip
 * is pass. Every renderer shows this verdict and the exit status follows it.
 */
enum rc_verdict rc_report_verdict(const struct rc_report *r);
/* The same rule over the checks' verdicts before the policy (see rc_result_set_fail_on). */
enum rc_verdict rc_report_verdict_before_policy(const struct rc_report *r);

/* The process exit status every command uses; stable, documented in --help and README. */
enum rc_exit {
	RC_EXIT_PASS = 0,	  /* safe to reload (warnings may have been reported) */
	RC_EXIT_FAIL = 1,	  /* the gate blocks */
	RC_EXIT_USAGE = 2,	  /* usage error or bad policy */
	RC_EXIT_CANNOT_CHECK = 3, /* unreadable input, process gone, ... */
};
/*
 * The exit status the verdict means: fail 1, error (or rc_report_set_error) 3,
 * else 0. The JSON report's "exit_code" is this value.
 */
enum rc_exit rc_report_exit_status(const struct rc_report *r);
/* Count of checks with verdict @v. */
size_t rc_report_count(const struct rc_report *r, enum rc_verdict v);
/* -RC_ENOMEM if any allocation inside the report failed, else 0. */
int rc_report_status(const struct rc_report *r);

/*
 * A check's result. Checks add findings and metrics; the verdict is the worst
 * finding severity (no findings: pass) unless rc_result_skip/rc_result_error set it.
 */
const char *rc_result_id(const struct rc_check_result *res);
enum rc_verdict rc_result_verdict(const struct rc_check_result *res);
/* Reason given with skip or error, else NULL. */
const char *rc_result_reason(const struct rc_check_result *res);
void rc_result_skip(struct rc_check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rc_result_error(struct rc_check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Compute the verdict from the findings; call once after the check ran, and
 * again after policy edits. The first call's verdict is kept as the verdict
 * before the policy.
 */
void rc_result_finish(struct rc_check_result *res);
/*
 * The severity that fails this check: RC_VERDICT_FAIL (the default) or
 * RC_VERDICT_WARN, the policy's (or --fail-on's) fail_on. A check that warns
 * under fail_on warn has verdict fail; its verdict before the policy stays warn.
 */
void rc_result_set_fail_on(struct rc_check_result *res, enum rc_verdict level);
enum rc_verdict rc_result_fail_on(const struct rc_check_result *res);
/* The verdict of the check's own findings, before severity edits, suppressions and fail_on. */
enum rc_verdict rc_result_verdict_before_policy(const struct rc_check_result *res);
void rc_result_set_duration_ms(struct rc_check_result *res, uint64_t ms);
uint64_t rc_result_duration_ms(const struct rc_check_result *res);

/*
 * Say once per check why findings of @code matter (both static strings), so
 * tens of thousands of findings do not each repeat it. The JSON report has
 * them under "hints"; the text output prints each under its group.
 */
void rc_result_hint(struct rc_check_result *res, const char *code, const char *text);
/* The hint for @code, or NULL. */
const char *rc_result_hint_for(const struct rc_check_result *res, const char *code);

/* Set (or overwrite) an integer metric; @key is a static string. */
void rc_result_metric(struct rc_check_result *res, const char *key, int64_t value);
const struct rc_metric *rc_result_metrics(const struct rc_check_result *res);

/*
 * Add a finding with a printf-style message. Returns the finding for adding
 * detail, or NULL when out of memory (detail calls accept NULL).
 */
struct rc_finding *rc_result_add(struct rc_check_result *res, enum rc_severity sev,
				 const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct rc_finding *rc_result_vadd(struct rc_check_result *res, enum rc_severity sev,
				  const char *code, const char *fmt, va_list ap);
/* A piece of text with its length, for building messages without printf. */
struct rc_str {
	const char *s;
	size_t len;
};
#define RC_STR(lit) ((struct rc_str){(lit), sizeof(lit) - 1})

/*
 * Add a finding whose message is the concatenation of @parts: no format
 * parsing, for checks that emit tens of thousands of findings.
 */
struct rc_finding *rc_result_add_parts(struct rc_check_result *res, enum rc_severity sev,
				       const char *code, const struct rc_str *parts, size_t n);
const struct rc_finding *rc_result_findings(const struct rc_check_result *res);
/* Counts unsuppressed findings only. */
size_t rc_result_finding_count(const struct rc_check_result *res, enum rc_severity sev);
size_t rc_result_suppressed_count(const struct rc_check_result *res);

/*
 * Policy edits, before rc_result_finish (which may be called again after
 * them): change a finding's severity, or suppress it with a reason (copied).
 * A suppressed finding stays in the report, marked, but no longer counts
 * towards the verdict. @f must be a finding of @res.
 */
struct rc_finding *rc_result_findings_mut(struct rc_check_result *res);
void rc_result_set_severity(struct rc_check_result *res, struct rc_finding *f,
			    enum rc_severity sev);
void rc_result_suppress(struct rc_check_result *res, struct rc_finding *f, const char *reason);

/* Detail on a finding; @key is a static string, strings are copied. */
void rc_finding_str(struct rc_finding *f, const char *key, const char *s);
void rc_finding_strn(struct rc_finding *f, const char *key, const char *s, size_t len);
/*
 * Like rc_finding_str without a copy: @s must outlive the report (a static
 * string, or data of an rc_elf that is freed after the report).
 */
void rc_finding_str_borrowed(struct rc_finding *f, const char *key, const char *s);
void rc_finding_strn_borrowed(struct rc_finding *f, const char *key, const char *s, size_t len);
void rc_finding_int(struct rc_finding *f, const char *key, int64_t v);
void rc_finding_uint(struct rc_finding *f, const char *key, uint64_t v);
void rc_finding_hex(struct rc_finding *f, const char *key, uint64_t v);
void rc_finding_bool(struct rc_finding *f, const char *key, bool v);

/* Write the report as JSON (schema reloadcheck/report/v1) to @out. */
int rc_report_write_json(const struct rc_report *r, FILE *out, struct rc_err *err);

/* The run's duration (rc_report_set_duration_ms), in milliseconds. */
uint64_t rc_report_duration_ms(const struct rc_report *r);
/* When the run started, in Unix seconds (rc_report_set_created; default: rc_report_new). */
int64_t rc_report_created(const struct rc_report *r);

/*
 * Write the report as JUnit XML to @out, for CI report viewers: one testcase
 * per check; fail is a <failure> listing the failing findings, error an
 * <error>, skip <skipped/>; warnings and suppressed findings go to
 * <system-out>. Text that XML cannot carry (control characters, invalid
 * UTF-8) becomes U+FFFD. Returns 0, -RC_ENOMEM when the report is incomplete
 * for lack of memory, or -RC_EIO when a write fails.
 */
int rc_report_write_junit(const struct rc_report *r, FILE *out, struct rc_err *err);

/*
 * Write the report in the Prometheus text exposition format (for
 * node_exporter's textfile collector) to @out: the gate's and each check's
 * verdict, finding counts by severity, suppressed counts, the duration and
 * the run's timestamp. Verdicts are encoded 0 pass, 1 warn, 2 fail, 3 error,
 * -1 skip. Returns 0, -RC_ENOMEM or -RC_EIO as rc_report_write_junit().
 */
int rc_report_write_prometheus(const struct rc_report *r, FILE *out, struct rc_err *err);

/*
 * The person's view: the verdict line, then every check worst first with its
 * findings grouped by code (@limit per group, 0 = all) and the policy's
 * suppressions counted. ANSI colour only when @color.
 */
struct rc_text_opts {
	bool color;
	bool quiet;   /* the verdict line only */
	size_t limit; /* findings shown per code; 0 = all */
};
int rc_report_write_text(const struct rc_report *r, FILE *out, const struct rc_text_opts *o,
			 struct rc_err *err);

enum rc_report_format {
	RC_FORMAT_TEXT,
	RC_FORMAT_JSON,
	RC_FORMAT_JUNIT,
	RC_FORMAT_PROM,
};
/* "text", "json", "junit" or "prom" to a format: 0, or -RC_EINVAL. */
int rc_report_format_parse(const char *name, enum rc_report_format *out);
/*
 * Render @r in @fmt to @out; every format reads the same verdict. @topts is
 * for the text format (NULL: defaults). Returns 0, -RC_ENOMEM or -RC_EIO.
 */
int rc_report_write(const struct rc_report *r, enum rc_report_format fmt, FILE *out,
		    const struct rc_text_opts *topts, struct rc_err *err);
/* The same into the file @path, written atomically (rc_file_write_atomic). */
int rc_report_write_file(const struct rc_report *r, enum rc_report_format fmt, const char *path,
			 const struct rc_text_opts *topts, struct rc_err *err);

#endif
