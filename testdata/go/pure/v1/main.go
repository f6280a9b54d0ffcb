// reloadfix v1: the pure-Go fixture program (no cgo). The named functions are
// marked noinline so each keeps its own entry in .gopclntab; v2 removes
// rotate and fold and adds blend, square and clamp.
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
func rotate(x uint64) uint64 {
	return x<<13 | x>>51
}

//go:noinline
func fold(xs []uint64) uint64 {
	var h uint64 = 14695981039346656037
	for _, x := range xs {
		h = dep.Mix(h, x)
	}
	return h
}

//go:noinline
func checksum(n int) uint64 {
	xs := make([]uint64, n)
	for i := range xs {
		xs[i] = rotate(seed(i))
	}
	return dep.Spread(fold(xs))
}

func main() {
	fmt.Printf("reloadfix v1 (reloaddep %s): %016x\n", dep.Version, checksum(16+len(os.Args)))
}
