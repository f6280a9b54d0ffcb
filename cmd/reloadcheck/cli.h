/* SPDX-License-Identifier: MIT */
#ifndef RELOADCHECK_CMD_CLI_H
#define RELOADCHECK_CMD_CLI_H

/* What the command files share: the parsed options, usage errors, the report's way out. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h> /* optind */

#include <reloadcheck/proc.h>
#include <reloadcheck/report.h>

#define MAX_CANARIES 64
#define MAX_STATE_TYPES 64
#define MAX_HEADERS 16

/* Which command an option belongs to (struct command's scope). */
enum command_scope {
	FOR_DIFF = 1 << 0,
	FOR_PROBE = 1 << 1,
	FOR_PPROF = 1 << 2,
	FOR_GATE = 1 << 3,
	FOR_RELOAD = 1 << 4,
	FOR_ALL = FOR_DIFF | FOR_PROBE | FOR_PPROF | FOR_GATE | FOR_RELOAD,
};

struct options {
	const char *command; /* as the user typed it, for messages */
	enum rc_report_format format;
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
	const char *pprof_baseline; /* gate */
	struct rc_canary_spec canaries[MAX_CANARIES];
	size_t n_canaries;
	/* pprof */
	const char *url;
	const char *profile;
	long seconds;
	bool seconds_given;
	double timeout_s;
	const char *headers[MAX_HEADERS];
	size_t n_headers;
	const char *cacert;
	bool insecure;
	/* gate */
	const char *old_path, *new_path;
	const char *policy;
	const char *report, *junit, *prom;
	/* reload */
	const char *reload_signal, *reload_exec, *pidfile;
	double wait_s;
	bool force; /* reload even when the preflight's static checks fail */
	/* dwarf-layout */
	const char *state_types[MAX_STATE_TYPES];
	size_t n_state_types;
	const char *debug_dir;
	bool require_debuginfo;
};

struct rc_err;
struct rc_binary_opts;
struct rc_ctx;
struct rc_snapshot;
struct rc_policy;
struct rc_pprof_fetch_opts;

extern const char *progname;
extern const char help_text[];

void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse the options of command @name (@scope one of FOR_*) into @o. Returns
 * 0 to go on (optind at the first operand), 1 when --help or --version was
 * handled, -1 after a usage error was printed.
 */
int parse_options(int argc, char **argv, const char *name, unsigned scope, struct options *o);

/* A new report with the tool's version; NULL (message printed) when out of memory. */
struct rc_report *report_new(void);

/*
 * A could-not-check error: @msg as one line on stderr and, with --format json,
 * a report saying so. Returns RC_EXIT_CANNOT_CHECK.
 */
int cannot_check(const struct options *o, struct rc_report *r, const char *msg);

/*
 * Run the checks whose inputs (@have, enum rc_check_needs) @ctx holds, with
 * @policy (or NULL) and --fail-on, then finish_report(): the exit status.
 */
int run_and_report(const struct rc_ctx *ctx, unsigned have, const struct rc_policy *policy,
		   struct rc_report *r, const struct options *o);

/* Stop the report's clock, write it as --format and --output say; the exit status. */
int finish_report(struct rc_report *r, const struct options *o);

/*
 * Write @r to @path (atomically: a temp file beside it, then rename) or to
 * stdout when @path is NULL or "-", in @fmt.
 */
int output_write(const char *path, enum rc_report_format fmt, const struct rc_report *r,
		 const struct rc_text_opts *topts, struct rc_err *err);

/* Print @text word-wrapped at @width columns. */
void output_wrap(FILE *out, const char *text, int width);

/*
 * The static checks' options (--sysroot, --debug-dir, --state-type and the
 * policy's state_types, --require-debuginfo) for rc_ctx_open_binaries;
 * @types (MAX_STATE_TYPES * 2 entries) holds the merged type list.
 */
void binary_opts(const struct options *o, const struct rc_policy *p, struct rc_binary_opts *bo,
		 const char **types);

/*
 * --sysroot, when given, must be a directory (@ctx NULL: before opening
 * anything) that holds a libc.so.6 for NEW (@ctx: after rc_ctx_open_binaries);
 * 0, or -1 after a usage error was printed.
 */
int sysroot_usable(const struct options *o, const struct rc_ctx *ctx);

/* The pprof client options the command line gave (headers, TLS, timing, pid). */
void pprof_fetch_opts(const struct options *o, struct rc_pprof_fetch_opts *fo);

/* Load --policy (validated against the checks): 0, or the exit status after a message. */
int load_policy(const struct options *o, struct rc_policy **out);

/* Snapshot --pid with the command line's canaries, then the policy's (@p may be NULL). */
int probe_process(const struct options *o, const struct rc_policy *p, struct rc_snapshot **out,
		  struct rc_err *err);

/* rc_file_write_atomic() writer of a snapshot (--save). */
int write_snapshot(FILE *f, const void *arg, struct rc_err *err);

int cmd_diff(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_pprof(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_list_checks(int argc, char **argv);
int cmd_explain(int argc, char **argv);

#endif
