package parallel

import (
	"sync/atomic"
	"time"
)

// The probe measures how much of a computation runs outside parallel
// regions: its serial fraction, for Amdahl's law. With the probe on, every
// region with more than one part runs all its parts inline on the calling
// goroutine, and the wall time spent in outermost regions accumulates in
// ProbeTime. Threads() is unchanged, so every caller still plans its split
// for Threads() threads: set the thread count you want to predict for (say
// 64), turn the probe on, and a one-goroutine run shows which work those
// plans would share out and which they leave on one thread (work too small
// to split, or never split: the trainer's sampling of the batch, small
// GEMMs, the code between passes).
//
// The probe assumes one caller at a time: it is a measuring tool, not for
// concurrent use.

var (
	probeOn    atomic.Bool
	probeDepth atomic.Int32
	probeNanos atomic.Int64
)

// SetProbe turns the probe on or off.
func SetProbe(on bool) { probeOn.Store(on) }

// ProbeTime reports the wall time spent in parallel regions while the
// probe was on, since the program started.
func ProbeTime() time.Duration { return time.Duration(probeNanos.Load()) }

// probe runs a region of parts > 1 inline, timing it when outermost.
func probe(parts int, j Job, r Ranger, n int) {
	outer := probeDepth.Add(1) == 1
	var t0 time.Time
	if outer {
		t0 = time.Now()
	}
	sj, _ := j.(SlotJob)
	for i := 0; i < parts; i++ {
		switch {
		case r != nil:
			r.Range(i*n/parts, (i+1)*n/parts)
		case sj != nil:
			sj.PartOn(i, 0)
		default:
			j.Part(i)
		}
	}
	if outer {
		probeNanos.Add(int64(time.Since(t0)))
	}
	probeDepth.Add(-1)
}
