/* SPDX-License-Identifier: MIT */
/* reloadcheck list-checks, reloadcheck explain CHECK-ID: the registry, for people. */
#include <stdio.h>

#include <reloadcheck/check.h>
#include <reloadcheck/registry.h>

#include "cli.h"

int cmd_list_checks(int argc, char **argv)
{
	size_t n;
	const struct rc_check *const *all = rc_registry(&n);

	if (argc > 1) {
		usage_error("list-checks takes no arguments");
		return RC_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-18s %s\n", all[i]->id, all[i]->summary);
	return RC_EXIT_PASS;
}

/* What each input a check needs is, in the words of the command line. */
static const struct {
	unsigned bit;
	const char *what;
} needs[] = {
	{RC_NEEDS_BINARIES, "OLD and NEW binaries"},
	{RC_NEEDS_HOST_LIBC, "the host's libc.so.6 (or --sysroot)"},
	{RC_NEEDS_DWARF, "their debug information when there is some (--debug-dir)"},
	{RC_NEEDS_PROCESS, "a running process (--pid)"},
	{RC_NEEDS_PPROF, "a pprof endpoint (--url, --pprof) or a profile (--profile)"},
};

int cmd_explain(int argc, char **argv)
{
	const struct rc_check *c;

	if (argc != 2) {
		usage_error("explain takes one check id (see 'reloadcheck list-checks')");
		return RC_EXIT_USAGE;
	}
	c = rc_registry_find(argv[1]);
	if (!c) {
		usage_error("unknown check '%s' (see 'reloadcheck list-checks')", argv[1]);
		return RC_EXIT_USAGE;
	}
	printf("%s: %s\n\n", c->id, c->summary);
	output_wrap(stdout, c->explain, 78);
	fputs("\nNeeds:", stdout);
	for (size_t i = 0, n = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (c->needs & needs[i].bit)
			printf("%s %s", n++ ? "," : "", needs[i].what);
	putchar('\n');
	return RC_EXIT_PASS;
}
