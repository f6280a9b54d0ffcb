/* SPDX-License-Identifier: MIT */
/*
 * The one option table: each option with the commands it belongs to, so
 * parsing and the "not for this command" errors come from the same line.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/error.h>

#include "cli.h"

const char *progname = "reloadcheck";

enum opt_id {
	OPT_FORMAT = 'f',
	OPT_OUTPUT = 'o',
	OPT_QUIET = 'q',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_PID = 'p',
	OPT_FAIL_ON = 256,
	OPT_LIMIT,
	OPT_SYSROOT,
	OPT_NO_COLOR,
	OPT_EXPECT_BINARY,
	OPT_TLS_CANARY,
	OPT_SAVE,
	OPT_BASELINE,
	OPT_URL,
	OPT_SECONDS,
	OPT_PROFILE,
	OPT_HEADER,
	OPT_TIMEOUT,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_OLD,
	OPT_NEW,
	OPT_POLICY,
	OPT_REPORT,
	OPT_JUNIT,
	OPT_PROM,
	OPT_PPROF,
	OPT_SIGNAL,
	OPT_EXEC,
	OPT_PIDFILE,
	OPT_WAIT,
	OPT_STATE_TYPE,
	OPT_DEBUG_DIR,
	OPT_REQUIRE_DEBUGINFO,
};

#define PPROF_CLIENT (FOR_PPROF | FOR_GATE | FOR_RELOAD)
#define STATIC_CHECKS (FOR_DIFF | FOR_GATE | FOR_RELOAD)

static const struct opt_def {
	const char *name;
	int has_arg;
	enum opt_id id;
	unsigned scope;
} opt_defs[] = {
	{"format", required_argument, OPT_FORMAT, FOR_ALL},
	{"output", required_argument, OPT_OUTPUT, FOR_ALL},
	{"fail-on", required_argument, OPT_FAIL_ON, FOR_ALL},
	{"quiet", no_argument, OPT_QUIET, FOR_ALL},
	{"limit", required_argument, OPT_LIMIT, FOR_ALL},
	{"no-color", no_argument, OPT_NO_COLOR, FOR_ALL},
	{"help", no_argument, OPT_HELP, FOR_ALL},
	{"version", no_argument, OPT_VERSION, FOR_ALL},
	{"sysroot", required_argument, OPT_SYSROOT, FOR_DIFF | FOR_GATE},
	{"pid", required_argument, OPT_PID, FOR_PROBE | PPROF_CLIENT},
	{"tls-canary", required_argument, OPT_TLS_CANARY,
	 FOR_PROBE | FOR_PPROF | FOR_GATE | FOR_RELOAD},
	{"expect-binary", required_argument, OPT_EXPECT_BINARY, FOR_PROBE},
	{"save", required_argument, OPT_SAVE, FOR_PROBE | FOR_PPROF},
	{"baseline", required_argument, OPT_BASELINE, FOR_PROBE | FOR_PPROF},
	{"url", required_argument, OPT_URL, FOR_PPROF},
	{"profile", required_argument, OPT_PROFILE, FOR_PPROF},
	{"seconds", required_argument, OPT_SECONDS, PPROF_CLIENT},
	{"header", required_argument, OPT_HEADER, PPROF_CLIENT},
	{"timeout", required_argument, OPT_TIMEOUT, PPROF_CLIENT},
	{"cacert", required_argument, OPT_CACERT, PPROF_CLIENT},
	{"insecure", no_argument, OPT_INSECURE, PPROF_CLIENT},
	{"old", required_argument, OPT_OLD, FOR_GATE},
	{"new", required_argument, OPT_NEW, FOR_GATE | FOR_RELOAD},
	{"pprof", required_argument, OPT_PPROF, FOR_GATE | FOR_RELOAD},
	{"policy", required_argument, OPT_POLICY, FOR_GATE},
	{"report", required_argument, OPT_REPORT, FOR_GATE},
	{"junit", required_argument, OPT_JUNIT, FOR_GATE},
	{"prom", required_argument, OPT_PROM, FOR_GATE},
	{"signal", required_argument, OPT_SIGNAL, FOR_RELOAD},
	{"exec", required_argument, OPT_EXEC, FOR_RELOAD},
	{"pidfile", required_argument, OPT_PIDFILE, FOR_RELOAD},
	{"wait", required_argument, OPT_WAIT, FOR_RELOAD},
	{"state-type", required_argument, OPT_STATE_TYPE, STATIC_CHECKS},
	{"debug-dir", required_argument, OPT_DEBUG_DIR, STATIC_CHECKS},
	{"require-debuginfo", no_argument, OPT_REQUIRE_DEBUGINFO, STATIC_CHECKS},
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

static const struct opt_def *find_def(int id)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if ((int)opt_defs[i].id == id)
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

/* One option's value into @o: 0, 1 for --help/--version (printed), -1 after a usage error. */
static int take_option(enum opt_id id, char *arg, struct options *o)
{
	switch (id) {
	case OPT_FORMAT:
		/* junit and prom are files the gate writes (--junit, --prom), not views. */
		if (rc_report_format_parse(arg, &o->format) != 0 || o->format > RC_FORMAT_JSON) {
			usage_error("--format must be 'text' or 'json', not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_OUTPUT:
		o->output = arg;
		return 0;
	case OPT_FAIL_ON:
		if (strcmp(arg, "warn") != 0 && strcmp(arg, "fail") != 0) {
			usage_error("--fail-on must be 'warn' or 'fail', not '%s'", arg);
			return -1;
		}
		o->fail_on_warn = !strcmp(arg, "warn");
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_LIMIT:
		if (!parse_long(arg, 0, &o->limit)) {
			usage_error("--limit takes a number >= 0, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_SYSROOT:
		o->sysroot = arg;
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
	case OPT_EXPECT_BINARY:
		o->expect_binary = arg;
		return 0;
	case OPT_TLS_CANARY:
		return parse_canary(arg, o);
	case OPT_SAVE:
		o->save = arg;
		return 0;
	case OPT_BASELINE:
		o->baseline = arg;
		return 0;
	case OPT_URL:
	case OPT_PPROF:
		o->url = arg;
		return 0;
	case OPT_PROFILE:
		o->profile = arg;
		return 0;
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
	case OPT_CACERT:
		o->cacert = arg;
		return 0;
	case OPT_INSECURE:
		o->insecure = true;
		return 0;
	case OPT_OLD:
		o->old_path = arg;
		return 0;
	case OPT_NEW:
		o->new_path = arg;
		return 0;
	case OPT_POLICY:
		o->policy = arg;
		return 0;
	case OPT_REPORT:
		o->report = arg;
		return 0;
	case OPT_JUNIT:
		o->junit = arg;
		return 0;
	case OPT_PROM:
		o->prom = arg;
		return 0;
	case OPT_SIGNAL:
		o->reload_signal = arg;
		return 0;
	case OPT_EXEC:
		o->reload_exec = arg;
		return 0;
	case OPT_PIDFILE:
		o->pidfile = arg;
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
	case OPT_DEBUG_DIR:
		o->debug_dir = arg;
		return 0;
	case OPT_REQUIRE_DEBUGINFO:
		o->require_debuginfo = true;
		return 0;
	case OPT_HELP:
		fputs(help_text, stdout);
		return 1;
	case OPT_VERSION:
		printf("reloadcheck %s\n", RC_VERSION);
		return 1;
	}
	return 0;
}

int parse_options(int argc, char **argv, const char *name, unsigned scope, struct options *o)
{
	const char *no_color = getenv("NO_COLOR");
	struct option longopts[N_OPTS + 1];

	for (size_t i = 0; i < N_OPTS; i++)
		longopts[i] = (struct option){opt_defs[i].name, opt_defs[i].has_arg, NULL,
					      (int)opt_defs[i].id};
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
		rc = take_option(d->id, optarg, o);
		if (rc)
			return rc;
	}
	if (o->output)
		o->color = false;
	return 0;
}
