package main

// A file with //export lines may only declare in its preamble: its preamble
// is copied into _cgo_export.c as well.

// #include <stdlib.h>
import "C"

//export GoAdd
func GoAdd(a, b C.longlong) C.longlong {
	return a + b
}

// GoName returns C memory (Go memory may not be handed to C); the caller
// frees it.
//
//export GoName
func GoName() *C.char {
	return C.CString("reloadcgo")
}
