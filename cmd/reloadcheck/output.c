/* SPDX-License-Identifier: MIT */
/* The report's way out: to stdout or a file written atomically, and the exit status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>
#include <reloadcheck/runner.h>

#include "cli.h"

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

int run_and_report(const struct rc_ctx *ctx, unsigned have, const struct rc_policy *policy,
		   struct rc_report *r, const struct options *o)
{
	rc_run_checks(ctx,
		      &(struct rc_selection){
			      .have = have, .policy = policy, .fail_on_warn = o->fail_on_warn},
		      r);
	return finish_report(r, o);
}

struct rc_report *report_new(void)
{
	struct rc_report *r = rc_report_new();

	if (!r) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return NULL;
	}
	rc_report_set_tool_version(r, RC_VERSION);
	return r;
}

int cannot_check(const struct options *o, struct rc_report *r, const char *msg)
{
	struct rc_err err = {0};

	fprintf(stderr, "%s: %s\n", progname, msg);
	if (o->format == RC_FORMAT_JSON && r) {
		rc_report_set_error(r, msg);
		if (output_write(o->output, RC_FORMAT_JSON, r, NULL, &err) != 0)
			fprintf(stderr, "%s: %s\n", progname, err.msg);
	}
	return RC_EXIT_CANNOT_CHECK;
}

int finish_report(struct rc_report *r, const struct options *o)
{
	struct rc_err err = {0};
	struct rc_text_opts topts = {
		.color = o->color, .quiet = o->quiet, .limit = (size_t)o->limit};

	if (rc_report_status(r) != 0)
		return cannot_check(o, NULL, "out of memory while building the report");
	rc_report_stop_clock(r);
	if (output_write(o->output, o->format, r, &topts, &err) != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		return RC_EXIT_CANNOT_CHECK;
	}
	return rc_report_exit_status(r);
}

int output_write(const char *path, enum rc_report_format fmt, const struct rc_report *r,
		 const struct rc_text_opts *topts, struct rc_err *err)
{
	int rc;

	if (!path || !strcmp(path, "-")) {
		static char buf[1 << 16];

		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
		rc = rc_report_write(r, fmt, stdout, topts, err);
		if (fflush(stdout) != 0 && !rc)
			rc = rc_err_set(err, -RC_EIO, "cannot write to standard output: %s",
					strerror(errno));
		return rc;
	}
	return rc_report_write_file(r, fmt, path, topts, err);
}
