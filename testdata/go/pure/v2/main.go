// reloadfix v2: the pure-Go fixture program after an upgrade. Against v1,
// rotate and fold are gone, blend, square and clamp are new, and reloaddep is
// downgraded from v1.2.0 to v1.1.0 (which lacks Spread).
package main

import (
	"fmt"
	"os"

	dep "example.com/reloaddep"
)

//go:noinline
func seed(n int) uint64 {
	return uint64(n)*2654435761 + 1
}

//go:noinline
func square(x uint64) uint64 {
	return x * x
}

//go:noinline
func clamp(x, max uint64) uint64 {
	if x > max {
		return max
	}
	return x
}

//go:noinline
func blend(xs []uint64) uint64 {
	var h uint64 = 14695981039346656037
	for _, x := range xs {
		h = dep.Mix(h, clamp(x, 1<<60))
	}
	return h
}

//go:noinline
func checksum(n int) uint64 {
	xs := make([]uint64, n)
	for i := range xs {
		xs[i] = square(seed(i))
	}
	return blend(xs)
}

func main() {
	fmt.Printf("reloadfix v2 (reloaddep %s): %016x\n", dep.Version, checksum(16+len(os.Args)))
}
