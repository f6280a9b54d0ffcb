/* SPDX-License-Identifier: MIT */
/*
 * procfs text parsers and a whole-file reader for the snapshot. The formats
 * are the kernel's seq_printf layouts (fs/proc/array.c, fs/proc/task_mmu.c,
 * net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c, net/ipv4/udp.c, net/unix/af_unix.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>

#include "procfs.h"
#include "util.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated token of [*p, end); false at the end. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *len)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return false;
	*tok = s;
	while (s < end && !is_blank(*s))
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return true;
}

/* @len hex digits, all of them, at most 16. */
static bool parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = rci_hexval(s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool parse_dec(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

int rci_parse_stat(const char *buf, size_t len, struct rci_stat *out)
{
	const char *end = buf + len;
	const char *open = memchr(buf, '(', len);
	const char *close = memrchr(buf, ')', len);
	const char *p, *tok;
	size_t n, tlen;
	uint64_t v;
	struct rci_stat st = {0};

	if (!open || !close || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n > sizeof(st.comm) - 1)
		n = sizeof(st.comm) - 1;
	memcpy(st.comm, open + 1, n);
	st.comm[n] = '\0';

	p = close + 1;
	/* Token k after the ')' is field k + 3. */
	for (int k = 0; k <= 19; k++) {
		if (!next_token(&p, end, &tok, &tlen))
			return -1;
		if (tlen && tok[tlen - 1] == '\n')
			tlen--;
		switch (k + 3) {
		case 3:
			if (tlen != 1)
				return -1;
			st.state = tok[0];
			break;
		case 4:
			if (!parse_dec(tok, tlen, &v) || v > INT_MAX)
				return -1;
			st.ppid = (int)v;
			break;
		case 9:
			if (!parse_dec(tok, tlen, &v))
				return -1;
			st.flags = (unsigned long)v;
			break;
		case 14:
			if (!parse_dec(tok, tlen, &st.utime))
				return -1;
			break;
		case 15:
			if (!parse_dec(tok, tlen, &st.stime))
				return -1;
			break;
		case 22:
			if (!parse_dec(tok, tlen, &st.start_time))
				return -1;
			break;
		}
	}
	*out = st;
	return 0;
}

int rci_read_stat(int pid, int tid, struct rci_stat *out, struct rc_err *err)
{
	/* comm is at most 16 bytes and the 52 numbers at most 20 digits each. */
	char path[64], buf[2048];
	ssize_t n;
	int fd, e;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		goto fail;
	}
	if (rci_parse_stat(buf, (size_t)n, out) < 0)
		return rc_err_set(err, -RC_EFORMAT, "'%s': cannot parse", path);
	return 0;
fail:
	e = errno;
	return rc_err_set(err, rc_err_from_errno(e), "cannot read '%s': %s", path, strerror(e));
}

int rci_status_field(const char *buf, const char *key, const char **val, size_t *len)
{
	size_t klen = strlen(key);
	const char *line = buf;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *v;

		if (!eol)
			eol = line + strlen(line);
		if ((size_t)(eol - line) > klen && memcmp(line, key, klen) == 0 &&
		    line[klen] == ':') {
			v = line + klen + 1;
			while (v < eol && is_blank(*v))
				v++;
			*val = v;
			*len = (size_t)(eol - v);
			return 0;
		}
		if (!*eol)
			break;
		line = eol + 1;
	}
	return -1;
}

int rci_status_mask(const char *buf, const char *key, uint64_t *out)
{
	const char *v;
	size_t len;

	if (rci_status_field(buf, key, &v, &len) < 0)
		return -1;
	while (len && is_blank(v[len - 1]))
		len--;
	return parse_hex(v, len, out) ? 0 : -1;
}

int rci_parse_maps_line(const char *line, size_t len, struct rci_maps_entry *out)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	const char *end = line + len;
	const char *p = line, *tok, *dash, *colon;
	size_t tlen;
	uint64_t v;
	struct rci_maps_entry e = {0};

	/* start-end */
	if (!next_token(&p, end, &tok, &tlen))
		return -1;
	dash = memchr(tok, '-', tlen);
	if (!dash || !parse_hex(tok, (size_t)(dash - tok), &e.start) ||
	    !parse_hex(dash + 1, (size_t)(tok + tlen - dash - 1), &e.end))
		return -1;
	/* perms, offset */
	if (!next_token(&p, end, &tok, &tlen) || !next_token(&p, end, &tok, &tlen))
		return -1;
	/* major:minor */
	if (!next_token(&p, end, &tok, &tlen))
		return -1;
	colon = memchr(tok, ':', tlen);
	if (!colon || !parse_hex(tok, (size_t)(colon - tok), &v))
		return -1;
	e.dev_major = (unsigned)v;
	if (!parse_hex(colon + 1, (size_t)(tok + tlen - colon - 1), &v))
		return -1;
	e.dev_minor = (unsigned)v;
	/* inode */
	if (!next_token(&p, end, &tok, &tlen) || !parse_dec(tok, tlen, &e.inode))
		return -1;
	/* The path is the rest of the line after the padding, spaces and all. */
	while (p < end && is_blank(*p))
		p++;
	if (p < end) {
		e.path = p;
		e.path_len = (size_t)(end - p);
		if (e.path_len > dlen && memcmp(end - dlen, deleted, dlen) == 0) {
			e.path_len -= dlen;
			e.deleted = true;
		}
	}
	*out = e;
	return 0;
}

/* "0100007F:1F90" or the 32-digit IPv6 form, to "127.0.0.1:8080" / "[::1]:8080". */
static bool inet_address(const char *tok, size_t tlen, bool v6, char *buf, size_t size,
			 unsigned *port, bool *unset)
{
	const size_t words = v6 ? 4 : 1;
	unsigned char bytes[16];
	char host[INET6_ADDRSTRLEN];
	uint64_t w, pv;
	int n;

	if (tlen != words * 8 + 5 || tok[words * 8] != ':')
		return false;
	for (size_t i = 0; i < words; i++) {
		uint32_t w32;

		if (!parse_hex(tok + i * 8, 8, &w))
			return false;
		/* Each word is a network-order 32-bit value printed as a host integer. */
		w32 = (uint32_t)w;
		memcpy(bytes + i * 4, &w32, 4);
	}
	if (!parse_hex(tok + words * 8 + 1, 4, &pv))
		return false;
	*port = (unsigned)pv;
	*unset = pv == 0;
	for (size_t i = 0; i < words * 4; i++)
		if (bytes[i])
			*unset = false;
	if (!buf)
		return true;
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, host, sizeof(host)))
		return false;
	n = snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", host, *port);
	return n > 0 && (size_t)n < size;
}

int rci_parse_inet_line(const char *line, size_t len, bool v6, struct rci_inet_entry *out)
{
	const char *end = line + len;
	const char *p = line, *tok;
	size_t tlen;
	uint64_t v;
	unsigned rport;
	bool local_unset;
	struct rci_inet_entry e = {0};

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (!next_token(&p, end, &tok, &tlen) || tlen < 2 || tok[tlen - 1] != ':')
		return -1;
	if (!next_token(&p, end, &tok, &tlen) ||
	    !inet_address(tok, tlen, v6, e.local, sizeof(e.local), &e.local_port, &local_unset))
		return -1;
	if (!next_token(&p, end, &tok, &tlen) ||
	    !inet_address(tok, tlen, v6, NULL, 0, &rport, &e.remote_unset))
		return -1;
	if (!next_token(&p, end, &tok, &tlen) || !parse_hex(tok, tlen, &v))
		return -1;
	e.state = (unsigned)v;
	for (int k = 0; k < 5; k++)
		if (!next_token(&p, end, &tok, &tlen))
			return -1;
	if (!next_token(&p, end, &tok, &tlen) || !parse_dec(tok, tlen, &e.inode))
		return -1;
	*out = e;
	return 0;
}

int rci_parse_unix_line(const char *line, size_t len, struct rci_unix_entry *out)
{
	const char *end = line + len;
	const char *p = line, *tok;
	size_t tlen;
	uint64_t v;
	struct rci_unix_entry e = {0};

	/* Num: RefCount Protocol Flags Type St Inode [Path] */
	if (!next_token(&p, end, &tok, &tlen) || tlen < 2 || tok[tlen - 1] != ':')
		return -1;
	if (!next_token(&p, end, &tok, &tlen) || !next_token(&p, end, &tok, &tlen))
		return -1;
	if (!next_token(&p, end, &tok, &tlen) || !parse_hex(tok, tlen, &v))
		return -1;
	e.flags = (unsigned)v;
	if (!next_token(&p, end, &tok, &tlen) || !parse_hex(tok, tlen, &v))
		return -1;
	e.type = (unsigned)v;
	if (!next_token(&p, end, &tok, &tlen) || !parse_hex(tok, tlen, &v))
		return -1;
	e.state = (unsigned)v;
	if (!next_token(&p, end, &tok, &tlen) || !parse_dec(tok, tlen, &e.inode))
		return -1;
	/* One space, then the path to the end of the line (it may hold spaces). */
	if (p < end && *p == ' ') {
		size_t n = (size_t)(end - p - 1);

		if (n >= sizeof(e.path))
			return -1;
		memcpy(e.path, p + 1, n);
		e.path[n] = '\0';
	}
	*out = e;
	return 0;
}

int rci_read_file(const char *path, size_t max, char **buf, size_t *cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t used = 0;
	int e = 0;

	if (fd < 0)
		return rc_err_from_errno(errno);
	/* A regular file tells its size: refuse a large one before reading any of it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		e = EFBIG;
	while (!e) {
		size_t room;
		ssize_t got;

		/* Read at least 4 KiB at a time: procfs hands out a page per read. */
		if (rc_grow(buf, cap, used + 4096, 1) < 0) {
			e = ENOMEM;
			break;
		}
		/* No more than max + 1 bytes in all, for pipes and devices that never end. */
		room = *cap - used - 1;
		if (room > max - used)
			room = max - used + 1;
		got = read(fd, *buf + used, room);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		if (got == 0)
			break;
		used += (size_t)got;
		if (used > max)
			e = EFBIG;
	}
	close(fd);
	if (e) {
		errno = e;
		return e == EFBIG ? -RC_EFORMAT : rc_err_from_errno(e);
	}
	(*buf)[used] = '\0';
	*len = used;
	return 0;
}

int rci_parse_auxv(const unsigned char *buf, size_t len, struct rci_exec_id *out)
{
	const size_t w = sizeof(unsigned long);
	struct rci_exec_id id = {0};
	bool have_random = false;

	for (size_t off = 0; off + 2 * w <= len; off += 2 * w) {
		unsigned long type, val;

		memcpy(&type, buf + off, w);
		memcpy(&val, buf + off + w, w);
		switch (type) {
		case AT_NULL:
			if (!have_random)
				return -1;
			*out = id;
			return 0;
		case AT_RANDOM:
			id.at_random = val;
			have_random = true;
			break;
		case AT_SYSINFO_EHDR:
			id.at_sysinfo_ehdr = val;
			break;
		case AT_ENTRY:
			id.at_entry = val;
			break;
		case AT_PHDR:
			id.at_phdr = val;
			break;
		case AT_BASE:
			id.at_base = val;
			break;
		default:
			break;
		}
	}
	return -1; /* no AT_NULL: truncated */
}

int rci_read_exec_id(int pid, struct rci_exec_id *out, struct rc_err *err)
{
	/* The kernel keeps at most AT_VECTOR_SIZE (a few dozen) pairs. */
	char path[64], *buf = NULL;
	size_t cap = 0, len = 0;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	rc = rci_read_file(path, 4096, &buf, &cap, &len);
	if (rc) {
		rc = rc_err_set(err, rc, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (rci_parse_auxv((const unsigned char *)buf, len, out) < 0)
		rc = rc_err_set(err, -RC_EFORMAT, "'%s': no AT_RANDOM before AT_NULL", path);
out:
	free(buf);
	return rc;
}

bool rci_exec_id_differs(const struct rci_exec_id *a, const struct rci_exec_id *b)
{
	return a->at_random != b->at_random || a->at_sysinfo_ehdr != b->at_sysinfo_ehdr ||
	       a->at_entry != b->at_entry || a->at_phdr != b->at_phdr || a->at_base != b->at_base;
}
