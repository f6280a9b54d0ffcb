#!/usr/bin/env bash
# dwarf-layout cross-checked with libabigail's abidiff, an independent reader
# of the same DWARF, on every testdata/dwarf_* pair in cases.txt (except
# dwarf_nodebug and dwarf_corrupt, which abidiff cannot compare): wherever
# abidiff reports a change to struct state or struct tstate (the types of the
# exported rc_state and the TLS rc_tls), dwarf-layout must report a matching
# finding code; where abidiff reports no change at all, dwarf-layout must
# neither fail nor warn. First it checks, with readelf, that the fixtures are
# built the way their v1.c / expect.txt headers say (DWARF version, type
# units, split debug files, no debug info, the corrupted abbreviation), so a
# toolchain change cannot quietly turn a case into another.
#
#   test_abidiff.sh RELOADCHECK FIXTURES SRC PYTHON TMP
#
# abidiff comes from abigail-tools (installed by ci/setup): the test fails
# when it is missing rather than pass without checking anything.
#
# abidiff exit status: a bit mask, 1 = error, 2 = usage error, 4 = ABI change,
# 8 = incompatible ABI change. It runs with --harmless so that renames (a
# "harmless" change it otherwise filters out) are reported too.
#
# Mapping from abidiff's change reports (inside a "[C] '<type> <var>' was
# changed" block whose type is state or tstate, with or without "struct ")
# to the dwarf-layout finding codes, any one of which must be present:
#
#   abidiff says                                     dwarf-layout code(s)
#   "type size changed from A to B (in bits)"        dwarf.size_changed
#   "size of symbol changed from A to B"             dwarf.size_changed
#   "'m' offset changed from A to B (in bits)",
#       A and B multiples of 8                       dwarf.offset_changed or
#                                                    dwarf.bitfield_moved
#       A or B not a multiple of 8 (a bit-field)     dwarf.bitfield_moved
#   "data member insertion", and the type's size
#       unchanged ("type size hasn't changed")       dwarf.member_added_in_padding
#       changed                                      dwarf.size_changed (the lead's
#                                                    check adds info dwarf.member_added)
#   "data member deletion"                           dwarf.member_removed
#   "type of 'm' changed" with "type name changed
#       from 'T[N]' to 'T[M]'", "array type size
#       changed" or "array type subrange ... changed
#       length"                                      dwarf.array_resized
#   "type of 'm' changed" with "type name changed
#       from 'X' to 'Y'" (not only a dimension)      dwarf.member_retyped
#   "enumerator changes" / "'E' from value 'a'
#       to 'b'"                                      dwarf.enum_value_changed
#   "enumerator deletions"                           dwarf.member_removed
#   "name of 'T::a' changed to 'T::b'"               dwarf.renamed
#
# Change kinds not in this table (e.g. "enumerator insertions", which
# dwarf-layout does not report) are listed in the output and not asserted.
# shellcheck source=cmd/tests/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

# Without the oracle this test cannot run: exit 77, which CTest reports as skipped.
if ! command -v abidiff >/dev/null 2>&1; then
	echo "skipped: abidiff not found: install abigail-tools (ci/setup does)"
	exit 77
fi
echo "using $(abidiff --version)"

# --- the fixtures are what they claim (readelf as the oracle) ---

# First "Version:" of .debug_info (the first unit's DWARF version).
dwarf_version() {
	readelf --debug-dump=info "$1" 2>/dev/null | sed -nE 's/^ *Version: *([0-9]+).*/\1/p' | head -n 1
}
has_section() {
	readelf -SW "$1" 2>/dev/null | grep -q " $2 "
}
exports_object() { # exports_object FILE NAME TYPE(OBJECT|TLS)
	readelf --dyn-syms -W "$1" | grep -Eq " $3 +GLOBAL +DEFAULT +[0-9]+ $2\$"
}

for c in dwarf_inserted dwarf_padding dwarf_retyped dwarf_enum dwarf_bitfield dwarf_array \
	dwarf_tls dwarf_rebuild dwarf_removed dwarf_renamed dwarf_corrupt; do
	for v in old new; do
		[ "$c/$v" = dwarf_corrupt/new ] && continue
		got=$(dwarf_version "$fx/$c/$v")
		if [ "$got" = 5 ]; then ok; else bad "$c/$v: DWARF version '$got', want 5"; fi
	done
done
for c in dwarf_inserted_v4 dwarf_typeunits; do
	for v in old new; do
		got=$(dwarf_version "$fx/$c/$v")
		if [ "$got" = 4 ]; then ok; else bad "$c/$v: DWARF version '$got', want 4"; fi
	done
done
for v in old new; do
	f=$fx/dwarf_typeunits/$v
	if has_section "$f" .debug_types; then ok; else bad "dwarf_typeunits/$v: no .debug_types"; fi
	if readelf --debug-dump=info "$f" 2>/dev/null | grep -A8 'DW_AT_name .*: rc_state$' |
		grep -q 'DW_AT_type *: signature: '; then
		ok
	else
		bad "dwarf_typeunits/$v: rc_state's DW_AT_type is not a type signature"
	fi
	if has_section "$fx/dwarf_inserted/$v" .debug_types; then
		bad "dwarf_inserted/$v: has .debug_types"
	else ok; fi

	f=$fx/dwarf_split/$v
	if readelf -SW "$f" | grep -Eq ' \.(z?debug_|symtab )'; then
		bad "dwarf_split/$v: still has debug sections or .symtab"
	else ok; fi
	link=$(readelf -p .gnu_debuglink "$f" 2>/dev/null | sed -nE 's/^ *\[ *0\] *//p')
	if [ "$link" = "$v.debug" ]; then ok; else bad "dwarf_split/$v: .gnu_debuglink is '$link', want $v.debug"; fi
	if readelf --debug-dump=info "$f.debug" 2>/dev/null | grep -q 'DW_AT_name .*: state$'; then
		ok
	else
		bad "dwarf_split/$v.debug: no struct state in its .debug_info"
	fi

	f=$fx/dwarf_nodebug/$v
	if readelf -SW "$f" | grep -Eq ' \.z?debug_'; then bad "dwarf_nodebug/$v: has debug sections"; else ok; fi
done
for c in dwarf_inserted dwarf_inserted_v4 dwarf_typeunits dwarf_split dwarf_padding dwarf_retyped \
	dwarf_enum dwarf_bitfield dwarf_array dwarf_tls dwarf_rebuild dwarf_removed dwarf_renamed \
	dwarf_nodebug dwarf_corrupt; do
	for v in old new; do
		if exports_object "$fx/$c/$v" rc_state OBJECT; then ok; else bad "$c/$v: does not export rc_state"; fi
	done
done
for c in dwarf_tls dwarf_rebuild; do
	for v in old new; do
		if exports_object "$fx/$c/$v" rc_tls TLS; then ok; else bad "$c/$v: does not export TLS rc_tls"; fi
	done
done
if readelf --debug-dump=info "$fx/dwarf_inserted/old" | grep -q 'DW_AT_producer.* -O0'; then
	ok
else
	bad "dwarf_inserted/old: not built with -O0"
fi
# dwarf_bitfield: b starts at bit 3 in OLD and bit 5 in NEW (DW_AT_data_bit_offset).
for vw in old:3 new:5; do
	v=${vw%:*} want=${vw#*:}
	got=$(readelf --debug-dump=info "$fx/dwarf_bitfield/$v" |
		awk '/DW_AT_name .*: b$/ { m = 1 } m && /DW_AT_data_bit_offset/ { print $NF; exit }')
	if [ "$got" = "$want" ]; then ok; else bad "dwarf_bitfield/$v: b at bit '$got', want $want"; fi
done
# dwarf_corrupt: NEW differs from OLD in one byte, the first DIE's abbreviation code.
if [ "$(cmp -l "$fx/dwarf_corrupt/old" "$fx/dwarf_corrupt/new" | wc -l)" -eq 1 ]; then
	ok
else
	bad "dwarf_corrupt: old and new do not differ in exactly one byte"
fi
if readelf --debug-dump=info "$fx/dwarf_corrupt/new" 2>&1 >/dev/null |
	grep -q 'abbreviation number 127 which does not exist'; then
	ok
else
	bad "dwarf_corrupt/new: readelf does not see the bad abbreviation code"
fi
if command -v llvm-dwarfdump >/dev/null 2>&1; then
	if llvm-dwarfdump --verify "$fx/dwarf_corrupt/new" >/dev/null 2>&1; then
		bad "dwarf_corrupt/new: llvm-dwarfdump --verify accepts it"
	else ok; fi
	if llvm-dwarfdump --verify "$fx/dwarf_inserted/old" >/dev/null 2>&1; then
		ok
	else
		bad "dwarf_inserted/old: llvm-dwarfdump --verify rejects it"
	fi
fi

# --- abidiff against dwarf-layout ---

# The dwarf-layout expect: line of a case, e.g. "fail dwarf.size_changed".
expect_line() {
	local f
	for f in v1.c expect.txt; do
		if [ -f "$src/testdata/$1/$f" ]; then
			sed '/\*\//q' "$src/testdata/$1/$f" | sed -nE 's/^(\/\*| \*) expect: dwarf-layout //p'
			return
		fi
	done
}

mapfile -t cases < <(sed -nE 's/^(dwarf_[a-z0-9_]+).*/\1/p' "$src/testdata/cases.txt")
if [ "${#cases[@]}" -ge 10 ]; then ok; else bad "only ${#cases[@]} dwarf_* cases in cases.txt"; fi

for c in "${cases[@]}"; do
	case $c in dwarf_nodebug | dwarf_corrupt) continue ;; esac
	old=$fx/$c/old new=$fx/$c/new
	abidiff --harmless "$old" "$new" >"$tmp/$c.abidiff" 2>"$tmp/$c.abidiff.err"
	st=$?
	if [ $((st & 3)) -ne 0 ]; then
		bad "$c: abidiff failed (exit $st): $(head -c 500 "$tmp/$c.abidiff.err")"
		continue
	fi
	"$rc" diff --format json "$old" "$new" >"$tmp/$c.json" 2>"$tmp/$c.err"
	rst=$?
	if [ "$rst" -gt 3 ] || [ ! -s "$tmp/$c.json" ]; then
		bad "$c: reloadcheck diff exit $rst, no report: $(head -c 500 "$tmp/$c.err")"
		continue
	fi
	echo "--- $c: abidiff exit $st"
	sed 's/^/    /' "$tmp/$c.abidiff"
	out=$("$py" - "$tmp/$c.abidiff" "$st" "$tmp/$c.json" "$(expect_line "$c")" <<'PY'
import json, re, sys

text = open(sys.argv[1]).read().splitlines()
status = int(sys.argv[2])
report = json.load(open(sys.argv[3]))
expect = sys.argv[4].split()
problems = []

STATE_TYPES = {"state", "tstate"}
OFFSET = re.compile(r"'(.+)' offset changed from (\d+) to (\d+) \(in bits\)")
TYPE_NAME = re.compile(r"type name changed from '(.+)' to '(.+)'")
DIM = re.compile(r"^(.*?)((\[\d*\])+)$")

# Split the output into "[C] '<type> <var>' was changed" blocks.
blocks, cur = [], None
for line in text:
    m = re.match(r"\s*\[C\] '(.+) (\S+)' was changed", line)
    if m:
        cur = {"type": m.group(1), "var": m.group(2), "lines": []}
        blocks.append(cur)
    elif cur is not None and line.strip():
        cur["lines"].append(line)
    elif not line.strip():
        cur = None if cur is None or cur["lines"] else cur


def strip_struct(t):
    return re.sub(r"^(struct|union|enum) ", "", t)


# requirements: (abidiff's words, set of acceptable dwarf-layout codes)
reqs, unmapped = [], []
state_blocks = [b for b in blocks if strip_struct(b["type"]) in STATE_TYPES]
for b in state_blocks:
    lines = b["lines"]
    # The type's own size: the first "type size ..." line under "type of variable changed".
    size_same = any("type size hasn't changed" in l for l in lines[:3])
    for i, l in enumerate(lines):
        s = l.strip()
        where = "%s %s: %s" % (b["type"], b["var"], s)
        m = OFFSET.search(s)
        if re.search(r"array type (size changed|subrange \d+ changed length)", s):
            reqs.append((where, {"dwarf.array_resized"}))
        elif "type size changed from" in s or s.startswith("size of symbol changed"):
            reqs.append((where, {"dwarf.size_changed"}))
        elif m:
            a, z = int(m.group(2)), int(m.group(3))
            if a % 8 or z % 8:
                reqs.append((where, {"dwarf.bitfield_moved"}))
            else:
                reqs.append((where, {"dwarf.offset_changed", "dwarf.bitfield_moved"}))
        elif re.search(r"data member insertions?:", s):
            if size_same:
                reqs.append((where, {"dwarf.member_added_in_padding"}))
            else:
                reqs.append((where, {"dwarf.size_changed", "dwarf.member_added"}))
        elif re.search(r"data member deletions?:", s):
            reqs.append((where, {"dwarf.member_removed"}))
        elif TYPE_NAME.search(s):
            x, y = TYPE_NAME.search(s).groups()
            mx, my = DIM.match(x), DIM.match(y)
            if mx and my and mx.group(1) == my.group(1):
                reqs.append((where, {"dwarf.array_resized"}))
            else:
                reqs.append((where, {"dwarf.member_retyped"}))
        elif re.search(r"enumerator changes?:", s) or re.search(r"from value '.*' to '.*'", s):
            reqs.append((where, {"dwarf.enum_value_changed"}))
        elif re.search(r"enumerator deletions?:", s):
            reqs.append((where, {"dwarf.member_removed"}))
        elif re.match(r"name of '.+' changed to '.+'", s):
            reqs.append((where, {"dwarf.renamed"}))
        elif re.search(r"insertions?:|changes?:|changed", s) and not re.search(
            r"type of (variable|'.+') changed|type size hasn't changed"
            r"|data member changes?:", s):
            unmapped.append(where)

dl = [c for c in report.get("checks", []) if c.get("id") == "dwarf-layout"]
if not dl:
    print("PROBLEM: the report has no dwarf-layout check (ids: %s)"
          % " ".join(c.get("id", "?") for c in report.get("checks", [])))
    sys.exit(0)
dl = dl[0]
codes = {f.get("code") for f in dl.get("findings", [])}
print("dwarf-layout: %s %s" % (dl.get("verdict"), " ".join(sorted(codes)) or "(no findings)"))
for w in unmapped:
    print("note: not mapped, not asserted: " + w)

# abidiff must see what the fixture is about: a change to state/tstate exactly
# when dwarf-layout is expected to report one (guards against abidiff not
# finding split debug info or type units and this test checking nothing).
want_change = bool(expect) and (expect[0] != "pass" or len(expect) > 1)
if want_change and not state_blocks:
    problems.append("abidiff reports no change to struct state/tstate (exit %d), "
                    "but the case expects dwarf-layout %s" % (status, " ".join(expect)))
if not want_change and state_blocks:
    problems.append("abidiff reports a change to struct state/tstate in a case "
                    "that expects none")
if state_blocks and not status & 4:
    problems.append("abidiff printed changes but its exit status %d lacks bit 4" % status)

for where, want in reqs:
    if codes & want:
        print("ok: %s -> %s" % (where, " or ".join(sorted(want))))
    else:
        problems.append("abidiff: %s; dwarf-layout has none of %s"
                        % (where, ", ".join(sorted(want))))
if not blocks and dl.get("verdict") in ("fail", "warn"):
    problems.append("abidiff reports no changed variable, dwarf-layout says %s"
                    % dl.get("verdict"))
for p in problems:
    print("PROBLEM: " + p)
PY
)
	while IFS= read -r l; do printf '    %s\n' "$l"; done <<<"$out"
	n=$(grep -c '^PROBLEM: ' <<<"$out")
	if [ "$n" -eq 0 ]; then
		ok
	else
		grep '^PROBLEM: ' <<<"$out" | sed "s/^PROBLEM: /$c: /" | while read -r l; do echo "FAIL: $l"; done
		failed=$((failed + n))
	fi
done

finish abidiff
