/* expect: dynamic-deps pass needed.added
 * NEW (built with -DFIX_V2 and -lm) calls cos() on a run-time value, so it
 * gains DT_NEEDED libm.so.6. The library exists on the host and its versions
 * are satisfied, so this is information only: the verdict stays pass. */
#include <stdio.h>
#ifdef FIX_V2
#include <math.h>
#endif

int main(int argc, char **argv)
{
	double v = argc;

	(void)argv;
#ifdef FIX_V2
	v = cos(v);
#endif
	printf("%f\n", v);
	return 0;
}
