// Package reloaddep stands in for a third-party module: the v2 fixture's
// go.mod requires it at v1.1.0 (a downgrade from v1's v1.2.0) and replaces it
// with this directory, so buildinfo records the version without any download.
package reloaddep

// Version is the release this directory stands for.
const Version = "v1.1.0"

// Mix folds x into the running hash h (FNV-1a style step).
//
//go:noinline
func Mix(h, x uint64) uint64 {
	return (h ^ x) * 1099511628211
}
