/* expect: symtab-presence fail gopclntab.lost
 * OLD is this C executable with a 64-byte .gopclntab section (a Go 1.20+
 * pclntab header: magic 0xfffffff1, quantum 1, pointer size 8, no functions)
 * added to its object file with objcopy --add-section before linking, so the
 * section is allocated and sits in a PT_LOAD. NEW is OLD with that section
 * removed by objcopy --remove-section: the Go function table that keeps
 * runtime.FuncForPC and pprof names working is gone. */
#include <stdio.h>

__attribute__((noinline)) int fix_work(int x)
{
	return x * 5 - 1;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_work(argc));
	return 0;
}
