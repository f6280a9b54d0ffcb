/* SPDX-License-Identifier: MIT */
/*
 * Which libc.so.6 a binary would run with here: dynamic-deps checks the symbol
 * versions NEW requires against it. Debian's multiarch layout first, then the
 * lib64/lib directories other distributions use.
 */
#include <elf.h>
#include <stdio.h>
#include <unistd.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>

/* The Debian multiarch triplet of an e_machine; x86-64's for the unknown. */
static const char *multiarch_triplet(unsigned machine)
{
	switch (machine) {
	case EM_AARCH64:
		return "aarch64-linux-gnu";
	case EM_386:
		return "i386-linux-gnu";
	case EM_ARM:
		return "arm-linux-gnueabihf";
	case EM_PPC64:
		return "powerpc64le-linux-gnu";
	case EM_S390:
		return "s390x-linux-gnu";
	case EM_RISCV:
		return "riscv64-linux-gnu";
	case EM_X86_64:
	default:
		return "x86_64-linux-gnu";
	}
}

int rc_elf_open_libc(const struct rc_elf *target, const char *sysroot, char *path, size_t size,
		     struct rc_elf **out, struct rc_err *err)
{
	static const char *const dirs[] = {"/lib/%s",	 "/usr/lib/%s", "/lib64",
					   "/usr/lib64", "/lib",	"/usr/lib"};
	struct rc_elf_ident id;
	const char *root = sysroot ? sysroot : "";
	const char *triplet;

	rc_elf_ident(target, &id);
	triplet = multiarch_triplet(id.machine);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char dir[256];

		snprintf(dir, sizeof(dir), dirs[i], triplet);
		snprintf(path, size, "%s%s/libc.so.6", root, dir);
		if (access(path, R_OK) == 0)
			return rc_elf_open(path, out, err);
	}
	snprintf(path, size, "%s/lib/%s/libc.so.6", root, triplet);
	return rc_err_set(err, -RC_ENOENT, "no libc.so.6 found under '%s'", *root ? root : "/");
}
