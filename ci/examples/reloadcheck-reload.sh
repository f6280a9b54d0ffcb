#!/usr/bin/env bash
# systemd ExecReload= wrapper: gate an in-place (execve) reload with reloadcheck.
#
#   reloadcheck-reload.sh MAINPID NEW_BINARY [SIGNAL]
#
#   ExecReload=/usr/local/libexec/reloadcheck-reload.sh $MAINPID /srv/app/bin/app USR2
#
# Before signalling the service's main process to re-exec itself (SIGNAL,
# default USR2; nginx-style binary upgrades, tableflip, overseer), it runs
#
#   reloadcheck gate --old /proc/MAINPID/exe --new NEW_BINARY --pid MAINPID ...
#
# and sends the signal only when the gate passes (exit 0). Otherwise it refuses:
# it exits with the gate's status (1 fail, 2 usage, 3 could not check) and
# sends nothing, so `systemctl reload` fails and the old process keeps running
# untouched (a failed ExecReload= does not stop the unit).
#
# Why /proc/MAINPID/exe and not the path the service was started from: a deploy
# has usually already replaced that path with NEW (rename over it, or a
# symlink flip). /proc/PID/exe always opens the file the process is actually
# running, even when it has been deleted or replaced on disk, so OLD is the
# running build and not whatever the path holds now.
#
# Environment (Environment= in the unit):
#   RELOADCHECK         the reloadcheck binary (default: reloadcheck on PATH)
#   RELOADCHECK_POLICY  the policy file (default: policy.json beside this
#                       script); set it empty to run without a policy
#   RELOADCHECK_PROBE   1 (default): also probe the live process (--pid:
#                       executable, signal handlers, listeners, TLS canaries
#                       named in the policy); 0: static checks only
#   RELOADCHECK_PPROF   also check this Go net/http/pprof URL (--pprof)
#   REPORT_DIR          where report.json / junit.xml / reloadcheck.prom of
#                       the last attempt go (default /run/reloadcheck)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=$(basename "$0")
rc=${RELOADCHECK:-reloadcheck}
policy=${RELOADCHECK_POLICY-$here/policy.json}
probe=${RELOADCHECK_PROBE:-1}
dir=${REPORT_DIR:-/run/reloadcheck}

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
	echo "usage: $me MAINPID NEW_BINARY [SIGNAL]" >&2
	exit 2
fi
pid=$1 new=$2 sig=${3:-USR2}
sig=${sig#SIG}

case $pid in
'' | *[!0-9]* | 0)
	# systemd substitutes an empty $MAINPID when it knows no main process.
	echo "$me: no main process to reload (MAINPID '$pid'); refusing" >&2
	exit 2
	;;
esac
if [ ! -e "/proc/$pid/exe" ]; then
	echo "$me: process $pid is not running; refusing to reload" >&2
	exit 3
fi
if ! command -v "$rc" >/dev/null 2>&1; then
	echo "$me: reloadcheck not found ('$rc'); refusing to reload unchecked" >&2
	exit 3
fi
mkdir -p "$dir" || exit 3

args=(gate --old "/proc/$pid/exe" --new "$new"
	--report "$dir/report.json" --junit "$dir/junit.xml" --prom "$dir/reloadcheck.prom"
	--no-color --limit 5)
[ -n "$policy" ] && args+=(--policy "$policy")
[ "$probe" = 1 ] && args+=(--pid "$pid")
[ -n "${RELOADCHECK_PPROF:-}" ] && args+=(--pprof "$RELOADCHECK_PPROF")

# The text report goes to the journal (stdout of ExecReload=).
"$rc" "${args[@]}"
status=$?
if [ "$status" -ne 0 ]; then
	echo "$me: reloadcheck gate exited $status: NOT sending SIG$sig to $pid; the running process is unchanged (report: $dir/report.json)" >&2
	exit "$status"
fi

if ! kill -s "$sig" "$pid"; then
	echo "$me: could not send SIG$sig to $pid" >&2
	exit 1
fi
echo "$me: gate passed; sent SIG$sig to $pid to re-exec $new"
