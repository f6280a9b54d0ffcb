/* SPDX-License-Identifier: MIT */
/*
 * A live target for `reloadcheck probe` (cmd/tests/test_probe.c, ci/bench-probe).
 * Built twice: probe/target, and probe/target_v2 with -DTARGET_V2.
 *
 *   target N [V2PATH] [--exit-after-ms MS]
 *
 * Starts N worker threads (named rc-w1 .. rc-wN). Every thread, main included,
 * sets the exported __thread variables rc_canary = 0x5eed0001 and rc_small = 7
 * at run time, from volatile globals the compiler cannot fold. A TCP listener
 * on 127.0.0.1, port 0, is opened without SOCK_CLOEXEC so it survives exec (or
 * taken over from LISTEN_FD when set). SIGHUP is caught (counted) and SIGUSR2
 * asks for a self-reload: the main loop, not the handler, execs V2PATH (else
 * argv[0]) with the same arguments plus LISTEN_FD=<fd>; the pid stays. When
 * every thread has set its canaries the program prints one line and waits:
 *
 *   pid <pid> port <port> threads <N> ready        (target)
 *   pid <pid> port <port> threads <N> ready v2     (target_v2)
 *
 * With --exit-after-ms MS it exits (status 0) MS milliseconds after that line.
 *
 * What the probe checks must see:
 *   target:    proc-tls pass (rc_canary=0x5eed0001, rc_small=7 in all N+1
 *              threads), proc-signals lists SIGHUP and SIGUSR2 as caught,
 *              proc-listeners lists 127.0.0.1:<port>.
 *   target_v2 (reached by SIGUSR2 from target, probed against a baseline of
 *              target): proc-signals fail signals.handler_lost (v2 installs
 *              no SIGHUP handler), proc-tls fail tls.canary_mismatch in one
 *              thread (rc-w1 sets rc_canary = 0xbad), proc-listeners pass
 *              (the listener survived exec), proc-identity proc.exe_changed.
 *
 * Worker threads block every signal, so SIGHUP and SIGUSR2 reach the main
 * thread, which waits for them in sigsuspend.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef TARGET_V2
#define VERSION_SUFFIX " v2"
#else
#define VERSION_SUFFIX ""
#endif

/* The canaries: exported, non-static, set at run time in every thread. */
__thread long rc_canary;
__thread int rc_small = 7;

/* Volatile so that each store reads memory: the values are not constants. */
volatile long rc_canary_value = 0x5eed0001;
volatile long rc_canary_bad = 0xbad;
volatile int rc_small_value = 7;

static volatile sig_atomic_t hup_count;
static volatile sig_atomic_t reload_requested;

static pthread_barrier_t ready_barrier;

static void die(const char *what)
{
	fprintf(stderr, "target: %s: %s\n", what, strerror(errno));
	exit(2);
}

#ifndef TARGET_V2
static void on_hup(int sig)
{
	(void)sig;
	hup_count++;
}
#endif

static void on_usr2(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void set_canaries(long index)
{
	rc_canary = rc_canary_value;
#ifdef TARGET_V2
	/* The bug a reload can bring: one thread's C context is not rebuilt. */
	if (index == 1)
		rc_canary = rc_canary_bad;
#else
	(void)index;
#endif
	rc_small = rc_small_value;
}

static void *worker(void *arg)
{
	long index = (long)arg;
	char name[16];

	snprintf(name, sizeof(name), "rc-w%ld", index);
	pthread_setname_np(pthread_self(), name);
	set_canaries(index);
	pthread_barrier_wait(&ready_barrier);
	for (;;)
		pause();
	return NULL;
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "target: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* The inherited listener from LISTEN_FD, or a new one on 127.0.0.1:0. */
static int open_listener(void)
{
	const char *inherited = getenv("LISTEN_FD");
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	if (inherited)
		return (int)parse_long(inherited, 0, INT_MAX, "LISTEN_FD");
	/* No SOCK_CLOEXEC: the descriptor must survive the self-reload. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(fd, 16) < 0)
		die("listen");
	return fd;
}

static int listener_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("getsockname on the listener");
	return ntohs(sa.sin_port);
}

static void reexec(int argc, char **argv, const char *v2path, int listen_fd, const sigset_t *mask)
{
	const char *path = v2path ? v2path : argv[0];
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	char fd[16];

	if (!args)
		die("calloc");
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	args[0] = (char *)path;
	snprintf(fd, sizeof(fd), "%d", listen_fd);
	if (setenv("LISTEN_FD", fd, 1) < 0)
		die("setenv");
	/* The blocked mask survives execve: hand over the one we started with. */
	pthread_sigmask(SIG_SETMASK, mask, NULL);
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "target: cannot exec %s: %s\n", path, strerror(errno));
	free(args);
}

int main(int argc, char **argv)
{
	const char *v2path = NULL;
	long nthreads = -1, exit_after_ms = -1;
	int extra = 0;
	struct sigaction sa = {0};
	sigset_t all, orig, waitset;
	pthread_attr_t attr;
	int listen_fd, port;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exit-after-ms") && i + 1 < argc)
			exit_after_ms = parse_long(argv[++i], 0, 3600000, "--exit-after-ms");
		else if (nthreads < 0)
			nthreads = parse_long(argv[i], 0, 100000, "thread count");
		else if (!v2path)
			v2path = argv[i];
		else
			extra++;
	}
	if (nthreads < 0 || extra) {
		fprintf(stderr, "usage: target N [V2PATH] [--exit-after-ms MS]\n");
		return 2;
	}

	listen_fd = open_listener();
	port = listener_port(listen_fd);

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
#ifndef TARGET_V2
	/* v2 forgets this handler: the next SIGHUP will terminate it. */
	sa.sa_handler = on_hup;
	if (sigaction(SIGHUP, &sa, NULL) < 0)
		die("sigaction SIGHUP");
#endif
	sa.sa_handler = on_usr2;
	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		die("sigaction SIGUSR2");

	/* Workers inherit a full mask; main gets its own back. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &orig);
	if (pthread_barrier_init(&ready_barrier, NULL, (unsigned)nthreads + 1))
		die("pthread_barrier_init");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (long i = 1; i <= nthreads; i++) {
		pthread_t t;
		int e = pthread_create(&t, &attr, worker, (void *)i);

		if (e) {
			errno = e;
			die("pthread_create");
		}
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &orig, NULL);

	set_canaries(0);
	pthread_barrier_wait(&ready_barrier);
	printf("pid %d port %d threads %ld ready%s\n", (int)getpid(), port, nthreads,
	       VERSION_SUFFIX);
	fflush(stdout);

	if (exit_after_ms >= 0) {
		struct timespec ts = {.tv_sec = exit_after_ms / 1000,
				      .tv_nsec = exit_after_ms % 1000 * 1000000L};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		exit(0);
	}

	sigemptyset(&waitset);
	sigaddset(&waitset, SIGHUP);
	sigaddset(&waitset, SIGUSR2);
	for (;;) {
		pthread_sigmask(SIG_BLOCK, &waitset, NULL);
		while (!reload_requested)
			sigsuspend(&orig);
		reload_requested = 0;
		reexec(argc, argv, v2path, listen_fd, &orig);
	}
}
