package parallel

import (
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// startJob is a two-part region whose helper records when it starts: part
// 0 (the caller's, claimed first) waits for the helper to take part 1.
type startJob struct {
	sent    time.Time
	latency time.Duration
	arrived atomic.Bool
}

func (j *startJob) Part(int) {}

func (j *startJob) PartOn(i, slot int) {
	if slot != 0 {
		j.latency = time.Since(j.sent)
		j.arrived.Store(true)
		return
	}
	for deadline := time.Now().Add(10 * time.Millisecond); !j.arrived.Load() && time.Now().Before(deadline); {
	}
}

// BenchmarkHelperStart measures how long a region's helper takes to start
// on it, as "us-median" (and "missed": regions the helper did not join
// within 10 ms): back to back, where the worker is still polling, and
// after idle gaps longer than spinFor, where it has parked and must be
// woken. On a virtual machine time.Sleep may sleep well past the gap asked
// for, and the longer a worker has been parked the longer it takes to
// wake: on the Zen 3 VM, 0.4 us back to back, 0.2 ms after a 300 us gap
// (slept as about 2 ms), 1.5 ms after a 2 ms one.
//
//	go test -run XXX -bench HelperStart -benchtime 200x -cpu 2 ./internal/parallel
func BenchmarkHelperStart(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS >= 2")
	}
	for _, gap := range []time.Duration{0, 300 * time.Microsecond, 2 * time.Millisecond} {
		b.Run("gap="+gap.String(), func(b *testing.B) {
			prev := Threads()
			SetThreads(2)
			defer SetThreads(prev)
			var lat []float64
			missed := 0
			j := &startJob{}
			for b.Loop() {
				if gap > 0 {
					time.Sleep(gap)
				}
				j.arrived.Store(false)
				j.sent = time.Now()
				Run(2, j)
				if j.arrived.Load() {
					lat = append(lat, float64(j.latency.Nanoseconds())/1e3)
				} else {
					missed++
				}
			}
			if len(lat) > 0 {
				slices.Sort(lat)
				b.ReportMetric(lat[len(lat)/2], "us-median")
			}
			b.ReportMetric(float64(missed), "missed")
		})
	}
}
