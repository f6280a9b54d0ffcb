/* SPDX-License-Identifier: MIT */
/*
 * reloadcheck: the command line. The command table and the help; each
 * command lives in its own cmd_<name>.c, which parses its options, calls the
 * library and the checks' runner, and prints. Only this layer prints or exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <reloadcheck/report.h>

#include "cli.h"

const char help_text[] =
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
	"  reload              diff the running exe against NEW (a fail refuses), snapshot\n"
	"                      the process, trigger its reload, find the process that\n"
	"                      exec'd, snapshot it and compare\n"
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
	"      --policy FILE            as for gate: suppressions, fail_on, canaries, listeners\n"
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
	"      --baseline FILE, --save FILE  compare with / write its snapshot (as probe)\n"
	"      --pprof URL              also check its pprof endpoint (--seconds, --header)\n"
	"      --pprof-baseline FILE    compare with a summary saved by 'pprof --save'\n"
	"      --policy FILE            enable/disable checks, severity overrides, suppressions\n"
	"                               with reasons, thresholds, fail_on, inputs (JSON)\n"
	"      --report FILE.json       the JSON report, written atomically\n"
	"      --junit FILE.xml         JUnit XML: one testcase per check\n"
	"      --prom FILE.prom         Prometheus textfile (node_exporter collector)\n"
	"\n"
	"Options for reload:\n"
	"      --pid PID, --new NEW     the process to reload and the binary it should run;\n"
	"                               when the static checks of /proc/PID/exe against NEW\n"
	"                               fail, nothing is triggered (exit 1)\n"
	"      --force                  trigger even then (recorded in the report)\n"
	"      --signal SIG             trigger: HUP, USR1, USR2, TERM, INT or QUIT, or\n"
	"      --exec 'COMMAND'         trigger: run /bin/sh -c COMMAND with default signal\n"
	"                               dispositions, no signal blocked, stdin /dev/null, its\n"
	"                               own process group; its status and output in the report\n"
	"      --pidfile FILE           where the new process writes its pid (else PID itself\n"
	"                               or a new child of PID, whichever exec'd: a forked\n"
	"                               worker that did not exec is never the new process)\n"
	"      --wait S                 give up when nothing exec'd within S s (default 30)\n"
	"      --pprof URL, --tls-canary SYM=VALUE  also compare profiling and canaries\n"
	"      --policy FILE            as for gate; it also decides the preflight\n"
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

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"diff", cmd_diff},	{"explain", cmd_explain},
	{"gate", cmd_gate},	{"list-checks", cmd_list_checks},
	{"pprof", cmd_pprof},	{"probe", cmd_probe},
	{"reload", cmd_reload},
};

/* Edit distance of @a and @b (short words), to tell a typed command from a file name. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[32];

	if (la >= 32 || lb >= 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The command @word is probably a typo of, or NULL: only when no file is called @word. */
static const char *nearest_command(const char *word)
{
	const char *best = NULL;
	size_t best_d = 3; /* at most two edits */

	if (word[0] == '-' || access(word, F_OK) == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t d = distance(word, commands[i].name);

		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *typo;

	if (argc < 2) {
		usage_error("missing OLD and NEW (or a command)");
		return RC_EXIT_USAGE;
	}
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		fputs(help_text, stdout);
		return RC_EXIT_PASS;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("reloadcheck %s\n", RC_VERSION);
		return RC_EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	typo = nearest_command(argv[1]);
	if (typo) {
		usage_error("unknown command '%s': did you mean '%s'?", argv[1], typo);
		return RC_EXIT_USAGE;
	}
	/* `reloadcheck [OPTIONS] OLD NEW` is `reloadcheck diff [OPTIONS] OLD NEW`. */
	return cmd_diff(argc, argv);
}
