/* SPDX-License-Identifier: MIT */
/*
 * sigign CMD [ARG...]: run CMD with SIGHUP, SIGINT, SIG32 and SIG33 ignored
 * and SIGUSR1 blocked, the state some supervisors start programs in, for the
 * test that `reload --exec` gives its command default dispositions and an
 * empty mask (cmd/tests/test_reload.sh). glibc's sigaction() refuses its
 * reserved SIG32 and SIG33, so the raw system call sets them.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* A kernel sigaction: handler, flags, restorer, mask; SIG_IGN is 1. */
	unsigned long ksa[8] = {(unsigned long)SIG_IGN};
	static const int sigs[] = {SIGHUP, SIGINT, 32, 33};
	sigset_t block;

	if (argc < 2) {
		fprintf(stderr, "usage: sigign CMD [ARG...]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (syscall(SYS_rt_sigaction, sigs[i], ksa, NULL, (size_t)(NSIG - 1) / 8) != 0) {
			perror("sigign: rt_sigaction");
			return 1;
		}
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	execvp(argv[1], argv + 1);
	perror("sigign: exec");
	return 127;
}
