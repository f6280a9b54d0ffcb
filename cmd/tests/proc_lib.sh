# Shell helpers of the tests that drive live processes (test_reload.sh,
# test_nginx.sh); sourced, after they define ok and bad.

# running PID: the process runs, not stopped, not traced (reloadcheck only reads).
running() {
	local st tr
	st=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null)
	tr=$(awk '/^TracerPid:/{print $2}' "/proc/$1/status" 2>/dev/null)
	if [ -n "$st" ] && [ "$st" != T ] && [ "$st" != t ] && [ "$tr" = 0 ]; then ok; else
		bad "process $1 not running untraced (State $st, TracerPid $tr)"; fi
}
