/* expect: dwarf-layout fail dwarf.member_retyped
 * struct state's last member `count` is an int in OLD and an unsigned int in
 * NEW (built with -DFIX_V2): same size, same offset, same struct size, but a
 * negative count written by OLD is a huge one in NEW. */

struct state {
	long id;
	int kind;
#ifdef FIX_V2
	unsigned int count;
#else
	int count;
#endif
};

struct state rc_state = {1, 2, 3};

long rc_count(void)
{
	return rc_state.count;
}
