/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

#include "output.h"

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
			     const struct output_text_opts *o)
{
	size_t n = rc_result_suppressed_count(res);

	if (n)
		fprintf(out,
			"  %s%zu finding%s suppressed by the policy (listed in --format json)%s\n",
			o->color ? C_DIM : "", n, n == 1 ? "" : "s", o->color ? C_RESET : "");
}

static void print_check(FILE *out, const struct rc_check_result *res,
			const struct output_text_opts *o)
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

void output_text(FILE *out, const struct rc_report *r, const struct output_text_opts *o)
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
	fputc('\n', out);
	/* Worst checks first, so the reason for the verdict is on screen. */
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; i < rc_report_check_count(r); i++) {
			const struct rc_check_result *res = rc_report_check(r, i);

			if (rc_result_verdict(res) == order[k])
				print_check(out, res, o);
		}
}

void output_wrap(FILE *out, const char *text, int width)
{
	const char *p = text;
	int col = 0;

	while (*p) {
		size_t w = strcspn(p, " \n");

		if (col && col + 1 + (int)w > width) {
			fputc('\n', out);
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
		if (*p == '\n') {
			fputc('\n', out);
			col = 0;
			p++;
			if (*p == '\n') {
				fputc('\n', out);
				p++;
			}
		} else if (*p == ' ') {
			p++;
		}
	}
	if (col)
		fputc('\n', out);
}

static int write_to(FILE *f, enum output_format fmt, const struct rc_report *r,
		    const char *error_msg, const struct output_text_opts *topts, struct rc_err *err)
{
	struct output_text_opts def = {.limit = 10};

	if (fmt == OUTPUT_JSON)
		return rc_report_write_json(r, f, err);
	if (error_msg)
		return 0; /* already on stderr */
	output_text(f, r, topts ? topts : &def);
	return 0;
}

struct report_job {
	enum output_format fmt;
	const struct rc_report *r;
	const char *error_msg;
	const struct output_text_opts *topts;
};

static int write_job(FILE *f, const void *arg, struct rc_err *err)
{
	const struct report_job *j = arg;

	return write_to(f, j->fmt, j->r, j->error_msg, j->topts, err);
}

int output_write(const char *path, enum output_format fmt, const struct rc_report *r,
		 const char *error_msg, const struct output_text_opts *topts, struct rc_err *err)
{
	struct report_job job = {fmt, r, error_msg, topts};
	int rc;

	if (error_msg)
		rc_report_set_error((struct rc_report *)r, error_msg);
	if (!path || !strcmp(path, "-")) {
		static char buf[1 << 16];

		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
		rc = write_to(stdout, fmt, r, error_msg, topts, err);
		if (fflush(stdout) != 0 && !rc)
			rc = rc_err_set(err, -RC_EIO, "cannot write to standard output: %s",
					strerror(errno));
		return rc;
	}
	return output_atomic(path, write_job, &job, err);
}

int output_atomic(const char *path, output_fn fn, const void *arg, struct rc_err *err)
{
	char tmp[4096];
	char dirbuf[4096];
	struct stat st;
	FILE *f;
	int fd, rc;

	/* /dev/null, a FIFO or a terminal: write in place, never replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(path, "w");
		if (!f)
			return rc_err_set(err, -RC_EIO, "'%s': cannot open: %s", path,
					  strerror(errno));
		rc = fn(f, arg, err);
		if (fclose(f) != 0 && !rc)
			rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path,
					strerror(errno));
		return rc;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dirbuf), "reloadcheck-report");
	fd = mkstemp(tmp);
	if (fd < 0)
		return rc_err_set(err, -RC_EIO,
				  "'%s': cannot create a temporary file beside it: %s", path,
				  strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return rc_err_set(err, -RC_EIO, "'%s': %s", path, strerror(errno));
	}
	rc = fn(f, arg, err);
	/*
	 * No fsync: the rename makes the new file appear whole or not at all for
	 * readers, which is the promise; durability across a power cut is not worth
	 * tens of milliseconds on every run.
	 */
	if (!rc && fflush(f) != 0)
		rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path, strerror(errno));
	if (!rc)
		(void)fchmod(fd, 0644);
	if (fclose(f) != 0 && !rc)
		rc = rc_err_set(err, -RC_EIO, "'%s': write failed: %s", path, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = rc_err_set(err, -RC_EIO, "'%s': cannot replace: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
