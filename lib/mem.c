/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

/* Fewest elements a growing array gets, so that small ones do not realloc per append. */
#define GROW_MIN 16

int rc_grow(void *pp, size_t *cap, size_t need, size_t elem_size)
{
	void *old, *p;
	size_t ncap;

	if (need <= *cap)
		return 0;
	if (elem_size == 0 || need > SIZE_MAX / elem_size)
		return -RC_ENOMEM;
	ncap = *cap <= SIZE_MAX / 2 ? *cap * 2 : SIZE_MAX;
	if (ncap < GROW_MIN)
		ncap = GROW_MIN;
	if (ncap < need)
		ncap = need;
	if (ncap > SIZE_MAX / elem_size)
		ncap = need;
	/*
	 * *pp is a T *, not a void *: copy the pointer's bytes rather than
	 * access it through a void ** (which would break strict aliasing).
	 */
	memcpy(&old, pp, sizeof(old));
	p = realloc(old, ncap * elem_size);
	if (!p)
		return -RC_ENOMEM;
	memcpy(pp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}
