/* expect: symtab-presence warn symtab.lost debuginfo.lost
 * OLD is a normal executable built with -g; NEW is OLD run through
 * strip --strip-all: .symtab, .strtab and every .debug_* section are gone
 * (.dynsym stays), so crash stacks and profiles of NEW lose their names. */
#include <stdio.h>

int fix_counter = 5;

__attribute__((noinline)) int fix_work(int x)
{
	return x * fix_counter + 1;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_work(argc));
	return 0;
}
