/* SPDX-License-Identifier: MIT */
/*
 * The symbol diff engine. One pass hashes every considered symbol's normalised
 * name with XXH3 into a flat entry array (one allocation per table, none per
 * symbol); NEW's entries go into an open-addressing table; OLD's are looked up
 * by stored hash first and compared byte-wise only on a hash match.
 */
#include <ctype.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/symdiff.h>

#define NONE UINT32_MAX

/* A normalised name is name[0, cut) + name[resume, end). */
struct entry {
	uint64_t hash;
	uint32_t cut, resume, end;
	uint32_t next_same; /* next NEW entry with the same key, or NONE */
	bool matched;
	bool considered;
};

static bool is_clone_word(const char *w, size_t n)
{
	static const struct {
		const char *s;
		size_t n;
	} words[] = {
		{"isra", 4}, {"constprop", 9}, {"part", 4}, {"lto_priv", 8}, {"cold", 4},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == words[i].n && memcmp(w, words[i].s, n) == 0)
			return true;
	return false;
}

size_t rc_sym_strip_clone_suffix(const char *name, size_t len)
{
	for (;;) {
		size_t p = len, dot;

		while (p > 0 && isdigit((unsigned char)name[p - 1]))
			p--;
		if (p == len) {
			/* No number: only ".cold" goes without one. */
			if (len > 5 && memcmp(name + len - 5, ".cold", 5) == 0) {
				len -= 5;
				continue;
			}
			return len;
		}
		/* ".word.N": the digits must follow a dot. */
		if (p == 0 || name[p - 1] != '.')
			return len;
		p--;
		/* name[p] is the dot before the number; find the dot before the word. */
		dot = p;
		while (dot > 0 && p - dot <= 9 && name[dot - 1] != '.')
			dot--;
		if (dot <= 1 || name[dot - 1] != '.' || !is_clone_word(name + dot, p - dot))
			return len;
		len = dot - 1;
	}
}

/* Is there a cgo build hash "<hex>_" (6+ hex digits) at @h? Where it ends. */
static const char *cgo_hash_end(const char *h, const char *end)
{
	const char *q = h;

	while (q < end && isxdigit((unsigned char)*q))
		q++;
	return q - h >= 6 && q < end && *q == '_' ? q + 1 : NULL;
}

/*
 * Where the hash of a cgo wrapper name sits: "_cgo_<hex>_" or "_cgoexp_<hex>_"
 * at the start of the name or after a '.' (Go's main._cgo_<hex>_Cfunc_x).
 * Checked without a substring search: most names fail on the first bytes.
 */
static bool cgo_hash_span(const char *name, size_t len, uint32_t *cut, uint32_t *resume)
{
	const char *end = name + len;
	const char *p = name;

	for (;;) {
		if (end - p > 5 && p[0] == '_' && p[1] == 'c' && memcmp(p, "_cgo", 4) == 0) {
			const char *h = NULL, *r = NULL;

			if (p[4] == '_')
				h = p + 5;
			else if (end - p > 8 && memcmp(p + 4, "exp_", 4) == 0)
				h = p + 8;
			if (h)
				r = cgo_hash_end(h, end);
			if (r) {
				*cut = (uint32_t)(h - name);
				*resume = (uint32_t)(r - name);
				return true;
			}
		}
		p = memchr(p, '.', (size_t)(end - p));
		if (!p)
			return false;
		p++;
	}
}

static void normalize(const char *name, size_t len, struct entry *e)
{
	size_t end = rc_sym_strip_clone_suffix(name, len);

	e->end = (uint32_t)end;
	if (cgo_hash_span(name, end, &e->cut, &e->resume))
		return;
	e->cut = e->resume = (uint32_t)end;
}

size_t rc_sym_normalize(const char *name, size_t len, char *buf, size_t size)
{
	struct entry e;
	size_t n1, n2, total;

	normalize(name, len, &e);
	n1 = e.cut;
	n2 = e.end - e.resume;
	total = n1 + n2;
	if (size) {
		size_t c1 = n1 < size - 1 ? n1 : size - 1;
		size_t c2 = n2 < size - 1 - c1 ? n2 : size - 1 - c1;

		memcpy(buf, name, c1);
		memcpy(buf + c1, name + e.resume, c2);
		buf[c1 + c2] = '\0';
	}
	return total;
}

static bool considered(const struct rc_elf_sym *s, unsigned flags)
{
	if (s->type == STT_SECTION || s->type == STT_FILE || s->name_len == 0)
		return false;
	if ((flags & RC_SYMDIFF_DEFINED_ONLY) && !s->defined)
		return false;
	return true;
}

static uint64_t key_hash(const struct rc_elf_sym *s, struct entry *e)
{
	XXH3_state_t st;
	uint64_t h;

	normalize(s->name, s->name_len, e);
	if (e->cut == e->end) {
		h = XXH3_64bits(s->name, e->end);
	} else {
		XXH3_64bits_reset(&st);
		XXH3_64bits_update(&st, s->name, e->cut);
		XXH3_64bits_update(&st, s->name + e->resume, e->end - e->resume);
		h = XXH3_64bits_digest(&st);
	}
	return h ^ (s->defined ? 0 : 0x5bd1e9955bd1e995ULL);
}

/* Byte-wise equality of two normalised names (each two pieces). */
static bool norm_eq(const struct rc_elf_sym *a, const struct entry *ea, const struct rc_elf_sym *b,
		    const struct entry *eb)
{
	const char *pa[2] = {a->name, a->name + ea->resume};
	size_t la[2] = {ea->cut, ea->end - ea->resume};
	const char *pb[2] = {b->name, b->name + eb->resume};
	size_t lb[2] = {eb->cut, eb->end - eb->resume};
	int ia = 0, ib = 0;

	if (la[0] + la[1] != lb[0] + lb[1])
		return false;
	while (ia < 2 && ib < 2) {
		size_t n;

		if (!la[ia]) {
			ia++;
			continue;
		}
		if (!lb[ib]) {
			ib++;
			continue;
		}
		n = la[ia] < lb[ib] ? la[ia] : lb[ib];
		if (memcmp(pa[ia], pb[ib], n) != 0)
			return false;
		pa[ia] += n;
		la[ia] -= n;
		pb[ib] += n;
		lb[ib] -= n;
	}
	return true;
}

static bool key_eq(const struct rc_elf_sym *a, const struct entry *ea, const struct rc_elf_sym *b,
		   const struct entry *eb)
{
	if (ea->hash != eb->hash || a->defined != b->defined)
		return false;
	return norm_eq(a, ea, b, eb);
}

static bool same_version(const struct rc_elf_sym *a, const struct rc_elf_sym *b)
{
	if (!a->version || !b->version)
		return a->version == b->version;
	return strcmp(a->version, b->version) == 0;
}

/*
 * Among NEW symbols with @o's key (a chain from @k), pick the unmatched one
 * with the same raw name and version, else the same size, else the first:
 * clones such as foo.part.0 and foo.part.0.cold share a key and should pair
 * with their twins, and so should foo@V1 and foo@@V2.
 */
static uint32_t pick_candidate(const struct rc_elf_sym *o, const struct rc_elf_sym *new_syms,
			       const struct entry *en, uint32_t k)
{
	uint32_t first = NONE, same_size = NONE;
	unsigned looked = 0;

	/* Bounded, so thousands of equal local names cannot make this quadratic. */
	for (; k != NONE && looked < 64; k = en[k].next_same) {
		const struct rc_elf_sym *n = &new_syms[k];

		if (en[k].matched)
			continue;
		if (n->name_len == o->name_len && memcmp(n->name, o->name, o->name_len) == 0 &&
		    same_version(n, o))
			return k;
		looked++;
		if (first == NONE)
			first = k;
		if (same_size == NONE && n->size == o->size)
			same_size = k;
	}
	return same_size != NONE ? same_size : first;
}

/*
 * The address-insensitive digest is a multiset hash: two independent 64-bit
 * sums of per-symbol record hashes. It does not depend on symbol order, needs
 * no sort and no allocation, and any one record changing changes both sums.
 */
struct digest {
	uint64_t a, b, n;
};

static void digest_add(struct digest *d, const struct rc_elf_sym *s, uint64_t name_hash)
{
	struct {
		uint64_t name, version, size;
		uint8_t type, bind, vis, defined, hidden;
	} rec;

	memset(&rec, 0, sizeof(rec));
	rec.name = name_hash;
	if (s->version)
		rec.version = XXH3_64bits(s->version, strlen(s->version));
	rec.hidden = s->version_hidden;
	rec.size = s->size;
	rec.type = s->type;
	rec.bind = s->bind;
	rec.vis = s->visibility;
	rec.defined = s->defined;
	d->a += XXH3_64bits(&rec, sizeof(rec));
	d->b += XXH3_64bits_withSeed(&rec, sizeof(rec), 0x243f6a8885a308d3ULL);
	d->n++;
}

static void digest_hex(const struct digest *d, char hex[33])
{
	uint64_t a = d->a ^ (d->n * 0x9e3779b97f4a7c15ULL), b = d->b;

	snprintf(hex, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

static struct entry *hash_all(const struct rc_elf_sym *syms, size_t n, unsigned flags,
			      size_t *count, char digest[33])
{
	struct digest d = {0};

	struct entry *e = malloc((n ? n : 1) * sizeof(*e));

	if (!e)
		return NULL;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		e[i].matched = false;
		e[i].next_same = NONE;
		e[i].considered = considered(&syms[i], flags);
		if (!e[i].considered)
			continue;
		e[i].hash = key_hash(&syms[i], &e[i]);
		digest_add(&d, &syms[i], e[i].hash);
		(*count)++;
	}
	digest_hex(&d, digest);
	return e;
}

int rc_symdiff(const struct rc_elf_sym *old_syms, size_t n_old, const struct rc_elf_sym *new_syms,
	       size_t n_new, unsigned flags, rc_symdiff_fn fn, void *arg,
	       struct rc_symdiff_stats *stats, struct rc_err *err)
{
	struct entry *eo = NULL, *en = NULL;
	uint32_t *slots = NULL;
	size_t nslots = 16, mask;
	struct rc_symdiff_stats st = {0};
	int rc = 0;

	if (n_old >= NONE || n_new >= NONE)
		return rc_err_set(err, -RC_EINVAL, "symbol table too large (%zu, %zu symbols)",
				  n_old, n_new);
	eo = hash_all(old_syms, n_old, flags, &st.old_count, st.old_digest);
	en = hash_all(new_syms, n_new, flags, &st.new_count, st.new_digest);
	while (nslots < 2 * n_new)
		nslots <<= 1;
	mask = nslots - 1;
	slots = malloc(nslots * sizeof(*slots));
	if (!eo || !en || !slots) {
		rc = rc_err_set(err, -RC_ENOMEM, "out of memory diffing %zu and %zu symbols", n_old,
				n_new);
		goto out;
	}
	memset(slots, 0xff, nslots * sizeof(*slots));

	/* Insert NEW; equal keys chain behind the first so they pair in order. */
	for (size_t i = 0; i < n_new; i++) {
		size_t s;
		uint32_t *tail_link = NULL;

		if (!en[i].considered)
			continue;
		for (s = en[i].hash & mask; slots[s] != NONE; s = (s + 1) & mask) {
			uint32_t j = slots[s];

			if (key_eq(&new_syms[j], &en[j], &new_syms[i], &en[i])) {
				while (en[j].next_same != NONE)
					j = en[j].next_same;
				tail_link = &en[j].next_same;
				break;
			}
		}
		if (tail_link)
			*tail_link = (uint32_t)i;
		else
			slots[s] = (uint32_t)i;
	}

	for (size_t i = 0; i < n_old; i++) {
		const struct rc_elf_sym *o = &old_syms[i];
		uint32_t j = NONE;

		if (!eo[i].considered)
			continue;
		for (size_t s = eo[i].hash & mask; slots[s] != NONE; s = (s + 1) & mask) {
			uint32_t k = slots[s];

			if (key_eq(&new_syms[k], &en[k], o, &eo[i])) {
				j = pick_candidate(o, new_syms, en, k);
				break;
			}
		}
		if (j == NONE) {
			st.removed++;
			fn(arg, o, NULL, 0);
			continue;
		}
		en[j].matched = true;

		const struct rc_elf_sym *n = &new_syms[j];
		unsigned ch = 0;

		if (o->size != n->size)
			ch |= RC_SYMDIFF_SIZE;
		if (o->type != n->type)
			ch |= RC_SYMDIFF_TYPE;
		if (o->bind != n->bind)
			ch |= RC_SYMDIFF_BIND;
		if (o->visibility != n->visibility)
			ch |= RC_SYMDIFF_VISIBILITY;
		if (o->value != n->value)
			ch |= RC_SYMDIFF_MOVED;
		if (o->name_len != n->name_len || memcmp(o->name, n->name, o->name_len) != 0)
			ch |= RC_SYMDIFF_RENAMED;
		if (!same_version(o, n) || o->version_hidden != n->version_hidden)
			ch |= RC_SYMDIFF_VERSION;
		if (ch & ~(unsigned)(RC_SYMDIFF_MOVED | RC_SYMDIFF_RENAMED)) {
			st.changed++;
			fn(arg, o, n, ch);
		} else if (ch & RC_SYMDIFF_MOVED) {
			st.moved_only++;
		} else {
			st.unchanged++;
		}
	}
	for (size_t i = 0; i < n_new; i++) {
		if (en[i].considered && !en[i].matched) {
			st.added++;
			fn(arg, NULL, &new_syms[i], 0);
		}
	}
	if (stats)
		*stats = st;
out:
	free(eo);
	free(en);
	free(slots);
	return rc;
}

int rc_symtab_digest(const struct rc_elf_sym *syms, size_t n, unsigned flags, char hex[33],
		     struct rc_err *err)
{
	struct digest d = {0};

	for (size_t i = 0; i < n; i++) {
		struct entry e;

		if (considered(&syms[i], flags))
			digest_add(&d, &syms[i], key_hash(&syms[i], &e));
	}
	digest_hex(&d, hex);
	return 0;
}
