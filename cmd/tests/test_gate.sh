#!/usr/bin/env bash
# End-to-end tests of `reloadcheck gate`: verdicts, the policy file (overrides,
# suppressions, fail_on, disabled checks, precise errors) and the three
# pipeline outputs, each checked with a real parser (JSON Schema, XML,
# Prometheus text format).
#   test_gate.sh RELOADCHECK FIXTURES SRC PYTHON TMP
# shellcheck source=cmd/tests/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
check_outputs() { # check_outputs STEM: report, JUnit and Prometheus files parse and agree
	local stem=$1
	if "$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" \
		"$stem.json" >/dev/null; then ok; else bad "$stem.json does not validate"; fi
	if "$py" - "$stem.json" "$stem.xml" <<'PY'; then ok; else bad "$stem.xml does not match the report"; fi
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
cases = root.findall(".//testcase")
assert len(cases) == len(r["checks"]), (len(cases), len(r["checks"]))
byname = {c.get("name"): c for c in cases}
for c in r["checks"]:
    tc = byname[c["id"]]
    want = {"fail": "failure", "error": "error", "skip": "skipped"}.get(c["verdict"])
    if want:
        assert tc.find(want) is not None, (c["id"], want)
    else:
        assert tc.find("failure") is None and tc.find("error") is None, c["id"]
PY
	if "$py" - "$stem.json" "$stem.prom" <<'PY'; then ok; else bad "$stem.prom does not match the report"; fi
import json, sys
from prometheus_client.parser import text_string_to_metric_families
r = json.load(open(sys.argv[1]))
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[2]).read())}
for name in ("reloadcheck_gate_verdict", "reloadcheck_check_verdict", "reloadcheck_findings",
             "reloadcheck_duration_seconds"):
    assert name in fams, name
enc = {"pass": 0, "warn": 1, "fail": 2, "error": 3}
assert fams["reloadcheck_gate_verdict"].samples[0].value == enc[r["verdict"]]
checks = {s.labels["check"] for s in fams["reloadcheck_check_verdict"].samples}
assert checks == {c["id"] for c in r["checks"]}, checks
PY
}
gate() { # gate STEM ARGS...: run the gate with every output
	local stem=$tmp/$1
	shift
	rm -f "$stem".json "$stem".xml "$stem".prom
	"$rc" gate --report "$stem.json" --junit "$stem.xml" --prom "$stem.prom" -q "$@" \
		>"$stem.out" 2>"$stem.err"
}

# 1. An identical rebuild passes; Go, probe and pprof checks skip, saying why.
gate identical --old "$fx/identical/old" --new "$fx/identical/new"
expect_status 0 $? "identical"
check_outputs "$tmp/identical"
[ "$(json "$tmp/identical.json" '[c["reason"] for c in r["checks"] if c["id"]=="proc-tls"][0]')" = \
	"needs a running process: give --pid" ] && ok || bad "proc-tls skip reason"

# 2. A removed export fails the gate ...
gate removed --old "$fx/removed_export/old" --new "$fx/removed_export/new"
expect_status 1 $? "removed_export"
check_outputs "$tmp/removed"

# ... a severity override makes it a warning (exit 0) ...
cat >"$tmp/override.policy.json" <<'J'
{
  "policy": "reloadcheck/policy/v1",
  "checks": {"symbol-drift": {"severity": {"symbol.removed": "warn"}}}
}
J
gate override --old "$fx/removed_export/old" --new "$fx/removed_export/new" --policy "$tmp/override.policy.json"
expect_status 0 $? "severity override"
[ "$(json "$tmp/override.json" 'r["verdict"]')" = warn ] && ok || bad "override: verdict not warn"

# ... with fail_on warn for that check it fails again.
cat >"$tmp/failon.policy.json" <<'J'
{
  "policy": "reloadcheck/policy/v1",
  "checks": {"symbol-drift": {"severity": {"symbol.removed": "warn"}, "fail_on": "warn"}}
}
J
gate failon --old "$fx/removed_export/old" --new "$fx/removed_export/new" --policy "$tmp/failon.policy.json"
expect_status 1 $? "fail_on warn"
check_outputs "$tmp/failon"

# The verdict lives in the report model: with a global fail_on warn, a run
# whose checks only warn exits 1, and the text, JSON, JUnit and Prometheus
# outputs all say fail (the checks' own verdict is kept apart).
cat >"$tmp/warnfails.policy.json" <<'J'
{"policy": "reloadcheck/policy/v1", "fail_on": "warn"}
J
stem=$tmp/warnfails
"$rc" gate --report "$stem.json" --junit "$stem.xml" --prom "$stem.prom" \
	--old "$fx/stripped_new/old" --new "$fx/stripped_new/new" \
	--policy "$tmp/warnfails.policy.json" >"$stem.out" 2>"$stem.err"
expect_status 1 $? "global fail_on warn"
check_outputs "$stem"
[ "$(json "$stem.json" 'r["verdict"], r["verdict_before_policy"], r["exit_code"]')" = \
	"fail warn 1" ] && ok || bad "fail_on warn: JSON $(json "$stem.json" 'r["verdict"], r["verdict_before_policy"], r["exit_code"]')"
head -1 "$stem.out" | grep -q '^reloadcheck: FAIL.*do not reload' && ok ||
	bad "fail_on warn: text says $(head -1 "$stem.out")"
"$py" - "$stem.xml" <<'PY' && ok || bad "fail_on warn: JUnit has no <failure> for the warning check"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
fails = [c for c in root.iter("testcase") if c.find("failure") is not None]
assert fails, "no failure"
assert int(root.get("failures")) == len(fails) >= 1
assert "warn:" in fails[0].find("failure").text
PY
grep -qx 'reloadcheck_gate_verdict 2' "$stem.prom" && ok ||
	bad "fail_on warn: $(grep '^reloadcheck_gate_verdict ' "$stem.prom")"

# ... and a suppression with its reason passes, the finding still listed.
cat >"$tmp/suppress.policy.json" <<'J'
{
  "policy": "reloadcheck/policy/v1",
  "suppressions": [
    {"check": "symbol-drift", "code": "symbol.removed", "symbol": "fix_b*",
     "reason": "fix_beta has no callers left"}
  ]
}
J
gate suppressed --old "$fx/removed_export/old" --new "$fx/removed_export/new" --policy "$tmp/suppress.policy.json"
expect_status 0 $? "suppression"
check_outputs "$tmp/suppressed"
n=$(json "$tmp/suppressed.json" 'sum(1 for c in r["checks"] for f in c["findings"] if f.get("suppressed") == "fix_beta has no callers left")')
[ "$n" -ge 1 ] && ok || bad "suppressed finding not listed with its reason ($n)"
grep -q "suppressed: fix_beta has no callers left" "$tmp/suppressed.xml" && ok || bad "JUnit does not list the suppressed finding"

# 3. A disabled check skips with the reason.
cat >"$tmp/disabled.policy.json" <<'J'
{"policy": "reloadcheck/policy/v1", "checks": {"symbol-drift": {"enabled": false}}}
J
gate disabled --old "$fx/removed_export/old" --new "$fx/removed_export/new" --policy "$tmp/disabled.policy.json"
expect_status 0 $? "disabled check"
[ "$(json "$tmp/disabled.json" '[c["reason"] for c in r["checks"] if c["id"]=="symbol-drift"][0]')" = \
	"disabled by the policy" ] && ok || bad "disabled reason"

# 4. An invalid policy is a usage error naming the file, the line and the key.
printf '{\n  "policy": "reloadcheck/policy/v1",\n  "checks": {\n    "symbol-drift": {"severity": {"symbol.gone": "warn"}}\n  }\n}\n' >"$tmp/invalid.policy.json"
gate invalid --old "$fx/identical/old" --new "$fx/identical/new" --policy "$tmp/invalid.policy.json"
expect_status 2 $? "invalid policy"
grep -q "invalid.policy.json' line 4" "$tmp/invalid.err" && grep -q "symbol.gone" "$tmp/invalid.err" && ok ||
	bad "invalid policy message: $(head -1 "$tmp/invalid.err")"
[ ! -e "$tmp/invalid.json" ] && ok || bad "a report was written for an invalid policy"

# 5. Bad input: exit 3, one line naming the file.
gate badinput --old "$fx/bad/empty" --new "$fx/identical/new"
expect_status 3 $? "bad input"
[ "$(wc -l <"$tmp/badinput.err")" -eq 1 ] && grep -q "bad/empty" "$tmp/badinput.err" && ok ||
	bad "bad input message"

# 6. With a process: the policy's canaries and expected listeners.
out=$tmp/target.out
"$fx/probe/target" 2 >"$out" 2>&1 &
tpid=$!
trap 'kill $tpid 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q ready "$out" && break; sleep 0.05; done
port=$(awk '/ready/{print $4; exit}' "$out")
cat >"$tmp/process.policy.json" <<J
{
  "policy": "reloadcheck/policy/v1",
  "probe": {"tls_canaries": {"rc_canary": "0x5eed0001"},
            "expected_listeners": ["tcp 127.0.0.1:$port"]}
}
J
gate process --old "$fx/probe/target" --new "$fx/probe/target" --pid "$tpid" --policy "$tmp/process.policy.json"
expect_status 0 $? "gate with a process ($(head -1 "$tmp/process.err"))"
check_outputs "$tmp/process"
[ "$(json "$tmp/process.json" '[c["verdict"] for c in r["checks"] if c["id"]=="proc-tls"][0]')" = pass ] &&
	ok || bad "proc-tls through the gate"
sed -i "s/127.0.0.1:$port/127.0.0.1:1/" "$tmp/process.policy.json"
gate process2 --pid "$tpid" --policy "$tmp/process.policy.json"
expect_status 1 $? "an expected listener missing"
[ "$(json "$tmp/process2.json" '[f["detail"]["expected"] for c in r["checks"] for f in c["findings"] if f["code"]=="listeners.expected_missing"]')" = "['tcp 127.0.0.1:1']" ] &&
	ok || bad "listeners.expected_missing"

# probe takes the same policy: its canaries and listeners, its fail_on.
"$rc" probe --pid "$tpid" --policy "$tmp/process.policy.json" --format json \
	--output "$tmp/probe-policy.json" 2>"$tmp/probe-policy.err"
expect_status 1 $? "probe --policy: an expected listener missing"
[ "$(json "$tmp/probe-policy.json" 'sorted((c["id"], c["verdict"]) for c in r["checks"] if c["id"] in ("proc-tls","proc-listeners"))')" = "[('proc-listeners', 'fail'), ('proc-tls', 'pass')]" ] &&
	ok || bad "probe --policy: $(json "$tmp/probe-policy.json" '[(c["id"], c["verdict"]) for c in r["checks"]]')"
# ... and its suppressions: the missing listener, suppressed with a reason, passes.
"$py" - "$tmp/process.policy.json" "$tmp/probe-suppress.policy.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["suppressions"] = [{"code": "listeners.expected_missing", "reason": "port 1 is a test"}]
json.dump(p, open(sys.argv[2], "w"))
PY
"$rc" probe --pid "$tpid" --policy "$tmp/probe-suppress.policy.json" --format json \
	--output "$tmp/probe-suppress.json" 2>"$tmp/probe-suppress.err"
expect_status 0 $? "probe --policy with a suppression ($(head -1 "$tmp/probe-suppress.err"))"
[ "$(json "$tmp/probe-suppress.json" '[f.get("suppressed") for c in r["checks"] for f in c["findings"] if f["code"]=="listeners.expected_missing"]')" = "['port 1 is a test']" ] &&
	ok || bad "probe --policy: the suppression is not in the report"

# The gate saves a snapshot and compares with one, as probe does.
gate saved --pid "$tpid" --save "$tmp/snap.json"
expect_status 0 $? "gate --save ($(head -1 "$tmp/saved.err"))"
[ "$(json "$tmp/snap.json" 'r["pid"]')" = "$tpid" ] && ok || bad "gate --save: no snapshot of $tpid"
gate vsbaseline --pid "$tpid" --baseline "$tmp/snap.json"
expect_status 0 $? "gate --baseline ($(head -1 "$tmp/vsbaseline.err"))"
# Compared with its own snapshot: the same process, nothing reloaded.
[ "$(json "$tmp/vsbaseline.json" '[f["code"] for c in r["checks"] for f in c["findings"] if f["code"]=="proc.exe_unchanged"]')" = "['proc.exe_unchanged']" ] &&
	ok || bad "gate --baseline: the snapshot was not compared"
gate nobaseline --pid "$tpid" --baseline "$tmp/missing.json"
expect_status 3 $? "gate --baseline of a missing file"
"$rc" gate --old "$fx/identical/old" --new "$fx/identical/new" --save "$tmp/x.json" >/dev/null 2>&1
expect_status 2 $? "gate --save without --pid"
"$rc" gate --old "$fx/identical/old" --new "$fx/identical/new" --pprof-baseline "$tmp/x.json" >/dev/null 2>&1
expect_status 2 $? "gate --pprof-baseline without --pprof"
kill $tpid 2>/dev/null

# 7. Usage: nothing to check.
"$rc" gate >/dev/null 2>&1
expect_status 2 $? "gate without inputs"

finish gate
