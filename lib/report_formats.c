/* SPDX-License-Identifier: MIT */
/*
 * The report in formats CI systems read: JUnit XML for test-report viewers and
 * the Prometheus text exposition format for node_exporter's textfile
 * collector. Both are built from report.h's public accessors only.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/file.h>
#include <reloadcheck/report.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/*
 * Length of the well-formed UTF-8 sequence at @s (1 to 4), or 0 when it is
 * not one: overlong forms, surrogates, code points past U+10FFFF.
 * @cp receives the code point.
 */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL terminator is not a continuation byte, so this stops at the end. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Whether XML 1.0 allows character @c at all (its Char production). */
static bool xml_char_ok(uint32_t c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\r';
	return c != 0xfffe && c != 0xffff;
}

/*
 * Write @s escaped for XML character data, or for a double-quoted attribute
 * value when @attr (where tabs and newlines are character references, so
 * that attribute-value normalisation keeps them). Characters XML cannot
 * carry become U+FFFD.
 */
static void xml_put(FILE *out, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		uint32_t c;
		size_t n = utf8_seq(p, &c);

		if (n == 0 || !xml_char_ok(c)) {
			fputs(REPLACEMENT, out);
			p += n ? n : 1;
			continue;
		}
		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs(attr ? "&quot;" : "\"", out);
			break;
		case '\'':
			fputs(attr ? "&apos;" : "'", out);
			break;
		case '\t':
			fputs(attr ? "&#9;" : "\t", out);
			break;
		case '\n':
			fputs(attr ? "&#10;" : "\n", out);
			break;
		case '\r':
			/* a literal CR would be folded into the next LF by the parser */
			fputs("&#13;", out);
			break;
		default:
			fwrite(p, 1, n, out);
			break;
		}
		p += n;
	}
}

/* Milliseconds as decimal seconds, without floating point: "1.234". */
static void put_seconds(FILE *out, uint64_t ms)
{
	fprintf(out, "%" PRIu64 ".%03u", ms / 1000, (unsigned)(ms % 1000));
}

static int status_error(const struct rc_report *r, struct rc_err *err)
{
	if (rc_report_status(r) != 0)
		return rc_err_set(err, -RC_ENOMEM, "out of memory while building the report");
	return 0;
}

static int write_status(FILE *out, struct rc_err *err)
{
	if (fflush(out) == EOF || ferror(out))
		return rc_err_set(err, -RC_EIO, "cannot write the report: write error");
	return 0;
}

/* One line of a finding, "CODE: MESSAGE", for failure or system-out text. */
static void junit_finding(FILE *out, const char *prefix, const struct rc_finding *f)
{
	xml_put(out, prefix, false);
	xml_put(out, f->code, false);
	fputs(": ", out);
	xml_put(out, f->message, false);
	if (f->suppressed) {
		fputs(" (suppressed: ", out);
		xml_put(out, f->suppressed, false);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void junit_check(FILE *out, const struct rc_check_result *res)
{
	enum rc_verdict v = rc_result_verdict(res);
	const struct rc_finding *f;
	/* Under fail_on warn (policy or --fail-on) warnings are failures too. */
	enum rc_severity fails_at =
		rc_result_fail_on(res) == RC_VERDICT_WARN ? RC_SEV_WARN : RC_SEV_FAIL;
	size_t nfail = rc_result_finding_count(res, RC_SEV_FAIL) +
		       (fails_at == RC_SEV_WARN ? rc_result_finding_count(res, RC_SEV_WARN) : 0);
	bool have_out = false;

	fputs("    <testcase classname=\"reloadcheck\" name=\"", out);
	xml_put(out, rc_result_id(res), true);
	fputs("\" time=\"", out);
	put_seconds(out, rc_result_duration_ms(res));
	fputs("\">\n", out);

	switch (v) {
	case RC_VERDICT_FAIL:
		fprintf(out, "      <failure message=\"%zu %s finding%s%s\" type=\"fail\">", nfail,
			fails_at == RC_SEV_WARN ? "warn or fail" : "fail", nfail == 1 ? "" : "s",
			fails_at == RC_SEV_WARN ? " (fail_on warn)" : "");
		for (f = rc_result_findings(res); f; f = f->next)
			if (!f->suppressed && f->severity >= fails_at)
				junit_finding(out, f->severity == RC_SEV_WARN ? "warn: " : "", f);
		fputs("</failure>\n", out);
		break;
	case RC_VERDICT_ERROR:
		fputs("      <error message=\"", out);
		xml_put(out,
			rc_result_reason(res) ? rc_result_reason(res) : "the check could not run",
			true);
		fputs("\" type=\"error\"/>\n", out);
		break;
	case RC_VERDICT_SKIP:
		fputs("      <skipped message=\"", out);
		xml_put(out, rc_result_reason(res) ? rc_result_reason(res) : "skipped", true);
		fputs("\"/>\n", out);
		break;
	case RC_VERDICT_PASS:
	case RC_VERDICT_WARN:
		break;
	}

	/* Warnings pass the gate but deserve a look; suppressed findings are kept visible. */
	for (f = rc_result_findings(res); f; f = f->next) {
		if (!f->suppressed && (f->severity != RC_SEV_WARN || fails_at == RC_SEV_WARN))
			continue;
		if (!have_out)
			fputs("      <system-out>", out);
		have_out = true;
		junit_finding(out, f->suppressed ? "suppressed: " : "warn: ", f);
	}
	if (have_out)
		fputs("</system-out>\n", out);
	fputs("    </testcase>\n", out);
}

/* The opening tag of <testsuites> or <testsuite>: both carry the same totals. */
static void junit_suite_open(FILE *out, const char *tag, size_t tests, size_t failures,
			     size_t errors, size_t skipped, const struct rc_report *r)
{
	fprintf(out,
		"%s name=\"reloadcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"",
		tag, tests, failures, errors, skipped);
	put_seconds(out, rc_report_duration_ms(r));
	fputs("\">\n", out);
}

int rc_report_write_junit(const struct rc_report *r, FILE *out, struct rc_err *err)
{
	size_t n = rc_report_check_count(r);
	size_t failures = rc_report_count(r, RC_VERDICT_FAIL);
	size_t errors = rc_report_count(r, RC_VERDICT_ERROR);
	size_t skipped = rc_report_count(r, RC_VERDICT_SKIP);
	/*
	 * A run that could not check at all (rc_report_set_error) has an error
	 * verdict with no check to show it: give it a testcase of its own, so a
	 * viewer does not show a green, empty suite.
	 */
	bool run_error = rc_report_verdict(r) == RC_VERDICT_ERROR && errors == 0;
	size_t tests = n + run_error;
	int rc = status_error(r, err);

	if (rc)
		return rc;
	errors += run_error;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	junit_suite_open(out, "<testsuites", tests, failures, errors, skipped, r);
	junit_suite_open(out, "  <testsuite", tests, failures, errors, skipped, r);
	for (size_t i = 0; i < n; i++)
		junit_check(out, rc_report_check(r, i));
	if (run_error)
		fputs("    <testcase classname=\"reloadcheck\" name=\"reloadcheck\" "
		      "time=\"0.000\">\n"
		      "      <error message=\"the run could not check (see the JSON report)\" "
		      "type=\"error\"/>\n"
		      "    </testcase>\n",
		      out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	return write_status(out, err);
}

/* Label values: backslash, double quote and newline are escaped; the rest is raw UTF-8. */
static void prom_label(FILE *out, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
}

static void prom_family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The exposition's verdict encoding: larger is worse, skip is below pass. */
static int prom_verdict(enum rc_verdict v)
{
	switch (v) {
	case RC_VERDICT_PASS:
		return 0;
	case RC_VERDICT_SKIP:
		return -1;
	case RC_VERDICT_WARN:
		return 1;
	case RC_VERDICT_FAIL:
		return 2;
	case RC_VERDICT_ERROR:
		return 3;
	}
	return 3;
}

static void prom_check_sample(FILE *out, const char *name, const struct rc_check_result *res)
{
	fputs(name, out);
	fputs("{check=\"", out);
	prom_label(out, rc_result_id(res));
	fputs("\"}", out);
}

int rc_report_write_prometheus(const struct rc_report *r, FILE *out, struct rc_err *err)
{
	static const enum rc_severity sevs[] = {RC_SEV_INFO, RC_SEV_WARN, RC_SEV_FAIL};
	size_t n = rc_report_check_count(r);
	int rc = status_error(r, err);

	if (rc)
		return rc;
	prom_family(out, "reloadcheck_gate_verdict",
		    "The reload gate's verdict: 0 pass, 1 warn, 2 fail, 3 error.");
	fprintf(out, "reloadcheck_gate_verdict %d\n", prom_verdict(rc_report_verdict(r)));

	prom_family(out, "reloadcheck_check_verdict",
		    "Each check's verdict: -1 skip, 0 pass, 1 warn, 2 fail, 3 error.");
	for (size_t i = 0; i < n; i++) {
		const struct rc_check_result *res = rc_report_check(r, i);

		prom_check_sample(out, "reloadcheck_check_verdict", res);
		fprintf(out, " %d\n", prom_verdict(rc_result_verdict(res)));
	}

	prom_family(out, "reloadcheck_findings",
		    "Findings of each check by severity, not counting suppressed ones.");
	for (size_t i = 0; i < n; i++) {
		const struct rc_check_result *res = rc_report_check(r, i);

		for (size_t s = 0; s < sizeof(sevs) / sizeof(sevs[0]); s++) {
			fputs("reloadcheck_findings{check=\"", out);
			prom_label(out, rc_result_id(res));
			fprintf(out, "\",severity=\"%s\"} %zu\n", rc_severity_name(sevs[s]),
				rc_result_finding_count(res, sevs[s]));
		}
	}

	prom_family(out, "reloadcheck_findings_suppressed",
		    "Findings of each check that the policy suppressed.");
	for (size_t i = 0; i < n; i++) {
		const struct rc_check_result *res = rc_report_check(r, i);

		prom_check_sample(out, "reloadcheck_findings_suppressed", res);
		fprintf(out, " %zu\n", rc_result_suppressed_count(res));
	}

	prom_family(out, "reloadcheck_duration_seconds", "How long the reloadcheck run took.");
	fputs("reloadcheck_duration_seconds ", out);
	put_seconds(out, rc_report_duration_ms(r));
	fputc('\n', out);

	prom_family(out, "reloadcheck_last_run_timestamp_seconds",
		    "When the last reloadcheck run started, in Unix time.");
	fprintf(out, "reloadcheck_last_run_timestamp_seconds %" PRId64 "\n", rc_report_created(r));
	return write_status(out, err);
}

static const char *const format_names[] = {
	[RC_FORMAT_TEXT] = "text",
	[RC_FORMAT_JSON] = "json",
	[RC_FORMAT_JUNIT] = "junit",
	[RC_FORMAT_PROM] = "prom",
};

int rc_report_format_parse(const char *name, enum rc_report_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (enum rc_report_format)i;
			return 0;
		}
	return -RC_EINVAL;
}

int rc_report_write(const struct rc_report *r, enum rc_report_format fmt, FILE *out,
		    const struct rc_text_opts *topts, struct rc_err *err)
{
	switch (fmt) {
	case RC_FORMAT_JSON:
		return rc_report_write_json(r, out, err);
	case RC_FORMAT_JUNIT:
		return rc_report_write_junit(r, out, err);
	case RC_FORMAT_PROM:
		return rc_report_write_prometheus(r, out, err);
	case RC_FORMAT_TEXT:
		break;
	}
	return rc_report_write_text(r, out, topts, err);
}

struct report_job {
	const struct rc_report *r;
	enum rc_report_format fmt;
	const struct rc_text_opts *topts;
};

static int write_job(FILE *f, const void *arg, struct rc_err *err)
{
	const struct report_job *j = arg;

	return rc_report_write(j->r, j->fmt, f, j->topts, err);
}

int rc_report_write_file(const struct rc_report *r, enum rc_report_format fmt, const char *path,
			 const struct rc_text_opts *topts, struct rc_err *err)
{
	struct report_job job = {r, fmt, topts};

	return rc_file_write_atomic(path, write_job, &job, err);
}
