/* expect: dwarf-layout fail dwarf.bitfield_moved
 * struct state packs bit-fields a:3, b:5 and c:8 into one unsigned int. NEW
 * (built with -DFIX_V2) adds an unnamed 2-bit padding field after a; unnamed
 * bit-fields have no DWARF member, so the member lists are the same, the
 * byte offsets and the size are the same, and only b and c start 2 bits
 * later (bits 3 and 8 -> 5 and 10). */

struct state {
	unsigned int a : 3;
#ifdef FIX_V2
	unsigned int : 2;
#endif
	unsigned int b : 5;
	unsigned int c : 8;
	int x;
};

struct state rc_state = {1, 2, 3, 4};

int rc_bits(void)
{
	return (int)(rc_state.a + rc_state.b + rc_state.c) + rc_state.x;
}
