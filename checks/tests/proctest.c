/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/error.h>

#include "checktest.h"
#include "proctest.h"

void proctest_snapshot(struct rc_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = 100;
	snprintf(s->comm, sizeof(s->comm), "app");
	s->exe_path = strdup("/srv/app");
	memset(s->exe_build_id, 'a', 40);
	memset(s->exe_content_hash, 'c', 32);
	s->exe_has_file = true;
	s->exe_dev = 0x803;
	s->exe_inode = 4242;
	s->exe_size = 123456;
	s->exe_mtime = 1700000000;
	s->sig_caught = (1ULL << (1 - 1)) | (1ULL << (12 - 1)); /* SIGHUP, SIGUSR2 */
	s->sig_ignored = 1ULL << (13 - 1);			/* SIGPIPE */
	s->n_threads = 2;
	s->threads = calloc(2, sizeof(*s->threads));
	s->threads[0] = (struct rc_snap_thread){.tid = 100, .name = "app", .state = 'S'};
	s->threads[1] = (struct rc_snap_thread){.tid = 101, .name = "worker", .state = 'S'};
	s->n_objects = 2;
	s->objects = calloc(2, sizeof(*s->objects));
	s->objects[0] = (struct rc_snap_object){.path = strdup("/srv/app"), .is_exe = true};
	s->objects[1] = (struct rc_snap_object){.path = strdup("/lib/x86_64-linux-gnu/libc.so.6")};
}

void proctest_add_listener(struct rc_snapshot *s, enum rc_sock_proto proto, const char *address)
{
	struct rc_snap_listener *l;

	s->listeners = realloc(s->listeners, (s->n_listeners + 1) * sizeof(*s->listeners));
	l = &s->listeners[s->n_listeners++];
	*l = (struct rc_snap_listener){.proto = proto, .inode = 1000 + s->n_listeners, .fd = 3};
	snprintf(l->address, sizeof(l->address), "%s", address);
}

void proctest_add_canary(struct rc_snapshot *s, const char *symbol, uint64_t expected,
			 uint64_t value, int odd_tid, uint64_t odd_value)
{
	struct rc_snap_canary *c;

	s->canaries = realloc(s->canaries, (s->n_canaries + 1) * sizeof(*s->canaries));
	c = &s->canaries[s->n_canaries++];
	memset(c, 0, sizeof(*c));
	c->symbol = strdup(symbol);
	c->has_expected = true;
	c->expected = expected;
	c->size = 8;
	c->method = RC_TLS_THREAD_DB;
	snprintf(c->object, sizeof(c->object), "/srv/app");
	c->values = calloc(s->n_threads, sizeof(*c->values));
	c->n_values = s->n_threads;
	for (size_t i = 0; i < s->n_threads; i++) {
		c->values[i].tid = s->threads[i].tid;
		snprintf(c->values[i].name, sizeof(c->values[i].name), "%s", s->threads[i].name);
		c->values[i].ok = true;
		c->values[i].value = s->threads[i].tid == odd_tid ? odd_value : value;
	}
}

void proctest_release(struct rc_snapshot *s)
{
	free(s->exe_path);
	free(s->threads);
	for (size_t i = 0; i < s->n_objects; i++)
		free(s->objects[i].path);
	free(s->objects);
	free(s->listeners);
	for (size_t i = 0; i < s->n_canaries; i++) {
		free(s->canaries[i].symbol);
		free(s->canaries[i].values);
	}
	free(s->canaries);
	memset(s, 0, sizeof(*s));
}

void proctest_run(struct proctest *t, const struct rc_check *check, const struct rc_snapshot *now,
		  const struct rc_snapshot *baseline, struct rc_elf *expect)
{
	struct rc_ctx ctx = {.now = now, .baseline = baseline, .expect_elf = expect};

	t->res = checktest_run_ctx(check, &ctx, &t->report);
}

void proctest_run_ctx(struct proctest *t, const struct rc_check *check, const struct rc_ctx *ctx)
{
	t->res = checktest_run_ctx(check, ctx, &t->report);
}

void proctest_done(struct proctest *t)
{
	rc_report_free(t->report);
}

const struct rc_finding *proctest_find(const struct proctest *t, const char *code)
{
	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		if (!strcmp(f->code, code))
			return f;
	return NULL;
}

int proctest_count(const struct proctest *t, const char *code)
{
	int n = 0;

	for (const struct rc_finding *f = rc_result_findings(t->res); f; f = f->next)
		n += !strcmp(f->code, code);
	return n;
}

const char *proctest_detail(const struct rc_finding *f, const char *key)
{
	for (const struct rc_detail *d = f ? f->detail : NULL; d; d = d->next)
		if (d->type == RC_DETAIL_STR && !strcmp(d->key, key))
			return d->v.s;
	return NULL;
}
