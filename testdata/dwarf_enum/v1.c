/* expect: dwarf-layout fail dwarf.enum_value_changed
 * struct state has an enum mode member. NEW (built with -DFIX_V2) declares
 * MODE_STOP before MODE_RUN, so their values swap (RUN 1 -> 2, STOP 2 -> 1)
 * while the names, the enum's size and struct state's layout stay the same:
 * a saved MODE_RUN reads back as MODE_STOP. */

enum mode {
	MODE_IDLE,
#ifdef FIX_V2
	MODE_STOP,
	MODE_RUN,
#else
	MODE_RUN,
	MODE_STOP,
#endif
};

struct state {
	long id;
	enum mode mode;
};

struct state rc_state = {1, MODE_RUN};

int rc_running(void)
{
	return rc_state.mode == MODE_RUN;
}
