/* SPDX-License-Identifier: MIT */
/*
 * rc_http_get and rc_pprof_fetch against a fault-injection HTTP/1.1 server:
 * a thread on 127.0.0.1:0 that answers each path from a script, and does what
 * a real server will not (hang, trickle, cut the body short, lie about the
 * content, stay busy with "cpu profiling already in use", serve a gzip bomb).
 * Profiles are hand-encoded protobuf in a stored-block gzip, so the test does
 * not depend on the code under test to build its input.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/http.h>
#include <reloadcheck/pprof.h>

/* ---- the fault-injection server ---------------------------------------- */

enum fault {
	F_RESPOND,  /* a well-formed response */
	F_HANG,	    /* read the request, never answer */
	F_TRICKLE,  /* headers, then one body byte per 100 ms */
	F_TRUNCATE, /* announce claimed_len, send body_len bytes, close */
	F_SLOW,	    /* headers, wait delay_ms, then the body */
};

struct reply {
	enum fault fault;
	int status;
	const char *content_type; /* NULL: no Content-Type */
	const char *headers;	  /* extra header lines, each ending in "\r\n" */
	const void *body;
	size_t body_len;
	size_t claimed_len; /* F_TRUNCATE: the Content-Length announced */
	bool no_length;	    /* no Content-Length: the body ends at close */
	int delay_ms;	    /* F_SLOW */
};

struct route {
	const char *path;	     /* prefix of the request target */
	const struct reply *replies; /* in turn, the last one repeating */
	size_t n;
	const char *need_header; /* answer 401 when the request lacks this line */
	unsigned hits;
};

struct server {
	int lfd, stop[2], port;
	pthread_t thread;
	struct route *routes;
	size_t n_routes;
	unsigned requests;
};

static bool stopping(struct server *s)
{
	struct pollfd p = {.fd = s->stop[0], .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

/* Wait up to @ms for @fd to be readable; false when the server is stopping. */
static bool wait_fd(struct server *s, int fd, int ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->stop[0], .events = POLLIN}};

	if (poll(p, 2, ms) < 0)
		return false;
	return !(p[1].revents & POLLIN);
}

static bool send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool send_head(int fd, const struct reply *r, size_t length)
{
	char head[2048];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d Fault\r\nConnection: close\r\n", r->status);
	if (!r->no_length)
		n += snprintf(head + n, sizeof(head) - n, "Content-Length: %zu\r\n", length);
	if (r->content_type)
		n += snprintf(head + n, sizeof(head) - n, "Content-Type: %s\r\n", r->content_type);
	n += snprintf(head + n, sizeof(head) - n, "%s\r\n", r->headers ? r->headers : "");
	return send_all(fd, head, (size_t)n);
}

static void answer(struct server *s, int fd, const struct reply *r)
{
	const char *body = r->body;
	size_t i;

	switch (r->fault) {
	case F_RESPOND:
		if (send_head(fd, r, r->body_len))
			send_all(fd, body, r->body_len);
		break;
	case F_HANG:
		/* Until the client gives up and closes. */
		while (wait_fd(s, fd, 10000)) {
			char buf[256];

			if (recv(fd, buf, sizeof(buf), 0) <= 0)
				break;
		}
		break;
	case F_TRICKLE:
		if (!send_head(fd, r, r->body_len))
			break;
		for (i = 0; i < r->body_len; i++) {
			if (!send_all(fd, body + i, 1) || stopping(s))
				break;
			poll(NULL, 0, 100);
		}
		break;
	case F_TRUNCATE:
		if (send_head(fd, r, r->claimed_len))
			send_all(fd, body, r->body_len);
		break;
	case F_SLOW:
		if (!send_head(fd, r, r->body_len))
			break;
		poll(NULL, 0, r->delay_ms);
		send_all(fd, body, r->body_len);
		break;
	}
}

static void handle(struct server *s, int fd)
{
	static const struct reply not_found = {
		.status = 404,
		.content_type = "text/plain; charset=utf-8",
		.body = "404 page not found\n",
		.body_len = 19,
	};
	static const struct reply unauthorized = {
		.status = 401,
		.content_type = "text/plain",
		.body = "unauthorized\n",
		.body_len = 13,
	};
	char req[8192], target[1024];
	const struct reply *r = &not_found;
	size_t len = 0, i;

	for (;;) {
		ssize_t n;

		if (!wait_fd(s, fd, 5000))
			return;
		n = recv(fd, req + len, sizeof(req) - 1 - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
		if (len == sizeof(req) - 1)
			return;
	}
	s->requests++;
	if (sscanf(req, "GET %1023s HTTP/1.1", target) != 1)
		return;
	for (i = 0; i < s->n_routes; i++) {
		struct route *rt = &s->routes[i];

		size_t n = strlen(rt->path);

		/* The path exactly, with or without a query. */
		if (strncmp(target, rt->path, n) != 0 || (target[n] && target[n] != '?'))
			continue;
		if (rt->need_header && !strcasestr(req, rt->need_header)) {
			r = &unauthorized;
			break;
		}
		r = &rt->replies[rt->hits < rt->n ? rt->hits : rt->n - 1];
		rt->hits++;
		break;
	}
	answer(s, fd, r);
}

static void *serve(void *arg)
{
	struct server *s = arg;

	for (;;) {
		struct pollfd p[2] = {{.fd = s->lfd, .events = POLLIN},
				      {.fd = s->stop[0], .events = POLLIN}};
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		handle(s, fd);
		close(fd);
	}
	return NULL;
}

/* Bind 127.0.0.1:0 and listen; the port is in *port. */
static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void server_start(struct server *s, struct route *routes, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->routes = routes;
	s->n_routes = n;
	s->lfd = listen_any(&s->port);
	ck_assert_int_eq(pipe(s->stop), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	ck_assert_int_eq(write(s->stop[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
}

static char *url_of(const struct server *s, const char *path)
{
	static char buf[4][256];
	static int next;
	char *u = buf[next++ % 4];

	snprintf(u, sizeof(buf[0]), "http://127.0.0.1:%d%s", s->port, path);
	return u;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define ROUTE(p, ...)                                                                   \
	{                                                                               \
		.path = (p), .replies = (const struct reply[]){__VA_ARGS__},            \
		.n = sizeof((const struct reply[]){__VA_ARGS__}) / sizeof(struct reply) \
	}

#define OK_TEXT(text)                                                        \
	{                                                                    \
		.status = 200, .content_type = "text/plain", .body = (text), \
		.body_len = sizeof(text) - 1                                 \
	}

/* ---- hand-built profiles ----------------------------------------------- */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t len)
{
	if (b->cap - b->len < len) {
		b->cap = (b->cap + len) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void pb_varint(struct buf *b, uint64_t v)
{
	unsigned char c;

	do {
		c = v & 0x7f;
		v >>= 7;
		if (v)
			c |= 0x80;
		put(b, &c, 1);
	} while (v);
}

static void pb_uint(struct buf *b, unsigned field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(struct buf *b, unsigned field, const void *data, size_t len)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, len);
	put(b, data, len);
}

static void pb_msg(struct buf *b, unsigned field, struct buf *m)
{
	pb_bytes(b, field, m->p, m->len);
	free(m->p);
	memset(m, 0, sizeof(*m));
}

static void pb_value_type(struct buf *b, unsigned field, uint64_t type, uint64_t unit)
{
	struct buf m = {0};

	pb_uint(&m, 1, type);
	pb_uint(&m, 2, unit);
	pb_msg(b, field, &m);
}

/*
 * A Go-like CPU profile: samples/count and cpu/nanoseconds, one sample of 3
 * in main.work, one mapping with a build-id.
 */
static struct buf profile_proto(void)
{
	static const char *const strings[] = {
		"", "samples", "count", "cpu", "nanoseconds", "main.work", "/app/server", "abc123",
	};
	struct buf b = {0}, m = {0}, packed = {0};
	size_t i;

	pb_value_type(&b, 1, 1, 2);
	pb_value_type(&b, 1, 3, 4);
	pb_varint(&packed, 1);
	pb_msg(&m, 1, &packed); /* location_id, packed */
	pb_varint(&packed, 3);
	pb_varint(&packed, 30000000);
	pb_msg(&m, 2, &packed); /* value, packed */
	pb_msg(&b, 2, &m);
	pb_uint(&m, 1, 1);
	pb_uint(&m, 2, 0x400000);
	pb_uint(&m, 3, 0x500000);
	pb_uint(&m, 5, 6);
	pb_uint(&m, 6, 7);
	pb_uint(&m, 7, 1);
	pb_msg(&b, 3, &m); /* mapping */
	{
		struct buf line = {0};

		pb_uint(&line, 1, 1);
		pb_uint(&line, 2, 10);
		pb_uint(&m, 1, 1);
		pb_uint(&m, 2, 1);
		pb_uint(&m, 3, 0x401000);
		pb_msg(&m, 4, &line);
		pb_msg(&b, 4, &m); /* location */
	}
	pb_uint(&m, 1, 1);
	pb_uint(&m, 2, 5);
	pb_uint(&m, 3, 5);
	pb_msg(&b, 5, &m); /* function */
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		pb_bytes(&b, 6, strings[i], strlen(strings[i]));
	pb_uint(&b, 9, 1700000000000000000ULL);
	pb_uint(&b, 10, 1000000000);
	pb_value_type(&b, 11, 3, 4);
	pb_uint(&b, 12, 10000000);
	return b;
}

static uint32_t crc32_of(const unsigned char *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void put_le(struct buf *b, uint32_t v, int n)
{
	unsigned char c[4] = {v, v >> 8, v >> 16, v >> 24};

	put(b, c, (size_t)n);
}

static const unsigned char gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

/* @data in a gzip member of stored deflate blocks (as valid as any gzip). */
static struct buf gzip_stored(const unsigned char *data, size_t len)
{
	struct buf b = {0};
	size_t off = 0;

	put(&b, gzip_header, sizeof(gzip_header));
	do {
		size_t n = len - off > 65535 ? 65535 : len - off;
		unsigned char final = off + n == len;

		put(&b, &final, 1);
		put_le(&b, (uint32_t)n, 2);
		put_le(&b, (uint32_t)~n & 0xffff, 2);
		put(&b, data + off, n);
		off += n;
	} while (off < len);
	put_le(&b, crc32_of(data, len), 4);
	put_le(&b, (uint32_t)len, 4);
	return b;
}

static struct buf gzip_profile(void)
{
	struct buf raw = profile_proto();
	struct buf gz = gzip_stored(raw.p, raw.len);

	free(raw.p);
	return gz;
}

struct bits {
	struct buf b;
	uint32_t acc;
	int n;
};

static void put_bits(struct bits *w, uint32_t v, int n)
{
	while (n-- > 0) {
		w->acc |= (v & 1) << w->n;
		v >>= 1;
		if (++w->n == 8) {
			unsigned char c = (unsigned char)w->acc;

			put(&w->b, &c, 1);
			w->acc = 0;
			w->n = 0;
		}
	}
}

/* A Huffman code goes out most significant bit first. */
static void put_code(struct bits *w, uint32_t code, int n)
{
	while (n-- > 0)
		put_bits(w, code >> n & 1, 1);
}

/*
 * A gzip bomb: @total zero bytes as one fixed-Huffman block, a literal 0 then
 * matches of 258 at distance 1 (13 bits each): 300 MiB in about 2 MB.
 */
static struct buf gzip_bomb(uint64_t total)
{
	struct bits w = {0};
	uint64_t out = 1;

	put(&w.b, gzip_header, sizeof(gzip_header));
	put_bits(&w, 1, 1);    /* BFINAL */
	put_bits(&w, 1, 2);    /* BTYPE 01: fixed Huffman */
	put_code(&w, 0x30, 8); /* literal 0 */
	while (out + 258 <= total) {
		put_code(&w, 0xc5, 8); /* length symbol 285: 258 */
		put_code(&w, 0, 5);    /* distance symbol 0: 1 */
		out += 258;
	}
	while (out < total) {
		put_code(&w, 0x30, 8);
		out++;
	}
	put_code(&w, 0, 7); /* end of block */
	put_bits(&w, 0, 7); /* flush to a byte */
	put_le(&w.b, 0, 4); /* CRC never reached by a decoder that stops in time */
	put_le(&w.b, (uint32_t)total, 4);
	return w.b;
}

static const char goroutine_text[] = "goroutine profile: total 7\n"
				     "5 @ 0x43a1c5 0x4061f0 0x46b861\n"
				     "#\t0x43a1c4\tmain.worker+0x24\t/app/main.go:12\n"
				     "\n"
				     "2 @ 0x43a1c5 0x46b861\n"
				     "#\t0x43a1c4\tmain.main+0x24\t/app/main.go:30\n"
				     "\n";

static const char index_html[] = "<html><head><title>/debug/pprof/</title></head></html>\n";

#define INDEX_OK                                                                               \
	{                                                                                      \
		.status = 200, .content_type = "text/html; charset=utf-8", .body = index_html, \
		.body_len = sizeof(index_html) - 1                                             \
	}
#define GOROUTINES_OK                                                          \
	{                                                                      \
		.status = 200, .content_type = "text/plain; charset=utf-8",    \
		.body = goroutine_text, .body_len = sizeof(goroutine_text) - 1 \
	}
#define PROFILE_OK(gz)                                                                     \
	{                                                                                  \
		.status = 200, .content_type = "application/octet-stream", .body = (gz).p, \
		.body_len = (gz).len                                                       \
	}

static const char busy_text[] = "Could not enable CPU profiling: cpu profiling already in use\n";
#define BUSY                                                                                   \
	{                                                                                      \
		.status = 500, .content_type = "text/plain; charset=utf-8", .body = busy_text, \
		.body_len = sizeof(busy_text) - 1                                              \
	}

static struct rc_http_opts quick(long timeout_ms)
{
	return (struct rc_http_opts){.timeout_ms = timeout_ms, .connect_timeout_ms = 1000};
}

/* A fault server and what one rc_http_get test needs around it. */
struct get_test {
	struct server s;
	struct rc_http_opts o;
	struct rc_http_response r;
	struct rc_err err;
};

static void get_start(struct get_test *t, struct route *routes, size_t n, long timeout_ms)
{
	t->o = quick(timeout_ms);
	memset(&t->r, 0, sizeof(t->r));
	rc_err_clear(&t->err);
	server_start(&t->s, routes, n);
}

/* rc_http_get of @path on the test's server into t->r, t->err. */
static int get(struct get_test *t, const char *path)
{
	return rc_http_get(url_of(&t->s, path), &t->o, &t->r, &t->err);
}

/* ---- rc_http_get -------------------------------------------------------- */

START_TEST(get_ok_and_body_nul_terminated)
{
	struct route routes[] = {ROUTE("/hello", OK_TEXT("hello\n"))};
	struct get_test t;

	get_start(&t, routes, 1, 2000);
	ck_assert_int_eq(get(&t, "/hello"), 0);
	ck_assert_int_eq(t.r.status, 200);
	ck_assert_uint_eq(t.r.body_len, 6);
	ck_assert_str_eq((char *)t.r.body, "hello\n");
	ck_assert_str_eq(t.r.content_type, "text/plain");
	ck_assert_str_eq(t.r.content_encoding, "");
	ck_assert_str_eq(t.r.effective_url, url_of(&t.s, "/hello"));
	rc_http_response_release(&t.r);
	/* Any status is a response, not an error. */
	ck_assert_int_eq(get(&t, "/nowhere"), 0);
	ck_assert_int_eq(t.r.status, 404);
	ck_assert_str_eq((char *)t.r.body, "404 page not found\n");
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

START_TEST(get_empty_body)
{
	struct route routes[] = {ROUTE("/", {.status = 204})};
	struct get_test t;

	get_start(&t, routes, 1, 2000);
	ck_assert_int_eq(get(&t, "/"), 0);
	ck_assert_int_eq(t.r.status, 204);
	ck_assert_uint_eq(t.r.body_len, 0);
	ck_assert_ptr_nonnull(t.r.body);
	ck_assert_int_eq(t.r.body[0], '\0');
	ck_assert_str_eq(t.r.content_type, "");
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

START_TEST(get_keeps_content_encoding_raw)
{
	static const unsigned char raw[] = {0x1f, 0x8b, 8, 0, 'n', 'o', 't', 0, 'x'};
	struct route routes[] = {ROUTE("/gz", {.status = 200,
					       .content_type = "application/octet-stream",
					       .headers = "Content-Encoding: gzip\r\n",
					       .body = raw,
					       .body_len = sizeof(raw)})};
	struct get_test t;

	get_start(&t, routes, 1, 2000);
	ck_assert_int_eq(get(&t, "/gz"), 0);
	ck_assert_str_eq(t.r.content_encoding, "gzip");
	ck_assert_uint_eq(t.r.body_len, sizeof(raw));
	ck_assert_mem_eq(t.r.body, raw, sizeof(raw));
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

START_TEST(get_bad_arguments)
{
	struct rc_http_opts o = quick(1000);
	struct rc_http_response r = {.status = 77};
	struct rc_err err = {0};

	ck_assert_int_eq(rc_http_get("ftp://127.0.0.1/x", &o, &r, &err), -RC_EINVAL);
	ck_assert_str_eq(err.msg,
			 "'ftp://127.0.0.1/x': unsupported scheme 'ftp' (only http and https)");
	ck_assert_int_eq(rc_http_get("http://", &o, &r, &err), -RC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a valid URL"));
	o.timeout_ms = 0;
	ck_assert_int_eq(rc_http_get("http://127.0.0.1:1/", &o, &r, &err), -RC_EINVAL);
	ck_assert_str_eq(err.msg, "'http://127.0.0.1:1/': no timeout given");
	o = quick(1000);
	o.headers[0] = "X-Evil: a\r\nHost: b";
	o.n_headers = 1;
	ck_assert_int_eq(rc_http_get("http://127.0.0.1:1/", &o, &r, &err), -RC_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "request header 1"));
	/* out is set only on success */
	ck_assert_int_eq(r.status, 77);
	ck_assert_ptr_null(r.body);
}
END_TEST

START_TEST(get_password_not_in_messages)
{
	struct rc_http_opts o = quick(1000);
	struct rc_http_response r = {0};
	struct rc_err err = {0};

	ck_assert_int_eq(rc_http_get("gopher://user:hunter2@127.0.0.1/", &o, &r, &err), -RC_EINVAL);
	ck_assert_ptr_null(strstr(err.msg, "hunter2"));
	ck_assert_ptr_nonnull(strstr(err.msg, "127.0.0.1"));
}
END_TEST

/* (a) */
START_TEST(fault_hang_times_out)
{
	struct route routes[] = {ROUTE("/", {.fault = F_HANG})};
	struct get_test t;
	char want[256];
	double t0;

	get_start(&t, routes, 1, 1000);
	t0 = now_s();
	ck_assert_int_eq(get(&t, "/"), -RC_EIO);
	ck_assert_double_lt(now_s() - t0, 2.0);
	ck_assert_double_ge(now_s() - t0, 0.9);
	snprintf(want, sizeof(want), "'%s': timed out after 1.0 s", url_of(&t.s, "/"));
	ck_assert_str_eq(t.err.msg, want);
	server_stop(&t.s);
}
END_TEST

/* (b) */
START_TEST(fault_trickle_times_out)
{
	static const char slow[] = "0123456789012345678901234567890123456789";
	struct route routes[] = {ROUTE("/", {.fault = F_TRICKLE,
					     .status = 200,
					     .content_type = "text/plain",
					     .body = slow,
					     .body_len = sizeof(slow) - 1})};
	struct get_test t;
	double t0;

	get_start(&t, routes, 1, 1000);
	t0 = now_s();
	ck_assert_int_eq(get(&t, "/"), -RC_EIO);
	ck_assert_double_lt(now_s() - t0, 2.0);
	/* Bytes kept arriving: the whole-transfer timeout still holds. */
	ck_assert_msg(strstr(t.err.msg, "timed out after 1.0 s, ") &&
			      strstr(t.err.msg, " bytes received"),
		      "%s", t.err.msg);
	server_stop(&t.s);
}
END_TEST

/* (c) */
START_TEST(fault_truncated_body)
{
	struct route routes[] = {ROUTE("/", {.fault = F_TRUNCATE,
					     .status = 200,
					     .content_type = "application/octet-stream",
					     .body = "0123456789",
					     .body_len = 10,
					     .claimed_len = 1000})};
	struct get_test t;
	char want[256];

	get_start(&t, routes, 1, 2000);
	ck_assert_int_eq(get(&t, "/"), -RC_EIO);
	snprintf(want, sizeof(want), "'%s': response cut short after 10 of 1000 bytes",
		 url_of(&t.s, "/"));
	ck_assert_str_eq(t.err.msg, want);
	ck_assert_ptr_null(t.r.body);
	server_stop(&t.s);
}
END_TEST

/* (g) */
START_TEST(fault_body_over_cap)
{
	size_t big = (size_t)2 << 20;
	char *body = malloc(big);
	struct route routes[] = {
		ROUTE("/sized", {.status = 200, .body = body, .body_len = big}),
		ROUTE("/unsized",
		      {.status = 200, .body = body, .body_len = big, .no_length = true}),
		ROUTE("/exact", {.status = 200, .body = body, .body_len = (size_t)1 << 20}),
	};
	struct get_test t;
	char want[256];

	get_start(&t, routes, 3, 3000);
	ck_assert_ptr_nonnull(body);
	memset(body, 'x', big);
	t.o.max_body = (size_t)1 << 20;
	/* Content-Length over the cap: refused before the body. */
	ck_assert_int_eq(get(&t, "/sized"), -RC_EFORMAT);
	snprintf(want, sizeof(want), "'%s': response larger than 1 MiB", url_of(&t.s, "/sized"));
	ck_assert_str_eq(t.err.msg, want);
	/* No length: stopped by the write callback. */
	rc_err_clear(&t.err);
	ck_assert_int_eq(get(&t, "/unsized"), -RC_EFORMAT);
	snprintf(want, sizeof(want), "'%s': response larger than 1 MiB", url_of(&t.s, "/unsized"));
	ck_assert_str_eq(t.err.msg, want);
	/* Exactly the cap is fine. */
	ck_assert_int_eq(get(&t, "/exact"), 0);
	ck_assert_uint_eq(t.r.body_len, (size_t)1 << 20);
	ck_assert_int_eq(t.r.body[t.r.body_len], '\0');
	rc_http_response_release(&t.r);
	/* A cap that is no round number reads in bytes. */
	t.o.max_body = 1000;
	ck_assert_int_eq(get(&t, "/sized"), -RC_EFORMAT);
	ck_assert_ptr_nonnull(strstr(t.err.msg, "larger than 1000 bytes"));
	server_stop(&t.s);
	free(body);
}
END_TEST

/* (h) */
static char abs_location[128], port_location[128];

START_TEST(redirects_same_host_only)
{
	struct route routes[] = {
		ROUTE("/target", OK_TEXT("here")),
		ROUTE("/rel", {.status = 302, .headers = "Location: /target?x=1\r\n"}),
		ROUTE("/abs", {.status = 301, .headers = abs_location}),
		ROUTE("/evil", {.status = 302, .headers = "Location: http://evil.example/x?y\r\n"}),
		ROUTE("/port", {.status = 307, .headers = port_location}),
		ROUTE("/https", {.status = 308, .headers = "Location: https://127.0.0.1/x\r\n"}),
		ROUTE("/loop", {.status = 302, .headers = "Location: /loop\r\n"}),
		ROUTE("/nolocation", {.status = 302}),
	};
	struct get_test t;
	char want[256];

	get_start(&t, routes, sizeof(routes) / sizeof(routes[0]), 2000);
	snprintf(abs_location, sizeof(abs_location), "Location: http://127.0.0.1:%d/target\r\n",
		 t.s.port);
	snprintf(port_location, sizeof(port_location), "Location: http://127.0.0.1:%d/x\r\n",
		 t.s.port == 65535 ? 1 : t.s.port + 1);

	ck_assert_int_eq(get(&t, "/rel"), 0);
	ck_assert_int_eq(t.r.status, 200);
	ck_assert_str_eq((char *)t.r.body, "here");
	ck_assert_str_eq(t.r.effective_url, url_of(&t.s, "/target?x=1"));
	rc_http_response_release(&t.r);

	ck_assert_int_eq(get(&t, "/abs"), 0);
	ck_assert_int_eq(t.r.status, 200);
	ck_assert_str_eq(t.r.effective_url, url_of(&t.s, "/target"));
	rc_http_response_release(&t.r);

	ck_assert_int_eq(get(&t, "/evil"), -RC_EIO);
	snprintf(want, sizeof(want),
		 "'%s': redirect to another host (http://evil.example:80/x?y) refused",
		 url_of(&t.s, "/evil"));
	ck_assert_str_eq(t.err.msg, want);

	ck_assert_int_eq(get(&t, "/port"), -RC_EIO);
	ck_assert_ptr_nonnull(strstr(t.err.msg, "redirect to another host"));
	ck_assert_int_eq(get(&t, "/https"), -RC_EIO);
	ck_assert_ptr_nonnull(strstr(t.err.msg, "(https://127.0.0.1:443/x) refused"));

	ck_assert_int_eq(get(&t, "/loop"), -RC_EIO);
	ck_assert_ptr_nonnull(strstr(t.err.msg, "more than 5 redirects"));
	/* The first request and five redirects, no more. */
	ck_assert_uint_eq(routes[6].hits, 6);

	/* A 3xx without Location is just a response. */
	ck_assert_int_eq(get(&t, "/nolocation"), 0);
	ck_assert_int_eq(t.r.status, 302);
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

/* (i) */
START_TEST(connection_refused)
{
	struct rc_http_opts o = quick(2000);
	struct rc_http_response r = {0};
	struct rc_err err = {0};
	char url[64], want[128];
	int port, fd = listen_any(&port);

	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/debug/pprof/", port);
	ck_assert_int_eq(rc_http_get(url, &o, &r, &err), -RC_EIO);
	snprintf(want, sizeof(want), "'%s': connection refused", url);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

/* (j) */
START_TEST(custom_headers_arrive)
{
	struct route routes[] = {
		{.path = "/auth",
		 .replies = (const struct reply[]){OK_TEXT("welcome")},
		 .n = 1,
		 .need_header = "\r\nAuthorization: Bearer x\r\n"},
		ROUTE("/hop", {.status = 302, .headers = "Location: /auth\r\n"}),
	};
	struct get_test t;

	get_start(&t, routes, 2, 2000);
	ck_assert_int_eq(get(&t, "/auth"), 0);
	ck_assert_int_eq(t.r.status, 401);
	rc_http_response_release(&t.r);
	t.o.headers[0] = "X-Other: 1";
	t.o.headers[1] = "Authorization: Bearer x";
	t.o.n_headers = 2;
	ck_assert_int_eq(get(&t, "/auth"), 0);
	ck_assert_int_eq(t.r.status, 200);
	ck_assert_str_eq((char *)t.r.body, "welcome");
	rc_http_response_release(&t.r);
	/* Still sent after a same-host redirect. */
	ck_assert_int_eq(get(&t, "/hop"), 0);
	ck_assert_int_eq(t.r.status, 200);
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

struct progress_log {
	unsigned calls;
	double last_elapsed;
	size_t last_received;
};

static void log_progress(void *arg, double elapsed_s, size_t received)
{
	struct progress_log *l = arg;

	l->calls++;
	l->last_elapsed = elapsed_s;
	l->last_received = received;
}

START_TEST(progress_about_once_a_second)
{
	struct route routes[] = {ROUTE(
		"/",
		{.fault = F_SLOW, .status = 200, .body = "late", .body_len = 4, .delay_ms = 1300})};
	struct progress_log log = {0};
	struct get_test t;

	get_start(&t, routes, 1, 4000);
	t.o.progress = log_progress;
	t.o.progress_arg = &log;
	ck_assert_int_eq(get(&t, "/"), 0);
	ck_assert_str_eq((char *)t.r.body, "late");
	ck_assert_uint_eq(log.calls, 1);
	ck_assert_double_ge(log.last_elapsed, 1.0);
	ck_assert_double_lt(log.last_elapsed, 1.5);
	rc_http_response_release(&t.r);
	server_stop(&t.s);
}
END_TEST

/* ---- rc_pprof_fetch ------------------------------------------------------ */

/* A fault server and what one rc_pprof_fetch test needs around it. */
struct fetch_test {
	struct server s;
	struct rc_pprof_fetch_opts o;
	struct rc_pprof_fetch *f;
	struct rc_err err;
};

/* Start the server; a 1 s profile within @timeout_s. Returns t->f. */
static struct rc_pprof_fetch *fetch_start(struct fetch_test *t, struct route *routes, size_t n,
					  double timeout_s)
{
	memset(&t->o, 0, sizeof(t->o));
	t->o.seconds = 1;
	t->o.timeout_s = timeout_s;
	t->f = calloc(1, sizeof(*t->f));
	ck_assert_ptr_nonnull(t->f);
	rc_err_clear(&t->err);
	server_start(&t->s, routes, n);
	return t->f;
}

/* rc_pprof_fetch of the test's server into t->f. */
static int fetch(struct fetch_test *t)
{
	return rc_pprof_fetch(url_of(&t->s, ""), &t->o, t->f, &t->err);
}

/* fetch(), which must return 0; the seconds it took. */
static double fetch_timed(struct fetch_test *t)
{
	double t0 = now_s();

	ck_assert_int_eq(fetch(t), 0);
	return now_s() - t0;
}

static void fetch_stop(struct fetch_test *t)
{
	server_stop(&t->s);
	free(t->f);
}

START_TEST(fetch_good_endpoint)
{
	struct buf gz = gzip_profile();
	struct route routes[] = {
		ROUTE("/debug/pprof/goroutine", GOROUTINES_OK),
		ROUTE("/debug/pprof/profile?seconds=1", PROFILE_OK(gz)),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;
	char base[128];

	f = fetch_start(&t, routes, 3, 3);
	/* Trailing "/debug/pprof/" is accepted and stripped. */
	ck_assert_int_eq(rc_pprof_fetch(url_of(&t.s, "/debug/pprof/"), &t.o, f, &t.err), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", t.s.port);
	ck_assert_str_eq(f->url, base);
	ck_assert(!f->from_file);
	ck_assert_int_eq(f->seconds, 1);
	ck_assert(f->index.attempted && f->index.transport_ok);
	ck_assert_int_eq(f->index.status, 200);
	ck_assert_str_eq(f->index.error, "");
	ck_assert_str_eq(f->index.content_type, "text/html; charset=utf-8");
	ck_assert(f->goroutine.attempted && f->goroutine.transport_ok);
	ck_assert_str_eq(f->goroutine.error, "");
	ck_assert(f->profile.attempted && f->profile.transport_ok);
	ck_assert_str_eq(f->profile.error, "");
	ck_assert_int_eq(f->profile.status, 200);
	ck_assert(f->profile_ok);
	ck_assert(!f->contended);
	ck_assert_uint_eq(f->contention_retries, 0);
	/* Goroutine fields survive the profile decode. */
	ck_assert_int_eq(f->summary.goroutines, 7);
	ck_assert_uint_eq(f->summary.n_sample_types, 2);
	ck_assert_str_eq(f->summary.sample_types[1].type, "cpu");
	ck_assert_uint_eq(f->summary.n_samples, 1);
	ck_assert_int_eq(f->summary.totals[1], 30000000);
	ck_assert_uint_ge(f->summary.n_top, 1);
	ck_assert_str_eq(f->summary.top[0].name, "main.work");
	ck_assert(!f->have_cpu);
	ck_assert_str_eq(f->exe_build_id, "");
	ck_assert_uint_eq(routes[1].hits, 1);
	fetch_stop(&t);
	free(gz.p);
}
END_TEST

START_TEST(fetch_bad_base_urls)
{
	struct rc_pprof_fetch *f = calloc(1, sizeof(*f));
	struct rc_err err = {0};

	ck_assert_int_eq(rc_pprof_fetch("127.0.0.1:6060", NULL, f, &err), -RC_EINVAL);
	ck_assert_str_eq(err.msg, "'127.0.0.1:6060': not an http:// or https:// URL");
	ck_assert_int_eq(rc_pprof_fetch("http://", NULL, f, &err), -RC_EINVAL);
	ck_assert_int_eq(rc_pprof_fetch("http:///debug/pprof", NULL, f, &err), -RC_EINVAL);
	ck_assert_int_eq(rc_pprof_fetch("http://h:1/?a=b", NULL, f, &err), -RC_EINVAL);
	ck_assert_int_eq(f->summary.goroutines, -1);
	free(f);
}
END_TEST

/* (k) */
START_TEST(fetch_index_missing)
{
	struct buf gz = gzip_profile();
	struct route routes[] = {
		ROUTE("/debug/pprof/goroutine", GOROUTINES_OK),
		ROUTE("/debug/pprof/profile", PROFILE_OK(gz)),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 2, 3);
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert(f->index.transport_ok);
	ck_assert_int_eq(f->index.status, 404);
	ck_assert_str_eq(f->index.error, "HTTP 404: the net/http/pprof handler is not registered");
	/* The others are still tried: a mux may register only some handlers. */
	ck_assert(f->profile_ok);
	ck_assert_int_eq(f->summary.goroutines, 7);
	fetch_stop(&t);
	free(gz.p);
}
END_TEST

START_TEST(fetch_nothing_listening)
{
	struct rc_pprof_fetch *f = calloc(1, sizeof(*f));
	struct rc_err err = {0};
	char url[64];
	int port, fd = listen_any(&port);

	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(rc_pprof_fetch(url, NULL, f, &err), 0);
	ck_assert(f->index.attempted);
	ck_assert(!f->index.transport_ok);
	ck_assert_ptr_nonnull(strstr(f->index.error, "': connection refused"));
	ck_assert(!f->goroutine.attempted);
	ck_assert(!f->profile.attempted);
	ck_assert(!f->profile_ok);
	free(f);
}
END_TEST

/* (d) */
START_TEST(fetch_lying_server)
{
	static const char garbage[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 'g', 'a', 'r', 'b'};
	struct route routes[] = {
		ROUTE("/debug/pprof/goroutine", OK_TEXT("<html>not goroutines</html>")),
		ROUTE("/debug/pprof/profile",
		      {.status = 200,
		       .content_type = "text/html; charset=utf-8",
		       .body = index_html,
		       .body_len = sizeof(index_html) - 1},
		      {.status = 200,
		       .content_type = "application/octet-stream",
		       .body = garbage,
		       .body_len = sizeof(garbage)}),
		ROUTE("/debug/pprof/", {.status = 200,
					.content_type = "application/json",
					.body = "{}",
					.body_len = 2}),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 3, 3);
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert_str_eq(f->index.error, "content type 'application/json', expected text/html");
	ck_assert_str_ne(f->goroutine.error, "");
	ck_assert_int_eq(f->summary.goroutines, -1);
	ck_assert(!f->profile_ok);
	ck_assert_str_eq(
		f->profile.error,
		"content type 'text/html; charset=utf-8', expected application/octet-stream");
	/* The second time the type is right and the bytes are garbage. */
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert(f->profile.transport_ok);
	ck_assert(!f->profile_ok);
	ck_assert_str_ne(f->profile.error, "");
	ck_assert_ptr_nonnull(strstr(f->profile.error, "/debug/pprof/profile?seconds=1"));
	fetch_stop(&t);
}
END_TEST

START_TEST(fetch_profile_errors)
{
	struct route routes[] = {
		ROUTE("/debug/pprof/profile",
		      {.status = 400,
		       .content_type = "text/plain",
		       .body = "profile duration exceeds server's WriteTimeout\nmore\n",
		       .body_len = 52},
		      {.fault = F_TRUNCATE,
		       .status = 200,
		       .content_type = "application/octet-stream",
		       .body = "\x1f\x8b",
		       .body_len = 2,
		       .claimed_len = 500},
		      {.status = 503,
		       .body = "\x01\x02"
			       "bad\tbytes",
		       .body_len = 11}),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 2, 3);
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert_str_eq(f->profile.error,
			 "HTTP 400: profile duration exceeds server's WriteTimeout");
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert(!f->profile.transport_ok);
	ck_assert_ptr_nonnull(strstr(f->profile.error, "cut short after 2 of 500 bytes"));
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert_str_eq(f->profile.error, "HTTP 503: ??bad?bytes");
	/* Unknown goroutine route is 404 from the fault server. */
	ck_assert_str_eq(f->goroutine.error, "HTTP 404: 404 page not found");
	fetch_stop(&t);
}
END_TEST

START_TEST(fetch_profile_hangs)
{
	struct route routes[] = {
		ROUTE("/debug/pprof/profile", {.fault = F_HANG}),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 2, 1);
	ck_assert_double_lt(fetch_timed(&t), 2.0);
	ck_assert(!f->profile.transport_ok);
	ck_assert_ptr_nonnull(strstr(f->profile.error, "timed out after 1.0 s"));
	fetch_stop(&t);
}
END_TEST

/* (e) */
struct fetch_progress_log {
	unsigned calls;
	char what[64];
	double elapsed_s, total_s;
};

static void log_fetch_progress(void *arg, const char *what, double elapsed_s, double total_s)
{
	struct fetch_progress_log *l = arg;

	l->calls++;
	snprintf(l->what, sizeof(l->what), "%s", what);
	l->elapsed_s = elapsed_s;
	l->total_s = total_s;
}

START_TEST(fetch_contention_then_profile)
{
	struct buf gz = gzip_profile();
	struct route routes[] = {
		ROUTE("/debug/pprof/profile", BUSY, BUSY, PROFILE_OK(gz)),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct fetch_progress_log log = {0};
	struct rc_pprof_fetch *f;
	struct fetch_test t;
	double took;

	f = fetch_start(&t, routes, 2, 4);
	t.o.progress = log_fetch_progress;
	t.o.progress_arg = &log;
	took = fetch_timed(&t);
	/* Back-off 0.5 s then 1 s. */
	ck_assert_double_ge(took, 1.4);
	ck_assert_double_lt(took, 3.0);
	ck_assert(f->profile_ok);
	ck_assert(!f->contended);
	ck_assert_uint_eq(f->contention_retries, 2);
	ck_assert_uint_eq(routes[0].hits, 3);
	ck_assert_str_eq(f->profile.error, "");
	ck_assert_int_eq(f->profile.status, 200);
	/* Told before each wait, against the whole timeout. */
	ck_assert_uint_eq(log.calls, 2);
	ck_assert_str_eq(log.what, "cpu profile: busy elsewhere, retrying");
	ck_assert_double_ge(log.elapsed_s, 0.5);
	ck_assert_double_lt(log.elapsed_s, 1.0);
	ck_assert_double_eq(log.total_s, 4.0);
	fetch_stop(&t);
	free(gz.p);
}
END_TEST

START_TEST(fetch_contention_forever)
{
	struct route routes[] = {
		ROUTE("/debug/pprof/profile", BUSY),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 2, 2);
	ck_assert_double_lt(fetch_timed(&t), 2.0);
	ck_assert(f->contended);
	ck_assert(!f->profile_ok);
	ck_assert(f->profile.transport_ok);
	ck_assert_int_eq(f->profile.status, 500);
	ck_assert_uint_ge(f->contention_retries, 1);
	ck_assert_uint_eq(routes[0].hits, f->contention_retries + 1);
	ck_assert_str_eq(f->profile.error,
			 "HTTP 500: Could not enable CPU profiling: cpu profiling already in use");
	fetch_stop(&t);
}
END_TEST

/* (f) */
START_TEST(fetch_gzip_bomb)
{
	struct buf bomb = gzip_bomb((uint64_t)300 << 20);
	struct route routes[] = {
		ROUTE("/debug/pprof/profile", PROFILE_OK(bomb)),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	ck_assert_uint_lt(bomb.len, (size_t)3 << 20);
	f = fetch_start(&t, routes, 2, 5);
	t.o.limits.max_decompressed = (size_t)16 << 20;
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert(f->profile.transport_ok);
	ck_assert(!f->profile_ok);
	ck_assert_msg(strstr(f->profile.error, "16 MiB") != NULL, "%s", f->profile.error);
	fetch_stop(&t);
	free(bomb.p);
}
END_TEST

START_TEST(fetch_headers_to_every_endpoint)
{
	struct buf gz = gzip_profile();
	const struct reply *index_r = (const struct reply[]){INDEX_OK};
	const struct reply *gor_r = (const struct reply[]){GOROUTINES_OK};
	const struct reply *prof_r = (const struct reply[]){PROFILE_OK(gz)};
	struct route routes[] = {
		{.path = "/debug/pprof/goroutine",
		 .replies = gor_r,
		 .n = 1,
		 .need_header = "\r\nAuthorization: Bearer x\r\n"},
		{.path = "/debug/pprof/profile",
		 .replies = prof_r,
		 .n = 1,
		 .need_header = "\r\nAuthorization: Bearer x\r\n"},
		{.path = "/debug/pprof/",
		 .replies = index_r,
		 .n = 1,
		 .need_header = "\r\nAuthorization: Bearer x\r\n"},
	};
	struct rc_pprof_fetch *f;
	struct fetch_test t;

	f = fetch_start(&t, routes, 3, 3);
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert_int_eq(f->index.status, 401);
	ck_assert_int_eq(f->profile.status, 401);
	ck_assert_str_eq(f->profile.error, "HTTP 401: unauthorized");
	t.o.headers[0] = "Authorization: Bearer x";
	t.o.n_headers = 1;
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert_int_eq(f->index.status, 200);
	ck_assert_str_eq(f->index.error, "");
	ck_assert_int_eq(f->summary.goroutines, 7);
	ck_assert(f->profile_ok);
	fetch_stop(&t);
	free(gz.p);
}
END_TEST

START_TEST(fetch_with_pid)
{
	struct buf gz = gzip_profile();
	struct route routes[] = {
		ROUTE("/debug/pprof/profile",
		      {.fault = F_SLOW,
		       .status = 200,
		       .content_type = "application/octet-stream",
		       .body = gz.p,
		       .body_len = gz.len,
		       .delay_ms = 1200},
		      PROFILE_OK(gz)),
		ROUTE("/debug/pprof/", INDEX_OK),
	};
	struct fetch_progress_log log = {0};
	struct rc_pprof_fetch *f;
	struct rc_elf *elf = NULL;
	const unsigned char *id;
	char want_id[129];
	struct rc_err err = {0};
	struct fetch_test t;
	struct rusage ru;
	double life;
	size_t len;
	pid_t spinner;

	/* The build-id, read independently of the fetch. */
	ck_assert_int_eq(rc_elf_open("/proc/self/exe", &elf, &err), 0);
	ck_assert_int_eq(rc_elf_build_id(elf, &id, &len), 0);
	rc_hex(id, len, want_id, sizeof(want_id));
	rc_elf_free(elf);
	/* A process that burns one CPU for the whole profile. */
	spinner = fork();
	ck_assert_int_ge(spinner, 0);
	if (spinner == 0) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	f = fetch_start(&t, routes, 2, 3);
	t.o.pid = spinner;
	t.o.progress = log_fetch_progress;
	t.o.progress_arg = &log;
	ck_assert_int_eq(fetch(&t), 0);
	kill(spinner, SIGKILL);
	ck_assert_int_eq(wait4(spinner, NULL, 0, &ru), spinner);
	/* The spinner's whole life, a little longer than the profile request. */
	life = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	ck_assert(f->profile_ok);
	ck_assert(f->have_cpu);
	/* Most of it, however busy the machine (clock ticks are 10 ms). */
	ck_assert_double_gt(life, 0.1);
	ck_assert_msg(f->cpu_seconds >= 0.7 * life && f->cpu_seconds <= life + 0.02,
		      "cpu %.2f s of %.2f s", f->cpu_seconds, life);
	ck_assert_str_eq(f->exe_build_id, want_id);
	/* Told once during the 1.2 s request, against the profile length. */
	ck_assert_uint_eq(log.calls, 1);
	ck_assert_str_eq(log.what, "cpu profile");
	ck_assert_double_ge(log.elapsed_s, 1.0);
	ck_assert_double_eq(log.total_s, 1.0);
	/* A pid that does not exist: no CPU time, no build-id, no error. */
	t.o.pid = 0x3ffffff0;
	ck_assert_int_eq(fetch(&t), 0);
	ck_assert(f->profile_ok);
	ck_assert(!f->have_cpu);
	ck_assert_str_eq(f->exe_build_id, "");
	fetch_stop(&t);
	free(gz.p);
}
END_TEST

START_TEST(fetch_from_file)
{
	struct buf gz = gzip_profile();
	char path[] = "/tmp/rc-test-http-XXXXXX";
	struct rc_pprof_fetch *f = calloc(1, sizeof(*f));
	struct rc_err err = {0};
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, gz.p, gz.len), (ssize_t)gz.len);
	ck_assert_int_eq(rc_pprof_fetch_file(path, NULL, f, &err), 0);
	ck_assert(f->from_file);
	ck_assert_str_eq(f->url, path);
	ck_assert(f->profile.attempted && f->profile.transport_ok);
	ck_assert(f->profile_ok);
	ck_assert_int_eq(f->summary.goroutines, -1);
	ck_assert_str_eq(f->summary.top[0].name, "main.work");
	ck_assert(!f->index.attempted);
	/* Garbage: the caller's input is bad (could not check), with the file named. */
	ck_assert_int_eq(ftruncate(fd, 5), 0);
	ck_assert_int_eq(rc_pprof_fetch_file(path, NULL, f, &err), -RC_EFORMAT);
	ck_assert(!f->profile_ok);
	ck_assert_ptr_nonnull(strstr(f->profile.error, path));
	ck_assert_str_eq(err.msg, f->profile.error);
	/* Empty file too. */
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(rc_pprof_fetch_file(path, NULL, f, &err), -RC_EFORMAT);
	ck_assert(!f->profile_ok);
	ck_assert_str_ne(f->profile.error, "");
	close(fd);
	unlink(path);
	/* A file that cannot be read is the caller's error. */
	ck_assert_int_eq(rc_pprof_fetch_file(path, NULL, f, &err), -RC_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
	ck_assert_str_eq(f->profile.error, err.msg);
	ck_assert_int_eq(rc_pprof_fetch_file("/tmp", NULL, f, &err), -RC_EIO);
	ck_assert_str_eq(err.msg, "'/tmp': not a regular file");
	free(f);
	free(gz.p);
}
END_TEST

static Suite *http_suite(void)
{
	/* TCase name, test: the tests of one TCase stand together. */
	const struct {
		const char *tcase;
		const TTest *test;
	} tests[] = {
		{"get", get_ok_and_body_nul_terminated},
		{"get", get_empty_body},
		{"get", get_keeps_content_encoding_raw},
		{"get", get_bad_arguments},
		{"get", get_password_not_in_messages},
		{"get", progress_about_once_a_second},
		{"hang", fault_hang_times_out},
		{"hang", fetch_profile_hangs},
		{"trickle", fault_trickle_times_out},
		{"truncate", fault_truncated_body},
		{"lie", fetch_lying_server},
		{"lie", fetch_profile_errors},
		{"contention", fetch_contention_then_profile},
		{"contention", fetch_contention_forever},
		{"gzip-bomb", fetch_gzip_bomb},
		{"huge-body", fault_body_over_cap},
		{"redirect", redirects_same_host_only},
		{"refused", connection_refused},
		{"refused", fetch_nothing_listening},
		{"headers", custom_headers_arrive},
		{"headers", fetch_headers_to_every_endpoint},
		{"fetch", fetch_good_endpoint},
		{"fetch", fetch_bad_base_urls},
		{"fetch", fetch_index_missing},
		{"fetch", fetch_with_pid},
		{"fetch", fetch_from_file},
	};
	Suite *s = suite_create("http");
	TCase *tc = NULL;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!tc || strcmp(tests[i].tcase, tests[i - 1].tcase) != 0) {
			tc = tcase_create(tests[i].tcase);
			/* Generous for the sanitizer build; the slowest test takes about 1.5 s. */
			tcase_set_timeout(tc, 10);
			suite_add_tcase(s, tc);
		}
		tcase_add_test(tc, tests[i].test);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
