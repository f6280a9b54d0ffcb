#!/usr/bin/env bash
# The CI and deployment examples as a user runs them: reloadcheck installed
# (cmake --install into a private prefix), a throwaway git repository of a
# service that is not this one, and there the shell steps of the GitHub
# Actions and GitLab CI examples, the pre-deploy hook and the systemd
# ExecReload= wrapper, each from the installed examples directory.
#   test_examples.sh RELOADCHECK FIXTURES SRC PYTHON TMP
# shellcheck disable=SC2015 # ok() never fails
# shellcheck source=cmd/tests/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
build=$(cd "$fx/.." && pwd)

if ! "$py" -c 'import yaml' 2>/dev/null; then
	echo "skipped: python3-yaml is not installed (ci/setup installs it)"
	exit 77
fi
rm -rf "$tmp"
mkdir -p "$tmp"
prefix=$tmp/prefix
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
	echo "FAIL: cmake --install: $(tail -3 "$tmp/install.log")"
	exit 1
fi
examples=$prefix/share/doc/reloadcheck/examples
export PATH="$prefix/bin:$PATH"
[ "$(command -v reloadcheck)" = "$prefix/bin/reloadcheck" ] && ok || bad "installed reloadcheck not on PATH"
[ -f "$examples/policy.json" ] && ok || bad "the starter policy is not installed in $examples"

# A service repository: its own files only, nothing of reloadcheck's.
repo=$tmp/service
mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m init
use_pair() { # use_pair CASE: gate/old and gate/new in the service repository
	rm -rf "$repo/gate" "$repo"/report.json "$repo"/junit.xml "$repo"/reloadcheck.prom
	mkdir -p "$repo/gate"
	cp "$fx/$1/old" "$repo/gate/old"
	cp "$fx/$1/new" "$repo/gate/new"
}
# The installed prefix stands where the examples install to (/usr/local).
steps() { # steps github|gitlab: the example's gate steps as one shell script
	"$py" - "$1" "$src/ci/examples" "$prefix" <<'PY'
import sys, yaml
kind, d, prefix = sys.argv[1:]
if kind == "github":
    doc = yaml.safe_load(open(d + "/github-actions.yml"))
    step = [s for s in doc["jobs"]["reload-gate"]["steps"] if s.get("name") == "reloadcheck gate"][0]
    text = step["run"]
else:
    doc = yaml.safe_load(open(d + "/gitlab-ci.yml"))
    # The lines that fetch OLD and build NEW are the service's own: the test puts the pair in gate/.
    text = "\n".join(l for l in doc["reload-gate"]["script"]
                     if not l.startswith(("mkdir -p gate", "cp app", "curl ")))
print(text.replace("/usr/local", prefix))
PY
}
steps github >"$tmp/github.sh" && steps gitlab >"$tmp/gitlab.sh" && ok || bad "cannot read the examples' steps"

# GitHub Actions: the step records the gate's status in $GITHUB_OUTPUT.
github() { # github NAME: run the step in the repository, print the recorded status
	: >"$tmp/$1.output"
	(cd "$repo" && GITHUB_OUTPUT=$tmp/$1.output bash -e "$tmp/github.sh") >"$tmp/$1.out" 2>&1
	sed -n 's/^status=//p' "$tmp/$1.output"
}
use_pair identical
[ "$(github gh-pass)" = 0 ] && ok || bad "github: identical pair: status '$(cat "$tmp/gh-pass.output")': $(tail -2 "$tmp/gh-pass.out")"
for f in report.json junit.xml reloadcheck.prom; do
	[ -s "$repo/$f" ] && ok || bad "github: no $f in the service repository"
done
use_pair removed_export
[ "$(github gh-fail)" = 1 ] && ok || bad "github: removed export: status '$(cat "$tmp/gh-fail.output")'"
# The service's own policy, when it has one, is the one used.
cat >"$repo/reloadcheck.policy.json" <<'J'
{"policy": "reloadcheck/policy/v1",
 "suppressions": [{"code": "symbol.removed", "symbol": "fix_b*", "reason": "no callers left"}]}
J
[ "$(github gh-own-policy)" = 0 ] && ok || bad "github: the repository's policy was not used"
rm "$repo/reloadcheck.policy.json"

# GitLab CI: the script lines run in one shell; any non-zero status fails the job.
use_pair identical
(cd "$repo" && bash -e "$tmp/gitlab.sh") >"$tmp/gl-pass.out" 2>&1
expect_status 0 $? "gitlab: identical pair ($(tail -1 "$tmp/gl-pass.out"))"
[ -s "$repo/junit.xml" ] && ok || bad "gitlab: no junit.xml"
use_pair removed_export
(cd "$repo" && bash -e "$tmp/gitlab.sh") >"$tmp/gl-fail.out" 2>&1
expect_status 1 $? "gitlab: removed export"

# The pre-deploy hook, from the installed examples, with the starter policy beside it.
use_pair identical
(cd "$repo" && REPORT_DIR=out bash "$examples/pre-deploy-hook.sh" gate/old gate/new) >"$tmp/hook.out" 2>&1
expect_status 0 $? "hook: identical pair ($(tail -1 "$tmp/hook.out"))"
[ -s "$repo/out/report.json" ] && ok || bad "hook: no report in REPORT_DIR"

# The systemd ExecReload= wrapper on a live process: the fixture target
# re-execs itself on SIGUSR2 and prints "ready" each time it is up.
out=$tmp/target.out
"$fx/probe/target" 1 >"$out" 2>&1 &
tpid=$!
trap 'kill $tpid 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q ready "$out" && break; sleep 0.05; done
readies() { grep -c ready "$out"; }
REPORT_DIR=$tmp/wrapper RELOADCHECK_POLICY= bash "$examples/reloadcheck-reload.sh" "$tpid" \
	"$fx/probe/target" USR2 >"$tmp/wrapper.out" 2>&1
expect_status 0 $? "wrapper: same build ($(tail -1 "$tmp/wrapper.out"))"
for _ in $(seq 100); do [ "$(readies)" -ge 2 ] && break; sleep 0.05; done
[ "$(readies)" -eq 2 ] && ok || bad "wrapper: the gate passed but the target did not reload"
REPORT_DIR=$tmp/wrapper RELOADCHECK_POLICY= bash "$examples/reloadcheck-reload.sh" "$tpid" \
	"$fx/removed_export/new" USR2 >"$tmp/wrapper-fail.out" 2>&1
expect_status 1 $? "wrapper: a NEW that fails the gate"
sleep 0.3
[ "$(readies)" -eq 2 ] && kill -0 "$tpid" 2>/dev/null && ok ||
	bad "wrapper: the target was signalled although the gate failed"
kill "$tpid" 2>/dev/null

finish examples
