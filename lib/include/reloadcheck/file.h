/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_FILE_H
#define RELOADCHECK_FILE_H

#include <stdio.h>

struct rc_err;

/* Writes a file's contents to @f; 0 or a negative code with @err set. */
typedef int (*rc_file_writer)(FILE *f, const void *arg, struct rc_err *err);

/*
 * Write @path through @fn atomically: a temporary file beside it, then
 * rename (mode 0644; no fsync: readers see the old file or the new one whole).
 * A device or FIFO such as /dev/null is written in place, never replaced.
 * Returns 0, or -RC_EIO with @err naming @path and the cause.
 */
int rc_file_write_atomic(const char *path, rc_file_writer fn, const void *arg, struct rc_err *err);

#endif
