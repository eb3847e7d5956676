package peak

import (
	"testing"
	"time"
)

func TestMeasureEveryPath(t *testing.T) {
	paths := Paths()
	if len(paths) == 0 || paths[0] != "generic" {
		t.Fatalf("Paths() = %v, want generic first", paths)
	}
	rates := map[string]float64{}
	for _, p := range paths {
		g, err := Measure(p, 1, 20*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if !(g > 0.01 && g < 1e4) {
			t.Errorf("Measure(%s) = %v GFLOPS, outside any plausible range", p, g)
		}
		rates[p] = g
		t.Logf("%s: %.1f GFLOPS on one thread", p, g)
	}
	// A vector path must beat scalar Go by a wide margin; this fails when a
	// probe is accidentally latency-bound or its FLOPs are miscounted.
	for _, p := range []string{"avx2", "avx512"} {
		if g, ok := rates[p]; ok && g < 2*rates["generic"] {
			t.Errorf("%s peak %.1f is not clearly above generic %.1f", p, g, rates["generic"])
		}
	}
}

func TestMeasureUnknownPath(t *testing.T) {
	if _, err := Measure("sse9", 1, time.Millisecond); err == nil {
		t.Fatal("Measure(sse9) returned no error")
	}
	if Lanes("sse9") != 0 {
		t.Fatal("Lanes(sse9) != 0")
	}
}

func TestFlopsCount(t *testing.T) {
	// 3 trips of 12 FMAs on 8 lanes, 2 FLOPs each.
	if got := flops(probe{lanes: 8}, 3); got != 2*8*12*3 {
		t.Fatalf("flops = %v, want %v", got, 2*8*12*3)
	}
}
