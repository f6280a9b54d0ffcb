/* expect: build-id pass build_id.identical
 * expect: symbol-drift pass
 * expect: elf-identity pass
 * expect: dynamic-deps pass
 * expect: tls-layout pass
 * expect: symtab-presence pass
 * The same source compiled twice with the same pinned flags into OLD and NEW:
 * the two files are byte-for-byte identical (same GNU build-id), so every
 * static check passes. It has a TLS variable, exported data and a libc
 * import so that the passing checks have something to compare. */
#include <stdio.h>

__thread int fix_tls_counter = 7;
int fix_table[4] = {1, 2, 3, 4};

__attribute__((noinline)) int fix_step(int x)
{
	fix_tls_counter += x;
	return fix_table[x & 3] + fix_tls_counter;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_step(argc));
	return 0;
}
