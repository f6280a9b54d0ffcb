#!/usr/bin/env bash
# End-to-end tests of `reloadcheck reload` with the fixture target's
# self-reload (SIGUSR2 execs V2PATH in place, same pid): a clean reload into
# the same build passes; a reload into v2, which drops the SIGHUP handler and
# leaves one thread's canary wrong, fails naming both; a trigger that reloads
# nothing times out with exit 3; the target is never left stopped or traced.
# A NEW the static checks reject is refused before the trigger (exit 1, the
# command never runs) unless --force, which the report records. --exec runs
# its command with no signal ignored or blocked, stdin /dev/null and a process
# group of its own; its exit status and last 10 output lines are reported.
# Then the Go pprof server's own SIGUSR2 reload (an exec in place keeping its
# listening socket, testdata/pprof/server): the listener, the endpoint and the
# profile continue, and the server still answers afterwards.
#   test_reload.sh RELOADCHECK FIXTURES SRC PYTHON TMP
# shellcheck source=cmd/tests/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT

start() { # start V2PATH: run target 4 V2PATH, set $pid once it is ready
	local out=$tmp/target.$RANDOM
	"$fx/probe/target" 4 "$1" >"$out" 2>&1 &
	pids+=($!)
	pid=$!
	for _ in $(seq 100); do grep -q ready "$out" && return; sleep 0.05; done
	bad "target did not get ready"
}
. "$src/cmd/tests/proc_lib.sh" # running

# 1. A clean reload: the target re-execs its own build.
start "$fx/probe/target"
"$rc" reload --pid "$pid" --new "$fx/probe/target" --signal USR2 \
	--tls-canary rc_canary=0x5eed0001 --wait 10 --format json --output "$tmp/clean.json" 2>"$tmp/clean.err"
expect_status 0 $? "clean reload ($(head -1 "$tmp/clean.err"))"
"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$tmp/clean.json" >/dev/null &&
	ok || bad "clean report does not validate"
[ "$(json "$tmp/clean.json" 'r["verdict"]')" = pass ] && ok || bad "clean reload verdict"
[ "$(json "$tmp/clean.json" '[f["code"] for c in r["checks"] for f in c["findings"] if f["code"]=="proc.exe_reexecuted"]')" = "['proc.exe_reexecuted']" ] &&
	ok || bad "the re-exec was not seen"
running "$pid"

# 2. A reload into v2: the SIGHUP handler is gone and rc-w1's canary is wrong.
start "$fx/probe/target_v2"
"$rc" reload --pid "$pid" --new "$fx/probe/target_v2" --signal SIGUSR2 \
	--tls-canary rc_canary=0x5eed0001 --wait 10 --format json --output "$tmp/v2.json" 2>"$tmp/v2.err"
expect_status 1 $? "reload into v2"
[ "$(json "$tmp/v2.json" '[f["detail"]["signal"] for c in r["checks"] for f in c["findings"] if f["code"]=="signals.handler_lost"]')" = "['SIGHUP']" ] &&
	ok || bad "v2: no signals.handler_lost for SIGHUP"
[ "$(json "$tmp/v2.json" 'len([f for c in r["checks"] for f in c["findings"] if f["code"]=="tls.canary_mismatch"])')" = 1 ] &&
	ok || bad "v2: not exactly one canary mismatch"
[ "$(json "$tmp/v2.json" '[c["verdict"] for c in r["checks"] if c["id"]=="symbol-drift"][0]')" != skip ] &&
	ok || bad "v2: the static diff did not run"
running "$pid"

# 3. A trigger that reloads nothing: exit 3 after --wait, one line saying so.
start "$fx/probe/target"
"$rc" reload --pid "$pid" --new "$fx/probe/target" --exec true --wait 1 >/dev/null 2>"$tmp/none.err"
expect_status 3 $? "nothing reloaded"
grep -q "no new process after 1 s" "$tmp/none.err" && ok || bad "nothing reloaded: $(cat "$tmp/none.err")"
running "$pid"

# 4. Usage errors.
"$rc" reload --pid "$pid" --new "$fx/probe/target" >/dev/null 2>&1
expect_status 2 $? "no trigger"
"$rc" reload --pid "$pid" --new "$fx/probe/target" --signal KILL >/dev/null 2>&1
expect_status 2 $? "--signal KILL"
"$rc" reload --pid "$pid" --new "$fx/probe/target" --signal USR2 --exec true >/dev/null 2>&1
expect_status 2 $? "two triggers"

# 5. Preflight: a NEW the static checks reject is refused before the trigger;
# the command is never run. --force goes on and says so in the report.
start "$fx/probe/target"
rm -f "$tmp/ran" "$tmp/sig.txt" # left by an earlier run
"$rc" reload --pid "$pid" --new "$fx/removed_export/new" --exec "touch '$tmp/ran'" --wait 1 \
	--format json --output "$tmp/refused.json" 2>"$tmp/refused.err"
expect_status 1 $? "refused ($(head -1 "$tmp/refused.err"))"
[ ! -e "$tmp/ran" ] && ok || bad "refused: the command ran"
"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$tmp/refused.json" >/dev/null &&
	ok || bad "refused report does not validate"
[ "$(json "$tmp/refused.json" 'r["reload"]["preflight"], "trigger" in r["reload"], r["verdict"]')" = "refused False fail" ] &&
	ok || bad "refused: $(json "$tmp/refused.json" 'r.get("reload")')"
[ "$(json "$tmp/refused.json" '[c["verdict"] for c in r["checks"] if c["id"]=="symbol-drift"]')" = "['fail']" ] &&
	ok || bad "refused: the static findings are not in the report"
"$rc" reload --pid "$pid" --new "$fx/removed_export/new" --exec "touch '$tmp/ran'" --wait 1 --force \
	--format json --output "$tmp/forced.json" 2>"$tmp/forced.err"
expect_status 3 $? "forced, nothing exec'd ($(head -1 "$tmp/forced.err"))"
[ -e "$tmp/ran" ] && ok || bad "forced: the command did not run"
[ "$(json "$tmp/forced.json" 'r["reload"]["preflight"], r["reload"]["trigger"]["exit_status"]')" = "forced 0" ] &&
	ok || bad "forced: $(json "$tmp/forced.json" 'r.get("reload")')"
# The policy decides the preflight too: with symbol-drift disabled the same
# NEW is not refused, and the command runs.
rm -f "$tmp/ran"
printf '{"policy": "reloadcheck/policy/v1", "checks": {"symbol-drift": {"enabled": false}}}\n' \
	>"$tmp/nodrift.policy.json"
"$rc" reload --pid "$pid" --new "$fx/removed_export/new" --exec "touch '$tmp/ran'" --wait 1 \
	--policy "$tmp/nodrift.policy.json" --format json --output "$tmp/policy.json" 2>"$tmp/policy.err"
expect_status 3 $? "reload --policy, nothing exec'd ($(head -1 "$tmp/policy.err"))"
[ -e "$tmp/ran" ] && ok || bad "reload --policy: the preflight still refused"
running "$pid"

# 6. A clean trigger: the command runs with no signal ignored or blocked
# (sigign starts reloadcheck with SIGHUP, SIGINT, SIG32 and SIG33 ignored and
# SIGUSR1 blocked), stdin from /dev/null, in a process group of its own; its
# exit status and last output lines are in the report.
cmd="grep -E '^Sig(Ign|Blk)' /proc/self/status >'$tmp/sig.txt'; for i in \$(seq 30); do echo line\$i; done; echo err >&2"
"$fx/tools/sigign" "$rc" reload --pid "$pid" --new "$fx/probe/target" --exec "$cmd" --wait 1 \
	--format json --output "$tmp/clean-trigger.json" 2>"$tmp/clean-trigger.err" <<<"not for the command"
expect_status 3 $? "clean trigger ($(head -1 "$tmp/clean-trigger.err"))"
[ "$(cat "$tmp/sig.txt" 2>/dev/null | tr -s '\t' ' ')" = "$(printf 'SigBlk: 0000000000000000\nSigIgn: 0000000000000000')" ] &&
	ok || bad "the command's signals: $(cat "$tmp/sig.txt" 2>/dev/null)"
"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$tmp/clean-trigger.json" >/dev/null &&
	ok || bad "clean trigger report does not validate"
tail=$(json "$tmp/clean-trigger.json" 'r["reload"]["trigger"]["output_tail"]')
[ "$(json "$tmp/clean-trigger.json" 'r["reload"]["trigger"]["exit_status"]')" = 0 ] &&
	ok || bad "clean trigger: exit status $(json "$tmp/clean-trigger.json" 'r["reload"]["trigger"]')"
[ "$(echo "$tail" | wc -l)" = 10 ] && [ "$(echo "$tail" | head -1)" = line22 ] && [ "$(echo "$tail" | tail -1)" = err ] &&
	ok || bad "clean trigger: the last 10 lines are not kept: $tail"
# Where stdin comes from and the process group, from a second command.
"$rc" reload --pid "$pid" --new "$fx/probe/target" --exec "read -r x; echo stdin \$?; echo pgid \$(cut -d' ' -f5 /proc/\$\$/stat) pid \$\$" \
	--wait 1 --format json --output "$tmp/pg.json" 2>/dev/null <<<"not for the command"
read -r _ stdin_st _ pg _ shpid <<<"$(json "$tmp/pg.json" 'r["reload"]["trigger"]["output_tail"].replace(chr(10), " ")')"
[ "$stdin_st" = 1 ] && ok || bad "the command's stdin is not /dev/null (read exited '$stdin_st')"
[ -n "$pg" ] && [ "$pg" = "$shpid" ] && ok || bad "the command is not in a process group of its own (pgid '$pg', pid '$shpid')"
# A failing command: exit 3 naming its status; its output on stderr.
"$rc" reload --pid "$pid" --new "$fx/probe/target" --exec 'echo boom >&2; exit 7' --wait 1 >/dev/null 2>"$tmp/fail.err"
expect_status 3 $? "failing command"
grep -q "failed (exit status 7)" "$tmp/fail.err" && grep -q '^boom$' "$tmp/fail.err" && ok ||
	bad "failing command: $(cat "$tmp/fail.err")"
running "$pid"

# 7. The Go pprof server reloads itself on SIGUSR2 (same pid, same port, the
# listening socket passed across the exec): with --pprof the endpoint answers
# before and after and the CPU profile continues.
out=$tmp/go.out
"$fx/pprof/server" >"$out" 2>&1 &
gopid=$!
pids+=($gopid)
port=
for _ in $(seq 100); do
	port=$(awk '/ ready$/{print $4; exit}' "$out")
	[ -n "$port" ] && break
	sleep 0.05
done
if [ -z "$port" ]; then
	bad "go server did not get ready: $(cat "$out")"
else
	t0=$SECONDS
	"$rc" reload --pid "$gopid" --new "$fx/pprof/server" --signal USR2 \
		--pprof "http://127.0.0.1:$port" --seconds 1 --wait 20 \
		--format json --output "$tmp/go.json" 2>"$tmp/go.err"
	expect_status 0 $? "go server reload ($(head -1 "$tmp/go.err"))"
	# Two 1 s profiles and an exec: about 2 s. Reaching --wait means the new
	# image was never seen ready, although it listens again within milliseconds.
	el=$((SECONDS - t0))
	[ "$el" -lt 15 ] && ok || bad "go: the reload took $el s, its --wait deadline (20 s): readiness not seen"
	"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$tmp/go.json" >/dev/null &&
		ok || bad "go report does not validate"
	v=$(json "$tmp/go.json" 'r["verdict"]')
	[ "$v" = pass ] || [ "$v" = warn ] && ok || bad "go reload verdict $v"
	verdict_of() { json "$tmp/go.json" "[c['verdict'] for c in r['checks'] if c['id']=='$1']"; }
	[ "$(verdict_of proc-listeners)" = "['pass']" ] && ok || bad "go: proc-listeners $(verdict_of proc-listeners)"
	[ "$(verdict_of pprof-endpoint)" = "['pass']" ] && ok || bad "go: pprof-endpoint $(verdict_of pprof-endpoint)"
	c=$(verdict_of pprof-continuity)
	[ "$c" != "[]" ] && [ "$c" != "['skip']" ] && ok || bad "go: pprof-continuity $c"
	[ "$(json "$tmp/go.json" '[f["code"] for c in r["checks"] if c["id"]=="proc-identity" for f in c["findings"] if f["code"]=="proc.exe_reexecuted"]')" = "['proc.exe_reexecuted']" ] &&
		ok || bad "go: the re-exec was not seen"
	# The new image printed the ready line again: same pid, same port.
	[ "$(grep -c "^pid $gopid port $port ready\$" "$out")" = 2 ] && ok || bad "go: ready lines: $(cat "$out")"
	"$py" -c 'import sys, urllib.request as u; r = u.urlopen(sys.argv[1], timeout=5); sys.exit(r.status != 200 or b"goroutine" not in r.read())' \
		"http://127.0.0.1:$port/debug/pprof/" && ok || bad "go: /debug/pprof/ does not answer after the reload"
	running "$gopid"
fi

finish reload
