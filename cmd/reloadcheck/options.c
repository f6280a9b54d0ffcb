/* SPDX-License-Identifier: MIT */
/*
 * The one option table: each option with the commands it belongs to, so
 * parsing and the "not for this command" errors come from the same line.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/error.h>

#include "cli.h"

const char *progname = "reloadcheck";

/* Options parsed by take_option() (the rest are kept by the table alone). */
enum opt_id {
	OPT_NONE = 0,
	OPT_FORMAT = 'f',
	OPT_OUTPUT = 'o',
	OPT_QUIET = 'q',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_PID = 'p',
	OPT_FAIL_ON = 256,
	OPT_LIMIT,
	OPT_NO_COLOR,
	OPT_TLS_CANARY,
	OPT_SECONDS,
	OPT_HEADER,
	OPT_TIMEOUT,
	OPT_WAIT,
	OPT_STATE_TYPE,
	OPT_TABLE = 1000, /* getopt's value for table row i without an id: OPT_TABLE + i */
};

#define PPROF_CLIENT (FOR_PPROF | FOR_GATE | FOR_RELOAD)
#define STATIC_CHECKS (FOR_DIFF | FOR_GATE | FOR_RELOAD)
#define FIELD(f) offsetof(struct options, f)

/* How an option's value is kept: a string or a flag in struct options, or parsed. */
enum opt_kind {
	ARG_STR,  /* const char * at .field */
	ARG_FLAG, /* bool at .field set to true */
	ARG_PARSE /* take_option() */
};

static const struct opt_def {
	const char *name;
	int has_arg;
	enum opt_id id;
	unsigned scope;
	enum opt_kind kind;
	size_t field;
} opt_defs[] = {
	{"format", required_argument, OPT_FORMAT, FOR_ALL, ARG_PARSE, 0},
	{"output", required_argument, OPT_OUTPUT, FOR_ALL, ARG_STR, FIELD(output)},
	{"fail-on", required_argument, OPT_FAIL_ON, FOR_ALL, ARG_PARSE, 0},
	{"quiet", no_argument, OPT_QUIET, FOR_ALL, ARG_FLAG, FIELD(quiet)},
	{"limit", required_argument, OPT_LIMIT, FOR_ALL, ARG_PARSE, 0},
	{"no-color", no_argument, OPT_NO_COLOR, FOR_ALL, ARG_PARSE, 0},
	{"help", no_argument, OPT_HELP, FOR_ALL, ARG_PARSE, 0},
	{"version", no_argument, OPT_VERSION, FOR_ALL, ARG_PARSE, 0},
	{"sysroot", required_argument, OPT_NONE, FOR_DIFF | FOR_GATE, ARG_STR, FIELD(sysroot)},
	{"pid", required_argument, OPT_PID, FOR_PROBE | PPROF_CLIENT, ARG_PARSE, 0},
	{"tls-canary", required_argument, OPT_TLS_CANARY, FOR_PROBE | PPROF_CLIENT, ARG_PARSE, 0},
	{"expect-binary", required_argument, OPT_NONE, FOR_PROBE, ARG_STR, FIELD(expect_binary)},
	{"save", required_argument, OPT_NONE, FOR_PROBE | FOR_PPROF | FOR_GATE, ARG_STR,
	 FIELD(save)},
	{"baseline", required_argument, OPT_NONE, FOR_PROBE | FOR_PPROF | FOR_GATE, ARG_STR,
	 FIELD(baseline)},
	{"pprof-baseline", required_argument, OPT_NONE, FOR_GATE, ARG_STR, FIELD(pprof_baseline)},
	{"url", required_argument, OPT_NONE, FOR_PPROF, ARG_STR, FIELD(url)},
	{"profile", required_argument, OPT_NONE, FOR_PPROF, ARG_STR, FIELD(profile)},
	{"seconds", required_argument, OPT_SECONDS, PPROF_CLIENT, ARG_PARSE, 0},
	{"header", required_argument, OPT_HEADER, PPROF_CLIENT, ARG_PARSE, 0},
	{"timeout", required_argument, OPT_TIMEOUT, PPROF_CLIENT, ARG_PARSE, 0},
	{"cacert", required_argument, OPT_NONE, PPROF_CLIENT, ARG_STR, FIELD(cacert)},
	{"insecure", no_argument, OPT_NONE, PPROF_CLIENT, ARG_FLAG, FIELD(insecure)},
	{"old", required_argument, OPT_NONE, FOR_GATE, ARG_STR, FIELD(old_path)},
	{"new", required_argument, OPT_NONE, FOR_GATE | FOR_RELOAD, ARG_STR, FIELD(new_path)},
	{"pprof", required_argument, OPT_NONE, FOR_GATE | FOR_RELOAD, ARG_STR, FIELD(url)},
	{"policy", required_argument, OPT_NONE, FOR_GATE | FOR_PROBE | FOR_RELOAD, ARG_STR,
	 FIELD(policy)},
	{"report", required_argument, OPT_NONE, FOR_GATE, ARG_STR, FIELD(report)},
	{"junit", required_argument, OPT_NONE, FOR_GATE, ARG_STR, FIELD(junit)},
	{"prom", required_argument, OPT_NONE, FOR_GATE, ARG_STR, FIELD(prom)},
	{"signal", required_argument, OPT_NONE, FOR_RELOAD, ARG_STR, FIELD(reload_signal)},
	{"exec", required_argument, OPT_NONE, FOR_RELOAD, ARG_STR, FIELD(reload_exec)},
	{"pidfile", required_argument, OPT_NONE, FOR_RELOAD, ARG_STR, FIELD(pidfile)},
	{"wait", required_argument, OPT_WAIT, FOR_RELOAD, ARG_PARSE, 0},
	{"force", no_argument, OPT_NONE, FOR_RELOAD, ARG_FLAG, FIELD(force)},
	{"state-type", required_argument, OPT_STATE_TYPE, STATIC_CHECKS, ARG_PARSE, 0},
	{"debug-dir", required_argument, OPT_NONE, STATIC_CHECKS, ARG_STR, FIELD(debug_dir)},
	{"require-debuginfo", no_argument, OPT_NONE, STATIC_CHECKS, ARG_FLAG,
	 FIELD(require_debuginfo)},
};

#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
}

/* getopt_long's value for table row @i. */
static int opt_val(size_t i)
{
	return opt_defs[i].id != OPT_NONE ? (int)opt_defs[i].id : OPT_TABLE + (int)i;
}

static const struct opt_def *find_def(int val)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (opt_val(i) == val)
			return &opt_defs[i];
	return NULL;
}

static bool parse_long(const char *s, long min, long *out)
{
	char *end;

	/* Digits only: strtol would also take " 5" and "+5". */
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && end != s && !*end && *out >= min;
}

/* A duration in seconds > 0 for option @opt; a usage error otherwise. */
static bool parse_seconds(const char *arg, const char *opt, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || !(*out > 0)) {
		usage_error("%s takes seconds > 0, not '%s'", opt, arg);
		return false;
	}
	return true;
}

static int parse_canary(char *arg, struct options *o)
{
	char *eq = strchr(arg, '=');
	struct rc_canary_spec *c;

	if (o->n_canaries == MAX_CANARIES) {
		usage_error("at most %d --tls-canary options", MAX_CANARIES);
		return -1;
	}
	c = &o->canaries[o->n_canaries];
	if (!eq || eq == arg) {
		usage_error("--tls-canary takes SYMBOL=VALUE, not '%s'", arg);
		return -1;
	}
	if (rc_parse_u64(eq + 1, &c->expected) != 0) {
		usage_error("--tls-canary '%s': '%s' is not a number (decimal or 0x hex)", arg,
			    eq + 1);
		return -1;
	}
	/* The symbol is the part before '=': cut argv in place (it outlives the run). */
	*eq = '\0';
	c->symbol = arg;
	c->has_expected = true;
	o->n_canaries++;
	return 0;
}

/*
 * One option's value into @o: 0, 1 for --help/--version (printed), -1 after a
 * usage error. Strings and flags are kept by the table; the rest is here.
 */
static int take_option(const struct opt_def *d, char *arg, struct options *o)
{
	char *field = (char *)o + d->field;

	switch (d->kind) {
	case ARG_STR:
		*(const char **)field = arg;
		return 0;
	case ARG_FLAG:
		*(bool *)field = true;
		return 0;
	case ARG_PARSE:
		break;
	}
	switch (d->id) {
	case OPT_FORMAT:
		/* junit and prom are files the gate writes (--junit, --prom), not views. */
		if (rc_report_format_parse(arg, &o->format) != 0 || o->format > RC_FORMAT_JSON) {
			usage_error("--format must be 'text' or 'json', not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_FAIL_ON:
		if (strcmp(arg, "warn") != 0 && strcmp(arg, "fail") != 0) {
			usage_error("--fail-on must be 'warn' or 'fail', not '%s'", arg);
			return -1;
		}
		o->fail_on_warn = !strcmp(arg, "warn");
		return 0;
	case OPT_LIMIT:
		if (!parse_long(arg, 0, &o->limit)) {
			usage_error("--limit takes a number >= 0, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_NO_COLOR:
		o->color = false;
		return 0;
	case OPT_PID:
		if (!parse_long(arg, 1, &o->pid) || o->pid > INT32_MAX) {
			usage_error("--pid takes a process id (a number > 0), not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_TLS_CANARY:
		return parse_canary(arg, o);
	case OPT_SECONDS:
		if (!parse_long(arg, 1, &o->seconds) || o->seconds > 3600) {
			usage_error("--seconds takes 1 to 3600, not '%s'", arg);
			return -1;
		}
		o->seconds_given = true;
		return 0;
	case OPT_TIMEOUT:
		return parse_seconds(arg, "--timeout", &o->timeout_s) ? 0 : -1;
	case OPT_HEADER:
		if (!strchr(arg, ':') || arg[0] == ':' || o->n_headers == MAX_HEADERS) {
			usage_error("--header takes 'Name: value' (at most 16), not '%s'", arg);
			return -1;
		}
		o->headers[o->n_headers++] = arg;
		return 0;
	case OPT_WAIT:
		return parse_seconds(arg, "--wait", &o->wait_s) ? 0 : -1;
	case OPT_STATE_TYPE:
		if (o->n_state_types == MAX_STATE_TYPES) {
			usage_error("at most %d --state-type options", MAX_STATE_TYPES);
			return -1;
		}
		o->state_types[o->n_state_types++] = arg;
		return 0;
	case OPT_HELP:
		fputs(help_text, stdout);
		return 1;
	case OPT_VERSION:
		printf("reloadcheck %s\n", RC_VERSION);
		return 1;
	default: /* kept by the table */
		break;
	}
	return 0;
}

int parse_options(int argc, char **argv, const char *name, unsigned scope, struct options *o)
{
	const char *no_color = getenv("NO_COLOR");
	struct option longopts[N_OPTS + 1];

	for (size_t i = 0; i < N_OPTS; i++)
		longopts[i] =
			(struct option){opt_defs[i].name, opt_defs[i].has_arg, NULL, opt_val(i)};
	longopts[N_OPTS] = (struct option){0};
	*o = (struct options){
		.command = name, .format = RC_FORMAT_TEXT, .limit = 10, .pid = -1, .seconds = 5};
	o->color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	opterr = 0;
	optind = 1;
	for (;;) {
		int c = getopt_long(argc, argv, ":f:o:qhVp:", longopts, NULL);
		const struct opt_def *d;
		int rc;

		if (c == -1)
			break;
		if (c == ':') {
			usage_error("option '%s' needs a value", argv[optind - 1]);
			return -1;
		}
		d = find_def(c);
		if (!d) {
			usage_error("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		if (!(d->scope & scope)) {
			usage_error("option '--%s' is not for '%s'", d->name, name);
			return -1;
		}
		rc = take_option(d, optarg, o);
		if (rc)
			return rc;
	}
	if (o->output)
		o->color = false;
	return 0;
}
