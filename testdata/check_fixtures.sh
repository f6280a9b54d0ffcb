#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks that the built fixtures have the properties their v1.c headers
# promise, using binutils (readelf, nm) as an oracle independent of
# reloadcheck. A toolchain upgrade that silently changes a fixture (an extra
# local symbol, a different glibc version need, a lost PIE flag) fails here
# rather than as a puzzling check test.
#
# usage: check_fixtures.sh SRCDIR OUTDIR
#   SRCDIR  the testdata source directory (cases.txt, <case>/v1.c)
#   OUTDIR  ${CMAKE_BINARY_DIR}/testdata

set -u
src=$1
out=$2
failures=0

fail()
{
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# Symbols as "name size type", addresses dropped, sorted.
syms_no_addr()
{
	nm -S "$@" | awk 'NF == 4 { print $4, $2, $3 } NF == 3 { print $3, "-", $2 }' | sort
}

has_section()
{
	readelf -SW "$1" | grep -q " $2 "
}

# --- cases.txt and the expect headers ---

expect_re='^(/\*| \*) expect: [a-z][a-z-]* (pass|warn|fail)( [a-z_]+\.[a-z_]+)*$'
while read -r c; do
	[ -n "$c" ] || continue
	f=$src/$c/v1.c
	if [ ! -f "$f" ]; then
		fail "$c: no $f"
		continue
	fi
	head -n 1 "$f" | grep -Eq '^/\* expect: ' || fail "$c: v1.c does not start with '/* expect: '"
	n=$(grep -Ec '^(/\*| \*) expect: ' "$f")
	m=$(grep -Ec "$expect_re" "$f")
	[ "$n" -gt 0 ] && [ "$n" = "$m" ] || fail "$c: malformed expect line in v1.c"
	[ -f "$out/$c/old" ] || fail "$c: $out/$c/old not built"
	[ -f "$out/$c/new" ] || fail "$c: $out/$c/new not built"
done <"$src/cases.txt"
for d in "$src"/*/v1.c; do
	c=$(basename "$(dirname "$d")")
	grep -qx "$c" "$src/cases.txt" || fail "$c: has a v1.c but is not in cases.txt"
done

cd "$out" || exit 1

# --- pairs ---

cmp -s identical/old identical/new || fail "identical: old and new differ"
readelf -n identical/old | grep -q 'Build ID' || fail "identical: no build-id"

syms_no_addr moved_only/old >_work/mo.old.tmp
syms_no_addr moved_only/new >_work/mo.new.tmp
cmp -s _work/mo.old.tmp _work/mo.new.tmp || fail "moved_only: symbol names, sizes or types differ"
[ "$(nm moved_only/old | grep ' fix_mix$')" != "$(nm moved_only/new | grep ' fix_mix$')" ] ||
	fail "moved_only: fix_mix did not move"
[ "$(nm moved_only/old | grep ' fix_table$')" != "$(nm moved_only/new | grep ' fix_table$')" ] ||
	fail "moved_only: fix_table did not move"
rm -f _work/mo.old.tmp _work/mo.new.tmp

nm -D --defined-only removed_export/old | grep -q ' T fix_beta$' ||
	fail "removed_export: old does not export fix_beta"
nm -D --defined-only removed_export/new | grep -q ' fix_beta$' &&
	fail "removed_export: new still exports fix_beta"
nm -D --defined-only removed_export/new | grep -q ' T fix_alpha$' ||
	fail "removed_export: new does not export fix_alpha"
readelf -d removed_export/new | grep -q 'Library soname: \[libfix.so.1\]' ||
	fail "removed_export: no soname libfix.so.1"

nm -DS --defined-only resized_data/old | grep -q ' 0*10 D fix_table$' ||
	fail "resized_data: old fix_table is not 16 bytes"
nm -DS --defined-only resized_data/new | grep -q ' 0*20 D fix_table$' ||
	fail "resized_data: new fix_table is not 32 bytes"

norm='s/\.(isra|constprop|part|lto_priv)\.[0-9]+//g; s/\.cold / /; s/^_cgo_[0-9a-f]{12}_/_cgo_/'
syms_no_addr clone_rename/old | sed -E "$norm" | sort >_work/cr.old.tmp
syms_no_addr clone_rename/new | sed -E "$norm" | sort >_work/cr.new.tmp
cmp -s _work/cr.old.tmp _work/cr.new.tmp || fail "clone_rename: symbols differ after normalising"
rm -f _work/cr.old.tmp _work/cr.new.tmp
for s in fix_helper.isra.0 fix_scale.constprop.1 fix_split.part.0 fix_lookup.lto_priv.0 \
	fix_split.part.0.cold fix_fail.cold _cgo_0a1b2c3d4e5f_Cfunc_puts; do
	nm clone_rename/old | grep -q " T $s\$" || fail "clone_rename: old lacks global $s"
done
for s in fix_helper.isra.3 fix_scale.constprop.2 fix_split.part.1 fix_lookup.lto_priv.4 \
	fix_split.part.1.cold fix_fail.cold _cgo_9f8e7d6c5b4a_Cfunc_puts; do
	nm clone_rename/new | grep -q " T $s\$" || fail "clone_rename: new lacks global $s"
done

has_section stripped_new/old .symtab || fail "stripped_new: old has no .symtab"
has_section stripped_new/old .debug_info || fail "stripped_new: old has no .debug_info"
has_section stripped_new/new .symtab && fail "stripped_new: new still has .symtab"
readelf -SW stripped_new/new | grep -q ' \.debug_' && fail "stripped_new: new has debug sections"
has_section stripped_new/new .dynsym || fail "stripped_new: new lost .dynsym"

readelf -n no_build_id_new/old | grep -q 'Build ID' || fail "no_build_id_new: old has no build-id"
readelf -n no_build_id_new/new | grep -q 'Build ID' && fail "no_build_id_new: new has a build-id"

readelf -sW tls_added/old | grep -q ' TLS .* fix_tls_new$' && fail "tls_added: old has fix_tls_new"
readelf -sW tls_added/new | grep -q ' 8 TLS .* GLOBAL .* fix_tls_new$' ||
	fail "tls_added: new lacks global 8-byte TLS fix_tls_new"
for f in old new; do
	readelf -sW tls_added/$f | grep -q ': 0* *4 TLS .* GLOBAL .* fix_tls_counter$' ||
		fail "tls_added: $f: fix_tls_counter is not a 4-byte TLS global at offset 0"
	readelf -lW tls_added/$f | grep -q '^ *TLS ' || fail "tls_added: $f has no PT_TLS"
done

readelf -V glibc_newer/old | grep -q 'Name: GLIBC_2.34 ' || fail "glibc_newer: old does not need GLIBC_2.34"
readelf -V glibc_newer/new | grep -q 'Name: GLIBC_2.38 ' || fail "glibc_newer: new does not need GLIBC_2.38"
readelf -V glibc_newer/new | grep -q 'GLIBC_2.34' && fail "glibc_newer: new still needs GLIBC_2.34"

readelf -d needed_added/old | grep -q 'libm\.so' && fail "needed_added: old needs libm"
readelf -d needed_added/new | grep -q 'NEEDED.*\[libm\.so\.6\]' || fail "needed_added: new does not need libm.so.6"

readelf -h pie_change/old | grep -q 'Type: *EXEC' || fail "pie_change: old is not ET_EXEC"
readelf -h pie_change/new | grep -q 'Type: *DYN' || fail "pie_change: new is not ET_DYN"
readelf -d pie_change/new | grep -q 'FLAGS_1.*PIE' || fail "pie_change: new has no DF_1_PIE"

readelf -h class_change/old | grep -q 'Class: *ELF64' || fail "class_change: old is not ELF64"
readelf -h class_change/new | grep -q 'Class: *ELF32' || fail "class_change: new is not ELF32"
readelf -h class_change/new | grep -q 'Machine: *Intel 80386' || fail "class_change: new is not i386"

readelf -SW gopclntab_lost/old | grep -q ' \.gopclntab  *PROGBITS .* 000040 00  *A ' ||
	fail "gopclntab_lost: old has no allocated 64-byte .gopclntab"
has_section gopclntab_lost/new .gopclntab && fail "gopclntab_lost: new still has .gopclntab"

# --- generated files: valid (readelf silent on stderr) and as requested ---

check_gen()
{
	f=$1
	want=$2
	err=$(readelf -a "$f" 2>&1 >/dev/null)
	[ -z "$err" ] || fail "$f: readelf complains: $err"
	got=$(readelf -h "$f" | sed -nE 's/^ *(Class|Data|Type|Machine): *//p' | tr '\n' ';')
	case "$got" in
	$want) ;;
	*) fail "$f: header is '$got', expected '$want'" ;;
	esac
}

check_gen elfgen/le32 'ELF32;*little endian;EXEC*;Intel 80386;'
check_gen elfgen/be32 'ELF32;*big endian;EXEC*;PowerPC;'
check_gen elfgen/be64 'ELF64;*big endian;EXEC*;PowerPC64;'
check_gen elfgen/le64_rel 'ELF64;*little endian;REL*;Advanced Micro Devices X86-64;'
check_gen bad/core 'ELF64;*little endian;CORE*;Advanced Micro Devices X86-64;'
for f in elfgen/le32 elfgen/be32 elfgen/be64 elfgen/le64_rel; do
	[ "$(nm "$f" | awk '{ print $2 $3 }' | sort | tr '\n' ' ')" = \
		"Rgen_data Tgen_helper Tgen_main " ] || fail "$f: unexpected symbols"
done

# --- bad inputs ---

[ -f bad/empty ] && [ ! -s bad/empty ] || fail "bad/empty is not an empty file"
[ -d bad/dir ] || fail "bad/dir is not a directory"
grep -q 'not an ELF' bad/text.txt || fail "bad/text.txt is not the text file"
[ "$(wc -c <bad/truncated)" -eq 1000 ] || fail "bad/truncated is not 1000 bytes"
cmp -s -n 1000 bad/truncated identical/old || fail "bad/truncated is not a prefix of identical/old"
readelf -h bad/bad_strtab | grep -q 'string table index: *999' || fail "bad/bad_strtab: e_shstrndx is not 999"
for f in truncated shoff_past_end sections_past_end bad_strtab; do
	[ -n "$(readelf -a bad/$f 2>&1 >/dev/null)" ] || fail "bad/$f: readelf finds nothing wrong"
done

if [ "$failures" -ne 0 ]; then
	echo "$failures fixture check(s) failed" >&2
	exit 1
fi
echo "all fixtures as expected"
