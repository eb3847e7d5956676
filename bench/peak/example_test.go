package peak_test

import (
	"fmt"
	"time"

	"github.com/gokern/gokern/bench/peak"
)

func ExampleMeasure() {
	for _, path := range peak.Paths() {
		g, err := peak.Measure(path, 1, 50*time.Millisecond)
		if err != nil {
			panic(err)
		}
		_ = g // e.g. avx512: ~220 GFLOPS per Zen 5 core
	}
	fmt.Println(peak.Lanes("generic"))
	// Output: 1
}
