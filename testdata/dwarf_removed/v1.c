/* expect: dwarf-layout fail dwarf.member_removed dwarf.offset_changed dwarf.size_changed
 * NEW (built with -DFIX_V2) removes the long `pending` from the middle of
 * struct state: flags moves from offset 16 to 8 and the struct shrinks from
 * 24 to 16 bytes. */

struct state {
	long id;
#ifndef FIX_V2
	long pending;
#endif
	int flags;
};

struct state rc_state = {1, 2};

long rc_id(void)
{
	return rc_state.id;
}
