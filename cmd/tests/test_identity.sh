#!/usr/bin/env bash
# End-to-end tests of build identity on real processes:
# (a) `gate --old X --pid P` compares X with what P runs: /usr/bin/ls as OLD
#     while P runs the probe target fails with proc.binary_mismatch naming
#     both GNU build-ids; the right OLD matches.
# (b) a pure-Go service (probe/gopure: a Go build ID, no GNU build-id) copied
#     to a temp path, probed with --save, replaced at the same path by
#     probe/gopure_v2 and restarted: against the baseline the executable
#     changed (no false proc.exe_unchanged); restarted into the same build:
#     proc.exe_restarted, "restarted into the same build". proc-signals says
#     the Go runtime hides signal.Notify; saved snapshots validate.
# (c) when nginx is installed: gate --old ls against its master fails, and a
#     USR2 upgrade to the same binary is proc.exe_restarted.
#   test_identity.sh RELOADCHECK FIXTURES SRC PYTHON TMP
set -u
rc=$1 fx=$2 src=$3 py=$4 tmp=$5
rm -rf "$tmp"
mkdir -p "$tmp"
passed=0 failed=0 pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
expect_status() { if [ "$2" -eq "$1" ]; then ok; else bad "$3: exit $2, want $1"; fi; }
json() { "$py" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
# finding FILE CODE KEY: KEY of the first finding CODE ("message", or a detail), else ""
finding() {
	"$py" - "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for c in r["checks"]:
    for f in c["findings"]:
        if f["code"] == sys.argv[2]:
            v = f["message"] if sys.argv[3] == "message" else f.get("detail", {}).get(sys.argv[3])
            print("" if v is None else v)
            sys.exit(0)
print("")
PY
}
count() { json "$1" "len([f for c in r['checks'] for f in c['findings'] if f['code'] == '$2'])"; }
gnu_id() { readelf -n "$1" | awk '/Build ID:/ {print $3; exit}'; }

wait_ready() { # wait_ready OUT: the ready line was printed
	for _ in $(seq 200); do grep -q ready "$1" && return 0; sleep 0.05; done
	bad "$1: no ready line"
	return 1
}
start() { # start OUT PROGRAM ARGS...: run it in the background, set $pid
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_ready "$out"
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# --- (a) gate --old compares OLD with what --pid runs ---
start "$tmp/target.out" "$fx/probe/target" 1 "$fx/probe/target"
tpid=$pid
"$rc" gate --old /usr/bin/ls --new /usr/bin/ls --pid "$tpid" --report "$tmp/a1.json" \
	--no-color >"$tmp/a1.out" 2>"$tmp/a1.err"
expect_status 1 $? "gate --old ls --pid target ($(head -1 "$tmp/a1.err"))"
msg=$(finding "$tmp/a1.json" proc.binary_mismatch message)
ls_id=$(gnu_id /usr/bin/ls)
t_id=$(gnu_id "$fx/probe/target")
[ -n "$ls_id" ] && [ -n "$t_id" ] && ok || bad "readelf found no GNU build-id in ls or the target"
case "$msg" in
*"GNU build-id $t_id"*"GNU build-id $ls_id"*) ok ;;
*) bad "the mismatch does not name both build-ids: '$msg'" ;;
esac
[ "$(finding "$tmp/a1.json" proc.binary_mismatch expected_id)" = "$ls_id" ] && ok ||
	bad "expected_id is not ls's build-id"
[ "$(finding "$tmp/a1.json" proc.binary_mismatch running_id)" = "$t_id" ] && ok ||
	bad "running_id is not the target's build-id"
grep -q "fail proc.binary_mismatch" "$tmp/a1.out" && grep -q "not OLD '/usr/bin/ls'" "$tmp/a1.out" &&
	ok || bad "the text report does not list the mismatch: $(cat "$tmp/a1.out")"

"$rc" gate --old "$fx/probe/target" --new "$fx/probe/target_v2" --pid "$tpid" \
	--report "$tmp/a2.json" -q >"$tmp/a2.out" 2>"$tmp/a2.err"
[ "$(count "$tmp/a2.json" proc.binary_mismatch)" = 0 ] && ok || bad "the right --old mismatches"
[ "$(finding "$tmp/a2.json" proc.binary_match kind)" = "GNU build-id" ] && ok ||
	bad "the right --old: no proc.binary_match by GNU build-id"
stop "$tpid"

# --- (b) a pure-Go service replaced in place and restarted ---
[ -z "$(gnu_id "$fx/probe/gopure")" ] && [ -z "$(gnu_id "$fx/probe/gopure_v2")" ] && ok ||
	bad "the pure-Go fixtures have a GNU build-id: the test would not test the Go build ID"
svc=$tmp/svc/app
mkdir -p "$tmp/svc"
cp "$fx/probe/gopure" "$svc"
start "$tmp/svc1.out" "$svc"
"$rc" probe --pid "$pid" --save "$tmp/base1.json" --format json >"$tmp/p1.json" 2>"$tmp/p1.err"
expect_status 0 $? "probe --save the Go service ($(head -1 "$tmp/p1.err"))"
"$py" "$src/cmd/tests/validate_report.py" --schema-only "$src/lib/schema/snapshot-v1.schema.json" \
	"$tmp/base1.json" >/dev/null && ok || bad "the saved snapshot does not validate"
[ "$(json "$tmp/base1.json" 'r["exe"]["build_id"]')" = None ] && ok || bad "gopure has a GNU build-id?"
gid1=$(json "$tmp/base1.json" 'r["exe"]["go_build_id"]')
[ "$(json "$tmp/base1.json" 'len(r["exe"]["content_hash"])')" = 32 ] && ok || bad "no content hash saved"
[ "$(json "$tmp/base1.json" 'r["exe"]["file"]["size"]')" = "$(stat -c %s "$svc")" ] && ok ||
	bad "the saved file size is not the file's"
[ "$(count "$tmp/p1.json" signals.go_runtime)" = 1 ] && ok || bad "no signals.go_runtime on a Go process"
stop "$pid"

# Replaced in place (rename over the same path), restarted.
cp "$fx/probe/gopure_v2" "$svc.new" && mv "$svc.new" "$svc"
start "$tmp/svc2.out" "$svc"
"$rc" probe --pid "$pid" --baseline "$tmp/base1.json" --save "$tmp/base2.json" --format json \
	>"$tmp/p2.json" 2>"$tmp/p2.err"
expect_status 0 $? "probe --baseline after the replacement ($(head -1 "$tmp/p2.err"))"
[ "$(count "$tmp/p2.json" proc.exe_unchanged)" = 0 ] && ok || bad "false proc.exe_unchanged: $(finding "$tmp/p2.json" proc.exe_unchanged message)"
msg=$(finding "$tmp/p2.json" proc.exe_changed message)
gid2=$(json "$tmp/base2.json" 'r["exe"]["go_build_id"]')
[ "$gid1" != "$gid2" ] && ok || bad "gopure and gopure_v2 have the same Go build ID"
case "$msg" in
*"Go build ID $gid1"*"Go build ID $gid2"*) ok ;;
*) bad "proc.exe_changed does not name both Go build IDs: '$msg'" ;;
esac
stop "$pid"

# Restarted into the same build.
start "$tmp/svc3.out" "$svc"
"$rc" probe --pid "$pid" --baseline "$tmp/base2.json" --format json >"$tmp/p3.json" 2>"$tmp/p3.err"
expect_status 0 $? "probe --baseline after a restart ($(head -1 "$tmp/p3.err"))"
[ "$(count "$tmp/p3.json" proc.exe_unchanged)" = 0 ] && ok || bad "restart: false proc.exe_unchanged"
msg=$(finding "$tmp/p3.json" proc.exe_restarted message)
case "$msg" in
*"restarted into the same build"*"Go build ID $gid2"*) ok ;;
*) bad "restart: no 'restarted into the same build' naming the Go build ID: '$msg'" ;;
esac
[ "$(count "$tmp/p3.json" proc.pid_changed)" = 1 ] && ok || bad "restart: no proc.pid_changed"
# The same process again (no restart, no exec): the reload has not taken effect.
"$rc" probe --pid "$pid" --baseline "$tmp/base2.json" --save "$tmp/base3.json" >/dev/null 2>&1
"$rc" probe --pid "$pid" --baseline "$tmp/base3.json" --format json >"$tmp/p4.json" 2>"$tmp/p4.err"
expect_status 0 $? "probe the same process twice"
[ "$(count "$tmp/p4.json" proc.exe_unchanged)" = 1 ] && ok || bad "same process: no proc.exe_unchanged"
# --expect-binary names another build: a restart into the same build fails.
"$rc" probe --pid "$pid" --baseline "$tmp/base2.json" --expect-binary "$fx/probe/gopure" \
	--format json >"$tmp/p5.json" 2>"$tmp/p5.err"
expect_status 1 $? "restart with --expect-binary v1"
[ "$(json "$tmp/p5.json" '[f["severity"] for c in r["checks"] for f in c["findings"] if f["code"] == "proc.exe_unchanged"]')" = "['fail']" ] &&
	ok || bad "--expect-binary v1: proc.exe_unchanged does not fail"
msg=$(finding "$tmp/p5.json" proc.exe_unchanged message)
case "$msg" in
*"Go build ID $gid2"*"Go build ID $gid1"*) ok ;;
*) bad "--expect-binary v1: proc.exe_unchanged does not name both builds: '$msg'" ;;
esac
stop "$pid"

# An older snapshot without content_hash and file still reads.
"$py" - "$tmp/base1.json" "$tmp/old.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
del r["exe"]["content_hash"], r["exe"]["file"]
json.dump(r, open(sys.argv[2], "w"))
PY
start "$tmp/svc4.out" "$svc"
"$rc" probe --pid "$pid" --baseline "$tmp/old.json" --format json >"$tmp/p6.json" 2>"$tmp/p6.err"
expect_status 0 $? "an older baseline ($(head -1 "$tmp/p6.err"))"
[ "$(count "$tmp/p6.json" proc.exe_changed)" = 1 ] && ok || bad "older baseline: no proc.exe_changed"
stop "$pid"

# --- (c) nginx, when installed: a USR2 binary upgrade to the same binary ---
# The new master is a child of the old one (another pid) running the same
# build: proc.exe_restarted, not proc.exe_unchanged.
ngx=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$ngx" ]; then
	nd=$tmp/nginx
	mkdir -p "$nd/logs"
	# nginx takes no port 0: a free one, asked of the kernel just before.
	port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$nd/nginx.conf" <<NGINX
daemon on;
master_process on;
worker_processes 1;
pid $nd/nginx.pid;
error_log $nd/logs/error.log;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $nd; proxy_temp_path $nd; fastcgi_temp_path $nd;
	uwsgi_temp_path $nd; scgi_temp_path $nd;
	server { listen 127.0.0.1:$port; return 200; }
}
NGINX
	if "$ngx" -p "$nd" -c "$nd/nginx.conf" 2>"$nd/start.err"; then
		m1=$(cat "$nd/nginx.pid") m2=
		trap 'kill "${pids[@]}" 2>/dev/null; kill -QUIT $m1 $m2 2>/dev/null; wait 2>/dev/null' EXIT
		"$rc" gate --old /usr/bin/ls --new /usr/bin/ls --pid "$m1" --report "$tmp/n1.json" -q \
			>/dev/null 2>&1
		expect_status 1 $? "gate --old ls --pid <nginx master>"
		[ "$(count "$tmp/n1.json" proc.binary_mismatch)" = 1 ] && ok ||
			bad "gate --old ls --pid <nginx master>: no proc.binary_mismatch"
		"$rc" probe --pid "$m1" --save "$tmp/n-base.json" >/dev/null 2>&1
		kill -USR2 "$m1"
		for _ in $(seq 100); do
			[ -s "$nd/nginx.pid" ] && [ "$(cat "$nd/nginx.pid")" != "$m1" ] && break
			sleep 0.05
		done
		m2=$(cat "$nd/nginx.pid")
		if [ "$m2" != "$m1" ]; then
			"$rc" probe --pid "$m2" --baseline "$tmp/n-base.json" --format json \
				>"$tmp/n2.json" 2>"$tmp/n2.err"
			expect_status 0 $? "probe the upgraded nginx master"
			[ "$(count "$tmp/n2.json" proc.exe_unchanged)" = 0 ] && ok ||
				bad "nginx USR2: false proc.exe_unchanged"
			[ "$(count "$tmp/n2.json" proc.exe_restarted)" = 1 ] && ok ||
				bad "nginx USR2: no proc.exe_restarted"
		else
			bad "nginx USR2: no new master ($(tail -2 "$nd/logs/error.log"))"
		fi
		kill -QUIT "$m1" $m2 2>/dev/null
	else
		echo "note: nginx did not start, part (c) not run: $(head -1 "$nd/start.err")"
	fi
else
	echo "note: nginx is not installed, part (c) not run"
fi

echo "test_identity: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
