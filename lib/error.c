/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/error.h>

const char *rc_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
#define RC_X_MSG(name, num, msg) \
	case num:                \
		return msg;
		RC_ERROR_LIST(RC_X_MSG)
#undef RC_X_MSG
	}
	return "unknown error";
}

int rc_err_from_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ESRCH:
		return -RC_ENOENT;
	case EACCES:
	case EPERM:
		return -RC_EACCES;
	case ENOMEM:
		return -RC_ENOMEM;
	}
	return -RC_EIO;
}

int rc_err_set(struct rc_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(err->msg)) {
		/* Too long: end at a word or path break, never mid-word, and say so. */
		size_t cut = sizeof(err->msg) - 4;

		while (cut > sizeof(err->msg) / 2 && err->msg[cut - 1] != ' ' &&
		       err->msg[cut - 1] != '/')
			cut--;
		memcpy(err->msg + cut, "...", 4);
	}
	return code;
}

void rc_err_clear(struct rc_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
