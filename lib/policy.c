/* SPDX-License-Identifier: MIT */
/*
 * The gate's policy file (schema reloadcheck/policy/v1, see policy.h and
 * lib/schema/policy-v1.schema.json): loaded and validated in full up front, so
 * that a typo is a usage error naming the file, the line and the key instead
 * of a silently ignored setting.
 *
 * cJSON keeps no positions. Messages find the line themselves: a parse error
 * from cJSON's error offset, a semantic one by walking the raw text along the
 * key path of the offending value (rci_json_locate()), which stays right when the same
 * key name occurs in several objects. Duplicate keys are rejected, so the
 * first occurrence the walk finds is the one cJSON returned.
 *
 * The policy keeps the cJSON tree: its strings are borrowed from it.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <reloadcheck/error.h>
#include <reloadcheck/mem.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

#include "jsonio.h"

#define MAX_POLICY_FILE (1 << 20)
#define MAX_DEPTH 8
#define MAX_PPROF_SECONDS 3600

static const struct rc_thresholds default_thresholds = {
	.pprof_gap_seconds = 300,
	.pprof_min_samples = 1,
	.pprof_max_unsymbolized = 0.10,
	.pprof_goroutine_factor = 4,
	.pprof_hot_share = 0.10,
};

/* Details naming what a finding is about, in the order suppressions look. */
static const char *const name_keys[] = {"name", "function", "symbol", "signal", "address"};

struct override {
	const char *code;
	enum rc_severity sev;
};

struct check_policy {
	const char *id;
	bool enabled;
	enum rc_verdict fail_on; /* RC_VERDICT_PASS: not set, the global one applies */
	struct override *overrides;
	size_t n_overrides;
};

struct suppression {
	const char *check; /* NULL: any */
	const char *code;  /* NULL: any */
	const char *glob;  /* "symbol" */
	bool has_regex;	   /* "symbol_regex", compiled into re */
	regex_t re;
	const char *reason;
};

struct rc_policy {
	cJSON *root;
	enum rc_verdict fail_on;
	struct rc_thresholds th;
	struct check_policy *checks;
	size_t n_checks;
	struct suppression *supps;
	size_t n_supps;
	struct rc_canary_spec *canaries;
	size_t n_canaries;
	const char **state_types; /* dwarf-layout: "struct session_table", ... */
	size_t n_state_types;
	const char **listeners; /* "proto address", kept for the listener check */
	size_t n_listeners;
	const char *pprof_url;
	int pprof_seconds;
	const char **headers;
	size_t n_headers;
};

struct ctx {
	const char *file;
	const char *text; /* the raw file, NUL-terminated */
	size_t len;
	const struct rc_policy_catalog *cat;
	struct rc_err *err;
	struct rci_json_seg path[MAX_DEPTH]; /* of the value being read; left as is on error */
	size_t depth;
	struct rci_jr jr; /* file "" and a scratch error: see relay() */
	struct rc_err scratch;
};

static void format_path(const struct rci_json_seg *path, size_t depth, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < depth && used < size; i++) {
		int n;

		if (path[i].key)
			n = snprintf(buf + used, size - used, "%s%s", i ? "." : "", path[i].key);
		else
			n = snprintf(buf + used, size - used, "[%d]", path[i].index);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* "'FILE' line N: key 'PATH': WHAT", -RC_EINVAL, for the value at the current path. */
__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
	size_t depth = c->depth < MAX_DEPTH ? c->depth : MAX_DEPTH;
	char path[160], what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	format_path(c->path, depth, path, sizeof(path));
	return rc_err_set(c->err, -RC_EINVAL, "'%s' line %d: key '%s': %s", c->file,
			  rci_json_line(c->text, rci_json_locate(c->text, c->len, c->path, depth)),
			  path, what);
}

static int oom(struct ctx *c)
{
	return rc_err_set(c->err, -RC_ENOMEM, "'%s': out of memory", c->file);
}

/*
 * The rci_jr readers say what is wrong as "'': key 'KEY' WHAT" (c->jr has an
 * empty file name and a scratch error); pass WHAT on in the policy's form,
 * with the line and the whole path.
 */
static int relay(struct ctx *c, int rc, const char *key)
{
	const char *msg = c->scratch.msg;
	size_t klen = strlen(key);

	if (rc == 0)
		return 0;
	if (rc == -RC_ENOMEM)
		return oom(c);
	if (strncmp(msg, "'': key '", 9) == 0 && strncmp(msg + 9, key, klen) == 0 &&
	    strncmp(msg + 9 + klen, "' ", 2) == 0)
		return fail(c, "%s", msg + 9 + klen + 2);
	return fail(c, "has the wrong type");
}

static void push_key(struct ctx *c, const char *key)
{
	if (c->depth < MAX_DEPTH)
		c->path[c->depth] = (struct rci_json_seg){.key = key};
	c->depth++;
}

static void push_index(struct ctx *c, int index)
{
	if (c->depth < MAX_DEPTH)
		c->path[c->depth] = (struct rci_json_seg){.index = index};
	c->depth++;
}

static void pop(struct ctx *c)
{
	c->depth--;
}

/*
 * Every member of the object @o (at the current path) is one of @known
 * (NULL-terminated; NULL: any name) and appears once.
 */
static int check_members(struct ctx *c, const cJSON *o, const char *const *known)
{
	for (const cJSON *m = o->child; m; m = m->next) {
		bool ok = !known;
		int dups = 0;

		for (size_t i = 0; known && known[i]; i++)
			ok = ok || strcmp(m->string, known[i]) == 0;
		for (const cJSON *prev = o->child; ok && prev != m; prev = prev->next)
			dups += strcmp(prev->string, m->string) == 0;
		if (dups) {
			push_key(c, m->string);
			if (c->depth <= MAX_DEPTH)
				c->path[c->depth - 1].index = dups; /* this one, not the first */
			return fail(c, "duplicate key");
		}
		if (!ok) {
			push_key(c, m->string);
			return fail(c, "unknown key");
		}
	}
	return 0;
}

/* @o's member @key (already pushed) is an object. */
static int want_object(struct ctx *c, const cJSON *parent, const char *key, const cJSON **out)
{
	return relay(c, rci_jr_object(&c->jr, parent, "", key, out), key);
}

static int want_string(struct ctx *c, const cJSON *parent, const char *key, bool empty_ok,
		       const char **out)
{
	int rc = relay(c, rci_jr_cstr(&c->jr, parent, "", key, false, out), key);

	if (rc == 0 && !empty_ok && !**out)
		return fail(c, "must not be empty");
	return rc;
}

/* The value @it (at the current path, named @key in its parent) is an integer in [@min, @max]. */
static int want_int(struct ctx *c, const cJSON *it, const char *key, int64_t min, int64_t max,
		    int64_t *out)
{
	/* rci_jr_int_item() would call 1.5 "not below 2^53 in magnitude" */
	double d = it->valuedouble;

	if (cJSON_IsNumber(it) && fabs(d) <= (double)RCI_JSON_MAX_SAFE_INTEGER &&
	    d != (double)(int64_t)d)
		return fail(c, "must be an integer, not %g", d);
	return relay(c, rci_jr_int_item(&c->jr, it, "", key, min, max, out), key);
}

/* A number > 0 (and <= @max). */
static int want_positive(struct ctx *c, const cJSON *it, double max, double *out)
{
	if (!cJSON_IsNumber(it))
		return fail(c, "must be a number");
	if (!(it->valuedouble > 0 && it->valuedouble <= max))
		return isinf(max) ? fail(c, "must be greater than 0")
				  : fail(c, "must be greater than 0 and at most %g", max);
	*out = it->valuedouble;
	return 0;
}

static int want_fail_on(struct ctx *c, const cJSON *parent, const char *key, enum rc_verdict *out)
{
	const char *v = NULL;
	int rc = want_string(c, parent, key, true, &v);

	if (rc < 0)
		return rc;
	if (strcmp(v, "warn") == 0)
		*out = RC_VERDICT_WARN;
	else if (strcmp(v, "fail") == 0)
		*out = RC_VERDICT_FAIL;
	else
		return fail(c, "must be \"warn\" or \"fail\", not '%.40s'", v);
	return 0;
}

/* Catalog look-ups: a NULL catalog knows every id and code. */

static const char *const *cat_codes(const struct ctx *c, const char *id, bool *known)
{
	*known = !c->cat;
	for (size_t i = 0; c->cat && i < c->cat->n; i++) {
		if (strcmp(c->cat->ids[i], id) == 0) {
			*known = true;
			return c->cat->codes ? c->cat->codes[i] : NULL;
		}
	}
	return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (strcmp(list[i], s) == 0)
			return true;
	}
	return false;
}

/* @code is a finding code of @id, or of any check when @id is NULL. */
static bool cat_has_code(const struct ctx *c, const char *id, const char *code)
{
	bool known;

	if (!c->cat)
		return true;
	if (id)
		return in_list(cat_codes(c, id, &known), code);
	for (size_t i = 0; i < c->cat->n; i++) {
		if (c->cat->codes && in_list(c->cat->codes[i], code))
			return true;
	}
	return false;
}

/* Sections */

static int read_thresholds(struct ctx *c, const cJSON *o, struct rc_thresholds *th)
{
	static const char *const known[] = {"pprof_gap_seconds",      "pprof_min_samples",
					    "pprof_max_unsymbolized", "pprof_goroutine_factor",
					    "pprof_hot_share",	      NULL};
	int rc = check_members(c, o, known);

	for (const cJSON *m = o->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "pprof_gap_seconds") == 0)
			rc = want_positive(c, m, HUGE_VAL, &th->pprof_gap_seconds);
		else if (strcmp(m->string, "pprof_min_samples") == 0)
			rc = want_int(c, m, m->string, 0, RCI_JSON_MAX_SAFE_INTEGER,
				      &th->pprof_min_samples);
		else if (strcmp(m->string, "pprof_max_unsymbolized") == 0)
			rc = want_positive(c, m, 1, &th->pprof_max_unsymbolized);
		else if (strcmp(m->string, "pprof_goroutine_factor") == 0)
			rc = want_positive(c, m, HUGE_VAL, &th->pprof_goroutine_factor);
		else
			rc = want_positive(c, m, 1, &th->pprof_hot_share);
		if (rc == 0)
			pop(c);
	}
	return rc;
}

static int read_severity(struct ctx *c, const cJSON *o, struct check_policy *cp)
{
	int rc = check_members(c, o, NULL);

	if (rc < 0)
		return rc;
	cp->overrides = calloc((size_t)cJSON_GetArraySize(o) + 1, sizeof(*cp->overrides));
	if (!cp->overrides)
		return oom(c);
	for (const cJSON *m = o->child; m; m = m->next) {
		struct override *ov = &cp->overrides[cp->n_overrides];
		const char *v = NULL;

		push_key(c, m->string);
		if (!cat_has_code(c, cp->id, m->string))
			return fail(c, "unknown finding code '%.60s' for check '%.60s'", m->string,
				    cp->id);
		rc = want_string(c, o, m->string, true, &v);
		if (rc < 0)
			return rc;
		if (strcmp(v, "info") == 0)
			ov->sev = RC_SEV_INFO;
		else if (strcmp(v, "warn") == 0)
			ov->sev = RC_SEV_WARN;
		else if (strcmp(v, "fail") == 0)
			ov->sev = RC_SEV_FAIL;
		else
			return fail(c, "must be \"info\", \"warn\" or \"fail\", not '%.40s'", v);
		ov->code = m->string;
		cp->n_overrides++;
		pop(c);
	}
	return 0;
}

static int read_check(struct ctx *c, const cJSON *o, struct check_policy *cp)
{
	static const char *const known[] = {"enabled", "fail_on", "severity", NULL};
	const cJSON *sev = NULL;
	int rc = check_members(c, o, known);

	for (const cJSON *m = o->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "enabled") == 0) {
			rc = relay(c, rci_jr_bool(&c->jr, o, "", m->string, &cp->enabled),
				   m->string);
		} else if (strcmp(m->string, "fail_on") == 0) {
			rc = want_fail_on(c, o, m->string, &cp->fail_on);
		} else {
			rc = want_object(c, o, m->string, &sev);
			if (rc == 0)
				rc = read_severity(c, sev, cp);
		}
		if (rc == 0)
			pop(c);
	}
	return rc;
}

static int read_checks(struct ctx *c, const cJSON *o, struct rc_policy *p)
{
	int rc = check_members(c, o, NULL);

	if (rc < 0)
		return rc;
	p->checks = calloc((size_t)cJSON_GetArraySize(o) + 1, sizeof(*p->checks));
	if (!p->checks)
		return oom(c);
	for (const cJSON *m = o->child; m; m = m->next) {
		struct check_policy *cp = &p->checks[p->n_checks];
		const cJSON *v = NULL;
		bool known;

		push_key(c, m->string);
		cat_codes(c, m->string, &known);
		if (!known)
			return fail(c, "unknown check id '%.60s'", m->string);
		cp->id = m->string;
		cp->enabled = true;
		p->n_checks++; /* freed with the policy from here on */
		rc = want_object(c, o, m->string, &v);
		if (rc == 0)
			rc = read_check(c, v, cp);
		if (rc < 0)
			return rc;
		pop(c);
	}
	return 0;
}

static int read_suppression(struct ctx *c, const cJSON *o, struct suppression *s)
{
	static const char *const known[] = {"check",	    "code",   "symbol",
					    "symbol_regex", "reason", NULL};
	const char *regex = NULL;
	char why[128];
	bool known_id;
	int rc = check_members(c, o, known);

	for (const cJSON *m = o->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "check") == 0) {
			rc = want_string(c, o, m->string, false, &s->check);
			if (rc == 0)
				cat_codes(c, s->check, &known_id);
			if (rc == 0 && !known_id)
				rc = fail(c, "unknown check id '%.60s'", s->check);
		} else if (strcmp(m->string, "code") == 0) {
			rc = want_string(c, o, m->string, false, &s->code);
		} else if (strcmp(m->string, "symbol") == 0) {
			rc = want_string(c, o, m->string, false, &s->glob);
		} else if (strcmp(m->string, "symbol_regex") == 0) {
			rc = want_string(c, o, m->string, false, &regex);
		} else {
			rc = want_string(c, o, m->string, true, &s->reason);
			if (rc == 0 && !s->reason[strspn(s->reason, " \t\r\n")])
				rc = fail(c, "must give a reason, not be empty");
		}
		if (rc == 0)
			pop(c);
	}
	if (rc < 0)
		return rc;
	/* Checked once all members are read: the check may follow the code. */
	if (s->code && !cat_has_code(c, s->check, s->code)) {
		push_key(c, "code");
		if (s->check)
			return fail(c, "unknown finding code '%.60s' for check '%.60s'", s->code,
				    s->check);
		return fail(c, "unknown finding code '%.60s'", s->code);
	}
	if (!s->reason)
		return fail(c, "a suppression needs a \"reason\"");
	if (!s->check && !s->code && !s->glob && !regex)
		return fail(c, "a suppression needs \"check\", \"code\", \"symbol\" or "
			       "\"symbol_regex\"");
	if (s->glob && regex) {
		push_key(c, "symbol_regex");
		return fail(c, "\"symbol\" and \"symbol_regex\" exclude each other");
	}
	if (regex) {
		push_key(c, "symbol_regex");
		rc = regcomp(&s->re, regex, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &s->re, why, sizeof(why));
			return fail(c, "bad regular expression '%.60s': %s", regex, why);
		}
		s->has_regex = true;
		pop(c);
	}
	return 0;
}

static int read_suppressions(struct ctx *c, const cJSON *top, struct rc_policy *p)
{
	const cJSON *arr = NULL;
	size_t n = 0;
	int rc = relay(c, rci_jr_array(&c->jr, top, "", "suppressions", SIZE_MAX, &arr, &n),
		       "suppressions");

	if (rc < 0)
		return rc;
	p->supps = calloc(n + 1, sizeof(*p->supps));
	if (!p->supps)
		return oom(c);
	for (const cJSON *it = arr->child; it; it = it->next) {
		push_index(c, (int)p->n_supps);
		if (!cJSON_IsObject(it))
			return fail(c, "must be an object");
		/* counted first: regfree() needs has_regex, which stays false until regcomp */
		rc = read_suppression(c, it, &p->supps[p->n_supps++]);
		if (rc < 0)
			return rc;
		pop(c);
	}
	return 0;
}

static int read_canaries(struct ctx *c, const cJSON *o, struct rc_policy *p)
{
	int rc = check_members(c, o, NULL);

	if (rc < 0)
		return rc;
	p->canaries = calloc((size_t)cJSON_GetArraySize(o) + 1, sizeof(*p->canaries));
	if (!p->canaries)
		return oom(c);
	for (const cJSON *m = o->child; m; m = m->next) {
		struct rc_canary_spec *cs = &p->canaries[p->n_canaries];
		int64_t v;

		push_key(c, m->string);
		if (!m->string[0])
			return fail(c, "the symbol name must not be empty");
		cs->symbol = m->string;
		if (cJSON_IsString(m)) {
			if (rc_parse_u64(m->valuestring, &cs->expected) < 0)
				return fail(c,
					    "must be a 64-bit unsigned decimal or 0x-hex value, "
					    "not '%.40s'",
					    m->valuestring);
			cs->has_expected = true;
		} else if (cJSON_IsNumber(m)) {
			rc = want_int(c, m, m->string, 0, RCI_JSON_MAX_SAFE_INTEGER, &v);
			if (rc < 0)
				return rc;
			cs->expected = (uint64_t)v;
			cs->has_expected = true;
		} else if (!cJSON_IsNull(m)) {
			return fail(c, "must be a string (\"0x5eed0001\"), an integer or null");
		}
		p->n_canaries++;
		pop(c);
	}
	return 0;
}

/* "tcp 127.0.0.1:8080": a protocol of rc_sock_proto_name() and an address. */
static bool listener_ok(const char *s)
{
	static const char *const protos[] = {"tcp", "tcp6", "udp", "udp6", "unix"};
	const char *sp = strchr(s, ' ');

	if (!sp || !sp[1] || strchr(sp + 1, ' '))
		return false;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strlen(protos[i]) == (size_t)(sp - s) &&
		    strncmp(s, protos[i], (size_t)(sp - s)) == 0)
			return true;
	}
	return false;
}

/* An array of strings, each accepted by @ok (NULL: any non-empty one). */
static int read_strings(struct ctx *c, const cJSON *parent, const char *key,
			bool (*ok)(const char *), const char *form, const char ***out, size_t *n)
{
	const cJSON *arr = NULL;
	size_t len = 0;
	int rc = relay(c, rci_jr_array(&c->jr, parent, "", key, SIZE_MAX, &arr, &len), key);

	if (rc < 0)
		return rc;
	*out = calloc(len + 1, sizeof(**out));
	if (!*out)
		return oom(c);
	for (const cJSON *it = arr->child; it; it = it->next) {
		push_index(c, (int)*n);
		if (!cJSON_IsString(it) || !it->valuestring)
			return fail(c, "must be a string %s", form);
		if (!it->valuestring[0] || (ok && !ok(it->valuestring)))
			return fail(c, "must be a string %s, not '%.60s'", form, it->valuestring);
		(*out)[(*n)++] = it->valuestring;
		pop(c);
	}
	return 0;
}

static int read_probe(struct ctx *c, const cJSON *o, struct rc_policy *p)
{
	static const char *const known[] = {"tls_canaries", "expected_listeners", NULL};
	const cJSON *v = NULL;
	int rc = check_members(c, o, known);

	for (const cJSON *m = o->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "tls_canaries") == 0) {
			rc = want_object(c, o, m->string, &v);
			if (rc == 0)
				rc = read_canaries(c, v, p);
		} else {
			rc = read_strings(c, o, m->string, listener_ok,
					  "\"PROTO ADDRESS\" (tcp, tcp6, udp, udp6, unix)",
					  &p->listeners, &p->n_listeners);
		}
		if (rc == 0)
			pop(c);
	}
	return rc;
}

/* "Name: value", one line. */
static bool header_ok(const char *s)
{
	const char *colon = strchr(s, ':');

	return colon && colon != s && !strpbrk(s, "\r\n") &&
	       strcspn(s, " \t") > (size_t)(colon - s);
}

static int read_pprof(struct ctx *c, const cJSON *o, struct rc_policy *p)
{
	static const char *const known[] = {"url", "seconds", "headers", NULL};
	int64_t secs;
	int rc = check_members(c, o, known);

	for (const cJSON *m = o->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "url") == 0) {
			rc = want_string(c, o, m->string, false, &p->pprof_url);
		} else if (strcmp(m->string, "seconds") == 0) {
			rc = want_int(c, m, m->string, 1, MAX_PPROF_SECONDS, &secs);
			if (rc == 0)
				p->pprof_seconds = (int)secs;
		} else {
			rc = read_strings(c, o, m->string, header_ok, "\"Name: value\"",
					  &p->headers, &p->n_headers);
		}
		if (rc == 0)
			pop(c);
	}
	return rc;
}

static int read_policy(struct ctx *c, const cJSON *root, struct rc_policy *p)
{
	static const char *const known[] = {"policy", "fail_on",      "thresholds",
					    "checks", "suppressions", "probe",
					    "pprof",  "state_types",  NULL};
	const cJSON *v = NULL;
	const char *schema = NULL;
	int rc;

	if (!cJSON_IsObject(root))
		return rc_err_set(
			c->err, -RC_EINVAL,
			"'%s' line %d: not a policy: the top level is not an object", c->file,
			rci_json_line(c->text, rci_json_locate(c->text, c->len, NULL, 0)));
	push_key(c, "policy");
	/* not in the text: the line is the top-level object's */
	if (!cJSON_GetObjectItemCaseSensitive(root, "policy"))
		return fail(c, "is missing: a policy starts with \"policy\": \"%s\"",
			    RC_POLICY_SCHEMA);
	rc = want_string(c, root, "policy", true, &schema);
	if (rc < 0)
		return rc;
	if (strcmp(schema, RC_POLICY_SCHEMA) != 0)
		return fail(c, "is '%.60s', not '%s'", schema, RC_POLICY_SCHEMA);
	pop(c);
	rc = check_members(c, root, known);
	for (const cJSON *m = root->child; rc == 0 && m; m = m->next) {
		push_key(c, m->string);
		if (strcmp(m->string, "fail_on") == 0) {
			rc = want_fail_on(c, root, m->string, &p->fail_on);
		} else if (strcmp(m->string, "thresholds") == 0) {
			rc = want_object(c, root, m->string, &v);
			if (rc == 0)
				rc = read_thresholds(c, v, &p->th);
		} else if (strcmp(m->string, "checks") == 0) {
			rc = want_object(c, root, m->string, &v);
			if (rc == 0)
				rc = read_checks(c, v, p);
		} else if (strcmp(m->string, "suppressions") == 0) {
			rc = read_suppressions(c, root, p);
		} else if (strcmp(m->string, "probe") == 0) {
			rc = want_object(c, root, m->string, &v);
			if (rc == 0)
				rc = read_probe(c, v, p);
		} else if (strcmp(m->string, "pprof") == 0) {
			rc = want_object(c, root, m->string, &v);
			if (rc == 0)
				rc = read_pprof(c, v, p);
		} else if (strcmp(m->string, "state_types") == 0) {
			rc = read_strings(c, root, m->string, NULL, "naming a type",
					  &p->state_types, &p->n_state_types);
		}
		if (rc == 0)
			pop(c);
	}
	return rc;
}

int rc_policy_load(const char *path, const struct rc_policy_catalog *cat, struct rc_policy **out,
		   struct rc_err *err)
{
	struct ctx c = {.file = path, .cat = cat, .err = err};
	struct rc_policy *p = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	c.jr = (struct rci_jr){.file = "", .err = &c.scratch};
	p = calloc(1, sizeof(*p));
	if (!p) {
		rc = oom(&c);
		goto out;
	}
	p->fail_on = RC_VERDICT_FAIL;
	p->th = default_thresholds;
	rc = rci_json_load_file(path, MAX_POLICY_FILE, "policy", &p->root, &buf, &len, err);
	if (rc < 0) {
		/*
		 * A policy that is not JSON is a usage error like one that does not
		 * validate; one that cannot be read, an I/O error.
		 */
		rc = rc == -RC_EFORMAT ? -RC_EINVAL : rc == -RC_ENOMEM ? rc : -RC_EIO;
		if (err)
			err->code = rc;
		goto out;
	}
	c.text = buf;
	c.len = len;
	rc = read_policy(&c, p->root, p);
	if (rc == 0) {
		*out = p;
		p = NULL;
	}
out:
	rc_policy_free(p);
	free(buf);
	return rc;
}

void rc_policy_free(struct rc_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_checks; i++)
		free(p->checks[i].overrides);
	for (size_t i = 0; i < p->n_supps; i++) {
		if (p->supps[i].has_regex)
			regfree(&p->supps[i].re);
	}
	free(p->checks);
	free(p->supps);
	free(p->canaries);
	free(p->listeners);
	free(p->state_types);
	free(p->headers);
	cJSON_Delete(p->root);
	free(p);
}

void rc_policy_thresholds(const struct rc_policy *p, struct rc_thresholds *out)
{
	*out = p ? p->th : default_thresholds;
}

static const struct check_policy *find_check(const struct rc_policy *p, const char *id)
{
	for (size_t i = 0; p && i < p->n_checks; i++) {
		if (strcmp(p->checks[i].id, id) == 0)
			return &p->checks[i];
	}
	return NULL;
}

bool rc_policy_enabled(const struct rc_policy *p, const char *check_id)
{
	const struct check_policy *cp = find_check(p, check_id);

	return cp ? cp->enabled : true;
}

enum rc_verdict rc_policy_fail_on(const struct rc_policy *p, const char *check_id)
{
	const struct check_policy *cp = find_check(p, check_id);

	if (cp && cp->fail_on != RC_VERDICT_PASS)
		return cp->fail_on;
	return p ? p->fail_on : RC_VERDICT_FAIL;
}

/*
 * What @f is about, NUL-terminated in *@buf (grown as needed, the caller
 * frees): detail strings may be borrowed slices without a terminator.
 * NULL when it has none of name_keys or memory ran out.
 */
static const char *finding_name(const struct rc_finding *f, char **buf, size_t *cap)
{
	for (size_t k = 0; k < sizeof(name_keys) / sizeof(name_keys[0]); k++) {
		for (const struct rc_detail *d = f->detail; d; d = d->next) {
			if (d->type != RC_DETAIL_STR || strcmp(d->key, name_keys[k]) != 0)
				continue;
			if (rc_grow(buf, cap, (size_t)d->len + 1, 1) < 0)
				return NULL;
			memcpy(*buf, d->v.s, d->len);
			(*buf)[d->len] = '\0';
			return *buf;
		}
	}
	return NULL;
}

static bool suppression_matches(const struct suppression *s, const char *id,
				const struct rc_finding *f, const char *name)
{
	if (s->check && strcmp(s->check, id) != 0)
		return false;
	if (s->code && strcmp(s->code, f->code) != 0)
		return false;
	if (s->glob)
		return name && fnmatch(s->glob, name, 0) == 0;
	if (s->has_regex)
		return name && regexec(&s->re, name, 0, NULL, 0) == 0;
	return true;
}

void rc_policy_apply(const struct rc_policy *p, struct rc_check_result *res)
{
	const char *id = rc_result_id(res);
	const struct check_policy *cp = find_check(p, id);
	char *buf = NULL;
	size_t cap = 0;

	for (struct rc_finding *f = p ? rc_result_findings_mut(res) : NULL; f;
	     f = (struct rc_finding *)f->next) {
		const char *name = NULL;
		bool named = false;

		for (size_t i = 0; cp && i < cp->n_overrides; i++) {
			if (strcmp(cp->overrides[i].code, f->code) == 0) {
				if (f->severity != cp->overrides[i].sev)
					rc_result_set_severity(res, f, cp->overrides[i].sev);
				break;
			}
		}
		for (size_t i = 0; !f->suppressed && i < p->n_supps; i++) {
			const struct suppression *s = &p->supps[i];

			if ((s->glob || s->has_regex) && !named) {
				name = finding_name(f, &buf, &cap);
				named = true;
			}
			if (suppression_matches(s, id, f, name)) {
				rc_result_suppress(res, f, s->reason);
				break;
			}
		}
	}
	free(buf);
	rc_result_finish(res);
}

size_t rc_policy_canaries(const struct rc_policy *p, const struct rc_canary_spec **out)
{
	*out = p ? p->canaries : NULL;
	return p ? p->n_canaries : 0;
}

size_t rc_policy_state_types(const struct rc_policy *p, const char *const **out)
{
	if (!p) {
		*out = NULL;
		return 0;
	}
	*out = (const char *const *)p->state_types;
	return p->n_state_types;
}

size_t rc_policy_listeners(const struct rc_policy *p, const char *const **out)
{
	if (!p) {
		*out = NULL;
		return 0;
	}
	*out = (const char *const *)p->listeners;
	return p->n_listeners;
}

const char *rc_policy_pprof_url(const struct rc_policy *p)
{
	return p ? p->pprof_url : NULL;
}

int rc_policy_pprof_seconds(const struct rc_policy *p)
{
	return p ? p->pprof_seconds : 0;
}

size_t rc_policy_pprof_headers(const struct rc_policy *p, const char *const **out)
{
	*out = p ? (const char *const *)p->headers : NULL;
	return p ? p->n_headers : 0;
}
