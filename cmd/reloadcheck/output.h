/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_CMD_OUTPUT_H
#define RELOADCHECK_CMD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct rc_report;
struct rc_err;

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

struct output_text_opts {
	bool color;
	bool quiet;
	size_t limit; /* findings shown per code; 0 = all */
};

/*
 * Write @r to @path (atomically: a temp file beside it, then rename) or to
 * stdout when @path is NULL. @error_msg, when set, marks a report of a run
 * that could not check (JSON gets an "error" member). @topts may be NULL.
 */
int output_write(const char *path, enum output_format fmt, const struct rc_report *r,
		 const char *error_msg, const struct output_text_opts *topts, struct rc_err *err);

/* Writes a file's contents to @f; 0 or a negative code with @err set. */
typedef int (*output_fn)(FILE *f, const void *arg, struct rc_err *err);

/*
 * Write @path through @fn atomically: a temporary file beside it, then
 * rename; a device such as /dev/null is written in place.
 */
int output_atomic(const char *path, output_fn fn, const void *arg, struct rc_err *err);

/* The human-readable report. */
void output_text(FILE *out, const struct rc_report *r, const struct output_text_opts *o);

/* Print @text word-wrapped at @width columns. */
void output_wrap(FILE *out, const char *text, int width);

#endif
