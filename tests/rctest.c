/* SPDX-License-Identifier: MIT */
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *rc_test_need_root(void)
{
	return geteuid() == 0 ? NULL : "needs root";
}

int rc_test_run(SRunner *sr, const struct rc_test_need *needs, size_t n, int argc, char **argv)
{
	const struct rc_test_need *need = NULL;
	char exclude[512] = "";
	size_t used = 0;
	int failed;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [NEED]\n", argv[0]);
		srunner_free(sr);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(exclude + used, sizeof(exclude) - used, "%s%s", used ? " " : "",
				 needs[i].tag);

		if (w < 0 || (size_t)w >= sizeof(exclude) - used) {
			fprintf(stderr, "%s: too many needs\n", argv[0]);
			srunner_free(sr);
			return 2;
		}
		used += (size_t)w;
		if (argc == 2 && strcmp(argv[1], needs[i].tag) == 0)
			need = &needs[i];
	}
	if (argc == 2 && !need) {
		fprintf(stderr, "%s: unknown need '%s'\n", argv[0], argv[1]);
		srunner_free(sr);
		return 2;
	}
	if (need) {
		const char *why = need->missing();

		if (why) {
			printf("skipped: %s: %s\n", need->tag, why);
			srunner_free(sr);
			return RC_TEST_SKIP;
		}
		srunner_run_tagged(sr, NULL, NULL, need->tag, NULL, CK_NORMAL);
	} else {
		srunner_run_tagged(sr, NULL, NULL, NULL, n ? exclude : NULL, CK_NORMAL);
	}
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
