#!/usr/bin/env bash
# End-to-end test of ci/examples/pre-deploy-hook.sh with the built binary and
# the example policy: exit statuses, the outputs in REPORT_DIR, the summary line.
#   test_hook.sh RELOADCHECK FIXTURES SRC PYTHON TMP
# shellcheck disable=SC2015 # ok() never fails
# shellcheck source=cmd/tests/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
hook=$src/ci/examples/pre-deploy-hook.sh
expect_status() { # expect_status WANT GOT WHAT
	if [ "$2" -eq "$1" ]; then ok; else bad "$3: exit $2, want $1 ($(tail -n 2 "$tmp/$3.out" "$tmp/$3.err" 2>/dev/null | tr '\n' ' '))"; fi
}
hook() { # hook NAME ARGS...: run the hook with REPORT_DIR=$tmp/NAME
	local name=$1
	shift
	rm -rf "${tmp:?}/$name"
	REPORT_DIR=$tmp/$name bash "$hook" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
}
outputs() { # outputs NAME: the three pipeline files exist and parse
	local d=$tmp/$1 f
	for f in report.json junit.xml reloadcheck.prom; do
		[ -s "$d/$f" ] && ok || bad "$1: $f missing in REPORT_DIR"
	done
	"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" \
		"$d/report.json" >/dev/null 2>&1 && ok || bad "$1: report.json does not validate"
	"$py" -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$d/junit.xml" \
		2>/dev/null && ok || bad "$1: junit.xml is not XML"
	grep -q '^reloadcheck_gate_verdict' "$d/reloadcheck.prom" && ok ||
		bad "$1: reloadcheck.prom has no reloadcheck_gate_verdict"
}
verdict() { # verdict NAME: the report's verdict
	"$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["verdict"])' "$tmp/$1/report.json" 2>/dev/null
}
one_line() { # one_line NAME PATTERN: stdout is one line matching PATTERN
	if [ "$(wc -l <"$tmp/$1.out")" -eq 1 ] && grep -Eq "$2" "$tmp/$1.out"; then ok; else
		bad "$1: summary line: $(head -c 300 "$tmp/$1.out")"
	fi
}

rm -rf "$tmp"
mkdir -p "$tmp/bin"
# The hook finds reloadcheck on PATH by default.
ln -sf "$rc" "$tmp/bin/reloadcheck"
export PATH="$tmp/bin:$PATH"
unset RELOADCHECK RELOADCHECK_POLICY RELOADCHECK_PPROF

# The example policy must be valid for the gate (exit 2 otherwise).
# 1. An identical rebuild passes and all outputs are written.
hook identical "$fx/identical/old" "$fx/identical/new"
expect_status 0 $? identical
outputs identical
[ "$(verdict identical)" = pass ] && ok || bad "identical: verdict '$(verdict identical)', want pass"
one_line identical '^pre-deploy-hook\.sh: PASS: '
[ -s "$tmp/identical/report.txt" ] && ok || bad "identical: report.txt missing"

# 2. A removed export fails: exit 1, outputs written, one line.
hook removed "$fx/removed_export/old" "$fx/removed_export/new"
expect_status 1 $? removed
outputs removed
[ "$(verdict removed)" = fail ] && ok || bad "removed: verdict '$(verdict removed)', want fail"
one_line removed '^pre-deploy-hook\.sh: FAIL: .*deploy blocked'

# 3. A missing file cannot be checked: exit 3 passed through, named on stderr,
#    and no report from an earlier run left behind.
mkdir -p "$tmp/missing" && echo stale >"$tmp/missing/report.json"
REPORT_DIR=$tmp/missing bash "$hook" "$fx/identical/old" "$tmp/no-such-file" \
	>"$tmp/missing.out" 2>"$tmp/missing.err"
expect_status 3 $? missing
one_line missing '^pre-deploy-hook\.sh: COULD NOT CHECK \(exit 3\): .*no-such-file.*deploy blocked'
grep -q "no-such-file" "$tmp/missing.err" && ok || bad "missing: stderr does not name the file"
[ ! -e "$tmp/missing/report.json" ] && ok || bad "missing: a stale report.json was left in REPORT_DIR"

# 4. RELOADCHECK=/path/to/binary wins over PATH.
PATH=/usr/bin:/bin RELOADCHECK=$rc REPORT_DIR=$tmp/explicit bash "$hook" \
	"$fx/identical/old" "$fx/identical/new" >"$tmp/explicit.out" 2>"$tmp/explicit.err"
expect_status 0 $? explicit
[ -s "$tmp/explicit/report.json" ] && ok || bad "explicit: no report.json"

# 5. No reloadcheck at all: could not check (3), not a pass.
PATH=/usr/bin:/bin RELOADCHECK=$tmp/bin/absent REPORT_DIR=$tmp/absent bash "$hook" \
	"$fx/identical/old" "$fx/identical/new" >"$tmp/absent.out" 2>"$tmp/absent.err"
expect_status 3 $? absent

# 6. Usage: wrong number of arguments is 2.
bash "$hook" "$fx/identical/old" >"$tmp/usage.out" 2>"$tmp/usage.err"
expect_status 2 $? usage

finish hook
