/* SPDX-License-Identifier: MIT */
/*
 * The names snapshots print (signals, socket protocols, TLS methods) and the
 * snapshot's JSON form, written and read back as a baseline through cJSON.
 */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>

#include "jsonio.h"

/* Names */

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",	   [SIGINT] = "SIGINT",	  [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",	   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",	   [SIGFPE] = "SIGFPE",	  [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",	   [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",	   [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
#ifdef SIGSTKFLT
	[SIGSTKFLT] = "SIGSTKFLT",
#endif
	[SIGCHLD] = "SIGCHLD",	   [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP",	   [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",	   [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",
#ifdef SIGPWR
	[SIGPWR] = "SIGPWR",
#endif
	[SIGSYS] = "SIGSYS",
};

/* glibc reserves 32 and 33 for itself; its SIGRTMIN is 34. */
#define GLIBC_SIGRTMIN 34

const char *rc_signal_name(int signo, char *buf, size_t size)
{
	if (signo > 0 && (size_t)signo < sizeof(signal_names) / sizeof(signal_names[0]) &&
	    signal_names[signo])
		return signal_names[signo];
	if (signo < 32 || signo > 64 || !buf || size == 0)
		return "SIG?";
	if (signo < GLIBC_SIGRTMIN)
		snprintf(buf, size, "SIG%d", signo);
	else if (signo == GLIBC_SIGRTMIN)
		snprintf(buf, size, "SIGRTMIN");
	else
		snprintf(buf, size, "SIGRTMIN+%d", signo - GLIBC_SIGRTMIN);
	return buf;
}

static const char *const proto_names[] = {
	[RC_SOCK_TCP] = "tcp",	 [RC_SOCK_TCP6] = "tcp6", [RC_SOCK_UDP] = "udp",
	[RC_SOCK_UDP6] = "udp6", [RC_SOCK_UNIX] = "unix",
};

const char *rc_sock_proto_name(enum rc_sock_proto p)
{
	if ((unsigned)p >= sizeof(proto_names) / sizeof(proto_names[0]))
		return "?";
	return proto_names[p];
}

static const char *const method_names[] = {
	[RC_TLS_NONE] = "none",
	[RC_TLS_THREAD_DB] = "thread_db",
	[RC_TLS_STATIC] = "static",
};

const char *rc_tls_method_name(enum rc_tls_method m)
{
	if ((unsigned)m >= sizeof(method_names) / sizeof(method_names[0]))
		return "?";
	return method_names[m];
}

int rc_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	const char *p = s;

	if (!s || !*s)
		return -RC_EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return -RC_EINVAL;
	}
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -RC_EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -RC_EINVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* JSON writing */

/* "" as null: for build-ids, where empty means "could not be read". */
static void jw_str_or_null(struct rci_jw *w, cJSON *o, const char *key, const char *v)
{
	rci_jw_str(w, o, key, v && *v ? v : NULL);
}

static void jw_hex(struct rci_jw *w, cJSON *o, const char *key, uint64_t v, int width)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, v);
	rci_jw_str(w, o, key, buf);
}

static void jw_signames(struct rci_jw *w, cJSON *o, const char *key, uint64_t mask)
{
	cJSON *arr = rci_jw_check(w, cJSON_AddArrayToObject(o, key));
	char buf[16];

	for (int sig = 1; sig <= 64 && arr; sig++)
		if (mask & (UINT64_C(1) << (sig - 1)))
			rci_jw_push(w, arr,
				    cJSON_CreateString(rc_signal_name(sig, buf, sizeof(buf))));
}

static char *format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "1970-01-01T00:00:00Z");
	return buf;
}

static void write_canary(struct rci_jw *w, cJSON *arr, const struct rc_snap_canary *c)
{
	cJSON *o = rci_jw_push(w, arr, cJSON_CreateObject()), *vals;

	if (!o)
		return;
	rci_jw_str(w, o, "symbol", c->symbol);
	if (c->has_expected)
		jw_hex(w, o, "expected", c->expected, 1);
	else
		rci_jw_str(w, o, "expected", NULL);
	rci_jw_int(w, o, "size", (int64_t)c->size);
	rci_jw_str(w, o, "object", c->object);
	rci_jw_str(w, o, "method", rc_tls_method_name(c->method));
	rci_jw_str(w, o, "note", c->note);
	rci_jw_bool(w, o, "not_applicable", c->not_applicable);
	rci_jw_str(w, o, "error", c->error);
	vals = rci_jw_check(w, cJSON_AddArrayToObject(o, "values"));
	for (size_t i = 0; vals && i < c->n_values; i++) {
		const struct rc_snap_tls_value *v = &c->values[i];
		cJSON *vo = rci_jw_push(w, vals, cJSON_CreateObject());

		if (!vo)
			break;
		rci_jw_int(w, vo, "tid", v->tid);
		rci_jw_str(w, vo, "name", v->name);
		rci_jw_bool(w, vo, "ok", v->ok);
		jw_hex(w, vo, "value", v->value, 1);
		rci_jw_str(w, vo, "error", v->error);
	}
}

static cJSON *snapshot_to_json(const struct rc_snapshot *s, struct rci_jw *w)
{
	cJSON *root = cJSON_CreateObject(), *o, *arr;
	char taken[32];

	if (!root) {
		w->oom = true;
		return NULL;
	}
	rci_jw_str(w, root, "schema", RC_SNAPSHOT_SCHEMA);
	o = rci_jw_check(w, cJSON_AddObjectToObject(root, "tool"));
	rci_jw_str(w, o, "name", "reloadcheck");
	rci_jw_str(w, o, "version", RC_VERSION);
	rci_jw_int(w, root, "pid", s->pid);
	rci_jw_str(w, root, "taken", format_time(s->taken, taken, sizeof(taken)));
	rci_jw_int(w, root, "start_time", (int64_t)s->start_time);
	rci_jw_str(w, root, "comm", s->comm);

	o = rci_jw_check(w, cJSON_AddObjectToObject(root, "exe"));
	rci_jw_str(w, o, "path", s->exe_path ? s->exe_path : "");
	rci_jw_bool(w, o, "deleted", s->exe_deleted);
	rci_jw_bool(w, o, "replaced", s->exe_replaced);
	jw_str_or_null(w, o, "build_id", s->exe_build_id);
	jw_str_or_null(w, o, "go_build_id", s->exe_go_build_id);
	jw_str_or_null(w, o, "content_hash", s->exe_content_hash);
	if (s->exe_has_file) {
		cJSON *fo = rci_jw_check(w, cJSON_AddObjectToObject(o, "file"));

		jw_hex(w, fo, "dev", s->exe_dev, 1);
		jw_hex(w, fo, "inode", s->exe_inode, 1);
		rci_jw_int(w, fo, "size", (int64_t)s->exe_size);
		rci_jw_int(w, fo, "mtime", s->exe_mtime);
	} else {
		rci_jw_check(w, cJSON_AddNullToObject(o, "file"));
	}

	o = rci_jw_check(w, cJSON_AddObjectToObject(root, "signals"));
	jw_hex(w, o, "caught", s->sig_caught, 16);
	jw_hex(w, o, "ignored", s->sig_ignored, 16);
	jw_hex(w, o, "pending", s->sig_pending, 16);
	jw_signames(w, o, "caught_names", s->sig_caught);
	jw_signames(w, o, "ignored_names", s->sig_ignored);

	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "threads"));
	for (size_t i = 0; arr && i < s->n_threads; i++) {
		const struct rc_snap_thread *t = &s->threads[i];
		char state[2] = {t->state ? t->state : '?', '\0'};

		o = rci_jw_push(w, arr, cJSON_CreateObject());
		rci_jw_int(w, o, "tid", t->tid);
		rci_jw_str(w, o, "name", t->name);
		jw_hex(w, o, "blocked", t->blocked, 16);
		jw_signames(w, o, "blocked_names", t->blocked);
		rci_jw_str(w, o, "state", state);
	}

	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "objects"));
	for (size_t i = 0; arr && i < s->n_objects; i++) {
		const struct rc_snap_object *ob = &s->objects[i];

		o = rci_jw_push(w, arr, cJSON_CreateObject());
		rci_jw_str(w, o, "path", ob->path ? ob->path : "");
		jw_hex(w, o, "start", ob->start, 1);
		rci_jw_bool(w, o, "deleted", ob->deleted);
		rci_jw_bool(w, o, "replaced", ob->replaced);
		rci_jw_bool(w, o, "exe", ob->is_exe);
		jw_str_or_null(w, o, "build_id", ob->build_id);
	}

	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "listeners"));
	for (size_t i = 0; arr && i < s->n_listeners; i++) {
		const struct rc_snap_listener *l = &s->listeners[i];

		o = rci_jw_push(w, arr, cJSON_CreateObject());
		rci_jw_str(w, o, "proto", rc_sock_proto_name(l->proto));
		rci_jw_str(w, o, "address", l->address);
		rci_jw_int(w, o, "inode", (int64_t)l->inode);
		rci_jw_int(w, o, "fd", l->fd);
	}

	arr = rci_jw_check(w, cJSON_AddArrayToObject(root, "canaries"));
	for (size_t i = 0; arr && i < s->n_canaries; i++)
		write_canary(w, arr, &s->canaries[i]);
	return root;
}

int rc_snapshot_write_json(const struct rc_snapshot *s, FILE *out, struct rc_err *err)
{
	struct rci_jw w = {0};

	/* Integers are written as JSON numbers only below 2^53, where they stay exact. */
	if (s->start_time > (uint64_t)RCI_JSON_MAX_SAFE_INTEGER)
		return rc_err_set(err, -RC_EINVAL, "snapshot: start_time %" PRIu64 " too large",
				  s->start_time);
	for (size_t i = 0; i < s->n_listeners; i++)
		if (s->listeners[i].inode > (uint64_t)RCI_JSON_MAX_SAFE_INTEGER)
			return rc_err_set(err, -RC_EINVAL,
					  "snapshot: socket inode %" PRIu64 " too large",
					  s->listeners[i].inode);
	return rci_jw_finish(&w, snapshot_to_json(s, &w), out, "snapshot", err);
}

/* JSON reading */

#define MAX_SNAPSHOT_FILE (64u << 20)

static int jr_strdup(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, char **out)
{
	const char *v = NULL;
	int rc = rci_jr_cstr(r, o, pre, key, false, &v);

	if (rc < 0)
		return rc;
	*out = strdup(v);
	if (!*out)
		return rci_jr_oom(r);
	return 0;
}

static int jr_build_id(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		       char *buf, size_t size)
{
	int rc = rci_jr_str(r, o, pre, key, true, buf, size);

	if (rc < 0)
		return rc;
	if (strspn(buf, "0123456789abcdef") != strlen(buf) || strlen(buf) % 2)
		return rci_jr_fail(r, pre, key, "must be lowercase hex bytes or null");
	return 0;
}

/* "0x..." hex; *@present false for a null when @nullable. */
static int jr_hex(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, bool nullable,
		  bool *present, uint64_t *out)
{
	const char *v = NULL;
	int rc = rci_jr_cstr(r, o, pre, key, nullable, &v);

	if (rc < 0)
		return rc;
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X') || rc_parse_u64(v, out) < 0)
		return rci_jr_fail(r, pre, key,
				   nullable ? "must be a 64-bit hex string like \"0x1f\" or null"
					    : "must be a 64-bit hex string like \"0x1f\"");
	return 0;
}

/* RFC 3339 UTC as written: "2024-05-01T12:00:00Z" (a fraction of a second is ignored). */
static int jr_time(struct rci_jr *r, const cJSON *o, const char *pre, const char *key, int64_t *out)
{
	const char *v = NULL, *p;
	struct tm tm = {0};
	int rc = rci_jr_cstr(r, o, pre, key, false, &v);

	if (rc < 0)
		return rc;
	p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p && *p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			p = NULL;
		while (p && *p >= '0' && *p <= '9')
			p++;
	}
	if (!p || strcmp(p, "Z") != 0 || strlen(v) < 20)
		return rci_jr_fail(r, pre, key,
				   "must be an RFC 3339 UTC time like \"2024-05-01T12:00:00Z\"");
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int jr_name(struct rci_jr *r, const cJSON *o, const char *pre, const char *key,
		   const char *(*name)(unsigned), unsigned n, const char *what, unsigned *out)
{
	const char *v = NULL;
	int rc = rci_jr_cstr(r, o, pre, key, false, &v);

	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(v, name(i)) == 0) {
			*out = i;
			return 0;
		}
	}
	return rci_jr_fail(r, pre, key, what);
}

static const char *proto_name_u(unsigned i)
{
	return rc_sock_proto_name((enum rc_sock_proto)i);
}

static const char *method_name_u(unsigned i)
{
	return rc_tls_method_name((enum rc_tls_method)i);
}

static int read_exe_file(struct rci_jr *r, const cJSON *exe, struct rc_snapshot *s)
{
	const cJSON *o = NULL;
	int64_t size = 0, mtime = 0;
	int rc = rci_jr_object(r, exe, "exe", "file", &o);

	if (rc == 0)
		rc = jr_hex(r, o, "exe.file", "dev", false, NULL, &s->exe_dev);
	if (rc == 0)
		rc = jr_hex(r, o, "exe.file", "inode", false, NULL, &s->exe_inode);
	if (rc == 0)
		rc = rci_jr_int(r, o, "exe.file", "size", 0, RCI_JSON_MAX_SAFE_INTEGER, &size);
	if (rc == 0)
		rc = rci_jr_int(r, o, "exe.file", "mtime", -RCI_JSON_MAX_SAFE_INTEGER,
				RCI_JSON_MAX_SAFE_INTEGER, &mtime);
	if (rc == 0) {
		s->exe_size = (uint64_t)size;
		s->exe_mtime = mtime;
		s->exe_has_file = true;
	}
	return rc;
}

static int read_exe(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *o = NULL;
	int rc = rci_jr_object(r, root, "", "exe", &o);

	if (rc == 0)
		rc = jr_strdup(r, o, "exe", "path", &s->exe_path);
	if (rc == 0)
		rc = rci_jr_bool(r, o, "exe", "deleted", &s->exe_deleted);
	if (rc == 0)
		rc = rci_jr_bool(r, o, "exe", "replaced", &s->exe_replaced);
	if (rc == 0)
		rc = jr_build_id(r, o, "exe", "build_id", s->exe_build_id, sizeof(s->exe_build_id));
	if (rc == 0)
		rc = rci_jr_str(r, o, "exe", "go_build_id", true, s->exe_go_build_id,
				sizeof(s->exe_go_build_id));
	/* content_hash and file came later: a snapshot without them still reads. */
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(o, "content_hash"))
		rc = jr_build_id(r, o, "exe", "content_hash", s->exe_content_hash,
				 sizeof(s->exe_content_hash));
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(o, "file") &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "file")))
		rc = read_exe_file(r, o, s);
	return rc;
}

static int read_signals(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *o = NULL;
	int rc = rci_jr_object(r, root, "", "signals", &o);

	if (rc == 0)
		rc = jr_hex(r, o, "signals", "caught", false, NULL, &s->sig_caught);
	if (rc == 0)
		rc = jr_hex(r, o, "signals", "ignored", false, NULL, &s->sig_ignored);
	if (rc == 0)
		rc = jr_hex(r, o, "signals", "pending", false, NULL, &s->sig_pending);
	return rc;
}

/* The array @key of objects: its length in *@n, after checking each is an object. */
static int jr_list(struct rci_jr *r, const cJSON *root, const char *key, const cJSON **arr,
		   size_t *n)
{
	const cJSON *it = NULL;
	size_t len = 0, i = 0;
	int rc = rci_jr_array(r, root, "", key, SIZE_MAX, arr, &len);

	if (rc < 0)
		return rc;
	cJSON_ArrayForEach(it, *arr)
	{
		if (!cJSON_IsObject(it)) {
			char k[64];

			snprintf(k, sizeof(k), "%s[%zu]", key, i);
			return rci_jr_fail(r, "", k, "must be an object");
		}
		i++;
	}
	*n = len;
	return 0;
}

static int read_threads(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *arr = NULL, *it;
	size_t n, i = 0;
	int rc = jr_list(r, root, "threads", &arr, &n);

	if (rc < 0 || n == 0)
		return rc;
	s->threads = calloc(n, sizeof(*s->threads));
	if (!s->threads)
		return rci_jr_oom(r);
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_snap_thread *t = &s->threads[i];
		char pre[48], state[2];
		int64_t v = 0;

		snprintf(pre, sizeof(pre), "threads[%zu]", i);
		rc = rci_jr_int(r, it, pre, "tid", 1, INT_MAX, &v);
		if (rc < 0)
			return rc;
		t->tid = (int)v;
		rc = rci_jr_str(r, it, pre, "name", false, t->name, sizeof(t->name));
		if (rc == 0)
			rc = jr_hex(r, it, pre, "blocked", false, NULL, &t->blocked);
		if (rc == 0)
			rc = rci_jr_str(r, it, pre, "state", false, state, sizeof(state));
		if (rc == 0 && !state[0])
			rc = rci_jr_fail(r, pre, "state", "must be one letter");
		if (rc < 0)
			return rc;
		t->state = state[0];
		s->n_threads = ++i;
	}
	return 0;
}

static int read_objects(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *arr = NULL, *it;
	size_t n, i = 0;
	int rc = jr_list(r, root, "objects", &arr, &n);

	if (rc < 0 || n == 0)
		return rc;
	s->objects = calloc(n, sizeof(*s->objects));
	if (!s->objects)
		return rci_jr_oom(r);
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_snap_object *o = &s->objects[i];
		char pre[48];

		snprintf(pre, sizeof(pre), "objects[%zu]", i);
		rc = jr_strdup(r, it, pre, "path", &o->path);
		if (rc < 0)
			return rc;
		s->n_objects = ++i; /* the path is owned from here on */
		rc = jr_hex(r, it, pre, "start", false, NULL, &o->start);
		if (rc == 0)
			rc = rci_jr_bool(r, it, pre, "deleted", &o->deleted);
		if (rc == 0)
			rc = rci_jr_bool(r, it, pre, "replaced", &o->replaced);
		if (rc == 0)
			rc = rci_jr_bool(r, it, pre, "exe", &o->is_exe);
		if (rc == 0)
			rc = jr_build_id(r, it, pre, "build_id", o->build_id, sizeof(o->build_id));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int read_listeners(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *arr = NULL, *it;
	size_t n, i = 0;
	int rc = jr_list(r, root, "listeners", &arr, &n);

	if (rc < 0 || n == 0)
		return rc;
	s->listeners = calloc(n, sizeof(*s->listeners));
	if (!s->listeners)
		return rci_jr_oom(r);
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_snap_listener *l = &s->listeners[i];
		char pre[48];
		unsigned proto = 0;
		int64_t v = 0;

		snprintf(pre, sizeof(pre), "listeners[%zu]", i);
		rc = jr_name(r, it, pre, "proto", proto_name_u, RC_SOCK_UNIX + 1,
			     "must be one of tcp, tcp6, udp, udp6, unix", &proto);
		if (rc < 0)
			return rc;
		l->proto = (enum rc_sock_proto)proto;
		rc = rci_jr_str(r, it, pre, "address", false, l->address, sizeof(l->address));
		if (rc < 0)
			return rc;
		rc = rci_jr_int(r, it, pre, "inode", 0, RCI_JSON_MAX_SAFE_INTEGER, &v);
		if (rc < 0)
			return rc;
		l->inode = (uint64_t)v;
		rc = rci_jr_int(r, it, pre, "fd", -1, INT_MAX, &v);
		if (rc < 0)
			return rc;
		l->fd = (int)v;
		s->n_listeners = ++i;
	}
	return 0;
}

static int read_values(struct rci_jr *r, const cJSON *co, const char *cpre,
		       struct rc_snap_canary *c)
{
	const cJSON *arr = NULL, *it;
	size_t n = 0, i = 0;
	int rc = rci_jr_array(r, co, cpre, "values", SIZE_MAX, &arr, &n);

	if (rc < 0 || n == 0)
		return rc;
	c->values = calloc(n, sizeof(*c->values));
	if (!c->values)
		return rci_jr_oom(r);
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_snap_tls_value *v = &c->values[i];
		char pre[80];
		int64_t tid = 0;

		snprintf(pre, sizeof(pre), "%s.values[%zu]", cpre, i);
		if (!cJSON_IsObject(it))
			return rci_jr_fail(r, "", pre, "must be an object");
		rc = rci_jr_int(r, it, pre, "tid", 1, INT_MAX, &tid);
		if (rc < 0)
			return rc;
		v->tid = (int)tid;
		rc = rci_jr_str(r, it, pre, "name", false, v->name, sizeof(v->name));
		if (rc == 0)
			rc = rci_jr_bool(r, it, pre, "ok", &v->ok);
		if (rc == 0)
			rc = jr_hex(r, it, pre, "value", false, NULL, &v->value);
		if (rc == 0)
			rc = rci_jr_str(r, it, pre, "error", false, v->error, sizeof(v->error));
		if (rc < 0)
			return rc;
		c->n_values = ++i;
	}
	return 0;
}

static int read_canaries(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	const cJSON *arr = NULL, *it;
	size_t n, i = 0;
	int rc = jr_list(r, root, "canaries", &arr, &n);

	if (rc < 0 || n == 0)
		return rc;
	s->canaries = calloc(n, sizeof(*s->canaries));
	if (!s->canaries)
		return rci_jr_oom(r);
	cJSON_ArrayForEach(it, arr)
	{
		struct rc_snap_canary *c = &s->canaries[i];
		char pre[48];
		unsigned method = 0;
		int64_t size = 0;

		snprintf(pre, sizeof(pre), "canaries[%zu]", i);
		s->n_canaries = ++i; /* owned from here on: symbol and values */
		rc = jr_strdup(r, it, pre, "symbol", &c->symbol);
		if (rc == 0)
			rc = jr_hex(r, it, pre, "expected", true, &c->has_expected, &c->expected);
		if (rc == 0)
			rc = rci_jr_int(r, it, pre, "size", 0, 8, &size);
		if (rc < 0)
			return rc;
		c->size = (size_t)size;
		rc = rci_jr_str(r, it, pre, "object", false, c->object, sizeof(c->object));
		if (rc == 0)
			rc = jr_name(r, it, pre, "method", method_name_u, RC_TLS_STATIC + 1,
				     "must be one of none, thread_db, static", &method);
		if (rc < 0)
			return rc;
		c->method = (enum rc_tls_method)method;
		rc = rci_jr_str(r, it, pre, "note", false, c->note, sizeof(c->note));
		if (rc == 0)
			rc = rci_jr_bool(r, it, pre, "not_applicable", &c->not_applicable);
		if (rc == 0)
			rc = rci_jr_str(r, it, pre, "error", false, c->error, sizeof(c->error));
		if (rc == 0)
			rc = read_values(r, it, pre, c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int snapshot_from_json(struct rci_jr *r, const cJSON *root, struct rc_snapshot *s)
{
	int64_t v = 0;
	int rc = rci_jr_schema(r, root, RC_SNAPSHOT_SCHEMA, "snapshot");

	if (rc < 0)
		return rc;
	rc = rci_jr_int(r, root, "", "pid", 1, INT_MAX, &v);
	if (rc < 0)
		return rc;
	s->pid = (int)v;
	rc = jr_time(r, root, "", "taken", &s->taken);
	if (rc < 0)
		return rc;
	rc = rci_jr_int(r, root, "", "start_time", 0, RCI_JSON_MAX_SAFE_INTEGER, &v);
	if (rc < 0)
		return rc;
	s->start_time = (uint64_t)v;
	rc = rci_jr_str(r, root, "", "comm", false, s->comm, sizeof(s->comm));
	if (rc == 0)
		rc = read_exe(r, root, s);
	if (rc == 0)
		rc = read_signals(r, root, s);
	if (rc == 0)
		rc = read_threads(r, root, s);
	if (rc == 0)
		rc = read_objects(r, root, s);
	if (rc == 0)
		rc = read_listeners(r, root, s);
	if (rc == 0)
		rc = read_canaries(r, root, s);
	return rc;
}

int rc_snapshot_read_json(const char *path, struct rc_snapshot **out, struct rc_err *err)
{
	struct rci_jr r = {.file = path, .err = err};
	struct rc_snapshot *s = NULL;
	cJSON *root = NULL;
	int rc = rci_json_load_file(path, MAX_SNAPSHOT_FILE, "snapshot", &root, NULL, NULL, err);

	if (rc == -RC_ENOENT) {
		/* A missing snapshot file is a read error like any other. */
		rc = -RC_EIO;
		if (err)
			err->code = rc;
	}
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = rci_jr_oom(&r);
		goto out;
	}
	rc = snapshot_from_json(&r, root, s);
	if (rc == 0) {
		*out = s;
		s = NULL;
	}
out:
	rc_snapshot_free(s);
	cJSON_Delete(root);
	return rc;
}
