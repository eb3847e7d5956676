package bench

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gokern/gokern/kernels"
)

func TestInterleaveOrder(t *testing.T) {
	var order []string
	current := ""
	mk := func(name string) Case {
		return Case{
			Name:  name,
			Setup: func() { current = name },
			Run: func() {
				if current != name {
					t.Errorf("case %s ran with %s's setup", name, current)
				}
				order = append(order, name)
			},
			Teardown: func() { current = "" },
		}
	}
	samples := Interleave([]Case{mk("A"), mk("B"), mk("C")}, 1, 2)
	want := []string{"A", "B", "C", "A", "B", "C", "A", "B", "C"}
	if !slices.Equal(order, want) {
		t.Fatalf("run order %v, want %v", order, want)
	}
	// Only the timed rounds come back, in execution order.
	var got []string
	for i, s := range samples {
		got = append(got, s.Case)
		if s.Round != i/3 {
			t.Errorf("sample %d round %d, want %d", i, s.Round, i/3)
		}
	}
	if !slices.Equal(got, want[3:]) {
		t.Fatalf("samples %v, want %v", got, want[3:])
	}
}

func TestSummarizeCasesPerOperation(t *testing.T) {
	samples := []Sample{
		{Case: "x", Elapsed: 2 * time.Second},
		{Case: "x", Elapsed: 4 * time.Second},
		{Case: "y", Elapsed: time.Second},
	}
	m := SummarizeCases(samples, 2)
	if m["x"].Median != 1.5 || m["x"].N != 2 || m["y"].Median != 0.5 {
		t.Fatalf("SummarizeCases = %+v", m)
	}
}

func TestTimeContendersRepeats(t *testing.T) {
	calls := map[string]int{}
	o := Options{Warmup: 1, Runs: 3, MinTime: 20 * time.Millisecond}
	mk := func(name string, d time.Duration) contender {
		return contender{name: name, call: func() { calls[name]++; spin(d) }}
	}
	s := o.timeContenders([]contender{mk("fast", 100*time.Microsecond), mk("slow", 30*time.Millisecond)})
	if calls["slow"] != 2+4 {
		t.Errorf("slow contender called %d times, want 2 calibration + 4 runs of 1", calls["slow"])
	}
	// Nominally 200 calls per run; a preempted calibration lowers that, so
	// only ask for clearly more than one.
	if calls["fast"] < 2+4*3 {
		t.Errorf("fast contender called %d times; runs should repeat it to reach MinTime", calls["fast"])
	}
	// Seconds are per call, not per run.
	if s[0].Median < 100e-6 || s[0].Median > 1.5e-3 || s[1].Median < 30e-3 {
		t.Errorf("per-call medians %v, %v out of range", s[0].Median, s[1].Median)
	}
}

// spin busy-waits for d: sleeping has a coarse, load-dependent granularity.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

func TestCheckOrdersPaths(t *testing.T) {
	avail := kernels.Available()
	o := Options{Paths: slices.Clone(avail), Batch: 128}
	slices.Reverse(o.Paths)
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Paths, avail) {
		t.Errorf("Check left paths %v, want %v", o.Paths, avail)
	}
	for _, bad := range []Options{{Paths: []string{"sse9"}, Batch: 2}, {Paths: []string{"generic", "generic"}, Batch: 2}, {Paths: []string{"generic"}, Batch: 3}} {
		if err := bad.Check(); err == nil {
			t.Errorf("Check(%+v) accepted", bad)
		}
	}
}

func TestInterleaveCPUTime(t *testing.T) {
	s := Interleave([]Case{{Name: "spin", Run: func() { spin(30 * time.Millisecond) }}}, 0, 1)
	if CPUTime() == 0 {
		t.Skip("no CPU clock on this system")
	}
	if s[0].CPU <= 0 || s[0].CPU > s[0].Elapsed*time.Duration(runtime.NumCPU())+10*time.Millisecond {
		t.Errorf("CPU time %v for %v of spinning", s[0].CPU, s[0].Elapsed)
	}
}
