#!/usr/bin/env bash
# `reloadcheck reload` on real software: Debian's nginx (nginx-light, from
# ci/setup) with a private prefix on a free 127.0.0.1 port.
# - A NEW that fails the static checks (/usr/bin/ls) is refused before any
#   signal: exit 1, and nginx is untouched (same master, same workers, no
#   nginx.pid.oldbin, still serving).
# - A HUP config reload forks new workers and execs nothing: "no process
#   exec'd within --wait", exit 3, never a worker taken for the new process;
#   nginx still serves.
# - The USR2 binary upgrade: the old master forks a child that execs
#   /usr/sbin/nginx; that new master is the new process (pass or warn), found
#   as an exec'd child, then with --pidfile; QUIT ends the old master.
# The probed processes are only read and sent the one trigger signal.
#   test_nginx.sh RELOADCHECK SRC PYTHON TMP
set -u
rc=$1 src=$2 py=$3 tmp=$4
nginx=/usr/sbin/nginx
if [ ! -x "$nginx" ]; then
	echo "SKIP: $nginx not installed (ci/setup installs nginx-light)"
	exit 77
fi
dir=$tmp/nginx
rm -rf "$dir"
mkdir -p "$dir"
passed=0 failed=0 masters=()
stop_all() { # every master this test started or saw, and their workers
	local p
	for p in "${masters[@]}" $(cat "$dir/nginx.pid" "$dir/nginx.pid.oldbin" 2>/dev/null); do
		kill -QUIT "$p" 2>/dev/null
	done
}
trap stop_all EXIT

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
expect_status() { if [ "$2" -eq "$1" ]; then ok; else bad "$3: exit $2, want $1"; fi; }
json() { "$py" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }
serves() { # nginx answers 200 on the port
	"$py" -c 'import sys, urllib.request as u; sys.exit(u.urlopen(sys.argv[1], timeout=5).status != 200)' \
		"http://127.0.0.1:$port/" 2>/dev/null
}
workers() { ps -o pid= --ppid "$1" | tr -d ' ' | sort | tr '\n' ' '; }
ppid_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }
gone() { # wait until pid $1 is gone (or a zombie nobody reaps)
	for _ in $(seq 100); do
		st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.05
	done
	return 1
}
. "$src/cmd/tests/proc_lib.sh" # running

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No files to serve: the workers (nobody when started as root) need no access
# to the prefix.
cat >"$dir/nginx.conf" <<CONF
daemon on;
master_process on;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	server {
		listen 127.0.0.1:$port;
		location / { return 200 "ok\n"; }
	}
}
CONF
# The absolute path: USR2 execs nginx's own argv[0].
if ! "$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"; then
	echo "FAIL: nginx did not start: $(cat "$dir/error.log" 2>/dev/null)"
	exit 1
fi
master=
for _ in $(seq 100); do
	master=$(cat "$dir/nginx.pid" 2>/dev/null)
	[ -n "$master" ] && serves && break
	sleep 0.05
done
masters+=("$master")
if [ -z "$master" ] || ! serves; then
	echo "FAIL: nginx does not serve on 127.0.0.1:$port: $(cat "$dir/error.log")"
	exit 1
fi
w0=$(workers "$master")
[ "$(echo "$w0" | wc -w)" = 2 ] && ok || bad "not two workers: '$w0'"

# 1. A NEW the static checks reject: refused before anything is sent.
"$rc" reload --pid "$master" --new /usr/bin/ls --signal USR2 --wait 5 \
	--format json --output "$dir/refused.json" 2>"$dir/refused.err"
expect_status 1 $? "refused ($(head -1 "$dir/refused.err"))"
"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$dir/refused.json" >/dev/null &&
	ok || bad "refused report does not validate"
[ "$(json "$dir/refused.json" 'r["reload"]["preflight"], "trigger" in r["reload"], r["verdict"]')" = 'refused False fail' ] &&
	ok || bad "refused: reload member $(json "$dir/refused.json" 'r.get("reload")')"
[ "$(json "$dir/refused.json" '[c["verdict"] for c in r["checks"] if c["id"]=="symbol-drift"]')" = "['fail']" ] &&
	ok || bad "refused: symbol-drift is not the reason"
sleep 0.5 # time for a signal that should not have been sent to act
[ "$(cat "$dir/nginx.pid")" = "$master" ] && ok || bad "refused: nginx.pid changed"
[ ! -e "$dir/nginx.pid.oldbin" ] && ok || bad "refused: nginx upgraded anyway (nginx.pid.oldbin)"
[ "$(workers "$master")" = "$w0" ] && ok || bad "refused: workers changed: '$w0' -> '$(workers "$master")'"
serves && ok || bad "refused: nginx does not serve"
# The text report says so too.
"$rc" reload --pid "$master" --new /usr/bin/ls --signal USR2 --wait 5 >"$dir/refused.txt" 2>&1
expect_status 1 $? "refused (text)"
grep -q '^reload refused: the static checks .*symbol-drift' "$dir/refused.txt" && ok ||
	bad "refused: text says $(head -3 "$dir/refused.txt")"
running "$master"

# 2. HUP: new workers are forked, nothing execs: exit 3, no worker taken.
"$rc" reload --pid "$master" --new "$nginx" --signal HUP --wait 3 \
	--format json --output "$dir/hup.json" 2>"$dir/hup.err"
expect_status 3 $? "HUP ($(head -1 "$dir/hup.err"))"
grep -q "no process exec'd within --wait" "$dir/hup.err" && ok || bad "HUP: $(cat "$dir/hup.err")"
[ "$(json "$dir/hup.json" 'r["reload"]["trigger"], "new_pid" in r["reload"]')" = "{'signal': 'SIGHUP'} False" ] &&
	ok || bad "HUP: reload member $(json "$dir/hup.json" 'r.get("reload")')"
w1=$(workers "$master")
[ "$w1" != "$w0" ] && [ "$(echo "$w1" | wc -w)" = 2 ] && ok || bad "HUP: workers '$w0' -> '$w1': no config reload happened"
serves && ok || bad "HUP: nginx does not serve"
running "$master"

# 3. USR2: the new master is a child of the old one that exec'd nginx.
upgrade() { # upgrade NAME [ARGS...]: USR2 the master, check the new one, QUIT the old
	local name=$1 new
	shift
	"$rc" reload --pid "$master" --new "$nginx" --signal USR2 --wait 15 "$@" \
		--format json --output "$dir/$name.json" 2>"$dir/$name.err"
	expect_status 0 $? "$name ($(head -1 "$dir/$name.err"))"
	for _ in $(seq 100); do [ -e "$dir/nginx.pid.oldbin" ] && break; sleep 0.05; done
	new=$(cat "$dir/nginx.pid")
	masters+=("$new")
	"$py" "$src/cmd/tests/validate_report.py" "$src/lib/schema/report-v1.schema.json" "$dir/$name.json" >/dev/null &&
		ok || bad "$name: report does not validate"
	v=$(json "$dir/$name.json" 'r["verdict"]')
	[ "$v" = pass ] || [ "$v" = warn ] && ok || bad "$name: verdict $v"
	[ "$(json "$dir/$name.json" 'r["reload"]["new_pid"], r["inputs"]["pid"]')" = "$new $new" ] &&
		ok || bad "$name: new pid $(json "$dir/$name.json" 'r["reload"]'), nginx.pid says $new"
	[ "$new" != "$master" ] && [ "$(ppid_of "$new")" = "$master" ] && ok ||
		bad "$name: new master $new is not a child of $master"
	[ "$(readlink "/proc/$new/exe")" = "$nginx" ] && ok || bad "$name: $new runs $(readlink "/proc/$new/exe")"
	[ "$(cat "$dir/nginx.pid.oldbin")" = "$master" ] && ok || bad "$name: nginx.pid.oldbin"
	running "$new"
	kill -QUIT "$master"
	gone "$master" && ok || bad "$name: the old master $master did not quit"
	rm -f "$dir/nginx.pid.oldbin"
	master=$new
	serves && ok || bad "$name: the new master does not serve"
}
upgrade usr2
[ "$(json "$dir/usr2.json" 'r["reload"]["found_by"]')" = child ] && ok || bad "usr2: not found as an exec'd child"
upgrade usr2-pidfile --pidfile "$dir/nginx.pid"
[ "$(json "$dir/usr2-pidfile.json" 'r["reload"]["found_by"]')" = pidfile ] && ok || bad "usr2-pidfile: not found by the pidfile"

echo "nginx: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
