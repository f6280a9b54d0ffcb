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
//
// SIGUSR2 is a graceful self-reload (for `reloadcheck reload`,
// cmd/tests/test_reload.sh): the server execs in place (same pid) with its
// listening socket passed as LISTEN_FD, and the new image serves on it and
// prints the ready line again (same pid, same port). -reload-to PATH execs
// PATH instead of itself (server -> server_b, a different build-id), and
// -reload-args 'ARGS' gives the new image these arguments instead of the
// current ones (for example '-mode swap').
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"os/signal"
	"strconv"
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

// inheritedListener is the listener passed by a reload in LISTEN_FD, or nil
// when the server starts afresh. LISTEN_FD is unset once read, so that it is
// set only by the next reload.
func inheritedListener() (net.Listener, error) {
	v, ok := os.LookupEnv("LISTEN_FD")
	if !ok {
		return nil, nil
	}
	os.Unsetenv("LISTEN_FD")
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("LISTEN_FD=%q is not a descriptor", v)
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close() // net.FileListener works on a dup of it
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("LISTEN_FD=%d: %v", fd, err)
	}
	return ln, nil
}

// reloadOnUSR2 waits for SIGUSR2, then execs exe with args (same pid), the
// listening socket passed as LISTEN_FD: a dup of it, without FD_CLOEXEC, so
// that it survives the exec. GODEBUG is already in the environment, so the
// new image does not exec again in noAsyncPreempt. In-flight requests are
// not waited for. On failure the server goes on serving.
func reloadOnUSR2(ln *net.TCPListener, exe string, args []string) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR2)
	for range ch {
		f, err := ln.File()
		if err != nil {
			fmt.Fprintf(os.Stderr, "server: reload: %v\n", err)
			continue
		}
		fd := f.Fd()
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFD, 0); e != 0 {
			fmt.Fprintf(os.Stderr, "server: reload: clearing FD_CLOEXEC: %v\n", e)
			f.Close()
			continue
		}
		env := []string{}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "LISTEN_FD=") {
				env = append(env, kv)
			}
		}
		env = append(env, "LISTEN_FD="+strconv.Itoa(int(fd)))
		err = syscall.Exec(exe, args, env)
		fmt.Fprintf(os.Stderr, "server: reload: cannot exec %s: %v\n", exe, err)
		f.Close()
	}
}

func main() {
	noAsyncPreempt()
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "hot", "hot, idle, nopprof or swap")
	reloadTo := flag.String("reload-to", "", "on SIGUSR2, exec this file instead of itself")
	reloadArgs := flag.String("reload-args", "",
		"on SIGUSR2, these space-separated arguments instead of the current ones")
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

	ln, err := inheritedListener()
	if err == nil && ln == nil {
		ln, err = net.Listen("tcp", *addr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
	tln, ok := ln.(*net.TCPListener)
	if !ok {
		fmt.Fprintf(os.Stderr, "server: not a TCP listener: %v\n", ln.Addr())
		os.Exit(1)
	}
	exe, args := *reloadTo, os.Args
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			exe = "/proc/self/exe"
		}
	}
	if *reloadArgs != "" {
		args = append([]string{exe}, strings.Fields(*reloadArgs)...)
	}
	go reloadOnUSR2(tln, exe, args)
	// os.Stdout is unbuffered: the line is out when Printf returns.
	fmt.Printf("pid %d port %d ready\n", os.Getpid(), tln.Addr().(*net.TCPAddr).Port)
	// No write timeout: a CPU profile request lasts as long as it asks.
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	err = srv.Serve(tln)
	fmt.Fprintf(os.Stderr, "server: %v\n", err)
	os.Exit(1)
}
