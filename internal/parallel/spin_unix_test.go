//go:build unix

package parallel

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func processCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Skip("getrusage:", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestIdleWorkersPark checks that workers stop polling for work once
// spinFor has passed: an idle pool must not hold a core. After a region
// on 4 threads (3 workers polling at most spinFor each), a 100 ms sleep
// may cost the process a few ms of CPU, not the 300 ms three spinning
// workers would burn.
func TestIdleWorkersPark(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for the workers to run beside the test")
	}
	withThreads(t, 4)
	j := &countJob{hits: make([]atomic.Int32, 64)}
	Run(64, j)
	j.check(t)
	cpu0 := processCPU(t)
	time.Sleep(100 * time.Millisecond)
	if used := processCPU(t) - cpu0; used > 30*time.Millisecond {
		t.Errorf("idle pool used %v of CPU in 100 ms of sleep; workers should park after %v", used, spinFor)
	}
}

// TestSpinUntil checks both ways out of spinUntil: done, and the time
// bound; and that it does not poll where a poller would share a P with
// the goroutine it waits for.
func TestSpinUntil(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 to poll at all")
	}
	withThreads(t, 2)
	n := 0
	if !spinUntil(func() bool { n++; return n == 10 }) || n != 10 {
		t.Fatalf("spinUntil stopped at poll %d, want true at 10", n)
	}
	t0 := time.Now()
	if spinUntil(func() bool { return false }) {
		t.Fatal("spinUntil reported done for a condition that never holds")
	}
	if el := time.Since(t0); el < spinFor {
		t.Fatalf("spinUntil gave up after %v, before spinFor (%v)", el, spinFor)
	}
}

func TestSpinUntilSharedP(t *testing.T) {
	polls := 0
	never := func() bool { polls++; return false }
	withThreads(t, runtime.GOMAXPROCS(0)+1) // more participants than Ps
	if spinUntil(never) || polls != 1 {
		t.Fatalf("threads > GOMAXPROCS: %d polls, want 1", polls)
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	withThreads(t, 2)
	polls = 0
	if spinUntil(never) || polls != 1 {
		t.Fatalf("GOMAXPROCS=1: %d polls, want 1", polls)
	}
}
