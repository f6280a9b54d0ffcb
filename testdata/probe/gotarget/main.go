// gotarget: a live cgo target for `reloadcheck probe` (cmd/tests/test_probe.c).
// Expected: proc-tls pass with --tls-canary rc_go_canary=0x600d, one value per
// thread in /proc/PID/task.
//
// The C side defines rc_go_canary, an exported (non-static) __thread long
// initialised in .tdata, so every thread has it: a cgo program creates all of
// its threads, the runtime's included, with pthread_create. Four goroutines
// locked to their own OS threads also store it at run time from C. When they
// have, the program prints `pid <pid> ready` and blocks until killed.
//
//	gotarget [N]   N locked goroutines (default 4)
package main

/*
__thread long rc_go_canary = 0x600d;

static void set_canary(long v)
{
	rc_go_canary = v;
}

static long get_canary(void)
{
	return rc_go_canary;
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 4
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 || v > 1000 {
			fmt.Fprintf(os.Stderr, "usage: gotarget [N]\n")
			os.Exit(2)
		}
		n = v
	}
	var wg sync.WaitGroup
	block := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			// Locked for good: the thread stays this goroutine's.
			runtime.LockOSThread()
			C.set_canary(0x600d)
			if v := C.get_canary(); v != 0x600d {
				fmt.Fprintf(os.Stderr, "gotarget: canary %#x after the store\n", int64(v))
				os.Exit(1)
			}
			wg.Done()
			<-block
		}()
	}
	wg.Wait()
	runtime.LockOSThread()
	C.set_canary(0x600d)
	fmt.Printf("pid %d ready\n", os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}
