/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_REGISTRY_H
#define RELOADCHECK_REGISTRY_H

#include <stddef.h>

#include <reloadcheck/check.h>

/* Every check, sorted by id. The table is static; *@n gets its length. */
const struct rc_check *const *rc_registry(size_t *n);
/* The check called @id, or NULL. */
const struct rc_check *rc_registry_find(const char *id);

/* Each check, `extern const struct rc_check rc_check_NAME;`, from checks.def. */
#define RC_CHECK(name) extern const struct rc_check rc_check_##name;
#include "../../checks.def"
#undef RC_CHECK

#endif
