/* expect: dwarf-layout fail dwarf.offset_changed dwarf.size_changed
 * A shared library exporting rc_state, a struct state that lives on across a
 * reload (the dwarf_* convention: every case defines struct state and exports
 * the data object rc_state, whose type dwarf-layout always compares, so no
 * policy or --state-type is needed). NEW (built with -DFIX_V2) inserts the
 * long `generation` in the middle: `pending` and `flags` move from offsets 8
 * and 16 to 16 and 24 and the struct grows from 24 to 32 bytes. Built with
 * -O0 -gdwarf-5; dwarf_inserted_v4, dwarf_typeunits and dwarf_split build this
 * same file as DWARF 4, with .debug_types, and with separate debug files. */

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
