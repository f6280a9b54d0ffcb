/* SPDX-License-Identifier: MIT */
/*
 * Test target for lib/tests/test_tls.c (rci_tls_read). Built three ways:
 *  - TLS_TARGET_LIB: libtls_target_lib.so, a __thread canary in a shared object;
 *  - tls_target: dynamic executable linked to that library (libthread_db path);
 *  - tls_target_static (TLS_TARGET_STATIC, linked -static), and a copy with
 *    every symbol stripped but the canaries: the static-TLS fallback;
 *  - tls_target_nolibc (TLS_TARGET_NOLIBC, x86-64): no libc and no TLS at all,
 *    as in a pure Go process: canaries are not applicable.
 *
 * Usage: tls_target N [clone]. Starts N threads; thread i (the main thread is 0) sets
 * rc_canary = 0x1000 + i, rc_small = 0x20 + i and rc_lib_canary = 0x5000 + i,
 * prints "tid TID I", then when all are set "pid PID" and "ready", and sleeps.
 * With "clone", one more thread is made with a raw clone(), as a language
 * runtime might: glibc does not know it ("clone TID").
 */
#ifdef TLS_TARGET_LIB

__thread long rc_lib_canary;

void rc_lib_set(long v)
{
	rc_lib_canary = v;
}

#elif defined(TLS_TARGET_NOLIBC)

static long sys3(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	static const char msg[] = "ready\n";

	sys3(1 /* write */, 1, (long)msg, sizeof(msg) - 1);
	for (;;)
		sys3(34 /* pause */, 0, 0, 0);
}

#else

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread long rc_canary;
__thread int rc_small;
__thread char rc_wide[16];

#ifndef TLS_TARGET_STATIC
void rc_lib_set(long v);
#endif

static pthread_barrier_t all_set;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_canaries(long i)
{
	/* Values derived at run time so that nothing could come from the ELF image. */
	rc_canary = 0x1000 + i;
	rc_small = (int)(0x20 + i);
	rc_wide[0] = (char)i;
#ifndef TLS_TARGET_STATIC
	rc_lib_set(0x5000 + i);
#endif
	pthread_mutex_lock(&out_lock);
	printf("tid %ld %ld\n", (long)syscall(SYS_gettid), i);
	pthread_mutex_unlock(&out_lock);
}

static void *thread_main(void *arg)
{
	set_canaries((long)(size_t)arg);
	pthread_barrier_wait(&all_set);
	for (;;)
		pause();
	return NULL;
}

static int raw_thread(void *arg)
{
	for (;;)
		syscall(SYS_pause);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 4;
	pthread_attr_t attr;

	if (n < 0 || n > 100000)
		return 2;
	pthread_barrier_init(&all_set, NULL, (unsigned)n + 1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	set_canaries(0);
	for (long i = 1; i <= n; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, thread_main, (void *)(size_t)i)) {
			fprintf(stderr, "pthread_create failed at thread %ld\n", i);
			return 1;
		}
	}
	pthread_barrier_wait(&all_set);
	if (argc > 2 && !strcmp(argv[2], "clone")) {
		size_t size = 64 * 1024;
		char *stack = malloc(size);
		int tid = stack ? clone(raw_thread, stack + size,
					CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
						CLONE_THREAD | CLONE_SYSVSEM,
					NULL)
				: -1;

		if (tid < 0)
			return 1;
		printf("clone %d\n", tid);
	}
	printf("pid %ld\nready\n", (long)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

#endif
