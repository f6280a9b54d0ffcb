/* expect: dwarf-layout error
 * OLD is this library built with -O0 -gdwarf-5; NEW is OLD with one byte of
 * .debug_info patched (testdata/tools/patch_elf section-bytes): the
 * abbreviation code of the first compilation unit's DIE, at offset 12 just
 * after the DWARF 5 unit header, becomes 0x7f, which the unit's abbreviation
 * table does not define. Nothing else differs, so the only verdict worse than
 * pass is dwarf-layout's error. */

struct state {
	long id;
	int flags;
};

struct state rc_state = {1, 2};

long rc_id(void)
{
	return rc_state.id;
}
