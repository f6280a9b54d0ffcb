/* expect: symbol-drift fail symbol.resized
 * A shared library (soname libfix.so.1) exporting the array fix_table: 4 ints
 * (16 bytes) in OLD, 8 ints (32 bytes) in NEW (built with -DFIX_V2). Code
 * compiled against the old size (copy relocations, sizeof) silently breaks. */

#ifdef FIX_V2
int fix_table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
#else
int fix_table[4] = {1, 2, 3, 4};
#endif

int fix_lookup(int i)
{
	return fix_table[i & 3];
}
