/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_MEM_H
#define RELOADCHECK_MEM_H

#include <stddef.h>

/*
 * Make the array at *@pp (a T *, passed by address) hold at least @need
 * elements of @elem_size bytes; *@cap is its current capacity in elements.
 * The capacity at least doubles, so n appends cost O(n); the byte count is
 * overflow-checked. Returns 0, or -RC_ENOMEM with *@pp and *@cap untouched
 * (the old array stays valid and still the caller's to free).
 */
int rc_grow(void *pp, size_t *cap, size_t need, size_t elem_size);

/* rc_grow() for an array pointer @p and its capacity @cap (lvalues). */
#define RC_GROW(p, cap, need) rc_grow(&(p), &(cap), (need), sizeof(*(p)))

#endif
