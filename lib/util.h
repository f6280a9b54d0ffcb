/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_UTIL_H
#define RELOADCHECK_LIB_UTIL_H

/* The value of hex digit @c (either case), or -1. */
static inline int rci_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
