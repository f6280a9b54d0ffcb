/* expect: dwarf-layout warn dwarf.member_added_in_padding
 * struct state {long a; int b;} is 16 bytes, the last 4 of them tail padding.
 * NEW (built with -DFIX_V2) appends int c, which goes into that padding: the
 * size and every old offset stay the same, but state written by OLD has
 * whatever was in the padding (zeros, garbage) where NEW reads c. */

struct state {
	long a;
	int b;
#ifdef FIX_V2
	int c;
#endif
};

struct state rc_state = {1, 2};

long rc_sum(void)
{
	return rc_state.a + rc_state.b;
}
