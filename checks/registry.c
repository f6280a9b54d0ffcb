/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <reloadcheck/registry.h>

/* Sorted by id in checks.def (a unit test checks it); run order is this order. */
static const struct rc_check *const checks[] = {
#define RC_CHECK(name) &rc_check_##name,
#include "checks.def"
#undef RC_CHECK
};

const struct rc_check *const *rc_registry(size_t *n)
{
	*n = sizeof(checks) / sizeof(checks[0]);
	return checks;
}

const struct rc_check *rc_registry_find(const char *id)
{
	size_t lo = 0, hi = sizeof(checks) / sizeof(checks[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, checks[mid]->id);

		if (c == 0)
			return checks[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
