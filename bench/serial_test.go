package bench

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScalingThreads(t *testing.T) {
	for most, want := range map[int][]int{1: {1}, 2: {1, 2}, 6: {1, 2, 4, 6}, 16: {1, 2, 4, 8, 16}} {
		if got := ScalingThreads(most); !slices.Equal(got, want) {
			t.Errorf("ScalingThreads(%d) = %v, want %v", most, got, want)
		}
	}
}

func TestAmdahl(t *testing.T) {
	// The example: a serial tenth caps 16 cores at 6.4x.
	if got := Amdahl(0.1, 16); math.Abs(got-6.4) > 1e-9 {
		t.Errorf("Amdahl(0.1, 16) = %v, want 6.4", got)
	}
	if got := Amdahl(0, 64); got != 64 {
		t.Errorf("Amdahl(0, 64) = %v", got)
	}
}

// TestSerialResults runs the serial-fraction measurement at a tiny batch
// and checks that its rows add up and its table prints.
func TestSerialResults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few DCGAN iterations")
	}
	o := Options{Batch: 8, Iters: 1, Runs: 1, MinTime: time.Millisecond}.Defaults()
	s, err := o.SerialResults(o.Paths[len(o.Paths)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !(s.Fraction > 0 && s.Fraction < 1) {
		t.Fatalf("serial fraction %v outside (0, 1)", s.Fraction)
	}
	var sec, serial float64
	for _, p := range s.Passes {
		sec += p.Sec
		serial += p.SerialSec
	}
	if math.Abs(sec-s.SecPerIter) > 0.05*s.SecPerIter {
		t.Errorf("passes add up to %v s, the iteration took %v s", sec, s.SecPerIter)
	}
	if math.Abs(serial-s.SerialSec) > 0.05*s.SecPerIter {
		t.Errorf("passes' serial times add up to %v s, the total is %v s", serial, s.SerialSec)
	}
	r := &Report{Serial: s, Scaling: []ScalePoint{{Threads: 1, Speedup: 1}, {Threads: 2, Speedup: 1.9}}}
	var b strings.Builder
	r.writeSerial(&b)
	for _, want := range []string{"## Serial fraction", "| **total** |", "| 16 | - |", "| 64 | - |", "| 2 | 1.90x |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("serial table lacks %q:\n%s", want, b.String())
		}
	}
}
