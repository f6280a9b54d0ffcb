/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck: the command line. Parses argv, runs the checks through the
 * registry, prints the report and chooses the exit status. Only this layer
 * prints or exits.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

#include "output.h"

enum exit_code {
	EXIT_PASS = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT_CHECK = 3,
};

struct options {
	enum output_format format;
	const char *output;
	bool fail_on_warn;
	bool quiet;
	bool color;
	long limit;
	const char *sysroot;
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
	"       reloadcheck list-checks\n"
	"       reloadcheck explain CHECK-ID\n"
	"\n"
	"Decide whether a running program built from OLD can be replaced in place (exec)\n"
	"by NEW: compares the two ELF files (identity, build-id, symbol tables, dynamic\n"
	"dependencies and symbol versions against the host libc, TLS layout) and gives one\n"
	"verdict with every finding explained.\n"
	"\n"
	"Commands:\n"
	"  diff OLD NEW        run the static checks on two ELF files (the default command)\n"
	"  list-checks         list every check with a one-line summary\n"
	"  explain CHECK-ID    what a check looks at, why it matters, how to fix its findings\n"
	"\n"
	"Options for diff:\n"
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
	"  3  could not check: unreadable or invalid input (not ELF, truncated, ...)\n"
	"\n"
	"Examples:\n"
	"  reloadcheck /srv/app/current /srv/app/candidate\n"
	"  reloadcheck diff --format json --output report.json old.bin new.bin\n"
	"  reloadcheck explain symbol-drift\n";

static int cmd_list_checks(int argc, char **argv);
static int cmd_explain(int argc, char **argv);
static int cmd_diff(int argc, char **argv);

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"diff", cmd_diff},
	{"explain", cmd_explain},
	{"list-checks", cmd_list_checks},
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

static int parse_diff_options(int argc, char **argv, struct options *o, int *status)
{
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
		{0},
	};
	const char *no_color = getenv("NO_COLOR");
	int c;

	*o = (struct options){.format = OUTPUT_TEXT, .limit = 10};
	o->color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	opterr = 0;
	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, ":f:o:qhV", longopts, NULL);
		if (c == -1)
			break;
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
		case 'l': {
			char *end;

			errno = 0;
			o->limit = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->limit < 0) {
				usage_error("--limit takes a number >= 0, not '%s'", optarg);
				return -1;
			}
			break;
		}
		case 's':
			o->sysroot = optarg;
			break;
		case 'C':
			o->color = false;
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

static int cmd_diff(int argc, char **argv)
{
	struct options o;
	struct rc_report *r = NULL;
	struct rc_ctx ctx = {0};
	struct rc_err err = {0};
	char libc_path[4096], libc_problem[512];
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);
	uint64_t t0 = now_ms();
	unsigned needs = 0;
	int status = EXIT_CANNOT_CHECK;
	int rc;

	rc = parse_diff_options(argc, argv, &o, &status);
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

	for (size_t i = 0; i < n; i++)
		needs |= all[i]->needs;
	if (needs & RC_NEEDS_HOST_LIBC)
		open_host_libc(&ctx, libc_path, sizeof(libc_path), libc_problem,
			       sizeof(libc_problem));

	for (size_t i = 0; i < n; i++) {
		const struct rc_check *c = all[i];
		struct rc_check_result *res = rc_report_add_check(r, c->id);
		uint64_t start = now_ms();

		if (!res)
			break;
		if (c->needs & (RC_NEEDS_PROCESS | RC_NEEDS_PPROF)) {
			rc_result_skip(res, "needs a live process or pprof endpoint (not given)");
		} else {
			rc_err_clear(&err);
			if (c->run(&ctx, res, &err) != 0)
				rc_result_error(res, "%s",
						err.msg[0] ? err.msg : rc_strerror(err.code));
		}
		rc_result_finish(res);
		rc_result_set_duration_ms(res, now_ms() - start);
	}
	if (rc_report_status(r) != 0) {
		status = cannot_check(&o, NULL, "out of memory while building the report");
		goto out;
	}
	status = exit_status(r, &o);
	rc_report_set_exit_code(r, status);
	rc_report_set_duration_ms(r, now_ms() - t0);
	{
		struct output_text_opts topts = {
			.color = o.color, .quiet = o.quiet, .limit = (size_t)o.limit};

		if (output_write(o.output, o.format, r, NULL, &topts, &err) != 0) {
			fprintf(stderr, "%s: %s\n", progname, err.msg);
			status = EXIT_CANNOT_CHECK;
		}
	}
out:
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
