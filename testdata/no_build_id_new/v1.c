/* expect: build-id warn build_id.missing_new
 * The same source linked twice: OLD with -Wl,--build-id=sha1, NEW with
 * -Wl,--build-id=none, so NEW has no .note.gnu.build-id and profiles or
 * debuginfod lookups keyed by build-id cannot identify it. */
#include <stdio.h>

__attribute__((noinline)) int fix_work(int x)
{
	return x * 11 + 2;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fix_work(argc));
	return 0;
}
