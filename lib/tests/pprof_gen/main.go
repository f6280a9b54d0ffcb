// Command pprof_gen writes a real Go CPU profile for test_pprof.c (the
// oracle): it profiles itself with runtime/pprof for about a second while two
// named functions burn CPU, about twice as much in burnAlpha as in burnBeta.
//
//	pprof_gen OUT.pb.gz
//
// Only the standard library, so that it builds offline with GO111MODULE=off.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

var sink uint64

//go:noinline
func burnAlpha(d time.Duration) {
	x := sink | 1
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 10000; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	sink = x
}

//go:noinline
func burnBeta(d time.Duration) {
	x := sink | 3
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 10000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pprof_gen OUT.pb.gz")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof_gen:", err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "pprof_gen:", err)
		os.Exit(1)
	}
	for i := 0; i < 10; i++ {
		burnAlpha(70 * time.Millisecond)
		burnBeta(35 * time.Millisecond)
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "pprof_gen:", err)
		os.Exit(1)
	}
}
