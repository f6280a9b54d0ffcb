// gopure: a pure-Go live target for `reloadcheck probe` (cmd/tests/test_probe.c),
// built with CGO_ENABLED=0: no libc, so no C TLS. Expected: proc-tls skip,
// the reason naming Go / libc. Prints `pid <pid> ready` and sleeps until killed.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	fmt.Printf("pid %d ready\n", os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}
