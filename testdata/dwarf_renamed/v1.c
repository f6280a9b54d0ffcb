/* expect: dwarf-layout pass dwarf.renamed
 * NEW (built with -DFIX_V2) renames struct state's member `pending` to
 * `queued`; its type, offset and size stay the same, as does everything else,
 * so the layout is unchanged and dwarf-layout only informs. */

struct state {
	long id;
#ifdef FIX_V2
	long queued;
#else
	long pending;
#endif
	int flags;
};

struct state rc_state = {1, 2, 3};

long rc_id(void)
{
	return rc_state.id;
}
