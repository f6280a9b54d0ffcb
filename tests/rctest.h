/* SPDX-License-Identifier: MIT */
/*
 * The main() of every Check test executable that has tests the machine may
 * not be able to run (no root, no gdb, no IPv6...). Such tests are in TCases
 * of their own, tagged with what they need; the executable runs them only
 * when asked by that tag, and exits RC_TEST_SKIP when the need is not met, so
 * that CTest (SKIP_RETURN_CODE, see rc_add_test in the top CMakeLists.txt)
 * reports them as skipped rather than passed.
 */
#ifndef RCTEST_H
#define RCTEST_H

#include <check.h>
#include <stddef.h>

/* Exit status of a test that cannot run here; CTest reports it as skipped. */
#define RC_TEST_SKIP 77

/*
 * Something some TCases need from the machine. Those TCases carry @tag
 * (tcase_set_tags); @missing returns NULL when the machine has it, else what
 * is missing ("needs root").
 */
struct rc_test_need {
	const char *tag;
	const char *(*missing)(void);
};

/*
 * Run @sr and free it. Without arguments, the TCases that carry none of the
 * @n tags of @needs run. With one argument, a tag of @needs, only the TCases
 * with that tag run, if the need is met; if not, prints "skipped: <why>" and
 * returns RC_TEST_SKIP. Returns the exit status for main(): 0 when every test
 * passed, 1 when one failed, 2 on a bad argument.
 */
int rc_test_run(SRunner *sr, const struct rc_test_need *needs, size_t n, int argc, char **argv);

/* Needs shared by several tests: NULL when met, else why not. */
const char *rc_test_need_root(void);

#endif
