/* expect: dwarf-layout fail dwarf.array_resized dwarf.size_changed
 * struct state ends with char name[16]; NEW (built with -DFIX_V2) makes it
 * char name[32]. No other member moves, but the struct grows from 24 to 40
 * bytes. */

struct state {
	long id;
#ifdef FIX_V2
	char name[32];
#else
	char name[16];
#endif
};

struct state rc_state = {1, "rc"};

const char *rc_name(void)
{
	return rc_state.name;
}
