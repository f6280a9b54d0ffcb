#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Checks that the built fixtures have the properties their v1.c headers
# promise, using binutils (readelf, nm) as an oracle independent of
# reloadcheck. A toolchain upgrade that silently changes a fixture (an extra
# local symbol, a different glibc version need, a lost PIE flag) fails here
# rather than as a puzzling check test.
#
# usage: check_fixtures.sh SRCDIR OUTDIR [GO]
#   SRCDIR  the testdata source directory (cases.txt, <case>/v1.c)
#   OUTDIR  ${CMAKE_BINARY_DIR}/testdata
#   GO      the go command that built the Go fixtures (default: go)

set -u
src=$1
out=$2
go=${3:-go}
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

# The file with a case's expect: lines, as cmd/tests/test_cli.c picks it.
expect_file()
{
	for f in v1.c v1.go expect.txt; do
		if [ -f "$src/$1/$f" ]; then
			echo "$src/$1/$f"
			return
		fi
	done
}

expect_re='^(/\*| \*) expect: [a-z][a-z-]* (pass|warn|fail|skip|error)( [a-z_]+\.[a-z_]+)*$'
while read -r c; do
	[ -n "$c" ] || continue
	f=$(expect_file "$c")
	if [ -z "$f" ]; then
		fail "$c: no v1.c, v1.go or expect.txt in $src/$c"
		continue
	fi
	b=$(basename "$f")
	head -n 1 "$f" | grep -Eq '^/\* expect: ' || fail "$c: $b does not start with '/* expect: '"
	n=$(grep -Ec '^(/\*| \*) expect: ' "$f")
	m=$(grep -Ec "$expect_re" "$f")
	[ "$n" -gt 0 ] && [ "$n" = "$m" ] || fail "$c: malformed expect line in $b"
	# The CLI test takes every "expect:" in the first comment and ignores the
	# rest of the file: all of them must be well-formed header lines.
	[ "$(sed '/\*\//q' "$f" | grep -c 'expect:')" = "$n" ] &&
		[ "$(grep -c 'expect:' "$f")" = "$n" ] ||
		fail "$c: stray expect: in $b (outside the header or inside a sentence)"
	[ -f "$out/$c/old" ] || fail "$c: $out/$c/old not built"
	[ -f "$out/$c/new" ] || fail "$c: $out/$c/new not built"
done <"$src/cases.txt"
for d in "$src"/*/v1.c "$src"/*/v1.go "$src"/*/expect.txt; do
	[ -f "$d" ] || continue
	c=$(basename "$(dirname "$d")")
	grep -qx "$c" "$src/cases.txt" || fail "$c: has $(basename "$d") but is not in cases.txt"
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

# --- Go programs (go/, sources in $src/go) ---

gv()
{
	"$go" version -m "$1" 2>&1
}

# go_has FILE LINE: `go version -m FILE` has LINE (its tab-separated fields
# written here with single spaces).
go_has()
{
	gv "$1" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; s/[[:space:]]+/ /g' | grep -qx "$2"
}

# File offset (hex) of section $2 (a regular expression) in $1.
section_offset()
{
	readelf -SW "$1" | sed -nE "s/.*\] $2 +[A-Z_]+ +[0-9a-f]+ ([0-9a-f]+) .*/\1/p"
}

for f in go/pure/plain go/pure/sw go/pure/stripped go/pure/pie go/pure/nocgo go/pure/v2 \
	go/cgo/plain go/cgo/sw go/cgo/stripped go/cgo/pie go/cgo/race go/cgo/v2; do
	if [ ! -f "$f" ]; then
		fail "$f not built"
		continue
	fi
	go_has "$f" "$f: go[0-9.]*" || fail "$f: go version -m does not know it: $(gv "$f" | head -n 1)"
	go_has "$f" "build -trimpath=true" || fail "$f: not built with -trimpath"
	gv "$f" | grep -q 'vcs\.' && fail "$f: has vcs.* settings (-buildvcs=false missing)"
	case $f in
	go/pure/v2) want="reloadfix v2 (reloaddep v1.1.0): " ;;
	go/pure/*) want="reloadfix v1 (reloaddep v1.2.0): " ;;
	go/cgo/v2) want="reloadcgo v2: canary 0x5eed0001, go add 154" ;;
	*) want="reloadcgo v1: canary 0x5eed0001, go add 154" ;;
	esac
	got=$(./"$f" 2>&1) || fail "$f: exit $? when run: $got"
	case $got in
	"$want"*) ;;
	*) fail "$f: printed '$got', expected '$want...'" ;;
	esac
	has_section "$f" .go.buildinfo || fail "$f: no .go.buildinfo"
done

# Buildinfo: module, the replaced dependency and its version, cgo, race.
go_has go/pure/plain "path example.com/reloadfix" || fail "go/pure/plain: path is not example.com/reloadfix"
go_has go/pure/plain "dep example.com/reloaddep v1.2.0" || fail "go/pure/plain: reloaddep is not v1.2.0"
go_has go/pure/plain "=> ./dep (devel)" || fail "go/pure/plain: reloaddep is not replaced by ./dep"
go_has go/pure/v2 "dep example.com/reloaddep v1.1.0" || fail "go/pure/v2: reloaddep is not v1.1.0"
go_has go/cgo/plain "path example.com/reloadcgo" || fail "go/cgo/plain: path is not example.com/reloadcgo"
for f in go/pure/plain go/pure/sw go/pure/pie go/pure/v2 go/cgo/plain go/cgo/v2 go/cgo/race; do
	go_has "$f" "build CGO_ENABLED=1" || fail "$f: not CGO_ENABLED=1"
done
go_has go/pure/nocgo "build CGO_ENABLED=0" || fail "go/pure/nocgo: not CGO_ENABLED=0"
go_has go/cgo/race "build -race=true" || fail "go/cgo/race: no -race=true setting"
gv go/cgo/plain | grep -q -- '-race' && fail "go/cgo/plain: has a -race setting"

# Sections: strip and -s -w drop .symtab and DWARF but keep the pclntab.
for f in go/pure/plain go/pure/v2 go/pure/nocgo go/cgo/plain go/cgo/v2 go/cgo/race; do
	has_section "$f" .symtab || fail "$f: no .symtab"
done
for f in go/pure/plain go/pure/sw go/pure/stripped go/pure/nocgo go/pure/v2 \
	go/cgo/plain go/cgo/sw go/cgo/stripped go/cgo/race go/cgo/v2; do
	has_section "$f" .gopclntab || fail "$f: no .gopclntab"
done
for f in go/pure/sw go/pure/stripped go/cgo/sw go/cgo/stripped; do
	has_section "$f" .symtab && fail "$f: still has .symtab"
	readelf -SW "$f" | grep -Eq ' \.z?debug_' && fail "$f: still has debug sections"
done
has_section go/cgo/stripped .dynsym || fail "go/cgo/stripped: lost .dynsym"
# In a PIE the internal linker calls it .data.rel.ro.gopclntab, and the
# external one (cgo) merges it into .data.rel.ro: a reader must scan for it.
has_section go/pure/pie .data.rel.ro.gopclntab ||
	fail "go/pure/pie: the pclntab is not in .data.rel.ro.gopclntab"
for f in go/pure/pie go/cgo/pie; do
	readelf -h "$f" | grep -q 'Type: *DYN' || fail "$f: not ET_DYN"
	readelf -d "$f" | grep -q 'FLAGS_1.*PIE' || fail "$f: no DF_1_PIE"
done
for f in go/pure/plain go/pure/nocgo go/cgo/plain; do
	readelf -h "$f" | grep -q 'Type: *EXEC' || fail "$f: not ET_EXEC"
done
readelf -d go/pure/nocgo | grep -q 'NEEDED' && fail "go/pure/nocgo: has DT_NEEDED entries"
readelf -lW go/pure/nocgo | grep -q 'INTERP' && fail "go/pure/nocgo: has a PT_INTERP"
readelf -d go/cgo/plain | grep -q 'NEEDED.*\[libc\.so\.6\]' || fail "go/cgo/plain: does not need libc.so.6"

# Go functions: v2 drops rotate, fold (and reloaddep.Spread), adds blend, square, clamp.
for s in main.seed main.checksum main.rotate main.fold example.com/reloaddep.Mix \
	example.com/reloaddep.Spread; do
	nm go/pure/plain | grep -q " T $s\$" || fail "go/pure/plain: no function $s"
done
for s in main.blend main.square main.clamp; do
	nm go/pure/plain | grep -q " T $s\$" && fail "go/pure/plain: already has $s"
done
for s in main.seed main.checksum main.blend main.square main.clamp example.com/reloaddep.Mix; do
	nm go/pure/v2 | grep -q " T $s\$" || fail "go/pure/v2: no function $s"
done
for s in main.rotate main.fold example.com/reloaddep.Spread; do
	nm go/pure/v2 | grep -q " T $s\$" && fail "go/pure/v2: still has $s"
done

# go tool nm -size -sort address: "ADDR SIZE TYPE NAME", ascending addresses.
grep -Eq '^ *[0-9a-f]+ +5 T main\.rotate$' go/pure/plain.nm ||
	fail "go/pure/plain.nm: no 5-byte main.rotate"
grep -Eq '^ *8 +8 D rc_canary$' go/cgo/plain.nm || fail "go/cgo/plain.nm: no 8-byte rc_canary at 8"
for f in go/pure/plain.nm go/cgo/plain.nm; do
	awk '{ printf "%16s\n", $1 }' "$f" | tr ' ' 0 | LC_ALL=C sort -c 2>/dev/null ||
		fail "$f: not sorted by address"
done

# cgo: C TLS, C functions called from Go, Go functions exported to C.
for f in go/cgo/plain go/cgo/v2; do
	readelf -sW "$f" | grep -Eq ' 8 TLS +GLOBAL +DEFAULT +[0-9]+ rc_canary$' ||
		fail "$f: rc_canary is not an 8-byte global TLS symbol"
	readelf -lW "$f" | grep -q '^ *TLS ' || fail "$f: no PT_TLS"
	for s in GoAdd rc_set_canary rc_get_canary rc_call_go; do
		nm "$f" | grep -q " T $s\$" || fail "$f: no global function $s"
	done
	nm "$f" | grep -Eq ' T _cgoexp_[0-9a-f]{12}_GoAdd$' || fail "$f: no _cgoexp_ wrapper for GoAdd"
	nm "$f" | grep -Eq ' T _cgo_[0-9a-f]{12}_Cfunc_rc_set_canary$' ||
		fail "$f: no _cgo_ wrapper for rc_set_canary"
done
nm go/cgo/plain | grep -q ' T GoName$' || fail "go/cgo/plain: no global function GoName"
nm go/cgo/plain | grep -Eq ' T _cgoexp_[0-9a-f]{12}_GoName$' ||
	fail "go/cgo/plain: no _cgoexp_ wrapper for GoName"
nm go/cgo/v2 | grep -q 'GoName' && fail "go/cgo/v2: still has GoName"
nm go/cgo/plain | grep -q 'rc_bump_canary' && fail "go/cgo/plain: already has rc_bump_canary"
nm go/cgo/v2 | grep -Eq ' T _cgo_[0-9a-f]{12}_Cfunc_rc_bump_canary$' ||
	fail "go/cgo/v2: does not call rc_bump_canary"
nm go/cgo/race | grep -q ' T __tsan_init$' || fail "go/cgo/race: no race runtime (__tsan_init)"

# The Go pairs are byte-for-byte copies of the programs above.
while read -r c o n; do
	cmp -s "$c/old" "$o" || fail "$c: old is not a copy of $o"
	[ "$n" = - ] || cmp -s "$c/new" "$n" || fail "$c: new is not a copy of $n"
done <<EOF
go_stripped go/cgo/plain go/cgo/stripped
go_sw go/pure/plain go/pure/sw
go_funcs_changed go/pure/plain go/pure/v2
go_race go/cgo/plain go/cgo/race
go_cgo_gone go/cgo/plain go/pure/nocgo
go_export_removed go/cgo/plain go/cgo/v2
go_pie go/pure/plain go/pure/pie
go_pclntab_broken go/pure/plain -
go_not_go identical/old identical/new
EOF

# go_pclntab_broken/new: OLD with the 4 magic bytes of .gopclntab zeroed, nothing else.
off=$(section_offset go_pclntab_broken/new '\.gopclntab')
if [ -z "$off" ]; then
	fail "go_pclntab_broken: new has no .gopclntab"
else
	[ "$(od -An -tx1 -j $((0x$off)) -N 4 go_pclntab_broken/old | tr -d ' ')" = f0ffffff ] ||
		fail "go_pclntab_broken: old .gopclntab magic is not 0xfffffff0 (Go 1.18-1.19)"
	[ "$(od -An -tx1 -j $((0x$off)) -N 4 go_pclntab_broken/new | tr -d ' ')" = 00000000 ] ||
		fail "go_pclntab_broken: new .gopclntab does not start with 4 zero bytes"
	[ "$(cmp -l go_pclntab_broken/old go_pclntab_broken/new | wc -l)" -eq 4 ] ||
		fail "go_pclntab_broken: old and new do not differ in exactly the 4 magic bytes"
fi

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
