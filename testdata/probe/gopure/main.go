// gopure: a pure-Go live target for `reloadcheck probe` (cmd/tests/test_probe.c),
// built with CGO_ENABLED=0: no libc, so no C TLS. Expected: proc-tls skip,
// the reason naming Go / libc. Prints `pid <pid> ready` and sleeps until killed.
package main

import (
	"fmt"
	"os"
	"time"
)

// version is set by the linker for probe/gopure_v2 (-X main.version=v2), so
// that the two builds differ in their Go build ID and bytes only.
var version = "v1"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Println(version)
		return
	}
	fmt.Printf("pid %d ready\n", os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}
