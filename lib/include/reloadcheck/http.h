/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_HTTP_H
#define RELOADCHECK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rc_err;

/*
 * A careful HTTP GET over libcurl for pprof endpoints: bounded time, bounded
 * size, redirects only to the same scheme, host and port, TLS verified unless
 * told otherwise. The library never prints: progress goes to a callback.
 */

#define RC_HTTP_MAX_HEADERS 16

struct rc_http_opts {
	long connect_timeout_ms;		  /* default 5000 when 0 */
	long timeout_ms;			  /* whole transfer; required (> 0) */
	size_t max_body;			  /* response cap; default 64 MiB when 0 */
	const char *headers[RC_HTTP_MAX_HEADERS]; /* "Name: value" lines */
	size_t n_headers;
	const char *cacert; /* CA bundle file, or NULL for the system's */
	bool insecure;	    /* skip TLS verification */
	/* Called about once a second while waiting (may be NULL). */
	void (*progress)(void *arg, double elapsed_s, size_t received);
	void *progress_arg;
};

struct rc_http_response {
	long status;		/* HTTP status code */
	char content_type[128]; /* "" when absent */
	char content_encoding[64];
	unsigned char *body; /* malloc'd, NUL-terminated after body_len; free() it */
	size_t body_len;
	double elapsed_s;
	char effective_url[512]; /* after same-host redirects */
};

/*
 * GET @url. Returns 0 when an HTTP response arrived, whatever its status;
 * a negative code with err naming the URL and the cause otherwise:
 * -RC_EIO for refused, DNS, TLS, timeouts ("timed out after 5.0 s"),
 * truncated transfers and a redirect to another host; -RC_EFORMAT for a body
 * over the cap ("response larger than 64 MiB"); -RC_EINVAL for a bad URL or
 * scheme (only http and https).
 */
int rc_http_get(const char *url, const struct rc_http_opts *opts, struct rc_http_response *out,
		struct rc_err *err);
void rc_http_response_release(struct rc_http_response *r);

#endif
