/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck: the command line. Parses argv, runs the checks through the
 * registry, prints the report and chooses the exit status. Only this layer
 * prints or exits.
 */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/check.h>
#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/http.h>
#include <reloadcheck/policy.h>
#include <reloadcheck/pprof.h>
#include <reloadcheck/proc.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

#include "output.h"

enum exit_code {
	EXIT_PASS = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT_CHECK = 3,
};

#define MAX_CANARIES 64

struct options {
	enum output_format format;
	const char *output;
	bool fail_on_warn;
	bool quiet;
	bool color;
	long limit;
	const char *sysroot;
	/* probe */
	long pid;
	const char *expect_binary;
	const char *save;
	const char *baseline;
	struct rc_canary_spec canaries[MAX_CANARIES];
	size_t n_canaries;
	/* pprof */
	const char *url;
	const char *profile;
	long seconds;
	double timeout_s;
	const char *headers[16];
	size_t n_headers;
	const char *cacert;
	bool insecure;
	bool seconds_given;
	/* gate */
	const char *old_path, *new_path;
	const char *policy;
	const char *report, *junit, *prom;
	/* reload */
	const char *reload_signal, *reload_exec, *pidfile;
	double wait_s;
	/* dwarf-layout */
	const char *state_types[64];
	size_t n_state_types;
	const char *debug_dir;
	bool require_debuginfo;
};

/* What open_dwarf() keeps alive for the checks. */
struct dwarf_inputs {
	char old_problem[512], new_problem[512];
	const char *state_types[128];
};

/* Which command an option belongs to. */
enum option_scope {
	FOR_DIFF = 1 << 0,
	FOR_PROBE = 1 << 1,
	FOR_PPROF = 1 << 2,
	FOR_GATE = 1 << 3,
	FOR_RELOAD = 1 << 4,
	FOR_ALL = FOR_DIFF | FOR_PROBE | FOR_PPROF | FOR_GATE | FOR_RELOAD,
};

static const char *progname = "reloadcheck";

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
}

static const char help_text[] =
	"Usage: reloadcheck [diff] [OPTIONS] OLD NEW\n"
	"       reloadcheck probe --pid PID [OPTIONS]\n"
	"       reloadcheck pprof (--url URL | --profile FILE) [OPTIONS]\n"
	"       reloadcheck gate [--old OLD --new NEW] [--pid PID] [--pprof URL] [OPTIONS]\n"
	"       reloadcheck reload --pid PID --new NEW (--signal SIG | --exec CMD) [OPTIONS]\n"
	"       reloadcheck list-checks\n"
	"       reloadcheck explain CHECK-ID\n"
	"\n"
	"Decide whether a running program built from OLD can be replaced in place (exec)\n"
	"by NEW, and whether a live process kept its C context across a reload.\n"
	"\n"
	"Commands:\n"
	"  diff OLD NEW        static checks on two ELF files (the default command):\n"
	"                      identity, build-id, symbol tables, dynamic dependencies and\n"
	"                      glibc versions, TLS layout, Go build info, Go function table,\n"
	"                      cgo boundary\n"
	"  probe --pid PID     read-only checks on a running process: its executable, __thread\n"
	"                      canaries in every thread, signal handlers and masks, listeners;\n"
	"                      against a snapshot saved before a reload with --baseline\n"
	"  pprof --url URL     pull a Go net/http/pprof endpoint: index, goroutines, a CPU\n"
	"                      profile that samples; against a summary saved before a\n"
	"                      reload with --baseline (or check a --profile FILE offline)\n"
	"  gate                every applicable check once, one verdict for the pipeline,\n"
	"                      driven by a --policy file; JSON, JUnit and Prometheus outputs\n"
	"  reload              snapshot a process, trigger its reload, find the new process,\n"
	"                      snapshot again, compare, and diff the old exe against NEW\n"
	"  list-checks         list every check with a one-line summary\n"
	"  explain CHECK-ID    what a check looks at, why it matters, how to fix its findings\n"
	"\n"
	"Options for probe:\n"
	"  -p, --pid PID                the process to probe (never written to or left stopped)\n"
	"      --expect-binary FILE     fail unless the process runs FILE (same GNU build-id)\n"
	"      --tls-canary SYM=VALUE   __thread variable SYM must be VALUE (decimal or 0x hex)\n"
	"                               in every thread; repeatable\n"
	"      --save FILE              write the process snapshot (JSON) to FILE, atomically\n"
	"      --baseline FILE          compare with a snapshot saved before the reload\n"
	"\n"
	"Options for pprof:\n"
	"      --url URL                the server, e.g. http://127.0.0.1:6060 (http or https)\n"
	"      --profile FILE           check a saved profile (.pb.gz) instead of fetching one\n"
	"      --seconds N              CPU profile length (default 5)\n"
	"      --timeout S              per request (default seconds * 1.5 + 5)\n"
	"      --header 'Name: value'   send a header (authentication); repeatable\n"
	"      --cacert FILE, --insecure  TLS: a CA bundle, or no verification\n"
	"      --pid PID                the server process: its CPU time tells idle from broken\n"
	"                               profiling, its /proc/PID/exe the true build-id\n"
	"      --save FILE, --baseline FILE  write / compare the profile summary (JSON)\n"
	"\n"
	"Options for gate:\n"
	"      --old FILE, --new FILE   the running build and the candidate (static checks)\n"
	"      --pid PID                also probe the running process (with --tls-canary)\n"
	"      --pprof URL              also check its pprof endpoint (--seconds, --header)\n"
	"      --policy FILE            enable/disable checks, severity overrides, suppressions\n"
	"                               with reasons, thresholds, fail_on, inputs (JSON)\n"
	"      --report FILE.json       the JSON report, written atomically\n"
	"      --junit FILE.xml         JUnit XML: one testcase per check\n"
	"      --prom FILE.prom         Prometheus textfile (node_exporter collector)\n"
	"\n"
	"Options for reload:\n"
	"      --pid PID, --new NEW     the process to reload and the binary it should run\n"
	"      --signal SIG             trigger: HUP, USR1, USR2, TERM, INT or QUIT, or\n"
	"      --exec 'COMMAND'         trigger: run COMMAND (sh -c)\n"
	"      --pidfile FILE           where the new process writes its pid (else the same\n"
	"                               pid re-exec'd, or a new child of PID)\n"
	"      --wait S                 give up finding the new process after S s (default 30)\n"
	"      --pprof URL, --tls-canary SYM=VALUE  also compare profiling and canaries\n"
	"\n"
	"Options for diff, gate and reload (dwarf-layout):\n"
	"      --state-type NAME        compare the layout of type NAME ('struct session');\n"
	"                               repeatable (also the policy's state_types)\n"
	"      --debug-dir DIR          where separate debug files live (default\n"
	"                               /usr/lib/debug: .build-id/xx/rest.debug, debuglinks)\n"
	"      --require-debuginfo      fail instead of skipping without debug information\n"
	"\n"
	"Options for all commands (--sysroot: diff and gate):\n"
	"  -f, --format text|json  output format (default text)\n"
	"  -o, --output FILE       write the report to FILE (atomically: temp file + rename)\n"
	"                          instead of standard output\n"
	"      --fail-on warn|fail exit 1 on warnings too, or only on failures (default fail)\n"
	"  -q, --quiet             text format: print only the verdict line\n"
	"      --limit N           text format: show at most N findings per finding code\n"
	"                          (default 10, 0 = all); JSON always has every finding\n"
	"      --sysroot DIR       check required symbol versions against DIR's libc.so.6\n"
	"                          instead of the host's\n"
	"      --no-color          no colour (also when NO_COLOR is set or output is no TTY)\n"
	"  -h, --help              show this help and exit\n"
	"  -V, --version           show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  pass: safe to reload (warnings may have been reported)\n"
	"  1  fail: the gate blocks (or a warning, with --fail-on warn)\n"
	"  2  usage error\n"
	"  3  could not check: unreadable or invalid input (not ELF, truncated, ...),\n"
	"     a process that does not exist or exited, permission denied\n"
	"\n"
	"Examples:\n"
	"  reloadcheck /srv/app/current /srv/app/candidate\n"
	"  reloadcheck diff --format json --output report.json old.bin new.bin\n"
	"  reloadcheck probe --pid 4242 --tls-canary app_ready=1 --save before.json\n"
	"  reloadcheck probe --pid 4242 --baseline before.json --expect-binary new.bin\n"
	"  reloadcheck pprof --url http://127.0.0.1:6060 --seconds 5 --save before.json\n"
	"  reloadcheck explain symbol-drift\n";

static int cmd_list_checks(int argc, char **argv);
static int cmd_explain(int argc, char **argv);
static int cmd_diff(int argc, char **argv);
static int cmd_probe(int argc, char **argv);
static int cmd_pprof(int argc, char **argv);
static int cmd_gate(int argc, char **argv);
static int cmd_reload(int argc, char **argv);

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"diff", cmd_diff},	{"explain", cmd_explain},
	{"gate", cmd_gate},	{"list-checks", cmd_list_checks},
	{"pprof", cmd_pprof},	{"probe", cmd_probe},
	{"reload", cmd_reload},
};

static bool want_help_or_version(int argc, char **argv, int *status)
{
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		fputs(help_text, stdout);
		*status = EXIT_PASS;
		return true;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("reloadcheck %s\n", RC_VERSION);
		*status = EXIT_PASS;
		return true;
	}
	return false;
}

static int cmd_list_checks(int argc, char **argv)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);

	if (argc > 1) {
		usage_error("list-checks takes no arguments");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-18s %s\n", all[i]->id, all[i]->summary);
	return EXIT_PASS;
}

static int cmd_explain(int argc, char **argv)
{
	const struct rc_check *c;

	if (argc != 2) {
		usage_error("explain takes one check id (see 'reloadcheck list-checks')");
		return EXIT_USAGE;
	}
	c = rc_registry_find(argv[1]);
	if (!c) {
		usage_error("unknown check '%s' (see 'reloadcheck list-checks')", argv[1]);
		return EXIT_USAGE;
	}
	printf("%s: %s\n\n", c->id, c->summary);
	output_wrap(stdout, c->explain, 78);
	printf("\nNeeds:%s%s%s\n", c->needs & RC_NEEDS_BINARIES ? " OLD and NEW binaries" : "",
	       c->needs & RC_NEEDS_HOST_LIBC ? ", the host's libc.so.6 (or --sysroot)" : "",
	       c->needs & RC_NEEDS_PROCESS ? " a running process" : "");
	return EXIT_PASS;
}

static const char *libc_triplet(unsigned machine)
{
	switch (machine) {
	case 62:
		return "x86_64-linux-gnu"; /* EM_X86_64 */
	case 183:
		return "aarch64-linux-gnu"; /* EM_AARCH64 */
	case 3:
		return "i386-linux-gnu"; /* EM_386 */
	case 40:
		return "arm-linux-gnueabihf";
	case 21:
		return "powerpc64le-linux-gnu";
	case 22:
		return "s390x-linux-gnu";
	case 243:
		return "riscv64-linux-gnu";
	default:
		return "x86_64-linux-gnu";
	}
}

/* Open the host's (or sysroot's) libc for checks that need it. */
static void open_host_libc(struct rc_ctx *ctx, char *path_buf, size_t size, char *problem,
			   size_t psize)
{
	struct rc_elf_ident id;
	struct rc_err err = {0};
	const char *root = ctx->sysroot ? ctx->sysroot : "";
	const char *dirs[] = {"/lib/%s", "/usr/lib/%s", "/lib64", "/usr/lib64", "/lib", "/usr/lib"};

	rc_elf_ident(ctx->new_elf, &id);
	problem[0] = '\0';
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char dir[512];

		snprintf(dir, sizeof(dir), dirs[i], libc_triplet(id.machine));
		snprintf(path_buf, size, "%s%s/libc.so.6", root, dir);
		if (access(path_buf, R_OK) != 0)
			continue;
		if (rc_elf_open(path_buf, &ctx->host_libc, &err) == 0) {
			ctx->host_libc_path = path_buf;
			return;
		}
		snprintf(problem, psize, "%s", err.msg);
		ctx->host_libc_problem = problem;
		return;
	}
	snprintf(path_buf, size, "%s/lib/%s/libc.so.6", *root ? root : "",
		 libc_triplet(id.machine));
	ctx->host_libc_path = path_buf;
	snprintf(problem, psize, "no libc.so.6 found under '%s'", *root ? root : "/");
	ctx->host_libc_problem = problem;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_input(struct rc_report *r, const char *role, const struct rc_elf *elf)
{
	const unsigned char *id;
	size_t len;
	char hex[129];
	bool have = rc_elf_build_id(elf, &id, &len) == 0;

	if (have)
		rc_hex(id, len, hex, sizeof(hex));
	rc_report_set_input(r, role, rc_elf_path(elf), rc_elf_file_size(elf), have ? hex : NULL);
}

static int exit_status(const struct rc_report *r, const struct options *o)
{
	switch (rc_report_verdict(r)) {
	case RC_VERDICT_FAIL:
		return EXIT_FAILED;
	case RC_VERDICT_ERROR:
		return EXIT_CANNOT_CHECK;
	case RC_VERDICT_WARN:
		return o->fail_on_warn ? EXIT_FAILED : EXIT_PASS;
	default:
		return EXIT_PASS;
	}
}

/* A could-not-check error: one line on stderr, and a JSON report when asked for. */
static int cannot_check(const struct options *o, struct rc_report *r, const char *msg)
{
	struct rc_err err = {0};

	fprintf(stderr, "%s: %s\n", progname, msg);
	if (o->format == OUTPUT_JSON && r) {
		rc_report_set_exit_code(r, EXIT_CANNOT_CHECK);
		if (output_write(o->output, OUTPUT_JSON, r, msg, NULL, &err) != 0)
			fprintf(stderr, "%s: %s\n", progname, err.msg);
	}
	return EXIT_CANNOT_CHECK;
}

static const struct option longopts[] = {
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"fail-on", required_argument, NULL, 'F'},
	{"quiet", no_argument, NULL, 'q'},
	{"limit", required_argument, NULL, 'l'},
	{"sysroot", required_argument, NULL, 's'},
	{"no-color", no_argument, NULL, 'C'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"pid", required_argument, NULL, 'p'},
	{"expect-binary", required_argument, NULL, 'E'},
	{"tls-canary", required_argument, NULL, 'T'},
	{"save", required_argument, NULL, 'S'},
	{"baseline", required_argument, NULL, 'B'},
	{"url", required_argument, NULL, 'U'},
	{"seconds", required_argument, NULL, 'n'},
	{"profile", required_argument, NULL, 'P'},
	{"header", required_argument, NULL, 'H'},
	{"timeout", required_argument, NULL, 't'},
	{"cacert", required_argument, NULL, 'A'},
	{"insecure", no_argument, NULL, 'I'},
	{"old", required_argument, NULL, 'O'},
	{"new", required_argument, NULL, 'N'},
	{"policy", required_argument, NULL, 'Y'},
	{"report", required_argument, NULL, 'R'},
	{"junit", required_argument, NULL, 'J'},
	{"prom", required_argument, NULL, 'M'},
	{"pprof", required_argument, NULL, 'X'},
	{"signal", required_argument, NULL, 'G'},
	{"exec", required_argument, NULL, 'K'},
	{"pidfile", required_argument, NULL, 'W'},
	{"wait", required_argument, NULL, 'w'},
	{"state-type", required_argument, NULL, 'Z'},
	{"debug-dir", required_argument, NULL, 'D'},
	{"require-debuginfo", no_argument, NULL, 'Q'},
	{0},
};

static unsigned option_scope(int c)
{
	switch (c) {
	case 's':
		return FOR_DIFF | FOR_GATE;
	case 'E':
		return FOR_PROBE;
	case 'T':
	case 'p':
		return FOR_PROBE | FOR_PPROF | FOR_GATE | FOR_RELOAD;
	case 'S':
	case 'B':
		return FOR_PROBE | FOR_PPROF;
	case 'U':
	case 'P':
		return FOR_PPROF;
	case 'n':
	case 'H':
	case 't':
	case 'A':
	case 'I':
		return FOR_PPROF | FOR_GATE | FOR_RELOAD;
	case 'N':
	case 'X':
		return FOR_GATE | FOR_RELOAD;
	case 'O':
	case 'Y':
	case 'R':
	case 'J':
	case 'M':
		return FOR_GATE;
	case 'G':
	case 'K':
	case 'W':
	case 'w':
		return FOR_RELOAD;
	case 'Z':
	case 'D':
	case 'Q':
		return FOR_DIFF | FOR_GATE | FOR_RELOAD;
	default:
		return FOR_ALL;
	}
}

static const char *option_name(int c)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
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
 * Parse the options of @cmd (FOR_DIFF or FOR_PROBE). Returns 0 to go on, 1 when
 * --help or --version was handled (*status set), -1 on a usage error.
 */
static int parse_options(int argc, char **argv, unsigned cmd, struct options *o, int *status)
{
	const char *no_color = getenv("NO_COLOR");
	int c;

	*o = (struct options){.format = OUTPUT_TEXT, .limit = 10, .pid = -1, .seconds = 5};
	o->color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	opterr = 0;
	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, ":f:o:qhVp:", longopts, NULL);
		if (c == -1)
			break;
		if (c != ':' && c != '?' && !(option_scope(c) & cmd)) {
			usage_error("option '--%s' is not for '%s'", option_name(c),
				    cmd == FOR_PROBE   ? "probe"
				    : cmd == FOR_PPROF ? "pprof"
						       : "diff");
			return -1;
		}
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text")) {
				o->format = OUTPUT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				o->format = OUTPUT_JSON;
			} else {
				usage_error("--format must be 'text' or 'json', not '%s'", optarg);
				return -1;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "warn")) {
				o->fail_on_warn = true;
			} else if (!strcmp(optarg, "fail")) {
				o->fail_on_warn = false;
			} else {
				usage_error("--fail-on must be 'warn' or 'fail', not '%s'", optarg);
				return -1;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'l':
			if (!parse_long(optarg, 0, &o->limit)) {
				usage_error("--limit takes a number >= 0, not '%s'", optarg);
				return -1;
			}
			break;
		case 's':
			o->sysroot = optarg;
			break;
		case 'C':
			o->color = false;
			break;
		case 'p':
			if (!parse_long(optarg, 1, &o->pid) || o->pid > INT32_MAX) {
				usage_error("--pid takes a process id (a number > 0), not '%s'",
					    optarg);
				return -1;
			}
			break;
		case 'E':
			o->expect_binary = optarg;
			break;
		case 'T':
			if (parse_canary(optarg, o) != 0)
				return -1;
			break;
		case 'S':
			o->save = optarg;
			break;
		case 'B':
			o->baseline = optarg;
			break;
		case 'U':
		case 'X':
			o->url = optarg;
			break;
		case 'O':
			o->old_path = optarg;
			break;
		case 'G':
			o->reload_signal = optarg;
			break;
		case 'Z':
			if (o->n_state_types ==
			    sizeof(o->state_types) / sizeof(o->state_types[0])) {
				usage_error("at most 64 --state-type options");
				return -1;
			}
			o->state_types[o->n_state_types++] = optarg;
			break;
		case 'D':
			o->debug_dir = optarg;
			break;
		case 'Q':
			o->require_debuginfo = true;
			break;
		case 'K':
			o->reload_exec = optarg;
			break;
		case 'W':
			o->pidfile = optarg;
			break;
		case 'w':
			if (!parse_seconds(optarg, "--wait", &o->wait_s))
				return -1;
			break;
		case 'N':
			o->new_path = optarg;
			break;
		case 'Y':
			o->policy = optarg;
			break;
		case 'R':
			o->report = optarg;
			break;
		case 'J':
			o->junit = optarg;
			break;
		case 'M':
			o->prom = optarg;
			break;
		case 'P':
			o->profile = optarg;
			break;
		case 'n':
			if (!parse_long(optarg, 1, &o->seconds) || o->seconds > 3600) {
				usage_error("--seconds takes 1 to 3600, not '%s'", optarg);
				return -1;
			}
			o->seconds_given = true;
			break;
		case 't':
			if (!parse_seconds(optarg, "--timeout", &o->timeout_s))
				return -1;
			break;
		case 'H':
			if (!strchr(optarg, ':') || optarg[0] == ':' ||
			    o->n_headers == sizeof(o->headers) / sizeof(o->headers[0])) {
				usage_error("--header takes 'Name: value' (at most 16), not '%s'",
					    optarg);
				return -1;
			}
			o->headers[o->n_headers++] = optarg;
			break;
		case 'A':
			o->cacert = optarg;
			break;
		case 'I':
			o->insecure = true;
			break;
		case 'h':
			fputs(help_text, stdout);
			*status = EXIT_PASS;
			return 1;
		case 'V':
			printf("reloadcheck %s\n", RC_VERSION);
			*status = EXIT_PASS;
			return 1;
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (o->output)
		o->color = false;
	return 0;
}

/* Run every check whose needs are all in @have. */
static void run_checks(struct rc_report *r, const struct rc_ctx *ctx, unsigned have)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	struct rc_err err = {0};

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = all[i];
		struct rc_check_result *res;
		uint64_t start;

		if ((c->needs & have) != c->needs)
			continue;
		res = rc_report_add_check(r, c->id);
		if (!res)
			break;
		start = now_ms();
		rc_err_clear(&err);
		if (c->run(ctx, res, &err) != 0)
			rc_result_error(res, "%s", err.msg[0] ? err.msg : rc_strerror(err.code));
		rc_result_finish(res);
		rc_result_set_duration_ms(res, now_ms() - start);
	}
}

/* Set the exit code and duration, write the report; the exit status. */
static int finish_report(struct rc_report *r, const struct options *o, uint64_t t0)
{
	struct rc_err err = {0};
	struct output_text_opts topts = {
		.color = o->color, .quiet = o->quiet, .limit = (size_t)o->limit};
	int status;

	if (rc_report_status(r) != 0)
		return cannot_check(o, NULL, "out of memory while building the report");
	status = exit_status(r, o);
	rc_report_set_exit_code(r, status);
	rc_report_set_duration_ms(r, now_ms() - t0);
	if (output_write(o->output, o->format, r, NULL, &topts, &err) != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = EXIT_CANNOT_CHECK;
	}
	return status;
}

/*
 * Open OLD's and NEW's debug information for dwarf-layout. A missing or corrupt
 * one is recorded for the check (skip, fail or error), not fatal here.
 */
static void open_dwarf(struct rc_ctx *ctx, const struct options *o, const struct rc_policy *p,
		       struct dwarf_inputs *in)
{
	struct rc_err err = {0};
	const char *const *pt;
	size_t npt = rc_policy_state_types(p, &pt), n = 0;
	int rc;

	rc = rc_dwarf_open(ctx->old_elf, o->debug_dir, &ctx->old_dwarf, &err);
	if (rc) {
		snprintf(in->old_problem, sizeof(in->old_problem), "%s", err.msg);
		ctx->old_dwarf_problem = in->old_problem;
		ctx->old_dwarf_corrupt = rc != -RC_ENOENT;
	}
	rc_err_clear(&err);
	rc = rc_dwarf_open(ctx->new_elf, o->debug_dir, &ctx->new_dwarf, &err);
	if (rc) {
		snprintf(in->new_problem, sizeof(in->new_problem), "%s", err.msg);
		ctx->new_dwarf_problem = in->new_problem;
		ctx->new_dwarf_corrupt = rc != -RC_ENOENT;
	}
	for (size_t i = 0; i < o->n_state_types; i++)
		in->state_types[n++] = o->state_types[i];
	for (size_t i = 0; i < npt && n < sizeof(in->state_types) / sizeof(in->state_types[0]); i++)
		in->state_types[n++] = pt[i];
	ctx->state_types = in->state_types;
	ctx->n_state_types = n;
	ctx->require_debuginfo = o->require_debuginfo;
}

static void close_dwarf(struct rc_ctx *ctx)
{
	rc_dwarf_free(ctx->old_dwarf);
	rc_dwarf_free(ctx->new_dwarf);
	ctx->old_dwarf = ctx->new_dwarf = NULL;
}

static int cmd_diff(int argc, char **argv)
{
	static struct dwarf_inputs dw;
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	char libc_path[4096], libc_problem[512];
	uint64_t t0 = now_ms();
	int status = EXIT_CANNOT_CHECK;
	int rc;

	rc = parse_options(argc, argv, FOR_DIFF, &o, &status);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return status;
	if (argc - optind != 2) {
		usage_error("diff needs two files, OLD and NEW (got %d)", argc - optind);
		return EXIT_USAGE;
	}
	r = rc_report_new();
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_CANNOT_CHECK;
	}
	rc_report_set_tool_version(r, RC_VERSION);
	ctx.sysroot = o.sysroot ? o.sysroot : "";
	if (rc_elf_open(argv[optind], &ctx.old_elf, &err) != 0 ||
	    rc_elf_open(argv[optind + 1], &ctx.new_elf, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	set_input(r, "old", ctx.old_elf);
	set_input(r, "new", ctx.new_elf);
	open_host_libc(&ctx, libc_path, sizeof(libc_path), libc_problem, sizeof(libc_problem));
	open_dwarf(&ctx, &o, NULL, &dw);
	run_checks(r, &ctx, RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF);
	status = finish_report(r, &o, t0);
out:
	close_dwarf(&ctx);
	rc_elf_free(ctx.old_elf);
	rc_elf_free(ctx.new_elf);
	rc_elf_free(ctx.host_libc);
	rc_report_free(r);
	return status;
}

static int write_snapshot(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_snapshot_write_json(arg, f, err);
}

static int cmd_probe(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_snapshot *now = NULL, *baseline = NULL;
	uint64_t t0 = now_ms();
	int status = EXIT_CANNOT_CHECK;
	int rc;

	rc = parse_options(argc, argv, FOR_PROBE, &o, &status);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return status;
	if (o.pid < 0) {
		usage_error("probe needs --pid PID");
		return EXIT_USAGE;
	}
	if (argc != optind) {
		usage_error("probe takes no file arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	r = rc_report_new();
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_CANNOT_CHECK;
	}
	rc_report_set_tool_version(r, RC_VERSION);
	rc_report_set_pid(r, o.pid);
	/* Inputs first: a bad file is reported before the process is touched. */
	if (o.expect_binary) {
		if (rc_elf_open(o.expect_binary, &ctx.expect_elf, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		set_input(r, "new", ctx.expect_elf);
	}
	if (o.baseline && rc_snapshot_read_json(o.baseline, &baseline, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	if (rc_snapshot_take((int)o.pid, o.canaries, o.n_canaries, &now, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	if (o.save && output_atomic(o.save, write_snapshot, now, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	ctx.now = now;
	ctx.baseline = baseline;
	run_checks(r, &ctx, RC_NEEDS_PROCESS);
	status = finish_report(r, &o, t0);
out:
	rc_snapshot_free(now);
	rc_snapshot_free(baseline);
	rc_elf_free(ctx.expect_elf);
	rc_report_free(r);
	return status;
}

/* The pprof client options the command line gave (headers, TLS, timing, pid). */
static void fetch_opts(struct rc_pprof_fetch_opts *fo, const struct options *o)
{
	*fo = (struct rc_pprof_fetch_opts){
		.seconds = (int)o->seconds,
		.timeout_s = o->timeout_s,
		.n_headers = o->n_headers,
		.cacert = o->cacert,
		.insecure = o->insecure,
		.pid = o->pid > 0 ? (int)o->pid : 0,
	};
	memcpy(fo->headers, o->headers, o->n_headers * sizeof(*o->headers));
}

static void show_progress(void *arg, const char *what, double elapsed, double total)
{
	(void)arg;
	fprintf(stderr, "\rreloadcheck: collecting %s: %.0f of %.0f s ", what, elapsed, total);
	fflush(stderr);
}

static int write_summary(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_pprof_summary_write_json(arg, f, err);
}

static int cmd_pprof(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_pprof_fetch *fetch = NULL;
	struct rc_pprof_summary *baseline = NULL;
	struct rc_pprof_fetch_opts fo = {0};
	uint64_t t0 = now_ms();
	int status = EXIT_CANNOT_CHECK;
	int rc;

	rc = parse_options(argc, argv, FOR_PPROF, &o, &status);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return status;
	if (!o.url == !o.profile) {
		usage_error("pprof needs exactly one of --url URL and --profile FILE");
		return EXIT_USAGE;
	}
	if (argc != optind) {
		usage_error("pprof takes no file arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	r = rc_report_new();
	fetch = calloc(1, sizeof(*fetch));
	baseline = o.baseline ? calloc(1, sizeof(*baseline)) : NULL;
	if (!r || !fetch || (o.baseline && !baseline)) {
		fprintf(stderr, "%s: out of memory\n", progname);
		goto out;
	}
	rc_report_set_tool_version(r, RC_VERSION);
	rc_report_set_pprof_url(r, o.url ? o.url : o.profile);
	if (o.pid > 0)
		rc_report_set_pid(r, o.pid);
	if (o.baseline && rc_pprof_summary_read_json(o.baseline, baseline, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	fetch_opts(&fo, &o);
	if (isatty(STDERR_FILENO) && !o.quiet)
		fo.progress = show_progress;
	rc = o.url ? rc_pprof_fetch(o.url, &fo, fetch, &err)
		   : rc_pprof_fetch_file(o.profile, &fo, fetch, &err);
	if (fo.progress)
		fputs("\r\033[K", stderr);
	if (rc != 0) {
		status = rc == -RC_EINVAL ? EXIT_USAGE : EXIT_CANNOT_CHECK;
		if (status == EXIT_USAGE)
			usage_error("%s", err.msg);
		else
			cannot_check(&o, r, err.msg);
		goto out;
	}
	/*
	 * Nothing answered at all: the endpoint is down. pprof-endpoint reports
	 * error (exit 3); the cause also goes to stderr as one line.
	 */
	if (!fetch->from_file && !fetch->index.transport_ok && !fetch->goroutine.transport_ok &&
	    !fetch->profile.transport_ok)
		fprintf(stderr, "%s: %s\n", progname, fetch->index.error);
	if (o.save) {
		if (!fetch->profile_ok)
			fprintf(stderr, "%s: no profile to save to '%s' (see pprof-endpoint)\n",
				progname, o.save);
		else if (output_atomic(o.save, write_summary, &fetch->summary, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
	}
	ctx.pprof = fetch;
	ctx.pprof_baseline = baseline;
	run_checks(r, &ctx, RC_NEEDS_PPROF);
	status = finish_report(r, &o, t0);
out:
	free(fetch);
	free(baseline);
	rc_report_free(r);
	return status;
}

/* The policy's catalogue: every check id with the finding codes it emits. */
static int policy_catalog(struct rc_policy_catalog *cat)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	const char **ids = calloc(n, sizeof(*ids));
	const char *const **codes = calloc(n, sizeof(*codes));

	if (!ids || !codes) {
		free(ids);
		free((void *)codes);
		return -RC_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = all[i]->id;
		codes[i] = all[i]->codes;
	}
	*cat = (struct rc_policy_catalog){.ids = ids, .codes = codes, .n = n};
	return 0;
}

/* The gate fails on a check's fail, or its warn when the policy says fail_on warn. */
static int gate_status(const struct rc_report *r, const struct rc_policy *p,
		       const struct options *o)
{
	bool failed = false, error = false;

	for (size_t i = 0; i < rc_report_check_count(r); i++) {
		const struct rc_check_result *res = rc_report_check(r, i);
		enum rc_verdict v = rc_result_verdict(res);

		if (v == RC_VERDICT_FAIL)
			failed = true;
		else if (v == RC_VERDICT_ERROR)
			error = true;
		else if (v == RC_VERDICT_WARN &&
			 (o->fail_on_warn ||
			  rc_policy_fail_on(p, rc_result_id(res)) == RC_VERDICT_WARN))
			failed = true;
	}
	if (failed)
		return EXIT_FAILED;
	return error ? EXIT_CANNOT_CHECK : EXIT_PASS;
}

static int write_report_json(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_report_write_json(arg, f, err);
}

static int write_report_junit(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_report_write_junit(arg, f, err);
}

static int write_report_prom(FILE *f, const void *arg, struct rc_err *err)
{
	return rc_report_write_prometheus(arg, f, err);
}

/* Run the gate's checks: those whose inputs were given; the rest skip, saying why. */
static void gate_checks(struct rc_report *r, const struct rc_ctx *ctx, unsigned have,
			const struct rc_policy *p)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	struct rc_err err = {0};

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = all[i];
		struct rc_check_result *res = rc_report_add_check(r, c->id);
		unsigned missing = c->needs & ~have;
		uint64_t start = now_ms();

		if (!res)
			break;
		if (!rc_policy_enabled(p, c->id)) {
			rc_result_skip(res, "disabled by the policy");
		} else if (missing & RC_NEEDS_PROCESS) {
			rc_result_skip(res, "needs a running process: give --pid");
		} else if (missing & RC_NEEDS_PPROF) {
			rc_result_skip(res, "needs a pprof endpoint: give --pprof URL");
		} else if (missing) {
			rc_result_skip(res, "needs --old and --new");
		} else {
			rc_err_clear(&err);
			if (c->run(ctx, res, &err) != 0)
				rc_result_error(res, "%s",
						err.msg[0] ? err.msg : rc_strerror(err.code));
		}
		rc_result_finish(res);
		if (p)
			rc_policy_apply(p, res);
		rc_result_set_duration_ms(res, now_ms() - start);
	}
}

static int cmd_gate(int argc, char **argv)
{
	static struct dwarf_inputs dw;
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_policy *policy = NULL;
	struct rc_policy_catalog cat = {0};
	struct rc_thresholds th;
	struct rc_snapshot *snap = NULL;
	struct rc_pprof_fetch *fetch = NULL;
	struct rc_canary_spec canaries[MAX_CANARIES];
	size_t n_canaries = 0;
	char libc_path[4096], libc_problem[512];
	const char *pprof_url;
	unsigned have = 0;
	uint64_t t0 = now_ms();
	int status = EXIT_CANNOT_CHECK;
	int rc;

	rc = parse_options(argc, argv, FOR_GATE, &o, &status);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return status;
	if (argc != optind) {
		usage_error("gate takes its files as --old and --new ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	if (!o.old_path != !o.new_path) {
		usage_error("gate needs both --old and --new, or neither");
		return EXIT_USAGE;
	}
	if (policy_catalog(&cat) != 0) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_CANNOT_CHECK;
	}
	if (o.policy && rc_policy_load(o.policy, &cat, &policy, &err) != 0) {
		if (err.code == -RC_EINVAL) {
			usage_error("%s", err.msg);
			status = EXIT_USAGE;
		} else {
			fprintf(stderr, "%s: %s\n", progname, err.msg);
		}
		goto out;
	}
	rc_policy_thresholds(policy, &th);
	ctx.thresholds = &th;
	r = rc_report_new();
	if (!r)
		goto out;
	rc_report_set_tool_version(r, RC_VERSION);
	ctx.sysroot = o.sysroot ? o.sysroot : "";
	if (o.old_path) {
		if (rc_elf_open(o.old_path, &ctx.old_elf, &err) != 0 ||
		    rc_elf_open(o.new_path, &ctx.new_elf, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		set_input(r, "old", ctx.old_elf);
		set_input(r, "new", ctx.new_elf);
		open_host_libc(&ctx, libc_path, sizeof(libc_path), libc_problem,
			       sizeof(libc_problem));
		open_dwarf(&ctx, &o, policy, &dw);
		have |= RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF;
	}
	if (o.pid > 0) {
		const struct rc_canary_spec *pc;
		size_t n = rc_policy_canaries(policy, &pc);

		/* The command line's canaries, then the policy's. */
		memcpy(canaries, o.canaries, o.n_canaries * sizeof(*canaries));
		n_canaries = o.n_canaries;
		for (size_t i = 0; i < n && n_canaries < MAX_CANARIES; i++)
			canaries[n_canaries++] = pc[i];
		rc_report_set_pid(r, o.pid);
		if (rc_snapshot_take((int)o.pid, canaries, n_canaries, &snap, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		ctx.now = snap;
		ctx.n_expected_listeners = rc_policy_listeners(policy, &ctx.expected_listeners);
		have |= RC_NEEDS_PROCESS;
	}
	pprof_url = o.url ? o.url : rc_policy_pprof_url(policy);
	if (pprof_url) {
		struct rc_pprof_fetch_opts fo = {0};
		const char *const *hs;
		size_t nh = rc_policy_pprof_headers(policy, &hs);

		fetch = calloc(1, sizeof(*fetch));
		if (!fetch)
			goto out;
		fetch_opts(&fo, &o);
		if (!o.seconds_given && rc_policy_pprof_seconds(policy))
			fo.seconds = rc_policy_pprof_seconds(policy);
		for (size_t i = 0; i < nh && fo.n_headers < 16; i++)
			fo.headers[fo.n_headers++] = hs[i];
		rc_report_set_pprof_url(r, pprof_url);
		if (rc_pprof_fetch(pprof_url, &fo, fetch, &err) != 0) {
			status = err.code == -RC_EINVAL ? EXIT_USAGE : cannot_check(&o, r, err.msg);
			if (status == EXIT_USAGE)
				usage_error("%s", err.msg);
			goto out;
		}
		ctx.pprof = fetch;
		have |= RC_NEEDS_PPROF;
	}
	if (!have) {
		usage_error("gate needs something to check: --old/--new, --pid or --pprof");
		status = EXIT_USAGE;
		goto out;
	}
	gate_checks(r, &ctx, have, policy);
	if (rc_report_status(r) != 0) {
		status = cannot_check(&o, NULL, "out of memory while building the report");
		goto out;
	}
	status = gate_status(r, policy, &o);
	rc_report_set_exit_code(r, status);
	rc_report_set_duration_ms(r, now_ms() - t0);
	/* Files for the pipeline first, each atomic; then the person's view. */
	if ((o.report && output_atomic(o.report, write_report_json, r, &err) != 0) ||
	    (o.junit && output_atomic(o.junit, write_report_junit, r, &err) != 0) ||
	    (o.prom && output_atomic(o.prom, write_report_prom, r, &err) != 0)) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = EXIT_CANNOT_CHECK;
		goto out;
	}
	{
		struct output_text_opts topts = {
			.color = o.color, .quiet = o.quiet, .limit = (size_t)o.limit};

		if (output_write(o.output, o.format, r, NULL, &topts, &err) != 0) {
			fprintf(stderr, "%s: %s\n", progname, err.msg);
			status = EXIT_CANNOT_CHECK;
		}
	}
out:
	free(fetch);
	rc_snapshot_free(snap);
	close_dwarf(&ctx);
	rc_elf_free(ctx.old_elf);
	rc_elf_free(ctx.new_elf);
	rc_elf_free(ctx.host_libc);
	rc_report_free(r);
	rc_policy_free(policy);
	free((void *)cat.ids);
	free((void *)cat.codes);
	return status;
}

/* ---- reload: snapshot, trigger, find the new process, snapshot, compare ---- */

static const struct {
	const char *name;
	int sig;
} reload_signals[] = {
	{"HUP", SIGHUP},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	{"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT},
};

static int parse_signal(const char *s)
{
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(reload_signals) / sizeof(reload_signals[0]); i++)
		if (!strcmp(s, reload_signals[i].name))
			return reload_signals[i].sig;
	return 0;
}

static double mono_s(void)
{
	return (double)now_ms() / 1000.0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The identity of /proc/PID/exe (device and inode of the running file). */
static bool exe_identity(int pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return stat(path, st) == 0;
}

/* Whether any thread of @before other than the leader still runs in @pid. */
static bool old_threads_remain(int pid, const struct rc_snapshot *before)
{
	for (size_t i = 0; i < before->n_threads; i++) {
		char path[64];

		if (before->threads[i].tid == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, before->threads[i].tid);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* Read a pid from a pidfile; 0 when absent or not a pid. */
static int read_pidfile(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");
	long v;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return parse_long(buf, 1, &v) && v <= INT32_MAX ? (int)v : 0;
}

/* A child of @pid started after the trigger, or 0. */
static int find_child(int pid, const int *known, size_t n_known)
{
	char path[64], buf[512];
	int found = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		long child;
		FILE *f;
		char *close_paren;
		int ppid = 0;
		bool old = false;

		if (!parse_long(de->d_name, 1, &child))
			continue;
		for (size_t i = 0; i < n_known; i++)
			old |= known[i] == child;
		if (old)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", child);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			close_paren = strrchr(buf, ')');
			if (close_paren)
				sscanf(close_paren + 2, "%*c %d", &ppid);
		}
		fclose(f);
		if (ppid == pid)
			found = (int)child;
	}
	closedir(d);
	return found;
}

/* Every pid that exists now, to tell a child started by the reload from older ones. */
static size_t list_pids(int *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		long v;

		if (parse_long(de->d_name, 1, &v))
			out[n++] = (int)v;
	}
	closedir(d);
	return n;
}

/* True when the endpoint's goroutines show a CPU profile being written. */
static bool cpu_profile_in_flight(const char *url, const struct options *o)
{
	struct rc_http_opts ho = {.timeout_ms = 5000};
	struct rc_http_response resp = {0};
	struct rc_err err = {0};
	char full[600];
	bool busy = false;

	snprintf(full, sizeof(full), "%s/debug/pprof/goroutine?debug=2", url);
	memcpy(ho.headers, o->headers, o->n_headers * sizeof(*o->headers));
	ho.n_headers = o->n_headers;
	ho.cacert = o->cacert;
	ho.insecure = o->insecure;
	if (rc_http_get(full, &ho, &resp, &err) == 0 && resp.status == 200 && resp.body)
		busy = strstr((const char *)resp.body, "runtime/pprof.profileWriter") ||
		       strstr((const char *)resp.body, "net/http/pprof.Profile");
	rc_http_response_release(&resp);
	return busy;
}

/* Wait until @pid runs a new program, or a new process appears; its pid, or 0. */
static int wait_for_new_process(const struct options *o, int pid, const struct rc_snapshot *before,
				const struct stat *old_exe, const int *known, size_t n_known,
				double deadline)
{
	while (mono_s() < deadline) {
		struct stat st;
		int p;

		if (o->pidfile) {
			p = read_pidfile(o->pidfile);
			if (p && p != pid && kill(p, 0) == 0)
				return p;
		}
		if (exe_identity(pid, &st)) {
			bool new_file =
				st.st_dev != old_exe->st_dev || st.st_ino != old_exe->st_ino;

			/* Same file re-exec'd: every thread of the old image is gone. */
			if (new_file || (before->n_threads > 1 && !old_threads_remain(pid, before)))
				return pid;
		} else {
			p = find_child(pid, known, n_known);
			if (p)
				return p;
		}
		p = find_child(pid, known, n_known);
		if (p && !o->pidfile)
			return p;
		sleep_ms(50);
	}
	return 0;
}

/* Wait until the new process listens where the old one did (its readiness), or the deadline. */
static void wait_until_ready(int pid, const struct rc_snapshot *before,
			     const struct rc_canary_spec *canaries, size_t n, double deadline)
{
	while (mono_s() < deadline) {
		struct rc_snapshot *s = NULL;
		struct rc_err err = {0};
		bool ready;
		size_t found = 0;

		if (rc_snapshot_take(pid, canaries, 0, &s, &err) != 0)
			return;
		for (size_t i = 0; i < before->n_listeners; i++)
			for (size_t k = 0; k < s->n_listeners; k++)
				if (!strcmp(before->listeners[i].address,
					    s->listeners[k].address)) {
					found++;
					break;
				}
		/*
		 * Listeners back means ready; with canaries, also as many threads as
		 * before (they are what the canaries are read in). Runtimes such as Go
		 * start a varying number of threads, so that is not asked otherwise.
		 */
		ready = found == before->n_listeners &&
			(n == 0 || s->n_threads >= before->n_threads);
		rc_snapshot_free(s);
		if (ready)
			return;
		sleep_ms(50);
	}
}

static int cmd_reload(int argc, char **argv)
{
	static struct dwarf_inputs dw;
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	struct rc_snapshot *before = NULL, *after = NULL;
	struct rc_pprof_fetch *pf_before = NULL, *pf_after = NULL;
	struct rc_pprof_fetch_opts fo = {0};
	char libc_path[4096], libc_problem[512], exe_path[64];
	struct stat old_exe;
	static int known[65536];
	size_t n_known;
	double wait_s, deadline;
	uint64_t t0 = now_ms();
	int status = EXIT_CANNOT_CHECK, sig = 0, new_pid;
	int rc;

	rc = parse_options(argc, argv, FOR_RELOAD, &o, &status);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return status;
	if (o.pid < 0 || !o.new_path || !o.reload_signal == !o.reload_exec) {
		usage_error("reload needs --pid PID, --new NEW and one of --signal SIG or --exec "
			    "'COMMAND'");
		return EXIT_USAGE;
	}
	if (o.reload_signal && !(sig = parse_signal(o.reload_signal))) {
		usage_error("--signal takes HUP, USR1, USR2, TERM, INT or QUIT, not '%s'",
			    o.reload_signal);
		return EXIT_USAGE;
	}
	wait_s = o.wait_s > 0 ? o.wait_s : 30;
	r = rc_report_new();
	if (!r)
		return EXIT_CANNOT_CHECK;
	rc_report_set_tool_version(r, RC_VERSION);
	rc_report_set_pid(r, o.pid);
	/* 1. Before: the running executable (kept open across the exec) and a snapshot. */
	snprintf(exe_path, sizeof(exe_path), "/proc/%ld/exe", o.pid);
	if (rc_elf_open(o.new_path, &ctx.new_elf, &err) != 0 ||
	    rc_snapshot_take((int)o.pid, o.canaries, o.n_canaries, &before, &err) != 0 ||
	    rc_elf_open(exe_path, &ctx.old_elf, &err) != 0 || !exe_identity((int)o.pid, &old_exe)) {
		status = cannot_check(&o, r, err.msg[0] ? err.msg : "cannot read the process");
		goto out;
	}
	set_input(r, "old", ctx.old_elf);
	set_input(r, "new", ctx.new_elf);
	if (o.url) {
		pf_before = calloc(1, sizeof(*pf_before));
		pf_after = calloc(1, sizeof(*pf_after));
		if (!pf_before || !pf_after)
			goto out;
		fetch_opts(&fo, &o);
		rc_report_set_pprof_url(r, o.url);
		if (rc_pprof_fetch(o.url, &fo, pf_before, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		/* 2. An exec during a running CPU profile can kill a cgo process with SIGPROF. */
		deadline = mono_s() + wait_s;
		while (cpu_profile_in_flight(o.url, &o) && mono_s() < deadline)
			sleep_ms(200);
	}
	/* 3. Trigger. */
	n_known = list_pids(known, sizeof(known) / sizeof(known[0]));
	if (sig) {
		if (kill((pid_t)o.pid, sig) != 0) {
			snprintf(libc_problem, sizeof(libc_problem), "cannot send SIG%s to %ld: %s",
				 o.reload_signal, o.pid, strerror(errno));
			status = cannot_check(&o, r, libc_problem);
			goto out;
		}
	} else {
		int st = system(o.reload_exec);

		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			snprintf(libc_problem, sizeof(libc_problem),
				 "the reload command '%s' failed (status %d)", o.reload_exec, st);
			status = cannot_check(&o, r, libc_problem);
			goto out;
		}
	}
	/* 4. Find the new process. */
	deadline = mono_s() + wait_s;
	new_pid = wait_for_new_process(&o, (int)o.pid, before, &old_exe, known, n_known, deadline);
	if (!new_pid) {
		snprintf(libc_problem, sizeof(libc_problem),
			 "no new process after %.0f s: pid %ld still runs the old program and "
			 "no new pid appeared%s%s",
			 wait_s, o.pid, o.pidfile ? " in " : "", o.pidfile ? o.pidfile : "");
		status = cannot_check(&o, r, libc_problem);
		goto out;
	}
	wait_until_ready(new_pid, before, o.canaries, o.n_canaries, deadline);
	rc_report_set_pid(r, new_pid);
	if (rc_snapshot_take(new_pid, o.canaries, o.n_canaries, &after, &err) != 0) {
		status = cannot_check(&o, r, err.msg);
		goto out;
	}
	if (o.url) {
		fo.pid = new_pid;
		if (rc_pprof_fetch(o.url, &fo, pf_after, &err) != 0) {
			status = cannot_check(&o, r, err.msg);
			goto out;
		}
		ctx.pprof = pf_after;
		ctx.pprof_baseline = pf_before->profile_ok ? &pf_before->summary : NULL;
	}
	/* 5. Compare: the process against its snapshot before, the old exe against NEW. */
	ctx.now = after;
	ctx.baseline = before;
	ctx.expect_elf = ctx.new_elf;
	ctx.reexec_seen = new_pid == (int)o.pid;
	ctx.sysroot = "";
	open_host_libc(&ctx, libc_path, sizeof(libc_path), libc_problem, sizeof(libc_problem));
	open_dwarf(&ctx, &o, NULL, &dw);
	run_checks(r, &ctx,
		   RC_NEEDS_BINARIES | RC_NEEDS_HOST_LIBC | RC_NEEDS_DWARF | RC_NEEDS_PROCESS |
			   (o.url ? RC_NEEDS_PPROF : 0));
	status = finish_report(r, &o, t0);
out:
	free(pf_before);
	free(pf_after);
	rc_snapshot_free(before);
	rc_snapshot_free(after);
	close_dwarf(&ctx);
	rc_elf_free(ctx.old_elf);
	rc_elf_free(ctx.new_elf);
	rc_elf_free(ctx.host_libc);
	rc_report_free(r);
	return status;
}

int main(int argc, char **argv)
{
	int status;

	if (argc < 2) {
		usage_error("missing OLD and NEW (or a command)");
		return EXIT_USAGE;
	}
	if (want_help_or_version(argc, argv, &status))
		return status;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	/* `reloadcheck [OPTIONS] OLD NEW` is `reloadcheck diff [OPTIONS] OLD NEW`. */
	return cmd_diff(argc, argv);
}
