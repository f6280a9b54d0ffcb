/* SPDX-License-Identifier: MIT */
/*
 * Build identity: which build a running executable or a file on disk is,
 * by GNU build-id, Go build ID or content hash, compared like with like.
 */
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/proc.h>

static const char *const kinds[] = {"GNU build-id", "Go build ID", "XXH3-128 of content"};

static const char *ident_value(const struct rc_build_ident *id, size_t k)
{
	const char *v = k == 0 ? id->build_id : k == 1 ? id->go_build_id : id->content_hash;

	return *v ? v : NULL;
}

void rc_snapshot_build_ident(const struct rc_snapshot *s, struct rc_build_ident *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->build_id, s->exe_build_id, sizeof(out->build_id));
	memcpy(out->go_build_id, s->exe_go_build_id, sizeof(out->go_build_id));
	memcpy(out->content_hash, s->exe_content_hash, sizeof(out->content_hash));
}

void rc_elf_build_ident(const struct rc_elf *elf, struct rc_build_ident *out)
{
	const unsigned char *id;
	const char *gid;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (rc_elf_build_id(elf, &id, &len) == 0)
		rc_hex(id, len, out->build_id, sizeof(out->build_id));
	if (rc_elf_go_build_id(elf, &gid, &len) == 0 && len < sizeof(out->go_build_id)) {
		memcpy(out->go_build_id, gid, len);
		out->go_build_id[len] = '\0';
	}
	rc_elf_content_hash(elf, out->content_hash, sizeof(out->content_hash));
}

int rc_build_ident_compare(const struct rc_build_ident *a, const struct rc_build_ident *b,
			   const char **kind, const char **va, const char **vb)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const char *x = ident_value(a, k), *y = ident_value(b, k);

		if (!x || !y)
			continue;
		*kind = kinds[k];
		*va = x;
		*vb = y;
		return strcmp(x, y) == 0;
	}
	*kind = *va = *vb = NULL;
	return -1;
}

bool rc_build_ident_best(const struct rc_build_ident *id, const char **kind, const char **value)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (ident_value(id, k)) {
			*kind = kinds[k];
			*value = ident_value(id, k);
			return true;
		}
	}
	*kind = *value = NULL;
	return false;
}
