/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_ERROR_H
#define RELOADCHECK_ERROR_H

/*
 * One list of error codes and their messages. Codes only ever grow; a fallible
 * function returns 0 or a negative RC_E* code and puts detail into a
 * caller-supplied struct rc_err. The codes start above RC_ERRNO_START, out of
 * the range of errno values, so that a negative errno that slips through is
 * never mistaken for one of them (as libbpf does from 4000).
 */
#define RC_ERRNO_START 4000
#define RC_ERROR_LIST(X)                     \
	X(OK, 0, "success")                  \
	X(EIO, 4001, "input/output error")   \
	X(EFORMAT, 4002, "malformed input")  \
	X(ENOMEM, 4003, "out of memory")     \
	X(EINVAL, 4004, "invalid argument")  \
	X(ENOENT, 4005, "not found")         \
	X(ENOTSUP, 4006, "not supported")    \
	X(EACCES, 4007, "permission denied") \
	X(EINTERNAL, 4008, "internal error")

enum rc_errcode {
#define RC_X_ENUM(name, num, msg) RC_##name = num,
	RC_ERROR_LIST(RC_X_ENUM)
#undef RC_X_ENUM
};

/* Room for a message that quotes two long paths; longer ones end in "..." at a word break. */
#define RC_ERR_MSG_MAX 1024

struct rc_err {
	int code;		  /* 0 or a negative RC_E* code */
	char msg[RC_ERR_MSG_MAX]; /* lowercase, problem first, subject quoted */
};

/* Static message for a code (positive or negative). */
const char *rc_strerror(int code);

/*
 * The negative RC_E* code for errno value @e: -RC_ENOENT for ENOENT and ESRCH
 * (a process that is gone), -RC_EACCES for EACCES and EPERM, -RC_ENOMEM for
 * ENOMEM, -RC_EIO for anything else.
 */
int rc_err_from_errno(int e);

/*
 * Record @code and a printf-style message in @err (which may be NULL).
 * Returns @code so callers can write `return rc_err_set(err, -RC_EIO, ...)`.
 */
int rc_err_set(struct rc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset @err to "no error". */
void rc_err_clear(struct rc_err *err);

#endif
