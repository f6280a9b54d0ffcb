// reloadcgo v1: the cgo fixture program. The preamble defines C state a hot
// reload cannot carry over: rc_canary, a global (non-static) __thread
// variable that C code sets at run time from an argument. main calls C
// (rc_set_canary, rc_get_canary, rc_call_go) and C calls back into the two
// exported Go functions in export.go (GoAdd, GoName). v2 drops GoName and
// calls one more C function, rc_bump_canary.
package main

/*
#include <stdio.h>
#include <stdlib.h>

__thread long rc_canary;

// Defined by the //export lines in export.go.
long long GoAdd(long long a, long long b);
char *GoName(void);

void rc_set_canary(long v)
{
	rc_canary = v;
}

long rc_get_canary(void)
{
	return rc_canary;
}

long rc_call_go(long v)
{
	char *name = GoName();
	long r = (long)GoAdd(v, (long long)name[0]);

	free(name);
	return r;
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	// The canary is per thread: keep every C call on this one.
	runtime.LockOSThread()
	want := int64(0x5eed0000 + len(os.Args))
	C.rc_set_canary(C.long(want))
	if got := int64(C.rc_get_canary()); got != want {
		fmt.Fprintf(os.Stderr, "reloadcgo: canary %#x, want %#x\n", got, want)
		os.Exit(1)
	}
	fmt.Printf("reloadcgo v1: canary %#x, go add %d\n", want, int64(C.rc_call_go(40)))
}
