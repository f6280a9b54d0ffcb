/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_LIB_TLS_H
#define RELOADCHECK_LIB_TLS_H

#include <reloadcheck/proc.h>

struct rc_err;

/*
 * Read the __thread variable @c->symbol in every thread of process @pid.
 * @s is the snapshot being taken: its objects (loaded files with their
 * start addresses) and threads (tids, names) are filled already. Fills
 * @c->size, object, method, note, values/n_values (malloc'd; freed by
 * rc_snapshot_free), or not_applicable/error with the reason. Returns 0 when
 * the canary was handled (even if unreadable: that is recorded in @c), or a
 * negative code only for -RC_ENOENT (the process exited), -RC_EACCES and
 * -RC_ENOMEM.
 *
 * Never writes to the target. The libthread_db path needs no stopped thread.
 * The static-TLS fallback stops each thread with PTRACE_SEIZE +
 * PTRACE_INTERRUPT for the PTRACE_GETREGS of fs_base only, and always
 * detaches, on errors too and when reloadcheck gets SIGINT or SIGTERM.
 */
int rci_tls_read(int pid, const struct rc_snapshot *s, struct rc_snap_canary *c,
		 struct rc_err *err);

#endif
