/* SPDX-License-Identifier: MIT */
/*
 * The report as people read it in a terminal: the verdict line, then each
 * check worst first with its findings grouped by code. It reads the same
 * verdict (policy applied) as the JSON, JUnit and Prometheus renderings.
 */
#include <stdio.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *verdict_color(enum rc_verdict v)
{
	switch (v) {
	case RC_VERDICT_PASS:
		return "\033[32m";
	case RC_VERDICT_SKIP:
		return "\033[2m";
	case RC_VERDICT_WARN:
		return "\033[33m";
	case RC_VERDICT_FAIL:
		return "\033[31m";
	case RC_VERDICT_ERROR:
		return "\033[35m";
	}
	return "";
}

static const char *severity_color(enum rc_severity s)
{
	switch (s) {
	case RC_SEV_INFO:
		return "\033[36m";
	case RC_SEV_WARN:
		return "\033[33m";
	case RC_SEV_FAIL:
		return "\033[31m";
	}
	return "";
}

static void upper(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	for (; s[i] && i + 1 < size; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[i] = '\0';
}

struct group {
	const char *code;
	enum rc_severity sev;
	size_t count;
};

#define MAX_GROUPS 128

/* Distinct (code, severity) pairs of a check, worst severity first. */
static size_t collect_groups(const struct rc_check_result *res, struct group *g, size_t max)
{
	size_t n = 0;

	for (const struct rc_finding *f = rc_result_findings(res); f; f = f->next) {
		size_t i;

		if (f->suppressed)
			continue;
		for (i = 0; i < n; i++)
			if (g[i].sev == f->severity && strcmp(g[i].code, f->code) == 0)
				break;
		if (i == n) {
			if (n == max)
				continue;
			g[n++] = (struct group){.code = f->code, .sev = f->severity};
		}
		g[i].count++;
	}
	/* Stable insertion sort by severity, descending. */
	for (size_t i = 1; i < n; i++) {
		struct group t = g[i];
		size_t j = i;

		while (j > 0 && g[j - 1].sev < t.sev) {
			g[j] = g[j - 1];
			j--;
		}
		g[j] = t;
	}
	return n;
}

static void print_suppressed(FILE *out, const struct rc_check_result *res,
			     const struct rc_text_opts *o)
{
	size_t n = rc_result_suppressed_count(res);

	if (n)
		fprintf(out,
			"  %s%zu finding%s suppressed by the policy (listed in --format json)%s\n",
			o->color ? C_DIM : "", n, n == 1 ? "" : "s", o->color ? C_RESET : "");
}

static void print_check(FILE *out, const struct rc_check_result *res, const struct rc_text_opts *o)
{
	enum rc_verdict v = rc_result_verdict(res);
	struct group groups[MAX_GROUPS];
	size_t ng = collect_groups(res, groups, MAX_GROUPS);
	size_t total = 0;
	char vname[8];

	for (size_t i = 0; i < ng; i++)
		total += groups[i].count;
	upper(rc_verdict_name(v), vname, sizeof(vname));
	fprintf(out, "%s%-5s%s %s%s%s", o->color ? verdict_color(v) : "", vname,
		o->color ? C_RESET : "", o->color ? C_BOLD : "", rc_result_id(res),
		o->color ? C_RESET : "");
	if (rc_result_reason(res))
		fprintf(out, ": %s", rc_result_reason(res));
	if (total) {
		fprintf(out, "  (%zu finding%s:", total, total == 1 ? "" : "s");
		for (int s = RC_SEV_FAIL; s >= RC_SEV_INFO; s--) {
			size_t c = rc_result_finding_count(res, (enum rc_severity)s);

			if (c)
				fprintf(out, " %zu %s", c, rc_severity_name((enum rc_severity)s));
		}
		fputc(')', out);
	}
	if (v == RC_VERDICT_FAIL && rc_result_verdict_before_policy(res) == RC_VERDICT_WARN &&
	    rc_result_fail_on(res) == RC_VERDICT_WARN)
		fputs("  [warnings fail: fail_on warn]", out);
	else if (v != rc_result_verdict_before_policy(res))
		fprintf(out, "  [%s before the policy]",
			rc_verdict_name(rc_result_verdict_before_policy(res)));
	fputc('\n', out);

	for (size_t i = 0; i < ng; i++) {
		const struct group *g = &groups[i];
		size_t shown = 0;

		fprintf(out, "  %s%-4s%s %s", o->color ? severity_color(g->sev) : "",
			rc_severity_name(g->sev), o->color ? C_RESET : "", g->code);
		if (g->count > 1)
			fprintf(out, " (%zu)", g->count);
		fputc('\n', out);
		if (g->sev != RC_SEV_INFO && rc_result_hint_for(res, g->code))
			fprintf(out, "       %swhy: %s%s\n", o->color ? C_DIM : "",
				rc_result_hint_for(res, g->code), o->color ? C_RESET : "");
		for (const struct rc_finding *f = rc_result_findings(res); f; f = f->next) {
			if (f->suppressed || f->severity != g->sev || strcmp(f->code, g->code) != 0)
				continue;
			if (o->limit && shown == o->limit)
				break;
			fprintf(out, "       %s\n", f->message);
			shown++;
		}
		if (shown < g->count)
			fprintf(out,
				"       %s... and %zu more (all are in --format json, or use "
				"--limit 0)%s\n",
				o->color ? C_DIM : "", g->count - shown, o->color ? C_RESET : "");
	}
	print_suppressed(out, res, o);
}

/* reload's preflight, trigger and new process, briefly, under the verdict line. */
static void print_reload(FILE *out, const struct rc_report_reload *rl)
{
	if (!rl)
		return;
	if (rl->refused || rl->forced)
		fprintf(out, "reload %s: %s\n", rl->refused ? "refused" : "forced",
			rl->reason ? rl->reason : "the static checks fail");
	if (rl->triggered && rl->signal)
		fprintf(out, "trigger: %s sent\n", rl->signal);
	if (rl->triggered && rl->command) {
		const char *p = rl->output_tail ? rl->output_tail : "";

		if (rl->exit_status >= 0)
			fprintf(out, "trigger: '%s' exited %d\n", rl->command, rl->exit_status);
		else
			fprintf(out, "trigger: '%s' did not finish\n", rl->command);
		while (*p) {
			size_t n = strcspn(p, "\n");

			fprintf(out, "  | %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	if (rl->new_pid > 0)
		fprintf(out, "new process: pid %ld (%s)\n", rl->new_pid,
			rl->evidence   ? rl->evidence
			: rl->found_by ? rl->found_by
				       : "found");
}

static void write_text(FILE *out, const struct rc_report *r, const struct rc_text_opts *o)
{
	enum rc_verdict v = rc_report_verdict(r);
	char vname[8];
	static const enum rc_verdict order[] = {RC_VERDICT_FAIL, RC_VERDICT_ERROR, RC_VERDICT_WARN,
						RC_VERDICT_PASS, RC_VERDICT_SKIP};
	bool first = true;

	upper(rc_verdict_name(v), vname, sizeof(vname));
	fprintf(out, "%sreloadcheck: %s%s%s", o->color ? C_BOLD : "",
		o->color ? verdict_color(v) : "", vname, o->color ? C_RESET : "");
	fputs(" (", out);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		size_t c = rc_report_count(r, order[i]);

		if (!c)
			continue;
		fprintf(out, "%s%zu %s", first ? "" : ", ", c, rc_verdict_name(order[i]));
		first = false;
	}
	fputs(")", out);
	switch (v) {
	case RC_VERDICT_PASS:
		fputs(": safe to reload\n", out);
		break;
	case RC_VERDICT_WARN:
		fputs(": safe to reload, but read the warnings\n", out);
		break;
	case RC_VERDICT_FAIL:
		fputs(": do not reload\n", out);
		break;
	default:
		fputs(": could not check\n", out);
		break;
	}
	if (o->quiet)
		return;
	print_reload(out, rc_report_reload(r));
	fputc('\n', out);
	/* Worst checks first, so the reason for the verdict is on screen. */
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < rc_report_check_count(r); i++) {
			const struct rc_check_result *res = rc_report_check(r, i);

			if (rc_result_verdict(res) == order[k])
				print_check(out, res, o);
		}
}

int rc_report_write_text(const struct rc_report *r, FILE *out, const struct rc_text_opts *o,
			 struct rc_err *err)
{
	static const struct rc_text_opts def = {.limit = 10};

	if (rc_report_status(r) != 0)
		return rc_err_set(err, -RC_ENOMEM, "out of memory while building the report");
	write_text(out, r, o ? o : &def);
	if (ferror(out))
		return rc_err_set(err, -RC_EIO, "cannot write the report: write error");
	return 0;
}
