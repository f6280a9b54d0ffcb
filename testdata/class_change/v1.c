/* expect: elf-identity fail identity.class
 * OLD is this file built as a normal x86-64 (ELFCLASS64) executable; NEW is a
 * 32-bit i386 (ELFCLASS32, EM_386) executable written by tools/gen_elf. A
 * 64-bit process cannot be replaced in place by a 32-bit program. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", argc);
	return 0;
}
