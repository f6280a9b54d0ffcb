/* expect: symbol-drift pass
 * An executable whose global functions carry GCC clone suffixes and a cgo
 * wrapper hash, named with asm labels so the names are exact. Between OLD and
 * NEW (built with -DFIX_V2) only the clone numbers and the cgo hash change:
 * .isra.0 -> .isra.3, .constprop.1 -> .constprop.2, .part.0 -> .part.1,
 * .lto_priv.0 -> .lto_priv.4, .part.0.cold -> .part.1.cold (a chained
 * suffix, as GCC emits it), .cold unchanged, and _cgo_0a1b2c3d4e5f_Cfunc_puts
 * -> _cgo_9f8e7d6c5b4a_Cfunc_puts. Bodies and sizes are identical, so after
 * normalising the names nothing is added or removed. */
#include <stdio.h>

#ifdef FIX_V2
#define FIX_NAME(v1, v2) __asm__(v2)
#else
#define FIX_NAME(v1, v2) __asm__(v1)
#endif

/* noclone: GCC must not make real clones of these, whose names would vary. */
#define FIX_KEEP __attribute__((noinline, noclone, used))

FIX_KEEP int fix_helper(int x) FIX_NAME("fix_helper.isra.0", "fix_helper.isra.3");
FIX_KEEP int fix_scale(int x) FIX_NAME("fix_scale.constprop.1", "fix_scale.constprop.2");
FIX_KEEP int fix_split(int x) FIX_NAME("fix_split.part.0", "fix_split.part.1");
FIX_KEEP int fix_lookup(int x) FIX_NAME("fix_lookup.lto_priv.0", "fix_lookup.lto_priv.4");
FIX_KEEP __attribute__((cold)) int fix_split_cold(int x)
	FIX_NAME("fix_split.part.0.cold", "fix_split.part.1.cold");
FIX_KEEP __attribute__((cold)) int fix_fail(int x) __asm__("fix_fail.cold");
FIX_KEEP void fix_cgo_puts(const char *s)
	FIX_NAME("_cgo_0a1b2c3d4e5f_Cfunc_puts", "_cgo_9f8e7d6c5b4a_Cfunc_puts");

int fix_helper(int x)
{
	return x + 1;
}

int fix_scale(int x)
{
	return x * 7;
}

int fix_split(int x)
{
	return x - 2;
}

int fix_lookup(int x)
{
	static const int table[4] = {3, 1, 4, 1};

	return table[x & 3];
}

int fix_split_cold(int x)
{
	return x / 3;
}

int fix_fail(int x)
{
	return -x;
}

void fix_cgo_puts(const char *s)
{
	puts(s);
}

/*
 * Called through a volatile table so that GCC neither folds the calls nor
 * splits main into a hot and a cold part (which would add main.cold).
 */
static int (*volatile const fix_calls[])(int) = {
	fix_helper, fix_scale, fix_split, fix_lookup, fix_split_cold, fix_fail,
};

int main(int argc, char **argv)
{
	int v = 0;
	size_t i;

	for (i = 0; i < sizeof(fix_calls) / sizeof(fix_calls[0]); i++)
		v += fix_calls[i](argc);
	fix_cgo_puts(argv[0]);
	return v == 0;
}
