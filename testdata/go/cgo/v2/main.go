// reloadcgo v2: against v1, the exported Go function GoName is gone (so
// rc_call_go no longer calls it) and main calls one more C function,
// rc_bump_canary. rc_canary is unchanged.
package main

/*
#include <stdio.h>
#include <stdlib.h>

__thread long rc_canary;

// Defined by the //export line in export.go.
long long GoAdd(long long a, long long b);

void rc_set_canary(long v)
{
	rc_canary = v;
}

long rc_get_canary(void)
{
	return rc_canary;
}

void rc_bump_canary(long d)
{
	rc_canary += d;
}

long rc_call_go(long v)
{
	return (long)GoAdd(v, 'r');
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
	C.rc_set_canary(C.long(want - 1))
	C.rc_bump_canary(1)
	if got := int64(C.rc_get_canary()); got != want {
		fmt.Fprintf(os.Stderr, "reloadcgo: canary %#x, want %#x\n", got, want)
		os.Exit(1)
	}
	fmt.Printf("reloadcgo v2: canary %#x, go add %d\n", want, int64(C.rc_call_go(40)))
}
