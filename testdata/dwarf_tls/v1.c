/* expect: dwarf-layout fail dwarf.size_changed
 * Besides the exported rc_state (unchanged), the library exports the TLS
 * variable rc_tls of type struct tstate. NEW (built with -DFIX_V2) appends
 * char scratch[64] to struct tstate: it grows from 16 to 80 bytes and so does
 * every thread's block (dwarf-layout always compares the types of TLS
 * variables). */

struct state {
	long id;
	int flags;
};

struct tstate {
	long hits;
	int depth;
#ifdef FIX_V2
	char scratch[64];
#endif
};

struct state rc_state = {1, 2};
__thread struct tstate rc_tls = {1, 2};

long rc_hit(void)
{
	rc_tls.hits++;
	return rc_tls.hits + rc_state.id;
}
