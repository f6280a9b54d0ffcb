/* expect: symbol-drift fail symbol.removed
 * A shared library (soname libfix.so.1). OLD exports fix_alpha and fix_beta;
 * NEW (built with -DFIX_V2) no longer defines fix_beta, so a dlsym() or a
 * dependent object that binds to it breaks after the reload. */

int fix_alpha(int x)
{
	return x + 1;
}

#ifndef FIX_V2
int fix_beta(int x)
{
	return x * 2;
}
#endif
