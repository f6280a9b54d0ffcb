package main

// A file with //export lines may only declare in its preamble: its preamble
// is copied into _cgo_export.c as well.

import "C"

//export GoAdd
func GoAdd(a, b C.longlong) C.longlong {
	return a + b
}
