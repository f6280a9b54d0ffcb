/* SPDX-License-Identifier: MIT */
/* The report's way out: to stdout or a file written atomically, and the exit status. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/report.h>

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

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

int finish_report(struct rc_report *r, const struct options *o, uint64_t t0)
{
	struct rc_err err = {0};
	struct rc_text_opts topts = {
		.color = o->color, .quiet = o->quiet, .limit = (size_t)o->limit};

	if (rc_report_status(r) != 0)
		return cannot_check(o, NULL, "out of memory while building the report");
	if (t0)
		rc_report_set_duration_ms(r, now_ms() - t0);
	if (output_write(o->output, o->format, r, &topts, &err) != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		return RC_EXIT_CANNOT_CHECK;
	}
	return rc_report_exit_status(r);
}

struct report_job {
	enum rc_report_format fmt;
	const struct rc_report *r;
	const struct rc_text_opts *topts;
};

static int write_job(FILE *f, const void *arg, struct rc_err *err)
{
	const struct report_job *j = arg;

	return rc_report_write(j->r, j->fmt, f, j->topts, err);
}

int output_write(const char *path, enum rc_report_format fmt, const struct rc_report *r,
		 const struct rc_text_opts *topts, struct rc_err *err)
{
	struct report_job job = {fmt, r, topts};
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
