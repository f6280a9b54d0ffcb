/* SPDX-License-Identifier: MIT */
/*
 * build-id: the GNU build-id note of OLD and NEW. Identical ids mean the
 * "new" build is the old one; a missing id in NEW breaks every tool that
 * finds symbols and debug info by build-id.
 */
#include <stdbool.h>
#include <stddef.h>

#include <string.h>

#include <reloadcheck/check.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>
#include <reloadcheck/report.h>

/* Build-ids are 16 (md5/uuid) or 20 (sha1) bytes; leave room for odd ones. */
#define HEX_MAX (2 * 64 + 1)

struct bid {
	bool present;
	size_t len;
	const unsigned char *id;
	char hex[HEX_MAX];
};

static int get_bid(const struct rc_elf *elf, const char *role, struct bid *b, struct rc_err *err)
{
	int rc = rc_elf_build_id(elf, &b->id, &b->len);

	b->present = false;
	b->hex[0] = '\0';
	if (rc == -RC_ENOENT || (rc == 0 && b->len == 0))
		return 0;
	if (rc < 0)
		return rc_err_set(err, rc, "cannot read the build-id of %s '%s'", role,
				  rc_elf_path(elf));
	b->present = true;
	rc_hex(b->id, b->len, b->hex, sizeof(b->hex));
	return 0;
}

static bool same_bid(const struct bid *a, const struct bid *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (a->id[i] != b->id[i])
			return false;
	return true;
}

/*
 * Go binaries also carry the Go build ID (.note.go.buildid), which the go
 * command uses; pprof and perf use only the GNU one, so it informs.
 */
static void report_go_build_ids(const struct rc_ctx *ctx, struct rc_check_result *out)
{
	const char *og = NULL, *ng = NULL;
	size_t ol = 0, nl = 0;
	bool ho = rc_elf_go_build_id(ctx->old_elf, &og, &ol) == 0;
	bool hn = rc_elf_go_build_id(ctx->new_elf, &ng, &nl) == 0;
	struct rc_finding *f;

	if (!ho && !hn)
		return;
	f = rc_result_add(out, RC_SEV_INFO, "build_id.go", "Go build ID %s: OLD %.*s, NEW %.*s",
			  ho && hn && ol == nl && !memcmp(og, ng, ol) ? "unchanged" : "changed",
			  ho ? (int)ol : 6, ho ? og : "(none)", hn ? (int)nl : 6,
			  hn ? ng : "(none)");
	if (ho)
		rc_finding_strn(f, "old", og, ol);
	if (hn)
		rc_finding_strn(f, "new", ng, nl);
}

/* Both builds have a Go build ID: it tells them apart when no GNU one does. */
static bool go_identified(const struct rc_ctx *ctx, const char **og, size_t *ol, const char **ng,
			  size_t *nl)
{
	return rc_elf_go_build_id(ctx->old_elf, og, ol) == 0 && *ol &&
	       rc_elf_go_build_id(ctx->new_elf, ng, nl) == 0 && *nl;
}

static int build_id_run(const struct rc_ctx *ctx, struct rc_check_result *out, struct rc_err *err)
{
	struct bid o, n;
	struct rc_finding *f;
	const char *og, *ng;
	size_t ol, nl;
	int rc;

	rc = get_bid(ctx->old_elf, "OLD", &o, err);
	if (rc < 0)
		return rc;
	rc = get_bid(ctx->new_elf, "NEW", &n, err);
	if (rc < 0)
		return rc;

	if (o.present && n.present) {
		if (same_bid(&o, &n) && rc_elf_same_contents(ctx->old_elf, ctx->new_elf)) {
			f = rc_result_add(
				out, RC_SEV_INFO, "build_id.identical",
				"OLD and NEW have the same build-id %s and the same bytes: "
				"the builds are identical",
				n.hex);
		} else if (same_bid(&o, &n)) {
			f = rc_result_add(
				out, RC_SEV_INFO, "build_id.reused",
				"OLD and NEW have the same build-id %s but different bytes: "
				"NEW was edited after linking (strip, objcopy, patchelf); "
				"symbolizers will treat them as the same build",
				n.hex);
		} else {
			f = rc_result_add(out, RC_SEV_INFO, "build_id.changed",
					  "build-id changed from %s to %s", o.hex, n.hex);
		}
		rc_finding_str(f, "old", o.hex);
		rc_finding_str(f, "new", n.hex);
	} else if (o.present) {
		f = rc_result_add(out, RC_SEV_WARN, "build_id.missing_new",
				  "NEW has no GNU build-id (OLD had %s): profilers, debuginfod and "
				  "symbolizers match binaries by build-id and will not find NEW's "
				  "symbols",
				  o.hex);
		rc_finding_str(f, "old", o.hex);
	} else if (n.present) {
		f = rc_result_add(out, RC_SEV_INFO, "build_id.missing_old",
				  "OLD had no GNU build-id; NEW has %s", n.hex);
		rc_finding_str(f, "new", n.hex);
	} else if (go_identified(ctx, &og, &ol, &ng, &nl)) {
		/* Pure Go links no GNU build-id by default; the Go build ID tells the builds apart. */
		f = rc_result_add(
			out, RC_SEV_INFO, "build_id.go_only",
			"neither OLD nor NEW has a GNU build-id, but both have a Go build "
			"ID that identifies them (see build_id.go); perf and debuginfod "
			"need a GNU one: link with -ldflags=-B=gobuildid");
		rc_finding_strn(f, "old_go_build_id", og, ol);
		rc_finding_strn(f, "new_go_build_id", ng, nl);
	} else {
		rc_result_add(out, RC_SEV_WARN, "build_id.missing",
			      "neither OLD nor NEW has a GNU build-id: profilers (perf, and Go's "
			      "pprof for a mapping's build_id), debuginfod and symbolizers cannot "
			      "tell the builds apart or find their symbols");
	}
	report_go_build_ids(ctx, out);
	if (o.present)
		rc_result_metric(out, "old_build_id_bytes", (int64_t)o.len);
	if (n.present)
		rc_result_metric(out, "new_build_id_bytes", (int64_t)n.len);
	return 0;
}

/* Every finding code this check emits (a unit test cross-checks the source). */
static const char *const finding_codes[] = {
	"build_id.go",	    "build_id.identical",   "build_id.reused",
	"build_id.changed", "build_id.missing_new", "build_id.missing_old",
	"build_id.missing", "build_id.go_only",	    NULL,
};

const struct rc_check rc_check_build_id = {
	.id = "build-id",
	.summary = "GNU build-id of OLD and NEW: identical builds and missing ids",
	.explain =
		"Reads the GNU build-id note (NT_GNU_BUILD_ID) of OLD and NEW. The build-id is "
		"how perf, pprof, debuginfod, crash reporters and symbolization services match a "
		"running binary (and the profiles and core dumps it produces) to its symbols and "
		"debug info. After an in-place reload the process image is NEW, so NEW's id is "
		"what every sample and crash will carry from then on. The same id in OLD and NEW "
		"(build_id.identical) means the candidate is byte-for-byte the build that is "
		"already running: a reload changes nothing, which usually means the pipeline "
		"picked up the wrong artifact. The same id with different bytes (build_id.reused) "
		"means NEW was edited after linking (strip, objcopy, patchelf): symbolizers treat "
		"both as one build, which is right for a strip with split debug info and wrong "
		"for anything else. A changed id (build_id.changed) is the normal "
		"case and is recorded so dashboards can tie samples to builds; upload NEW's "
		"debug info under that id before the reload. NEW without a build-id "
		"(build_id.missing_new, or build_id.missing when neither has one) leaves those "
		"tools unable to find NEW's symbols: link with -Wl,--build-id (GCC and Clang on "
		"most distributions do it by default; Go's internal linker needs "
		"-ldflags=-B=gobuildid or an explicit -B 0x<hex>), and do not strip or remove "
		"the .note.gnu.build-id section. When neither has a GNU build-id but both are Go "
		"programs with a Go build ID (build_id.go_only, with the IDs in build_id.go), "
		"the builds are still told apart, so it only informs.",
	.needs = RC_NEEDS_BINARIES,
	.codes = finding_codes,
	.run = build_id_run,
};
