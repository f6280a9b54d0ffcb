/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the fixture tools. Each tool defines die() (prefixed
 * with its own name) before including this header.
 */
#ifndef RELOADCHECK_TESTDATA_TOOLS_H
#define RELOADCHECK_TESTDATA_TOOLS_H

#include <stdio.h>
#include <stdlib.h>

#include "../../lib/util.h"

static void die(const char *fmt, const char *arg);

/* The whole of file @path, malloc'ed; its size in @len. Dies on error. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (!f)
		die("cannot open '%s'", path);
	if (fseek(f, 0, SEEK_END) != 0)
		die("cannot seek '%s'", path);
	n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot seek '%s'", path);
	p = malloc(n ? (size_t)n : 1);
	if (!p)
		die("%s", "out of memory");
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		die("cannot read '%s'", path);
	fclose(f);
	*len = (size_t)n;
	return p;
}

#endif
