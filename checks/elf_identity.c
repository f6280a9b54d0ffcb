/* SPDX-License-Identifier: MIT */
/*
 * elf-identity: is NEW the same kind of program as OLD? Class, byte order and
 * machine decide whether NEW can run where OLD runs at all; OS ABI, type, PIE,
 * interpreter and static/dynamic linkage change how it is loaded.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

/* Static-pie has PT_DYNAMIC (for self-relocation) but no interpreter: it is static. */
enum linkage {
	LINK_STATIC,
	LINK_STATIC_PIE,
	LINK_DYNAMIC,
};

static enum linkage linkage_of(const struct rc_elf_ident *id)
{
	if (!id->dynamic)
		return LINK_STATIC;
	if (id->pie && !id->interp)
		return LINK_STATIC_PIE;
	return LINK_DYNAMIC;
}

static const char *linkage_name(enum linkage l)
{
	switch (l) {
	case LINK_STATIC:
		return "static";
	case LINK_STATIC_PIE:
		return "static-pie";
	case LINK_DYNAMIC:
		break;
	}
	return "dynamic";
}

static const char *machine_str(unsigned m)
{
	const char *s = rc_elf_machine_name(m);

	return s ? s : "unknown machine";
}

static const char *osabi_str(unsigned v)
{
	const char *s = rc_elf_osabi_name(v);

	return s ? s : "other";
}

static const char *type_str(unsigned t)
{
	const char *s = rc_elf_type_name(t);

	return s ? s : "unknown";
}

/*
 * Names for an old/new pair of numbers. Unknown values share one generic
 * name, so when the names collide both get their number.
 */
static void name_pair(const char *(*name)(unsigned), unsigned o, unsigned n, char *ob, char *nb,
		      size_t size)
{
	const char *os = name(o), *ns = name(n);

	if (strcmp(os, ns) == 0) {
		snprintf(ob, size, "%s (%u)", os, o);
		snprintf(nb, size, "%s (%u)", ns, n);
	} else {
		snprintf(ob, size, "%s", os);
		snprintf(nb, size, "%s", ns);
	}
}

static bool linux_osabi(unsigned v)
{
	return v == ELFOSABI_NONE || v == ELFOSABI_GNU;
}

static const char *order_str(bool big_endian)
{
	return big_endian ? "MSB" : "LSB";
}

static const char *interp_str(const char *interp)
{
	return interp ? interp : "none";
}

/* "x86-64 ELF64 LSB PIE, interpreter /lib64/ld-linux-x86-64.so.2" */
static void describe(const struct rc_elf_ident *id, char *buf, size_t size)
{
	const char *kind = id->pie ? "PIE" : type_str(id->type);
	const char *how;

	switch (linkage_of(id)) {
	case LINK_STATIC:
		how = "statically linked";
		break;
	case LINK_STATIC_PIE:
		how = "static-pie linked";
		break;
	default:
		how = id->interp ? "interpreter " : "dynamically linked, no interpreter";
		break;
	}
	snprintf(buf, size, "%s ELF%u %s %s, %s%s", machine_str(id->machine), id->elfclass,
		 order_str(id->big_endian), kind, how, id->interp ? id->interp : "");
}

static bool str_changed(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

static void detail_old_new(struct rc_finding *f, const char *o, const char *n)
{
	rc_finding_str(f, "old", o);
	rc_finding_str(f, "new", n);
}

/* EXEC <-> DYN where exactly the PIE flag flipped: one story, told by identity.pie. */
static bool type_change_is_pie_flip(const struct rc_elf_ident *o, const struct rc_elf_ident *n)
{
	const struct rc_elf_ident *pie = o->pie ? o : n;
	const struct rc_elf_ident *exec = o->pie ? n : o;

	return o->pie != n->pie && pie->type == ET_DYN && exec->type == ET_EXEC;
}

static int elf_identity_run(const struct rc_ctx *ctx, struct rc_check_result *out,
			    struct rc_err *err)
{
	struct rc_elf_ident o, n;
	struct rc_finding *f;
	char ob[64], nb[64];
	enum linkage ol, nl;
	bool linkage_changed;

	rc_elf_ident(ctx->old_elf, &o);
	rc_elf_ident(ctx->new_elf, &n);
	ol = linkage_of(&o);
	nl = linkage_of(&n);
	linkage_changed = (ol == LINK_DYNAMIC) != (nl == LINK_DYNAMIC);

	if (o.elfclass != n.elfclass) {
		f = rc_result_add(out, RC_SEV_FAIL, "identity.class",
				  "ELF class changed from ELF%u to ELF%u: NEW is built for a "
				  "different word size and ABI than the process it would replace",
				  o.elfclass, n.elfclass);
		rc_finding_uint(f, "old", o.elfclass);
		rc_finding_uint(f, "new", n.elfclass);
	}
	if (o.big_endian != n.big_endian) {
		f = rc_result_add(out, RC_SEV_FAIL, "identity.byte_order",
				  "byte order changed from %s to %s: NEW cannot run where OLD runs",
				  order_str(o.big_endian), order_str(n.big_endian));
		detail_old_new(f, order_str(o.big_endian), order_str(n.big_endian));
	}
	if (o.machine != n.machine) {
		name_pair(machine_str, o.machine, n.machine, ob, nb, sizeof(ob));

		f = rc_result_add(out, RC_SEV_FAIL, "identity.machine",
				  "machine changed from %s to %s: NEW is built for a different CPU "
				  "and exec will fail with ENOEXEC where OLD runs",
				  ob, nb);
		detail_old_new(f, machine_str(o.machine), machine_str(n.machine));
		rc_finding_uint(f, "old_value", o.machine);
		rc_finding_uint(f, "new_value", n.machine);
	}
	if (o.osabi != n.osabi || o.abiversion != n.abiversion) {
		/*
		 * ELFOSABI_GNU only says the file uses GNU extensions (IFUNC, unique
		 * symbols); Linux loads it exactly like ELFOSABI_NONE.
		 */
		bool linux_same = o.abiversion == n.abiversion && linux_osabi(o.osabi) &&
				  linux_osabi(n.osabi);

		name_pair(osabi_str, o.osabi, n.osabi, ob, nb, sizeof(ob));
		if (linux_same)
			f = rc_result_add(out, RC_SEV_INFO, "identity.osabi",
					  "OS ABI changed from %s to %s: both load the same way on "
					  "Linux (GNU only marks GNU extensions such as IFUNC)",
					  ob, nb);
		else
			f = rc_result_add(
				out, RC_SEV_WARN, "identity.osabi",
				"OS ABI changed from %s (ABI version %u) to %s (ABI version "
				"%u): NEW is built for a different operating system ABI",
				ob, o.abiversion, nb, n.abiversion);
		detail_old_new(f, osabi_str(o.osabi), osabi_str(n.osabi));
		rc_finding_uint(f, "old_value", o.osabi);
		rc_finding_uint(f, "new_value", n.osabi);
		rc_finding_uint(f, "old_abiversion", o.abiversion);
		rc_finding_uint(f, "new_abiversion", n.abiversion);
	}
	if (o.type != n.type && !type_change_is_pie_flip(&o, &n)) {
		name_pair(type_str, o.type, n.type, ob, nb, sizeof(ob));

		f = rc_result_add(
			out, RC_SEV_WARN, "identity.type",
			"ELF type changed from %s to %s: check that NEW is the executable "
			"you meant to deploy",
			ob, nb);
		detail_old_new(f, type_str(o.type), type_str(n.type));
		rc_finding_uint(f, "old_value", o.type);
		rc_finding_uint(f, "new_value", n.type);
	}
	if (o.pie != n.pie) {
		f = rc_result_add(
			out, RC_SEV_WARN, "identity.pie",
			n.pie ? "NEW is position-independent (PIE) but OLD was not: load "
				"addresses are now randomised, so absolute addresses taken "
				"from OLD (perf maps, saved PCs, symbol offsets) no longer apply"
			      : "NEW is not position-independent (PIE) but OLD was: NEW loads "
				"at a fixed address without ASLR, and addresses taken from OLD "
				"no longer apply");
		rc_finding_bool(f, "old", o.pie);
		rc_finding_bool(f, "new", n.pie);
	}
	if (linkage_changed) {
		f = rc_result_add(out, RC_SEV_WARN, "identity.linkage",
				  "linkage changed from %s to %s (interpreter %s -> %s): shared "
				  "libraries, LD_PRELOAD and NSS/dlopen behave differently in NEW",
				  linkage_name(ol), linkage_name(nl), interp_str(o.interp),
				  interp_str(n.interp));
		detail_old_new(f, linkage_name(ol), linkage_name(nl));
		if (o.interp)
			rc_finding_str(f, "old_interpreter", o.interp);
		if (n.interp)
			rc_finding_str(f, "new_interpreter", n.interp);
	} else if (str_changed(o.interp, n.interp)) {
		if (o.interp && n.interp)
			f = rc_result_add(
				out, RC_SEV_WARN, "identity.interpreter",
				"interpreter changed from %s to %s: NEW is loaded by a "
				"different dynamic linker, which must exist on every host",
				o.interp, n.interp);
		else if (o.interp)
			f = rc_result_add(
				out, RC_SEV_WARN, "identity.interpreter",
				"NEW has no interpreter (OLD had %s): the kernel starts NEW "
				"without a dynamic linker, so it must be a self-contained "
				"program",
				o.interp);
		else
			f = rc_result_add(
				out, RC_SEV_WARN, "identity.interpreter",
				"NEW has interpreter %s (OLD had none): that dynamic linker "
				"must exist on every host",
				n.interp);
		if (o.interp)
			rc_finding_str(f, "old", o.interp);
		if (n.interp)
			rc_finding_str(f, "new", n.interp);
	}

	if (!rc_result_findings(out)) {
		char desc[512];

		describe(&n, desc, sizeof(desc));
		f = rc_result_add(out, RC_SEV_INFO, "identity.same", "OLD and NEW are both %s",
				  desc);
		rc_finding_str(f, "description", desc);
		rc_finding_uint(f, "class", n.elfclass);
		rc_finding_str(f, "byte_order", order_str(n.big_endian));
		rc_finding_str(f, "machine", machine_str(n.machine));
		rc_finding_str(f, "type", type_str(n.type));
		rc_finding_bool(f, "pie", n.pie);
		rc_finding_str(f, "linkage", linkage_name(nl));
		if (n.interp)
			rc_finding_str(f, "interpreter", n.interp);
	}
	(void)err;
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"identity.class",   "identity.byte_order",
	"identity.machine", "identity.osabi",
	"identity.type",    "identity.pie",
	"identity.linkage", "identity.interpreter",
	"identity.same",    NULL,
};

const struct rc_check rc_check_elf_identity = {
	.id = "elf-identity",
	.summary = "class, byte order, machine, type, PIE, interpreter and linkage of OLD vs NEW",
	.explain =
		"Compares the ELF identity of OLD and NEW: class (ELF32/ELF64), byte order, "
		"machine (e_machine), OS ABI, file type, whether the executable is "
		"position-independent (PIE), its program interpreter (PT_INTERP) and whether it "
		"is statically or dynamically linked. An in-place reload execs NEW in the place "
		"of the running OLD process, so NEW must be a program for the same CPU, word "
		"size and byte order; a change of class, byte order or machine (identity.class, "
		"identity.byte_order, identity.machine) means the wrong artifact was built or "
		"picked up, and the gate fails: rebuild NEW for OLD's target. A different OS "
		"ABI (identity.osabi; only info between SYSV and GNU/Linux, which Linux loads "
		"alike) or ELF type (identity.type) is unusual for two releases "
		"of one service; check the build flags and that NEW is an executable, not a "
		"shared object. A PIE flip (identity.pie) moves NEW to randomised (or fixed) "
		"load addresses, so addresses recorded against OLD (perf maps, symbol offsets, "
		"crash reports) do not carry over; keep -pie/-no-pie as it was unless the change "
		"is intended. A different interpreter (identity.interpreter) must exist on every "
		"host that runs NEW (a musl vs glibc loader, a custom path), and a switch between "
		"static and dynamic linking (identity.linkage) changes which shared libraries, "
		"LD_PRELOAD shims and NSS/dlopen plugins the process uses; make sure both are "
		"deliberate. When everything matches, one info finding (identity.same) describes "
		"both binaries.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = elf_identity_run,
};
