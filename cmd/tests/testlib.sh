# shellcheck shell=bash
# Sourced by the end-to-end shell tests, each run as
#   test_NAME.sh RELOADCHECK FIXTURES SRC PYTHON TMP
# Their arguments, the pass/fail counts and the summary line; a script may
# define its own expect_status after sourcing this file.
set -u
# shellcheck disable=SC2034 # used by the scripts that source this file
rc=$1 fx=$2 src=$3 py=$4 tmp=$5
mkdir -p "$tmp"
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
expect_status() { # expect_status WANT GOT WHAT
	if [ "$2" -eq "$1" ]; then ok; else bad "$3: exit $2, want $1"; fi
}
json() { # json FILE PYTHON-EXPR (r is the parsed report)
	"$py" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}
# finish NAME: the summary line; returns 0 only when nothing failed.
finish() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
