/* SPDX-License-Identifier: MIT */
/*
 * Building the checks' context: the files the static checks read. Every
 * command and test opens its inputs here, so a check's needs are met the
 * same way everywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/dwarf.h>
#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/runner.h>

struct rc_ctx_storage {
	char libc_path[4096];
	char libc_problem[RC_ERR_MSG_MAX];
	char old_dwarf_problem[RC_ERR_MSG_MAX], new_dwarf_problem[RC_ERR_MSG_MAX];
};

/* Open @elf's debug information; a missing or corrupt one is recorded for dwarf-layout. */
static void open_dwarf(const struct rc_elf *elf, const char *debug_dir, struct rc_dwarf **out,
		       char *problem, size_t size, const char **problem_out, bool *corrupt)
{
	struct rc_err err = {0};
	int rc = rc_dwarf_open(elf, debug_dir, out, &err);

	if (rc) {
		snprintf(problem, size, "%s", err.msg);
		*problem_out = problem;
		*corrupt = rc != -RC_ENOENT;
	}
}

int rc_ctx_open_binaries(struct rc_ctx *ctx, const char *old_path, const char *new_path,
			 const struct rc_binary_opts *o, struct rc_err *err)
{
	static const struct rc_binary_opts none = {0};
	struct rc_ctx_storage *st;
	struct rc_err lerr = {0};
	int rc;

	o = o ? o : &none;
	if (!ctx->storage_) {
		ctx->storage_ = calloc(1, sizeof(*ctx->storage_));
		if (!ctx->storage_)
			return rc_err_set(err, -RC_ENOMEM, "out of memory");
	}
	st = ctx->storage_;
	if (old_path) {
		rc = rc_elf_open(old_path, &ctx->old_elf, err);
		if (rc)
			return rc;
	}
	if (new_path) {
		rc = rc_elf_open(new_path, &ctx->new_elf, err);
		if (rc)
			return rc;
	}
	ctx->sysroot = o->sysroot ? o->sysroot : "";
	ctx->host_libc_path = st->libc_path;
	if (rc_elf_open_libc(ctx->new_elf, ctx->sysroot, st->libc_path, sizeof(st->libc_path),
			     &ctx->host_libc, &lerr) != 0) {
		snprintf(st->libc_problem, sizeof(st->libc_problem), "%s", lerr.msg);
		ctx->host_libc_problem = st->libc_problem;
	}
	open_dwarf(ctx->old_elf, o->debug_dir, &ctx->old_dwarf, st->old_dwarf_problem,
		   sizeof(st->old_dwarf_problem), &ctx->old_dwarf_problem, &ctx->old_dwarf_corrupt);
	open_dwarf(ctx->new_elf, o->debug_dir, &ctx->new_dwarf, st->new_dwarf_problem,
		   sizeof(st->new_dwarf_problem), &ctx->new_dwarf_problem, &ctx->new_dwarf_corrupt);
	ctx->state_types = o->state_types;
	ctx->n_state_types = o->n_state_types;
	ctx->require_debuginfo = o->require_debuginfo;
	return 0;
}

int rc_ctx_open_expected(struct rc_ctx *ctx, const char *path, struct rc_err *err)
{
	return rc_elf_open(path, &ctx->expect_elf, err);
}

void rc_ctx_release(struct rc_ctx *ctx)
{
	rc_dwarf_free(ctx->old_dwarf);
	rc_dwarf_free(ctx->new_dwarf);
	/* reload's expected binary is NEW itself, gate's OLD. */
	if (ctx->expect_elf != ctx->new_elf && ctx->expect_elf != ctx->old_elf)
		rc_elf_free(ctx->expect_elf);
	rc_elf_free(ctx->old_elf);
	rc_elf_free(ctx->new_elf);
	rc_elf_free(ctx->host_libc);
	free(ctx->storage_);
	ctx->old_dwarf = ctx->new_dwarf = NULL;
	ctx->old_elf = ctx->new_elf = ctx->expect_elf = ctx->host_libc = NULL;
	ctx->expect_is_old = false;
	ctx->old_dwarf_problem = ctx->new_dwarf_problem = ctx->host_libc_problem = NULL;
	ctx->host_libc_path = NULL;
	ctx->storage_ = NULL;
}
