// Command benchcmp prints a before/after table of two bench reports' layers
// sections: each layer's passes (forward, backward-data, ...) in both, with
// the ratio of their times, and the whole iteration per kernel path.
//
// Make each report with the build it describes, on the same quiet machine,
// thread count and batch:
//
//	git checkout OLD && go run ./bench/cmd/bench -sections layers -json /tmp/old.json
//	git checkout NEW && go run ./bench/cmd/bench -sections layers -json /tmp/new.json
//	go run ./bench/cmd/benchcmp /tmp/old.json /tmp/new.json
//
// A report from a build without per-pass rows compares layer by layer.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gokern/gokern/bench"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: benchcmp OLD.json NEW.json")
	}
	old, err := bench.ReadReport(args[0])
	if err != nil {
		return err
	}
	cur, err := bench.ReadReport(args[1])
	if err != nil {
		return err
	}
	return bench.WriteComparison(stdout, old, cur)
}
