/* SPDX-License-Identifier: MIT */
/*
 * proc-listeners: the listening sockets the process holds. Verdict rules
 * against a baseline: a listener that disappeared fails (clients get
 * connection refused); a new one informs.
 */
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/error.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

static bool same(const struct rc_snap_listener *a, const struct rc_snap_listener *b)
{
	return a->proto == b->proto && strcmp(a->address, b->address) == 0;
}

static bool has(const struct rc_snapshot *s, const struct rc_snap_listener *l)
{
	for (size_t i = 0; i < s->n_listeners; i++)
		if (same(&s->listeners[i], l))
			return true;
	return false;
}

static void detail(struct rc_finding *f, const struct rc_snap_listener *l)
{
	rc_finding_str(f, "proto", rc_sock_proto_name(l->proto));
	rc_finding_str(f, "address", l->address);
	rc_finding_uint(f, "inode", l->inode);
	if (l->fd >= 0)
		rc_finding_int(f, "fd", l->fd);
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	const struct rc_snapshot *s = ctx->now, *b = ctx->baseline;
	struct rc_finding *f;
	size_t lost = 0;

	for (size_t i = 0; i < s->n_listeners; i++) {
		const struct rc_snap_listener *l = &s->listeners[i];

		f = rc_result_add(res, RC_SEV_INFO, "listeners.current",
				  "listening on %s %s (fd %d)", rc_sock_proto_name(l->proto),
				  l->address, l->fd);
		detail(f, l);
	}
	rc_result_metric(res, "listeners", (int64_t)s->n_listeners);
	for (size_t i = 0; i < ctx->n_expected_listeners; i++) {
		const char *want = ctx->expected_listeners[i];
		bool found = false;

		for (size_t k = 0; k < s->n_listeners && !found; k++) {
			const struct rc_snap_listener *l = &s->listeners[k];
			const char *proto = rc_sock_proto_name(l->proto);
			size_t pl = strlen(proto);

			found = !strncmp(want, proto, pl) && want[pl] == ' ' &&
				!strcmp(want + pl + 1, l->address);
		}
		if (found)
			continue;
		f = rc_result_add(res, RC_SEV_FAIL, "listeners.expected_missing",
				  "process %d does not listen on %s, which the policy expects",
				  s->pid, want);
		rc_finding_str(f, "expected", want);
	}
	if (!b)
		return 0;
	for (size_t i = 0; i < b->n_listeners; i++) {
		const struct rc_snap_listener *l = &b->listeners[i];

		if (has(s, l))
			continue;
		lost++;
		f = rc_result_add(res, RC_SEV_FAIL, "listeners.lost",
				  "%s %s is no longer listened on by process %d (it was in the "
				  "baseline): clients get connection refused, or the new process "
				  "failed to bind it (EADDRINUSE from a side listener left behind)",
				  rc_sock_proto_name(l->proto), l->address, s->pid);
		detail(f, l);
	}
	for (size_t i = 0; i < s->n_listeners; i++) {
		const struct rc_snap_listener *l = &s->listeners[i];

		if (has(b, l))
			continue;
		f = rc_result_add(res, RC_SEV_INFO, "listeners.new", "new listener %s %s",
				  rc_sock_proto_name(l->proto), l->address);
		detail(f, l);
	}
	rc_result_metric(res, "lost", (int64_t)lost);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"listeners.current", "listeners.lost", "listeners.expected_missing", "listeners.new", NULL,
};

const struct rc_check rc_check_proc_listeners = {
	.id = "proc-listeners",
	.summary = "listening TCP, UDP and Unix sockets, and which a reload lost",
	.explain = "Lists the listening sockets process PID holds: the socket inodes of its file "
		   "descriptors (/proc/PID/fd) matched against the TCP, TCP6, UDP, UDP6 and Unix "
		   "socket tables of its network namespace (/proc/PID/net/*).\n\n"
		   "Against a --baseline snapshot taken before the reload, a listener that "
		   "disappeared fails: the socket was not passed across the exec (close-on-exec, "
		   "or the new binary does not pick up the inherited descriptor) or the new "
		   "process could not bind it (EADDRINUSE, typically from a metrics or pprof side "
		   "listener of the old process). A new listener is information.\n\n"
		   "To fix: clear FD_CLOEXEC on listening sockets before exec and hand their "
		   "numbers to the new binary (LISTEN_FDS, an environment variable or argv), and "
		   "close side listeners before the exec.",
	.needs = RC_NEEDS_PROCESS,
	.codes = finding_codes,
	.run = run,
};
