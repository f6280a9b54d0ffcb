/* expect: elf-identity warn identity.pie
 * The same source built twice: OLD with -fno-pie -no-pie (ET_EXEC at a fixed
 * address), NEW with -fpie -pie (ET_DYN with DF_1_PIE, randomised base).
 * Anything that cached absolute addresses of OLD is wrong for NEW. */
#include <stdio.h>

int fix_counter = 9;

__attribute__((noinline)) int fix_work(int x)
{
	return x + fix_counter;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_work(argc));
	return 0;
}
