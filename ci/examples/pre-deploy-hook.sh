#!/usr/bin/env bash
# Pre-deploy hook: may CANDIDATE_BINARY replace CURRENT_BINARY in place?
#
#   pre-deploy-hook.sh CURRENT_BINARY CANDIDATE_BINARY [PID]
#
# Runs `reloadcheck gate` with a policy and writes the pipeline outputs to
# $REPORT_DIR:
#   report.json       the JSON report (schema reloadcheck/report/v1): archive it
#   junit.xml         JUnit XML, one testcase per check: show it in the CI UI
#   reloadcheck.prom  Prometheus textfile: node_exporter's textfile collector
#   report.txt        the full text report, for people
# then prints one summary line and exits with the gate's status:
#   0  pass: deploy (warnings may have been reported, see report.txt)
#   1  fail: the gate blocks the deploy
#   2  usage error (bad arguments, an invalid policy file)
#   3  could not check (unreadable or invalid binary, process gone, permission
#      denied, endpoint down, reloadcheck not installed)
#
# Exit 3 is passed through unchanged and BLOCKS the deploy, like any non-zero
# status: "could not check" is not "safe". To let such deploys through on
# purpose (fail open), say so where the hook is called:
#   pre-deploy-hook.sh current new || [ $? -eq 3 ]
#
# PID, when given, is the running process: the gate also probes it read-only
# (its executable, __thread canaries named in the policy, signals, listeners).
#
# Environment:
#   RELOADCHECK         the reloadcheck binary (default: reloadcheck on PATH)
#   RELOADCHECK_POLICY  the policy file (default: policy.json beside this
#                       script); set it empty to run without a policy
#   RELOADCHECK_PPROF   also check this Go net/http/pprof URL (--pprof)
#   REPORT_DIR          where the outputs go (default ./reloadcheck-reports)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=$(basename "$0")
rc=${RELOADCHECK:-reloadcheck}
policy=${RELOADCHECK_POLICY-$here/policy.json}
dir=${REPORT_DIR:-./reloadcheck-reports}

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
	echo "usage: $me CURRENT_BINARY CANDIDATE_BINARY [PID]" >&2
	exit 2
fi
current=$1 candidate=$2 pid=${3:-}

if ! command -v "$rc" >/dev/null 2>&1; then
	echo "$me: could not check (exit 3): reloadcheck not found ('$rc'); set RELOADCHECK or PATH; deploy blocked" >&2
	exit 3
fi
if ! mkdir -p "$dir"; then
	echo "$me: could not check (exit 3): cannot create REPORT_DIR '$dir'; deploy blocked" >&2
	exit 3
fi
# Outputs of an earlier run must not pass for this run's (a gate that could
# not check writes no report).
rm -f "$dir/report.json" "$dir/junit.xml" "$dir/reloadcheck.prom" "$dir/report.txt" "$dir/stderr.txt"

args=(gate --old "$current" --new "$candidate"
	--report "$dir/report.json" --junit "$dir/junit.xml" --prom "$dir/reloadcheck.prom"
	--format text --output "$dir/report.txt")
[ -n "$policy" ] && args+=(--policy "$policy")
[ -n "$pid" ] && args+=(--pid "$pid")
[ -n "${RELOADCHECK_PPROF:-}" ] && args+=(--pprof "$RELOADCHECK_PPROF")

"$rc" "${args[@]}" 2>"$dir/stderr.txt"
status=$?
# reloadcheck's own error lines go to the caller's stderr too.
[ -s "$dir/stderr.txt" ] && cat "$dir/stderr.txt" >&2

# The text report's first line is the verdict: "reloadcheck: FAIL (1 fail, 5 pass): do not reload".
verdict=
[ -s "$dir/report.txt" ] && IFS= read -r verdict <"$dir/report.txt"
verdict=${verdict#reloadcheck: }
problem=
[ -s "$dir/stderr.txt" ] && problem=$(head -n 1 "$dir/stderr.txt")
problem=${problem#reloadcheck: }

case $status in
0) echo "$me: PASS: $current -> $candidate: ${verdict:-safe to reload}; report in $dir/" ;;
1) echo "$me: FAIL: $current -> $candidate: ${verdict:-do not reload}; deploy blocked; report in $dir/" ;;
2) echo "$me: USAGE ERROR (exit 2): ${problem:-see above}; deploy blocked" ;;
3) echo "$me: COULD NOT CHECK (exit 3): ${problem:-see above}; deploy blocked" ;;
*) echo "$me: reloadcheck exited $status (unexpected); deploy blocked" ;;
esac
exit "$status"
