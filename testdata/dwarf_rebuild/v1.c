/* expect: dwarf-layout pass
 * Nothing in any layout changes, but NEW (built with -DFIX_V2) has more code
 * and more types, so every DIE offset, the abbreviation table and the string
 * offsets differ. struct state uses most kinds of member: a nested struct, a
 * union, an enum, bit-fields, a 2-dimensional array, a typedef, a pointer to
 * its own type and a function pointer; the library also exports an array of
 * them and a TLS struct. */

typedef unsigned long counter_t;

enum phase { PHASE_INIT, PHASE_RUN = 4, PHASE_DONE = -1 };

struct limits {
	int soft;
	int hard;
};

union value {
	long l;
	double d;
	char bytes[8];
};

struct state {
	counter_t hits;
	struct limits lim;
	union value last;
	enum phase phase;
	unsigned int ready : 1;
	unsigned int level : 4;
	short grid[3][4];
	struct state *next;
	int (*cb)(struct state *);
};

struct tstate {
	struct limits lim;
	counter_t calls;
};

struct state rc_state = {.hits = 1, .phase = PHASE_RUN};
struct state rc_states[4];
__thread struct tstate rc_tls;

#ifdef FIX_V2
struct audit {
	const char *who;
	long when;
};

static long audit_total(const struct audit *a, int n)
{
	long t = 0;

	for (int i = 0; i < n; i++)
		t += a[i].when;
	return t;
}
#endif

long rc_tick(void)
{
	long v = (long)rc_state.hits++ + rc_state.lim.soft + rc_states[1].grid[2][3];

	rc_tls.calls++;
#ifdef FIX_V2
	{
		struct audit a[2] = {{"tick", v}, {"tls", (long)rc_tls.calls}};

		v += audit_total(a, 2);
	}
#endif
	return v;
}
