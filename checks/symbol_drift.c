/* SPDX-License-Identifier: MIT */
/*
 * symbol-drift: the full diff of .dynsym and .symtab between OLD and NEW.
 * Verdict rules: a removed exported dynamic symbol and a resized exported data
 * object fail (dlsym users, plugins and copy relocations break); other drift of
 * the dynamic table warns; drift of .symtab warns for global symbols removed and
 * informs otherwise. Moved-only symbols are counted, not listed.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/report.h>
#include <reloadcheck/symdiff.h>

static const char *type_name(unsigned t)
{
	switch (t) {
	case STT_NOTYPE:
		return "notype";
	case STT_OBJECT:
		return "object";
	case STT_FUNC:
		return "function";
	case STT_COMMON:
		return "common";
	case STT_TLS:
		return "tls";
	case STT_GNU_IFUNC:
		return "ifunc";
	default:
		return "other";
	}
}

static const char *bind_name(unsigned b)
{
	switch (b) {
	case STB_LOCAL:
		return "local";
	case STB_GLOBAL:
		return "global";
	case STB_WEAK:
		return "weak";
	case STB_GNU_UNIQUE:
		return "unique";
	default:
		return "other";
	}
}

static const char *vis_name(unsigned v)
{
	switch (v) {
	case STV_DEFAULT:
		return "default";
	case STV_INTERNAL:
		return "internal";
	case STV_HIDDEN:
		return "hidden";
	case STV_PROTECTED:
		return "protected";
	default:
		return "other";
	}
}

static bool is_exported(const struct rc_elf_sym *s)
{
	return s->defined && s->bind != STB_LOCAL &&
	       (s->visibility == STV_DEFAULT || s->visibility == STV_PROTECTED);
}

static bool is_data(const struct rc_elf_sym *s)
{
	return s->type == STT_OBJECT || s->type == STT_TLS || s->type == STT_COMMON;
}

struct drift {
	struct rc_check_result *res;
	enum rc_elf_table table;
	const char *tname;
};

static struct rc_str str(const char *s)
{
	return (struct rc_str){s, strlen(s)};
}

static struct rc_str sym_name(const struct rc_elf_sym *s)
{
	return (struct rc_str){s->name, s->name_len};
}

/* "@" or "@@" (the default version) before a dynamic symbol's version, or "". */
static struct rc_str at(const struct rc_elf_sym *s)
{
	if (!s->version)
		return RC_STR("");
	return s->version_hidden ? RC_STR("@") : RC_STR("@@");
}

static struct rc_str ver(const struct rc_elf_sym *s)
{
	return s->version ? str(s->version) : RC_STR("");
}

/* Decimal of @v in @buf (24 bytes). */
static struct rc_str dec(uint64_t v, char *buf)
{
	size_t n = 23;

	buf[n] = '\0';
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return (struct rc_str){buf + n, 23 - n};
}

static void add_symbol_detail(struct rc_finding *f, const struct drift *d,
			      const struct rc_elf_sym *s)
{
	/* Names point into the mapped ELF files, which outlive the report. */
	rc_finding_str_borrowed(f, "table", d->tname);
	rc_finding_strn_borrowed(f, "name", s->name, s->name_len);
	if (s->version)
		rc_finding_str_borrowed(f, "version", s->version);
	rc_finding_str_borrowed(f, "type", type_name(s->type));
	rc_finding_str_borrowed(f, "bind", bind_name(s->bind));
}

static void on_removed(struct drift *d, const struct rc_elf_sym *o)
{
	bool dyn = d->table == RC_ELF_DYNSYM;
	struct rc_str parts[] = {
		str(d->tname), RC_STR(": "), RC_STR(""), str(type_name(o->type)), RC_STR(" '"),
		sym_name(o),   at(o),	     ver(o),	 RC_STR("' removed"),
	};
	enum rc_severity sev = RC_SEV_INFO;
	struct rc_finding *f;

	if (dyn && is_exported(o)) {
		sev = RC_SEV_FAIL;
		parts[2] = RC_STR("exported ");
	} else if (!dyn && o->bind != STB_LOCAL) {
		sev = RC_SEV_WARN;
		parts[2] = RC_STR("global ");
	} else {
		parts[2] = o->bind == STB_LOCAL ? RC_STR("local ") : RC_STR("");
	}
	f = rc_result_add_parts(d->res, sev, "symbol.removed", parts,
				sizeof(parts) / sizeof(parts[0]));
	add_symbol_detail(f, d, o);
	rc_finding_uint(f, "old_size", o->size);
	rc_finding_hex(f, "old_value", o->value);
}

static void on_added(struct drift *d, const struct rc_elf_sym *n)
{
	struct rc_str parts[] = {
		str(d->tname),
		RC_STR(": "),
		str(bind_name(n->bind)),
		RC_STR(" "),
		str(type_name(n->type)),
		RC_STR(" '"),
		sym_name(n),
		at(n),
		ver(n),
		RC_STR("' added"),
	};
	struct rc_finding *f = rc_result_add_parts(d->res, RC_SEV_INFO, "symbol.added", parts,
						   sizeof(parts) / sizeof(parts[0]));

	add_symbol_detail(f, d, n);
	rc_finding_uint(f, "new_size", n->size);
	rc_finding_hex(f, "new_value", n->value);
}

static void on_resized(struct drift *d, const struct rc_elf_sym *o, const struct rc_elf_sym *n,
		       bool exported)
{
	char ob[24], nb[24];
	struct rc_str parts[] = {
		str(d->tname),	  RC_STR(": "),	  str(type_name(n->type)),
		RC_STR(" '"),	  sym_name(n),	  RC_STR("' changed size from "),
		dec(o->size, ob), RC_STR(" to "), dec(n->size, nb),
		RC_STR(" bytes"),
	};
	enum rc_severity sev = exported && is_data(o) ? RC_SEV_FAIL : RC_SEV_INFO;
	struct rc_finding *f;

	f = rc_result_add_parts(d->res, sev, "symbol.resized", parts,
				sizeof(parts) / sizeof(parts[0]));
	add_symbol_detail(f, d, n);
	rc_finding_uint(f, "old_size", o->size);
	rc_finding_uint(f, "new_size", n->size);
}

static void on_version(struct drift *d, const struct rc_elf_sym *o, const struct rc_elf_sym *n,
		       bool exported)
{
	struct rc_str parts[] = {
		str(d->tname),
		RC_STR(": '"),
		sym_name(n),
		RC_STR("' version changed from "),
		at(o),
		o->version ? ver(o) : RC_STR("(none)"),
		RC_STR(" to "),
		at(n),
		n->version ? ver(n) : RC_STR("(none)"),
	};
	struct rc_finding *f = rc_result_add_parts(d->res, exported ? RC_SEV_FAIL : RC_SEV_INFO,
						   "symbol.version_changed", parts,
						   sizeof(parts) / sizeof(parts[0]));

	add_symbol_detail(f, d, n);
	rc_finding_str_borrowed(f, "old_version", o->version);
	rc_finding_str_borrowed(f, "new_version", n->version);
}

static void on_changed(struct drift *d, const struct rc_elf_sym *o, const struct rc_elf_sym *n,
		       unsigned ch)
{
	bool dyn = d->table == RC_ELF_DYNSYM;
	bool exported = dyn && is_exported(o);
	struct rc_finding *f;

	if (ch & RC_SYMDIFF_SIZE)
		on_resized(d, o, n, exported);
	if (ch & RC_SYMDIFF_TYPE) {
		f = rc_result_add(d->res, exported ? RC_SEV_WARN : RC_SEV_INFO, "symbol.retyped",
				  "%s: '%s' changed type from %s to %s", d->tname, n->name,
				  type_name(o->type), type_name(n->type));
		add_symbol_detail(f, d, n);
		rc_finding_str_borrowed(f, "old_type", type_name(o->type));
		rc_finding_str_borrowed(f, "new_type", type_name(n->type));
	}
	if (ch & RC_SYMDIFF_BIND) {
		f = rc_result_add(d->res, exported ? RC_SEV_WARN : RC_SEV_INFO, "symbol.rebound",
				  "%s: '%s' changed binding from %s to %s", d->tname, n->name,
				  bind_name(o->bind), bind_name(n->bind));
		add_symbol_detail(f, d, n);
		rc_finding_str_borrowed(f, "old_bind", bind_name(o->bind));
		rc_finding_str_borrowed(f, "new_bind", bind_name(n->bind));
	}
	if (ch & RC_SYMDIFF_VISIBILITY) {
		f = rc_result_add(d->res, exported ? RC_SEV_WARN : RC_SEV_INFO, "symbol.visibility",
				  "%s: '%s' changed visibility from %s to %s", d->tname, n->name,
				  vis_name(o->visibility), vis_name(n->visibility));
		add_symbol_detail(f, d, n);
		rc_finding_str_borrowed(f, "old_visibility", vis_name(o->visibility));
		rc_finding_str_borrowed(f, "new_visibility", vis_name(n->visibility));
	}
	if (ch & RC_SYMDIFF_VERSION)
		on_version(d, o, n, exported);
}

static void on_event(void *arg, const struct rc_elf_sym *o, const struct rc_elf_sym *n,
		     unsigned changes)
{
	struct drift *d = arg;

	if (!n)
		on_removed(d, o);
	else if (!o)
		on_added(d, n);
	else
		on_changed(d, o, n, changes);
}

struct table_metrics {
	const char *old_count, *new_count, *added, *removed, *changed, *moved;
};

static const struct table_metrics metric_names[] = {
	[RC_ELF_SYMTAB] = {"symtab_old", "symtab_new", "symtab_added", "symtab_removed",
			   "symtab_changed", "symtab_moved"},
	[RC_ELF_DYNSYM] = {"dynsym_old", "dynsym_new", "dynsym_added", "dynsym_removed",
			   "dynsym_changed", "dynsym_moved"},
};

static int diff_table(const struct rc_ctx *ctx, struct rc_check_result *res,
		      enum rc_elf_table table, struct rc_symdiff_stats *total, struct rc_err *err)
{
	const struct rc_elf_sym *os, *ns;
	size_t on, nn;
	bool op, np;
	struct drift d = {.res = res,
			  .table = table,
			  .tname = table == RC_ELF_DYNSYM ? ".dynsym" : ".symtab"};
	const struct table_metrics *m = &metric_names[table];
	struct rc_symdiff_stats st;
	const char *odig = st.old_digest, *ndig = st.new_digest;
	struct rc_finding *f;
	int rc;

	rc = rc_elf_symbols(ctx->old_elf, table, &os, &on, &op, err);
	if (!rc)
		rc = rc_elf_symbols(ctx->new_elf, table, &ns, &nn, &np, err);
	if (rc)
		return rc;
	if (!op && !np)
		return 0;
	if (!op || !np) {
		rc_result_add(res, RC_SEV_INFO, "symbol.table_missing",
			      "%s is only in %s: not diffed (symtab-presence reports what that "
			      "costs)",
			      d.tname, op ? "OLD" : "NEW");
		return 0;
	}
	rc = rc_symdiff(os, on, ns, nn, RC_SYMDIFF_DEFINED_ONLY, on_event, &d, &st, err);
	if (rc)
		return rc;
	rc_result_metric(res, m->old_count, (int64_t)st.old_count);
	rc_result_metric(res, m->new_count, (int64_t)st.new_count);
	rc_result_metric(res, m->added, (int64_t)st.added);
	rc_result_metric(res, m->removed, (int64_t)st.removed);
	rc_result_metric(res, m->changed, (int64_t)st.changed);
	rc_result_metric(res, m->moved, (int64_t)st.moved_only);
	total->added += st.added;
	total->removed += st.removed;
	total->changed += st.changed;
	total->moved_only += st.moved_only;
	if (st.moved_only) {
		f = rc_result_add(
			res, RC_SEV_INFO, "symbol.moved",
			"%s: %zu symbols moved to new addresses with nothing else changed", d.tname,
			st.moved_only);
		rc_finding_str(f, "table", d.tname);
		rc_finding_uint(f, "count", st.moved_only);
	}
	if (strcmp(odig, ndig) == 0)
		f = rc_result_add(res, RC_SEV_INFO, "symbol.digest_equal",
				  "%s: same symbols, types and sizes in OLD and NEW (digest %s)%s",
				  d.tname, ndig, st.moved_only ? ": only addresses differ" : "");
	else
		f = rc_result_add(res, RC_SEV_INFO, "symbol.digest_changed",
				  "%s: address-insensitive digest changed from %s to %s", d.tname,
				  odig, ndig);
	rc_finding_str(f, "table", d.tname);
	rc_finding_str(f, "old_digest", odig);
	rc_finding_str(f, "new_digest", ndig);
	return 0;
}

static int run(const struct rc_ctx *ctx, struct rc_check_result *res, struct rc_err *err)
{
	struct rc_symdiff_stats total = {0};
	int rc;

	rc_result_hint(
		res, "symbol.removed",
		"a removed export (.dynsym) breaks plugins, dlsym() callers and programs linked "
		"against OLD; a removed .symtab symbol loses its name in debuggers, perf and "
		"crash stacks");
	rc_result_hint(res, "symbol.resized",
		       "programs built against OLD hold copy relocations of exported data with the "
		       "old size, so NEW's code reads or writes past the end of their copy");
	rc_result_hint(res, "symbol.version_changed",
		       "programs and libraries bound to the old symbol version fail to load "
		       "(version not found)");
	rc_result_hint(
		res, "symbol.retyped",
		"callers that bound an exported symbol as one kind of object now get another");
	rc_result_hint(res, "symbol.rebound",
		       "a changed binding changes symbol interposition: a weak export can now be "
		       "overridden, a global one no longer");
	rc_result_hint(res, "symbol.visibility",
		       "changed visibility changes who can bind to the symbol");

	rc = diff_table(ctx, res, RC_ELF_DYNSYM, &total, err);
	if (!rc)
		rc = diff_table(ctx, res, RC_ELF_SYMTAB, &total, err);
	if (rc)
		return rc;
	rc_result_metric(res, "added", (int64_t)total.added);
	rc_result_metric(res, "removed", (int64_t)total.removed);
	rc_result_metric(res, "changed", (int64_t)total.changed);
	rc_result_metric(res, "moved", (int64_t)total.moved_only);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"symbol.removed", "symbol.added",	 "symbol.resized",	  "symbol.version_changed",
	"symbol.retyped", "symbol.rebound",	 "symbol.visibility",	  "symbol.table_missing",
	"symbol.moved",	  "symbol.digest_equal", "symbol.digest_changed", NULL,
};

const struct rc_check rc_check_symbol_drift = {
	.id = "symbol-drift",
	.summary =
		"symbols added, removed, resized, retyped, rebound or moved (.dynsym and .symtab)",
	.explain =
		"Diffs the dynamic symbol table (.dynsym, what other objects and dlsym() bind to) "
		"and the full symbol table (.symtab, what debuggers, perf and crash-stack "
		"symbolizers read) of OLD and NEW, each keyed by name and, for dynamic symbols, "
		"version. Names are normalised first: compiler clone suffixes (.isra.N, "
		".constprop.N, .part.N, .cold, .lto_priv.N) and the build hash in cgo wrapper "
		"names (_cgo_<hex>_) change on every rebuild and are not renames.\n\n"
		"Fails when an exported dynamic symbol was removed (a plugin or dlsym() caller "
		"that needs it breaks after the reload) or an exported data object changed size "
		"(programs with a copy relocation keep the old size). Changed type, binding or "
		"visibility of exported symbols warns; removed global .symtab symbols warn; the "
		"rest is information with counts. Symbols that only moved are counted, and an "
		"address-insensitive digest of each table (names, versions, types, bindings and "
		"sizes, sorted) is reported for OLD and NEW, so two builds that differ only in "
		"addresses are recognisable.\n\n"
		"To fix: keep removed exports (add a compatibility alias or a versioned symbol), "
		"do not resize exported data (export an accessor function instead), or accept "
		"the change with a policy suppression once every consumer is updated.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = run,
};
