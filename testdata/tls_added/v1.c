/* expect: tls-layout warn tls.var_added
 * OLD has one initialised TLS variable, fix_tls_counter (int, 7). NEW (built
 * with -DFIX_V2) adds a second global initialised one, fix_tls_new (long, 42),
 * so PT_TLS grows and a thread-local C context the old process had built up
 * is not what the new layout expects. Both are used at run time. */
#include <stdio.h>

/*
 * GCC lays out .tdata in reverse order of definition: defining fix_tls_new
 * first keeps fix_tls_counter at TLS offset 0 in both builds, so the only
 * change is the addition.
 */
#ifdef FIX_V2
__thread long fix_tls_new = 42;
#endif
__thread int fix_tls_counter = 7;

__attribute__((noinline)) long fix_tick(int x)
{
	long v;

	fix_tls_counter += x;
	v = fix_tls_counter;
#ifdef FIX_V2
	fix_tls_new += x;
	v += fix_tls_new;
#endif
	return v;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%ld\n", fix_tick(argc));
	return 0;
}
