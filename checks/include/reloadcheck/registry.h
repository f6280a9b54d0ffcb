/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_REGISTRY_H
#define RELOADCHECK_REGISTRY_H

#include <stddef.h>

#include <reloadcheck/check.h>

/* Every check, sorted by id. The table is static; *@n gets its length. */
const struct rc_check *const *rc_registry(size_t *n);
/* The check called @id, or NULL. */
const struct rc_check *rc_registry_find(const char *id);

extern const struct rc_check rc_check_build_id;
extern const struct rc_check rc_check_cgo_boundary;
extern const struct rc_check rc_check_dwarf_layout;
extern const struct rc_check rc_check_dynamic_deps;
extern const struct rc_check rc_check_elf_identity;
extern const struct rc_check rc_check_go_buildinfo;
extern const struct rc_check rc_check_go_pclntab;
extern const struct rc_check rc_check_pprof_continuity;
extern const struct rc_check rc_check_pprof_endpoint;
extern const struct rc_check rc_check_proc_identity;
extern const struct rc_check rc_check_proc_listeners;
extern const struct rc_check rc_check_proc_signals;
extern const struct rc_check rc_check_proc_tls;
extern const struct rc_check rc_check_symbol_drift;
extern const struct rc_check rc_check_symtab_presence;
extern const struct rc_check rc_check_tls_layout;

#endif
