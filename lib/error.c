/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/error.h>

static const char *const messages[] = {
#define RC_X_MSG(name, num, msg) [num] = msg,
	RC_ERROR_LIST(RC_X_MSG)
#undef RC_X_MSG
};

const char *rc_strerror(int code)
{
	if (code < 0)
		code = -code;
	if ((size_t)code >= sizeof(messages) / sizeof(messages[0]) || !messages[code])
		return "unknown error";
	return messages[code];
}

int rc_err_set(struct rc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void rc_err_clear(struct rc_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
