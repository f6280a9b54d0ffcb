/* expect: dynamic-deps fail version.unavailable
 * OLD is a normal executable linked against the host glibc (2.36); it needs
 * GLIBC_2.34 (__libc_start_main) and GLIBC_2.2.5. NEW is a copy of OLD whose
 * GLIBC_2.34 requirement was renamed to GLIBC_2.38 by tools/set_verneed (name
 * in .dynstr and vna_hash in .gnu.version_r), exactly what linking on a newer
 * glibc produces: ld.so on this host refuses to start it. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", argc);
	return 0;
}
