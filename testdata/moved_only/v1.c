/* expect: symbol-drift pass
 * NEW (built with -DFIX_V2) inserts 64 bytes of padding at the start of this
 * file's .text and .data without naming them: every function and object
 * defined here moves to a higher address, but no symbol is added, removed or
 * resized, so the address-insensitive digests are equal (metrics: moved > 0). */
#include <stdio.h>

#ifdef FIX_V2
__asm__(".pushsection .text\n\t.skip 64\n\t.popsection\n"
	".pushsection .data\n\t.skip 64\n\t.popsection\n");
#endif

int fix_counter = 3;
int fix_table[4] = {1, 2, 3, 4};

__attribute__((noinline)) int fix_scale(int x)
{
	return x * 3 + fix_counter;
}

__attribute__((noinline)) int fix_mix(int x)
{
	return fix_scale(x) ^ fix_table[x & 3];
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_mix(argc));
	return 0;
}
