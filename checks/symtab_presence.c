/* SPDX-License-Identifier: MIT */
/*
 * symtab-presence: symbol and debug sections present in OLD but gone from NEW
 * (.symtab, .dynsym, .debug_* / .zdebug_*, Go's .gopclntab).
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

struct presence {
	bool symtab, dynsym;
	uint64_t symtab_syms, dynsym_syms;
	/* Go build metadata (.go.buildinfo or a Go build id note) */
	bool go;
	/* section holding the Go pclntab, or NULL */
	const char *gopclntab;
	/* .gnu_debuglink file name (not NUL-terminated within the section), or NULL */
	const char *debuglink;
	size_t debuglink_len;
	/* debug section names, sorted by normalised name */
	const char **debug;
	size_t n_debug;
};

/* ".zdebug_info" (old-style compressed) is the same data as ".debug_info". */
static const char *debug_key(const char *name)
{
	return strncmp(name, ".zdebug_", 8) == 0 ? name + 2 : name + 1;
}

static bool is_debug(const char *name)
{
	return strncmp(name, ".debug_", 7) == 0 || strncmp(name, ".zdebug_", 8) == 0;
}

static int cmp_debug(const void *a, const void *b)
{
	return strcmp(debug_key(*(const char *const *)a), debug_key(*(const char *const *)b));
}

/* Go pclntab header: magic, two zero bytes, pc quantum, pointer size. */
static bool pclntab_header_at(const struct rc_elf *elf, const unsigned char *p)
{
	uint64_t magic = rc_elf_read_uint(elf, p, 4);

	if (magic != 0xfffffffbu && magic != 0xfffffffau && magic != 0xfffffff0u &&
	    magic != 0xfffffff1u)
		return false;
	return p[4] == 0 && p[5] == 0 && (p[6] == 1 || p[6] == 2 || p[6] == 4) &&
	       (p[7] == 4 || p[7] == 8);
}

/*
 * Go PIE builds linked externally merge the pclntab into .data.rel.ro; look
 * for its header there so that such a NEW does not count as having lost it.
 */
static bool pclntab_in(const struct rc_elf *elf, const struct rc_elf_section *s)
{
	const unsigned char *p = rc_elf_section_bytes(elf, s);

	if (!p || s->size < 8)
		return false;
	for (uint64_t off = 0; off + 8 <= s->size; off += 4)
		if (pclntab_header_at(elf, p + off))
			return true;
	return false;
}

/* Symbols in a table of @size bytes, not counting the null entry. */
static uint64_t entries(uint64_t size, uint64_t entsize)
{
	uint64_t n = size / entsize;

	return n ? n - 1 : 0;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static int scan(const struct rc_elf *elf, struct presence *pr, struct rc_err *err)
{
	struct rc_elf_ident id;
	size_t count = rc_elf_section_count(elf);
	uint64_t entsize;
	bool relro_seen = false;
	struct rc_elf_section relro = {0};

	memset(pr, 0, sizeof(*pr));
	rc_elf_ident(elf, &id);
	entsize = id.elfclass == 64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

	for (size_t i = 1; i < count; i++) {
		struct rc_elf_section s;

		rc_elf_section(elf, i, &s);
		if (s.name && is_debug(s.name))
			pr->n_debug++;
	}
	if (pr->n_debug) {
		pr->debug = malloc(pr->n_debug * sizeof(*pr->debug));
		if (!pr->debug)
			return rc_err_set(err, -RC_ENOMEM,
					  "out of memory listing the debug sections of '%s'",
					  rc_elf_path(elf));
		pr->n_debug = 0;
	}

	for (size_t i = 1; i < count; i++) {
		struct rc_elf_section s;

		rc_elf_section(elf, i, &s);
		if (s.type == SHT_SYMTAB) {
			pr->symtab = true;
			pr->symtab_syms += entries(s.size, entsize);
		} else if (s.type == SHT_DYNSYM) {
			pr->dynsym = true;
			pr->dynsym_syms += entries(s.size, entsize);
		}
		if (!s.name)
			continue;
		if (is_debug(s.name)) {
			pr->debug[pr->n_debug++] = s.name;
		} else if (strcmp(s.name, ".gopclntab") == 0 ||
			   strcmp(s.name, ".data.rel.ro.gopclntab") == 0) {
			if (!pr->gopclntab)
				pr->gopclntab = s.name;
		} else if (strcmp(s.name, ".go.buildinfo") == 0 ||
			   strcmp(s.name, ".note.go.buildid") == 0) {
			pr->go = true;
		} else if (strcmp(s.name, ".data.rel.ro") == 0 && !relro_seen) {
			relro = s;
			relro_seen = true;
		} else if (strcmp(s.name, ".gnu_debuglink") == 0) {
			const unsigned char *p = rc_elf_section_bytes(elf, &s);

			if (p && s.size) {
				pr->debuglink = (const char *)p;
				pr->debuglink_len = strnlen(pr->debuglink, s.size);
			}
		}
	}
	if (pr->go && !pr->gopclntab && relro_seen && pclntab_in(elf, &relro))
		pr->gopclntab = ".data.rel.ro";
	if (pr->n_debug > 1)
		qsort(pr->debug, pr->n_debug, sizeof(*pr->debug), cmp_debug);
	return 0;
}

/*
 * Comma-separated names of @a's debug sections that @b lacks (both sorted),
 * their number in *@count. Returns a malloc'd string (free()), NULL on ENOMEM.
 */
static char *debug_minus(const struct presence *a, const struct presence *b, size_t *count)
{
	size_t len = 1, j = 0;
	char *buf, *p;

	for (size_t i = 0; i < a->n_debug; i++)
		len += strlen(a->debug[i]) + 2;
	buf = malloc(len);
	if (!buf)
		return NULL;
	p = buf;
	*count = 0;
	for (size_t i = 0; i < a->n_debug; i++) {
		const char *key = debug_key(a->debug[i]);
		size_t l = strlen(a->debug[i]);
		int c = 1;

		/* a name that occurs twice in @a is listed once */
		if (i > 0 && strcmp(key, debug_key(a->debug[i - 1])) == 0)
			continue;
		while (j < b->n_debug) {
			c = strcmp(key, debug_key(b->debug[j]));
			if (c <= 0)
				break;
			j++;
		}
		if (c == 0)
			continue;
		if (*count) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, a->debug[i], l);
		p += l;
		(*count)++;
	}
	*p = '\0';
	return buf;
}

static bool has_debug(const struct presence *pr, const char *key)
{
	for (size_t i = 0; i < pr->n_debug; i++)
		if (strcmp(debug_key(pr->debug[i]), key) == 0)
			return true;
	return false;
}

static void add_debuglink(struct rc_finding *f, const struct presence *n)
{
	if (n->debuglink)
		rc_finding_strn(f, "new_debuglink", n->debuglink, n->debuglink_len);
}

static int debuginfo(struct rc_check_result *out, const struct presence *o,
		     const struct presence *n, struct rc_err *err)
{
	size_t n_lost, n_gained;
	char *lost = debug_minus(o, n, &n_lost);
	char *gained = debug_minus(n, o, &n_gained);
	struct rc_finding *f;
	int rc = 0;

	if (!lost || !gained) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory comparing debug sections");
		goto out;
	}
	/* Losing DWARF units or line tables is losing debug info; others may be renamed. */
	if (n_lost &&
	    (n->n_debug == 0 || (has_debug(o, "debug_info") && !has_debug(n, "debug_info")) ||
	     (has_debug(o, "debug_line") && !has_debug(n, "debug_line")))) {
		if (n->debuglink)
			f = rc_result_add(
				out, RC_SEV_WARN, "debuginfo.lost",
				"NEW lost %zu of OLD's %zu debug sections (%s): debuggers, "
				"line numbers and DWARF-based tools need the separate debug "
				"file %.*s that NEW's .gnu_debuglink names",
				n_lost, o->n_debug, lost, (int)n->debuglink_len, n->debuglink);
		else
			f = rc_result_add(
				out, RC_SEV_WARN, "debuginfo.lost",
				"NEW lost %zu of OLD's %zu debug sections (%s): debuggers, "
				"line numbers and DWARF-based tools have nothing to read",
				n_lost, o->n_debug, lost);
		rc_finding_str(f, "sections", lost);
		if (n_gained)
			rc_finding_str(f, "gained", gained);
		rc_finding_uint(f, "old", o->n_debug);
		rc_finding_uint(f, "new", n->n_debug);
		add_debuglink(f, n);
	} else if (n_gained && o->n_debug == 0) {
		f = rc_result_add(out, RC_SEV_INFO, "debuginfo.gained",
				  "NEW has %zu debug sections (%s); OLD had none", n->n_debug,
				  gained);
		rc_finding_str(f, "sections", gained);
		rc_finding_uint(f, "old", o->n_debug);
		rc_finding_uint(f, "new", n->n_debug);
	} else if (n_lost || n_gained) {
		if (n_lost && n_gained)
			f = rc_result_add(
				out, RC_SEV_INFO, "debuginfo.changed",
				"debug sections changed: NEW lacks %s and adds %s (DWARF units "
				"and line tables are still there)",
				lost, gained);
		else if (n_lost)
			f = rc_result_add(
				out, RC_SEV_INFO, "debuginfo.changed",
				"NEW lacks debug sections %s but keeps its DWARF units and line "
				"tables",
				lost);
		else
			f = rc_result_add(out, RC_SEV_INFO, "debuginfo.changed",
					  "NEW has debug sections OLD lacked: %s", gained);
		if (n_lost)
			rc_finding_str(f, "sections", lost);
		if (n_gained)
			rc_finding_str(f, "gained", gained);
		rc_finding_uint(f, "old", o->n_debug);
		rc_finding_uint(f, "new", n->n_debug);
	}
out:
	free(lost);
	free(gained);
	return rc;
}

static int symtab_presence_run(const struct rc_ctx *ctx, struct rc_check_result *out,
			       struct rc_err *err)
{
	struct presence o, n;
	struct rc_finding *f;
	int rc;

	rc = scan(ctx->old_elf, &o, err);
	if (rc < 0)
		return rc;
	rc = scan(ctx->new_elf, &n, err);
	if (rc < 0)
		goto out;

	if (o.symtab && !n.symtab) {
		f = rc_result_add(
			out, RC_SEV_WARN, "symtab.lost",
			"NEW has no .symtab (OLD had %llu symbol%s): crash stacks and perf "
			"lose the names of static and non-exported functions",
			(unsigned long long)o.symtab_syms, plural(o.symtab_syms));
		rc_finding_bool(f, "old", true);
		rc_finding_bool(f, "new", false);
		rc_finding_uint(f, "old_symbols", o.symtab_syms);
		add_debuglink(f, &n);
	} else if (!o.symtab && n.symtab) {
		f = rc_result_add(out, RC_SEV_INFO, "symtab.gained",
				  "NEW has a .symtab (%llu symbol%s); OLD had none",
				  (unsigned long long)n.symtab_syms, plural(n.symtab_syms));
		rc_finding_bool(f, "old", false);
		rc_finding_bool(f, "new", true);
		rc_finding_uint(f, "new_symbols", n.symtab_syms);
	}

	if (o.dynsym && !n.dynsym) {
		f = rc_result_add(
			out, RC_SEV_WARN, "dynsym.lost",
			"NEW has no .dynsym (OLD had %llu symbol%s): exported symbols are "
			"gone, so dlsym() from plugins and symbolizers that only read the "
			"dynamic table find nothing",
			(unsigned long long)o.dynsym_syms, plural(o.dynsym_syms));
		rc_finding_bool(f, "old", true);
		rc_finding_bool(f, "new", false);
		rc_finding_uint(f, "old_symbols", o.dynsym_syms);
	} else if (!o.dynsym && n.dynsym) {
		f = rc_result_add(out, RC_SEV_INFO, "dynsym.gained",
				  "NEW has a .dynsym (%llu symbol%s); OLD had none",
				  (unsigned long long)n.dynsym_syms, plural(n.dynsym_syms));
		rc_finding_bool(f, "old", false);
		rc_finding_bool(f, "new", true);
		rc_finding_uint(f, "new_symbols", n.dynsym_syms);
	}

	rc = debuginfo(out, &o, &n, err);
	if (rc < 0)
		goto out;

	if (o.gopclntab && !n.gopclntab) {
		f = rc_result_add(out, RC_SEV_FAIL, "gopclntab.lost",
				  "NEW has no Go .gopclntab (OLD had it in %s)%s: Go's "
				  "runtime.FuncForPC, stack traces and pprof names go blank",
				  o.gopclntab,
				  o.go && !n.go ? " and no Go build metadata: it is not a Go binary"
						: "");
		rc_finding_str(f, "old", o.gopclntab);
		rc_finding_bool(f, "new_is_go", n.go);
	} else if (!o.gopclntab && n.gopclntab) {
		f = rc_result_add(out, RC_SEV_INFO, "gopclntab.gained",
				  "NEW has a Go .gopclntab (in %s); OLD had none", n.gopclntab);
		rc_finding_str(f, "new", n.gopclntab);
	}

	rc_result_metric(out, "old_debug_sections", (int64_t)o.n_debug);
	rc_result_metric(out, "new_debug_sections", (int64_t)n.n_debug);
	rc_result_metric(out, "old_symtab_symbols", (int64_t)o.symtab_syms);
	rc_result_metric(out, "new_symtab_symbols", (int64_t)n.symtab_syms);
out:
	free(o.debug);
	free(n.debug);
	return rc;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"debuginfo.lost",    "debuginfo.gained",
	"debuginfo.changed", "symtab.lost",
	"symtab.gained",     "dynsym.lost",
	"dynsym.gained",     "gopclntab.lost",
	"gopclntab.gained",  NULL,
};

const struct rc_check rc_check_symtab_presence = {
	.id = "symtab-presence",
	.summary = "symbol tables, debug sections and Go .gopclntab present in OLD but lost in NEW",
	.explain = "Looks for the sections that let tools put names on addresses: the full symbol "
		   "table (.symtab), the dynamic symbol table (.dynsym), DWARF debug sections "
		   "(.debug_* and compressed .zdebug_*) and Go's function table (.gopclntab, also "
		   "found inside .data.rel.ro in externally linked Go PIE builds), and reports the "
		   "ones OLD had and NEW lacks. After an in-place reload every crash stack, perf "
		   "or pprof profile and debugger session is taken against NEW, so a stripped "
		   "release silently degrades diagnostics that worked a minute earlier. "
		   "symtab.lost: crash stacks and perf lose the names of static and non-exported "
		   "functions; stop passing -s / strip to the final link, or keep the symbols in a "
		   "separate file (objcopy --only-keep-debug) and publish it by build-id. "
		   "dynsym.lost: exported symbols are gone, so plugins that dlsym() into the host "
		   "and dynamic-table symbolizers break; keep -rdynamic/--export-dynamic and the "
		   "dynamic linking. debuginfo.lost: debuggers, line numbers and DWARF-based tools "
		   "(including reloadcheck's dwarf-layout) have nothing to read; the finding lists "
		   "the sections that went and names NEW's .gnu_debuglink file if it has one, "
		   "which must then be shipped. gopclntab.lost fails the gate: Go's "
		   "runtime.FuncForPC, panic stack traces and pprof function names go blank; Go's "
		   "own -ldflags=-s -w keep .gopclntab, so look for an external strip or "
		   "objcopy step that removed it. Sections gained in NEW are reported as info.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = symtab_presence_run,
};
