// pprof server: a live net/http/pprof target for `reloadcheck pprof`
// (cmd/tests/test_pprof.c). Expected verdicts, by -mode:
//
//	hot      pprof-endpoint pass: index, goroutines and a CPU profile whose
//	         top function is main.burnHot (~60% of a core) ahead of
//	         main.burnWarm (~20%); with --pid, pprof.build_id matches
//	idle     no CPU burnt at all: a 1 s profile has no samples, so
//	         pprof.no_samples warns (not fails: the process was idle)
//	nopprof  only a mux without the pprof handlers (every path 404):
//	         pprof.index_missing fails
//	swap     main.burnCold burns instead of main.burnHot, from the start (a
//	         restart into a build whose hot path moved): against a hot
//	         baseline, pprof.hot_function_vanished warns naming main.burnHot
//
// Listens on -addr (default 127.0.0.1:0, a free port), prints
// `pid <pid> port <port> ready` once it accepts connections, and serves until
// killed. It runs with GODEBUG=asyncpreemptoff=1, exec'ing itself to get it
// (the pid stays), so that samples land in the burn functions: see
// noAsyncPreempt. Built twice by testdata/CMakeLists.txt, with different GNU
// build-ids (-ldflags=-B), so that a profile from one and --pid of the other
// disagree.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Keeps the burn loops' results alive so the compiler cannot drop them.
var sink uint64

// The three burn functions spin on their own loop, not a shared helper: a
// profile attributes a sample to the innermost function, inlined or not, and
// the tests look for these names at the top of the flat list.

//go:noinline
func burnHot(d time.Duration) {
	x, until := uint64(1), time.Now().Add(d)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x)
}

//go:noinline
func burnWarm(d time.Duration) {
	x, until := uint64(1), time.Now().Add(d)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x)
}

//go:noinline
func burnCold(d time.Duration) {
	x, until := uint64(1), time.Now().Add(d)
	for time.Now().Before(until) {
		for i := 0; i < 20000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x)
}

// work burns in slices of 250 us, each in hot with probability 3/4 and in
// warm otherwise, and sleeps whenever it is ahead of 80% of the wall-clock
// time: about 60% of a core for hot and 20% for warm. One goroutine runs
// both, so that their shares stay 3:1 however loaded the machine is; the
// random order keeps a regular pattern from beating with the kernel's tick,
// which is when the CPU profiling timer is looked at (a fixed 3 ms + 1 ms
// cycle gave 2:1 and worse); sleeps that overshoot are made up for.
func work(hot, warm func(time.Duration)) {
	const slice = 250 * time.Microsecond
	rng := rand.New(rand.NewSource(1))
	start := time.Now()
	var busy time.Duration
	for {
		if float64(busy) > 0.8*float64(time.Since(start)) {
			time.Sleep(time.Millisecond)
			continue
		}
		t := time.Now()
		if rng.Intn(4) < 3 {
			hot(slice)
		} else {
			warm(slice)
		}
		busy += time.Since(t)
	}
}

// noAsyncPreempt makes sure the runtime runs with GODEBUG=asyncpreemptoff=1,
// exec'ing itself again (same pid) if it does not. On a loaded machine the
// runtime preempts a burn loop with SIGURG whenever its thread was off the
// CPU for long, and the profiler's pending SIGPROF then records the PC of
// runtime.asyncPreempt, not of the burn function: up to 80% of the samples.
// GODEBUG is read once at start, hence the exec.
func noAsyncPreempt() {
	const want = "asyncpreemptoff=1"
	cur := os.Getenv("GODEBUG")
	if strings.Contains(","+cur+",", ","+want+",") {
		return
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	if cur != "" {
		cur += ","
	}
	env = append(env, "GODEBUG="+cur+want)
	exe, err := os.Executable()
	if err == nil {
		err = syscall.Exec(exe, os.Args, env)
	}
	fmt.Fprintf(os.Stderr, "server: cannot exec itself with GODEBUG=%s: %v\n", want, err)
	os.Exit(1)
}

func main() {
	noAsyncPreempt()
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "hot", "hot, idle, nopprof or swap")
	flag.Parse()

	handler := http.Handler(http.DefaultServeMux)
	switch *mode {
	case "hot":
		go work(burnHot, burnWarm)
	case "swap":
		go work(burnCold, burnWarm)
	case "idle":
	case "nopprof":
		handler = http.NewServeMux()
	default:
		fmt.Fprintf(os.Stderr, "server: unknown -mode %q\n", *mode)
		os.Exit(2)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
	// os.Stdout is unbuffered: the line is out when Printf returns.
	fmt.Printf("pid %d port %d ready\n", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)
	// No write timeout: a CPU profile request lasts as long as it asks.
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	err = srv.Serve(ln)
	fmt.Fprintf(os.Stderr, "server: %v\n", err)
	os.Exit(1)
}
