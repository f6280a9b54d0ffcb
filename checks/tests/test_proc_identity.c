/* SPDX-License-Identifier: MIT */
/* proc-identity on hand-built snapshots and real fixture binaries as --expect-binary. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloadcheck/elf.h>
#include <reloadcheck/error.h>
#include <reloadcheck/registry.h>

#include "checktest.h"
#include "proctest.h"

static struct rc_elf *fixture(const char *rel, char *hex)
{
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	const unsigned char *id;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", RC_FIXTURES, rel);
	ck_assert_msg(rc_elf_open(path, &elf, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(rc_elf_build_id(elf, &id, &len), 0);
	rc_hex(id, len, hex, 129);
	return elf;
}

START_TEST(expected_binary_matches)
{
	struct rc_snapshot s;
	struct proctest t;
	char hex[129];
	struct rc_elf *elf = fixture("identical/old", hex);

	proctest_snapshot(&s);
	snprintf(s.exe_build_id, sizeof(s.exe_build_id), "%s", hex);
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.binary_match"));
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe"));
	proctest_done(&t);
	proctest_release(&s);
	rc_elf_free(elf);
}
END_TEST

START_TEST(expected_binary_mismatch_fails)
{
	struct rc_snapshot s;
	struct proctest t;
	char hex[129];
	struct rc_elf *elf = fixture("tls_added/new", hex);
	const struct rc_finding *f;

	proctest_snapshot(&s);
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "proc.binary_mismatch");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(proctest_detail(f, "expected_build_id"), hex);
	ck_assert_str_eq(proctest_detail(f, "running_build_id"), s.exe_build_id);
	proctest_done(&t);
	proctest_release(&s);
	rc_elf_free(elf);
}
END_TEST

START_TEST(go_build_id_identifies_go_binaries)
{
	struct rc_snapshot s;
	struct proctest t;
	char path[4096];
	struct rc_elf *elf = NULL;
	struct rc_err err = {0};
	const char *gid;
	size_t len;

	snprintf(path, sizeof(path), "%s/go/pure/plain", RC_FIXTURES);
	ck_assert_int_eq(rc_elf_open(path, &elf, &err), 0);
	ck_assert_int_eq(rc_elf_go_build_id(elf, &gid, &len), 0);
	proctest_snapshot(&s);
	s.exe_build_id[0] = '\0'; /* pure Go: no GNU build-id */
	memcpy(s.exe_go_build_id, gid, len);
	s.exe_go_build_id[len] = '\0';
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_str_eq(proctest_detail(proctest_find(&t, "proc.binary_match"), "kind"),
			 "Go build ID");
	proctest_done(&t);
	s.exe_go_build_id[0] ^= 1;
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.binary_mismatch"));
	proctest_done(&t);
	proctest_release(&s);
	rc_elf_free(elf);
}
END_TEST

START_TEST(stopped_process_warns)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	s.threads[0].state = 'T';
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.stopped"));
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(deleted_and_replaced_warn)
{
	struct rc_snapshot s;
	struct proctest t;

	proctest_snapshot(&s);
	s.exe_deleted = true;
	s.objects[1].replaced = true;
	s.objects[1].deleted = true; /* renamed over: replaced wins */
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_deleted"));
	ck_assert_str_eq(proctest_detail(proctest_find(&t, "proc.object_replaced"), "path"),
			 "/lib/x86_64-linux-gnu/libc.so.6");
	proctest_done(&t);
	proctest_release(&s);
}
END_TEST

START_TEST(baseline_tells_if_reloaded)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_WARN);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_unchanged"));
	proctest_done(&t);
	memset(s.exe_build_id, 'b', 40);
	s.pid = 200;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_changed"));
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.pid_changed"));
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(gate_old_mismatch_names_both)
{
	struct rc_snapshot s;
	struct proctest t;
	char hex[129];
	struct rc_elf *elf = fixture("tls_added/old", hex);
	struct rc_ctx ctx = {.now = &s, .expect_elf = elf, .expect_is_old = true};
	const struct rc_finding *f;

	proctest_snapshot(&s);
	proctest_run_ctx(&t, &rc_check_proc_identity, &ctx);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "proc.binary_mismatch");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "not OLD"));
	ck_assert_ptr_nonnull(strstr(f->message, hex));
	ck_assert_ptr_nonnull(strstr(f->message, s.exe_build_id));
	ck_assert_str_eq(proctest_detail(f, "kind"), "GNU build-id");
	ck_assert_str_eq(proctest_detail(f, "expected_id"), hex);
	proctest_done(&t);
	proctest_release(&s);
	rc_elf_free(elf);
}
END_TEST

/* No GNU or Go build ID: the content hash decides, and a match is a match. */
START_TEST(content_hash_identifies)
{
	struct rc_snapshot s;
	struct proctest t;
	char hex[129], path[4096];
	struct rc_elf *elf = fixture("no_build_id_new/old", hex);
	struct rc_elf *nobid = NULL;
	struct rc_err err = {0};
	const struct rc_finding *f;

	snprintf(path, sizeof(path), "%s/no_build_id_new/new", RC_FIXTURES);
	ck_assert_msg(rc_elf_open(path, &nobid, &err) == 0, "%s", err.msg);
	proctest_snapshot(&s);
	s.exe_build_id[0] = '\0';
	rc_elf_content_hash(nobid, s.exe_content_hash, sizeof(s.exe_content_hash));
	ck_assert_uint_eq(strlen(s.exe_content_hash), 32);
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, nobid);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	f = proctest_find(&t, "proc.binary_match");
	ck_assert_str_eq(proctest_detail(f, "kind"), "XXH3-128 of content");
	proctest_done(&t);
	/* OLD has a GNU build-id the process lacks: the hashes differ. */
	proctest_run(&t, &rc_check_proc_identity, &s, NULL, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "proc.binary_mismatch");
	ck_assert_str_eq(proctest_detail(f, "kind"), "XXH3-128 of content");
	ck_assert_str_eq(proctest_detail(f, "running_id"), s.exe_content_hash);
	proctest_done(&t);
	proctest_release(&s);
	rc_elf_free(elf);
	rc_elf_free(nobid);
}
END_TEST

START_TEST(restart_into_same_build_informs)
{
	struct rc_snapshot b, s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	s.pid = 200; /* nginx USR2 to the same binary: a new master */
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(proctest_count(&t, "proc.exe_unchanged"), 0);
	f = proctest_find(&t, "proc.exe_restarted");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "restarted into the same build"));
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.pid_changed"));
	proctest_done(&t);
	/* Same pid, new start time: the pid was reused by a restart. */
	s.pid = 100;
	s.start_time = b.start_time + 50;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_restarted"));
	ck_assert_int_eq(proctest_count(&t, "proc.exe_unchanged"), 0);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

START_TEST(restart_but_other_build_expected_fails)
{
	struct rc_snapshot b, s;
	struct proctest t;
	char hex[129];
	struct rc_elf *elf = fixture("tls_added/new", hex);
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	s.pid = 200;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, elf);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_FAIL);
	f = proctest_find(&t, "proc.exe_unchanged");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, RC_SEV_FAIL);
	ck_assert_ptr_nonnull(strstr(f->message, hex));
	ck_assert_ptr_nonnull(strstr(f->message, s.exe_build_id));
	ck_assert_int_eq(proctest_count(&t, "proc.exe_restarted"), 0);
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
	rc_elf_free(elf);
}
END_TEST

/* A pure-Go build replaced in place: same path, no GNU build-id, new Go build ID. */
START_TEST(go_replaced_in_place_changed)
{
	struct rc_snapshot b, s;
	struct proctest t;
	const struct rc_finding *f;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	b.exe_build_id[0] = s.exe_build_id[0] = '\0';
	snprintf(b.exe_go_build_id, sizeof(b.exe_go_build_id), "aaa/bbb/ccc/ddd");
	snprintf(s.exe_go_build_id, sizeof(s.exe_go_build_id), "eee/fff/ggg/hhh");
	s.pid = 200;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_int_eq(rc_result_verdict(t.res), RC_VERDICT_PASS);
	ck_assert_int_eq(proctest_count(&t, "proc.exe_unchanged"), 0);
	f = proctest_find(&t, "proc.exe_changed");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "Go build ID aaa/bbb/ccc/ddd"));
	ck_assert_ptr_nonnull(strstr(f->message, "Go build ID eee/fff/ggg/hhh"));
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

/* A baseline of an older version (no ids, no hash): the file identity decides. */
START_TEST(old_baseline_uses_file_identity)
{
	struct rc_snapshot b, s;
	struct proctest t;

	proctest_snapshot(&b);
	proctest_snapshot(&s);
	b.exe_build_id[0] = s.exe_build_id[0] = '\0';
	b.exe_content_hash[0] = '\0';
	s.exe_inode++;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_changed"));
	proctest_done(&t);
	s.exe_inode--;
	proctest_run(&t, &rc_check_proc_identity, &s, &b, NULL);
	ck_assert_ptr_nonnull(proctest_find(&t, "proc.exe_unchanged"));
	proctest_done(&t);
	proctest_release(&b);
	proctest_release(&s);
}
END_TEST

static Suite *proc_identity_suite(void)
{
	return checktest_suite(
		"proc_identity",
		(const struct checktest_tcase[]){
			{"identity",
			 {expected_binary_matches, expected_binary_mismatch_fails,
			  deleted_and_replaced_warn, go_build_id_identifies_go_binaries,
			  stopped_process_warns, baseline_tells_if_reloaded,
			  gate_old_mismatch_names_both, content_hash_identifies,
			  restart_into_same_build_informs, restart_but_other_build_expected_fails,
			  go_replaced_in_place_changed, old_baseline_uses_file_identity}},
			{NULL}});
}

int main(void)
{
	return checktest_main(proc_identity_suite());
}
