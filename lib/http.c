/* SPDX-License-Identifier: MIT */
/*
 * A careful HTTP GET for pprof endpoints, over the libcurl easy interface.
 *
 * libcurl's own redirect following is off: a pprof endpoint that answers with
 * a redirect to another host would otherwise receive our Authorization header
 * and the caller's trust, so 3xx answers are followed here, and only while the
 * Location resolves (with the curl_url API) to the same scheme, host and port.
 *
 * Content-Encoding is not negotiated: Go serves the gzip'd profile as
 * application/octet-stream without that header, and a server that does send
 * "Content-Encoding: gzip" gets its raw bytes kept and the header reported, so
 * the decoder sees the same bytes either way.
 */
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include <reloadcheck/error.h>
#include <reloadcheck/http.h>
#include <reloadcheck/mem.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define MAX_REDIRECTS 5

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "64 MiB", "512 KiB" or "1000 bytes", for the size cap in messages. */
static void format_size(size_t n, char *buf, size_t size)
{
	if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
		snprintf(buf, size, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, size, "%zu KiB", n >> 10);
	else
		snprintf(buf, size, "%zu bytes", n);
}

/* The response body, growing up to max bytes (plus the NUL). */
struct sink {
	unsigned char *buf;
	size_t len, cap, max;
	bool too_big, oom;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->too_big = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	/* n <= max - len above, so len + n + 1 cannot wrap unless max is SIZE_MAX. */
	if (n + 1 > SIZE_MAX - s->len || RC_GROW(s->buf, s->cap, s->len + n + 1) < 0) {
		s->oom = true;
		return 0;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

struct progress {
	const struct rc_http_opts *opts;
	double t0, last;
};

static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct progress *p = arg;
	double t = now_s();

	/* libcurl calls this many times a second; pass on about one a second. */
	if (t - p->last >= 1.0) {
		p->last = t;
		p->opts->progress(p->opts->progress_arg, t - p->t0, dlnow > 0 ? (size_t)dlnow : 0);
	}
	return 0;
}

/*
 * The URL for messages: userinfo dropped, so that a password in the URL does
 * not end up in a report. Falls back to the text as given.
 */
static void display_url(CURLU *u, const char *given, char *buf, size_t size)
{
	char *s = NULL;
	CURLU *d = curl_url_dup(u);

	if (d && curl_url_set(d, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(d, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(d, CURLUPART_URL, &s, 0) == CURLUE_OK)
		snprintf(buf, size, "%s", s);
	else
		snprintf(buf, size, "%s", given);
	curl_free(s);
	curl_url_cleanup(d);
}

/* scheme://host:port/path?query of @u, the port always spelled out. */
static void origin_url(CURLU *u, char *buf, size_t size)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;

	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	snprintf(buf, size, "%s://%s:%s%s%s%s", scheme ? scheme : "", host ? host : "",
		 port ? port : "", path ? path : "/", query ? "?" : "", query ? query : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
}

static bool same_part(CURLU *a, CURLU *b, CURLUPart part, unsigned flags)
{
	char *x = NULL, *y = NULL;
	bool same;

	curl_url_get(a, part, &x, flags);
	curl_url_get(b, part, &y, flags);
	same = x && y && strcasecmp(x, y) == 0;
	curl_free(x);
	curl_free(y);
	return same;
}

static bool same_origin(CURLU *a, CURLU *b)
{
	return same_part(a, b, CURLUPART_SCHEME, 0) && same_part(a, b, CURLUPART_HOST, 0) &&
	       same_part(a, b, CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

/* Value of response header @name of the last request, or NULL. */
static const char *header_value(CURL *h, const char *name)
{
	struct curl_header *hdr = NULL;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK)
		return NULL;
	return hdr->value;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A failed transfer as one clear message about @url. */
static int transfer_error(CURL *h, CURLcode rc, const char *url, const char *errbuf,
			  const struct sink *body, long timeout_ms, long connect_timeout_ms,
			  struct rc_err *err)
{
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	char size[32];
	char *host = NULL;
	long os_errno = 0;
	curl_off_t connected = 0, total = -1;
	int ret;

	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (body->oom)
			return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory for the response",
					  url);
		if (!body->too_big && rc == CURLE_WRITE_ERROR)
			break;
		format_size(body->max, size, sizeof(size));
		return rc_err_set(err, -RC_EFORMAT, "'%s': response larger than %s", url, size);
	case CURLE_OUT_OF_MEMORY:
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", url);
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return rc_err_set(err, -RC_EINVAL, "'%s': invalid URL: %s", url, detail);
	case CURLE_COULDNT_RESOLVE_HOST: {
		CURLU *u = curl_url();

		if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
			curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_cleanup(u);
		ret = rc_err_set(err, -RC_EIO, "'%s': cannot resolve host '%s'", url,
				 host ? host : "?");
		curl_free(host);
		return ret;
	}
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno == ECONNREFUSED)
			return rc_err_set(err, -RC_EIO, "'%s': connection refused", url);
		if (os_errno)
			return rc_err_set(err, -RC_EIO, "'%s': cannot connect: %s", url,
					  strerror((int)os_errno));
		return rc_err_set(err, -RC_EIO, "'%s': cannot connect: %s", url, detail);
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected);
		if (!connected)
			return rc_err_set(err, -RC_EIO, "'%s': connect timed out after %.1f s", url,
					  (double)(connect_timeout_ms < timeout_ms
							   ? connect_timeout_ms
							   : timeout_ms) /
						  1000.0);
		if (body->len)
			return rc_err_set(err, -RC_EIO,
					  "'%s': timed out after %.1f s, %zu bytes received", url,
					  (double)timeout_ms / 1000.0, body->len);
		return rc_err_set(err, -RC_EIO, "'%s': timed out after %.1f s", url,
				  (double)timeout_ms / 1000.0);
	case CURLE_PARTIAL_FILE:
		curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
		if (total >= 0)
			return rc_err_set(err, -RC_EIO,
					  "'%s': response cut short after %zu of %lld bytes", url,
					  body->len, (long long)total);
		return rc_err_set(err, -RC_EIO, "'%s': response cut short after %zu bytes", url,
				  body->len);
	case CURLE_PEER_FAILED_VERIFICATION:
		return rc_err_set(err, -RC_EIO, "'%s': TLS certificate verify failed: %s", url,
				  detail);
	case CURLE_SSL_CACERT_BADFILE:
		return rc_err_set(err, -RC_EIO, "'%s': cannot use the CA bundle: %s", url, detail);
	case CURLE_SSL_CONNECT_ERROR:
		return rc_err_set(err, -RC_EIO, "'%s': TLS handshake failed: %s", url, detail);
	case CURLE_GOT_NOTHING:
		return rc_err_set(err, -RC_EIO,
				  "'%s': server closed the connection without answering", url);
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return rc_err_set(err, -RC_EIO, "'%s': connection broken: %s", url, detail);
	default:
		break;
	}
	return rc_err_set(err, -RC_EIO, "'%s': %s", url, detail);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int rc_http_get(const char *url, const struct rc_http_opts *opts, struct rc_http_response *out,
		struct rc_err *err)
{
	struct rc_http_response r = {0};
	struct sink body = {0};
	struct progress prog = {.opts = opts};
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE];
	char shown[512], target[512];
	long connect_ms, status = 0;
	CURLU *cur = NULL;
	CURLUcode uc;
	CURL *h = NULL;
	char *cur_url = NULL;
	double t0 = now_s(), deadline;
	int hops, ret = 0;
	size_t i;

	if (!url || !opts || !out)
		return rc_err_set(err, -RC_EINVAL, "http get: missing URL or options");
	if (opts->timeout_ms <= 0)
		return rc_err_set(err, -RC_EINVAL, "'%s': no timeout given", url);
	if (opts->n_headers > RC_HTTP_MAX_HEADERS)
		return rc_err_set(err, -RC_EINVAL, "'%s': more than %d request headers", url,
				  RC_HTTP_MAX_HEADERS);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return rc_err_set(err, -RC_EINTERNAL, "'%s': libcurl initialisation failed: %s",
				  url, curl_easy_strerror(global_rc));

	cur = curl_url();
	if (!cur)
		return rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", url);
	uc = curl_url_set(cur, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		ret = rc_err_set(err, -RC_EINVAL, "'%s': not a valid URL: %s", url,
				 curl_url_strerror(uc));
		goto out;
	}
	display_url(cur, url, shown, sizeof(shown));
	{
		char *scheme = NULL;
		bool ok;

		curl_url_get(cur, CURLUPART_SCHEME, &scheme, 0);
		ok = scheme && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
		if (!ok)
			ret = rc_err_set(err, -RC_EINVAL,
					 "'%s': unsupported scheme '%s' (only http and https)",
					 shown, scheme ? scheme : "");
		curl_free(scheme);
		if (!ok)
			goto out;
	}

	for (i = 0; i < opts->n_headers; i++) {
		const char *line = opts->headers[i];
		struct curl_slist *n;

		if (!line || !strchr(line, ':') || strpbrk(line, "\r\n")) {
			ret = rc_err_set(err, -RC_EINVAL,
					 "'%s': request header %zu is not one 'Name: value' line",
					 shown, i + 1);
			goto out;
		}
		n = curl_slist_append(headers, line);
		if (!n) {
			ret = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", shown);
			goto out;
		}
		headers = n;
	}

	h = curl_easy_init();
	if (!h) {
		ret = rc_err_set(err, -RC_ENOMEM, "'%s': cannot create a libcurl handle", shown);
		goto out;
	}
	connect_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
						  : DEFAULT_CONNECT_TIMEOUT_MS;
	body.max = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "reloadcheck/" RC_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body.max);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, opts->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, opts->insecure ? 0L : 2L);
	if (opts->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, opts->cacert);
	if (headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (opts->progress) {
		prog.t0 = t0;
		prog.last = t0;
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &prog);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}

	deadline = t0 + (double)opts->timeout_ms / 1000.0;
	for (hops = 0;; hops++) {
		const char *location;
		long left_ms = (long)((deadline - now_s()) * 1000.0);
		CURLcode rc;
		CURLU *next;

		if (left_ms <= 0) {
			ret = rc_err_set(err, -RC_EIO, "'%s': timed out after %.1f s", shown,
					 (double)opts->timeout_ms / 1000.0);
			goto out;
		}
		curl_free(cur_url);
		cur_url = NULL;
		if (curl_url_get(cur, CURLUPART_URL, &cur_url, 0) != CURLUE_OK) {
			ret = rc_err_set(err, -RC_EINVAL, "'%s': not a valid URL", shown);
			goto out;
		}
		body.len = 0;
		body.too_big = false;
		errbuf[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, cur_url);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left_ms);
		rc = curl_easy_perform(h);
		if (rc != CURLE_OK) {
			/* The whole-request timeout, not what was left of it, is the news. */
			ret = transfer_error(h, rc, shown, errbuf, &body, opts->timeout_ms,
					     connect_ms, err);
			goto out;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		location = is_redirect(status) ? header_value(h, "Location") : NULL;
		if (!location)
			break;
		if (hops == MAX_REDIRECTS) {
			ret = rc_err_set(err, -RC_EIO, "'%s': more than %d redirects", shown,
					 MAX_REDIRECTS);
			goto out;
		}
		/* A relative Location resolves against the current URL. */
		next = curl_url_dup(cur);
		if (!next) {
			ret = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", shown);
			goto out;
		}
		if (curl_url_set(next, CURLUPART_URL, location, 0) != CURLUE_OK) {
			curl_url_cleanup(next);
			ret = rc_err_set(err, -RC_EIO, "'%s': redirect to a bad location '%.100s'",
					 shown, location);
			goto out;
		}
		if (!same_origin(cur, next)) {
			origin_url(next, target, sizeof(target));
			curl_url_cleanup(next);
			ret = rc_err_set(err, -RC_EIO,
					 "'%s': redirect to another host (%s) refused", shown,
					 target);
			goto out;
		}
		curl_url_cleanup(cur);
		cur = next;
	}

	if (!body.buf) {
		body.buf = malloc(1);
		if (!body.buf) {
			ret = rc_err_set(err, -RC_ENOMEM, "'%s': out of memory", shown);
			goto out;
		}
	}
	body.buf[body.len] = '\0';
	{
		char *ct = NULL;

		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		copy_field(r.content_type, sizeof(r.content_type), ct);
	}
	copy_field(r.content_encoding, sizeof(r.content_encoding),
		   header_value(h, "Content-Encoding"));
	display_url(cur, cur_url, r.effective_url, sizeof(r.effective_url));
	r.status = status;
	r.body = body.buf;
	r.body_len = body.len;
	r.elapsed_s = now_s() - t0;
	body.buf = NULL;
	*out = r;
out:
	free(body.buf);
	curl_free(cur_url);
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	curl_url_cleanup(cur);
	return ret;
}

void rc_http_response_release(struct rc_http_response *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}
