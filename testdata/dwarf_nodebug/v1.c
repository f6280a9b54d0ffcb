/* expect: dwarf-layout skip
 * The change of dwarf_inserted (a long inserted in the middle of struct
 * state), built without debug information (-g0): there is nothing to compare
 * layouts with, so dwarf-layout skips and says why (it fails with
 * --require-debuginfo). symbol-drift still sees rc_state grow. */

struct state {
	long id;
#ifdef FIX_V2
	long generation;
#endif
	long pending;
	int flags;
};

struct state rc_state = {1, 2, 3};

long rc_pending(void)
{
	return rc_state.pending;
}
