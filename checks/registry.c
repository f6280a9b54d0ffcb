/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <reloadcheck/registry.h>

/* Sorted by id (a unit test checks it); run order is this order. */
static const struct rc_check *const checks[] = {
	&rc_check_build_id,	 &rc_check_cgo_boundary,     &rc_check_dwarf_layout,
	&rc_check_dynamic_deps,	 &rc_check_elf_identity,     &rc_check_go_buildinfo,
	&rc_check_go_pclntab,	 &rc_check_pprof_continuity, &rc_check_pprof_endpoint,
	&rc_check_proc_identity, &rc_check_proc_listeners,   &rc_check_proc_signals,
	&rc_check_proc_tls,	 &rc_check_symbol_drift,     &rc_check_symtab_presence,
	&rc_check_tls_layout,
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
