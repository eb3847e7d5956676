package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokern/gokern/internal/allocs"
)

// countJob counts how often each part runs.
type countJob struct{ hits []atomic.Int32 }

func (c *countJob) Part(i int) { c.hits[i].Add(1) }

func (c *countJob) check(t *testing.T) {
	t.Helper()
	for i := range c.hits {
		if n := c.hits[i].Load(); n != 1 {
			t.Fatalf("part %d ran %d times", i, n)
		}
	}
}

func withThreads(t *testing.T, n int) {
	t.Helper()
	prev := Threads()
	SetThreads(n)
	t.Cleanup(func() { SetThreads(prev) })
}

func TestRunEveryPartOnce(t *testing.T) {
	for _, th := range []int{1, 2, 3, 7} {
		withThreads(t, th)
		for _, parts := range []int{0, 1, 2, 5, 64, 1001} {
			j := &countJob{hits: make([]atomic.Int32, parts)}
			Run(parts, j)
			j.check(t)
		}
	}
}

type rangeJob struct {
	mu   sync.Mutex
	seen []int
}

func (r *rangeJob) Range(lo, hi int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := lo; i < hi; i++ {
		r.seen[i]++
	}
}

func TestForCoversRange(t *testing.T) {
	for _, th := range []int{1, 2, 3, 7} {
		withThreads(t, th)
		for _, c := range [][2]int{{0, 3}, {1, 5}, {7, 3}, {100, 7}, {5, 0}} {
			r := &rangeJob{seen: make([]int, c[0])}
			For(c[0], c[1], r)
			for i, s := range r.seen {
				if s != 1 && c[1] > 0 {
					t.Fatalf("n=%d parts=%d: index %d seen %d times", c[0], c[1], i, s)
				}
			}
		}
	}
}

// nestJob calls Run from inside each of its parts.
type nestJob struct {
	inner []countJob
}

func (n *nestJob) Part(i int) { Run(len(n.inner[i].hits), &n.inner[i]) }

func TestNestedRunsComplete(t *testing.T) {
	withThreads(t, 4)
	n := &nestJob{inner: make([]countJob, 9)}
	for i := range n.inner {
		n.inner[i].hits = make([]atomic.Int32, 13)
	}
	Run(len(n.inner), n)
	for i := range n.inner {
		n.inner[i].check(t)
	}
}

func TestConcurrentCallers(t *testing.T) {
	withThreads(t, 3)
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := 0; it < 50; it++ {
				j := &countJob{hits: make([]atomic.Int32, 37)}
				Run(len(j.hits), j)
				for i := range j.hits {
					if j.hits[i].Load() != 1 {
						t.Errorf("part %d ran %d times", i, j.hits[i].Load())
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// busyJob records the most parts that ran at once.
type busyJob struct {
	active, peak atomic.Int32
}

func (b *busyJob) Part(int) {
	a := b.active.Add(1)
	for {
		p := b.peak.Load()
		if a <= p || b.peak.CompareAndSwap(p, a) {
			break
		}
	}
	for range 2000 {
		runtime.Gosched()
		if b.peak.Load() > 1 {
			break
		}
	}
	b.active.Add(-1)
}

func TestSetThreadsOneRunsInline(t *testing.T) {
	withThreads(t, 1)
	b := &busyJob{}
	Run(16, b)
	if p := b.peak.Load(); p != 1 {
		t.Fatalf("SetThreads(1): %d parts ran at once", p)
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	withThreads(t, 4)
	j := &countJob{hits: make([]atomic.Int32, 64)}
	Run(64, j) // start the workers
	r := allocs.Count(100, func() {
		for i := range j.hits {
			j.hits[i].Store(0)
		}
		Run(64, j)
	})
	if r.Ours() != 0 {
		t.Fatalf("Run allocates: %v", r)
	}
}

// gatherJob's parts wait until want of them are running at once, or until
// a deadline, and record the most that ever ran together.
type gatherJob struct {
	want     int32
	deadline time.Time
	busyJob
}

func (g *gatherJob) Part(int) {
	a := g.active.Add(1)
	for {
		p := g.peak.Load()
		if a <= p || g.peak.CompareAndSwap(p, a) {
			break
		}
	}
	for g.peak.Load() < g.want && time.Now().Before(g.deadline) {
		runtime.Gosched()
	}
	g.active.Add(-1)
}

// TestSetThreadsTakesEffect checks that each call uses exactly the thread
// count set before it: k parts that wait for each other all meet under
// SetThreads(k), and never more than k-1 run together under SetThreads(k-1).
func TestSetThreadsTakesEffect(t *testing.T) {
	for _, k := range []int{2, 3, 5} {
		withThreads(t, k)
		g := &gatherJob{want: int32(k), deadline: time.Now().Add(10 * time.Second)}
		Run(k, g)
		if p := g.peak.Load(); p != int32(k) {
			t.Fatalf("SetThreads(%d): only %d of %d parts ran together", k, p, k)
		}
		SetThreads(k - 1)
		g = &gatherJob{want: int32(k), deadline: time.Now().Add(20 * time.Millisecond)}
		Run(k, g)
		if p := g.peak.Load(); p > int32(k-1) {
			t.Fatalf("SetThreads(%d): %d parts ran together", k-1, p)
		}
	}
}

// sleepJob sleeps in each part.
type sleepJob struct{ d time.Duration }

func (s *sleepJob) Part(int) { time.Sleep(s.d) }

// TestProbe checks that the probe runs regions inline (one part at a time,
// whatever Threads() says) and counts their time, outermost only.
func TestProbe(t *testing.T) {
	withThreads(t, 4)
	SetProbe(true)
	defer SetProbe(false)
	b := &busyJob{}
	Run(8, b)
	if p := b.peak.Load(); p != 1 {
		t.Fatalf("probe on: %d parts ran at once", p)
	}
	before := ProbeTime()
	n := &nestJob{inner: make([]countJob, 3)}
	for i := range n.inner {
		n.inner[i].hits = make([]atomic.Int32, 2)
	}
	start := time.Now()
	Run(2, &sleepJob{d: 5 * time.Millisecond})
	Run(len(n.inner), n)
	Run(1, &sleepJob{d: 5 * time.Millisecond}) // one part: serial work, not counted
	wall := time.Since(start)
	got := ProbeTime() - before
	if got < 10*time.Millisecond || got > wall-5*time.Millisecond {
		t.Fatalf("ProbeTime grew by %v over %v of which 10ms in a 2-part region and 5ms serial", got, wall)
	}
}

// slotJob checks the SlotJob contract: slots in [0, most) and never two
// parts on one slot at once.
type slotJob struct {
	most  int
	busy  []atomic.Int32
	bad   atomic.Int32
	count atomic.Int32
}

func (s *slotJob) Part(int) { s.bad.Add(1) } // must not be called

func (s *slotJob) PartOn(_, slot int) {
	s.count.Add(1)
	if slot < 0 || slot >= s.most {
		s.bad.Add(1)
		return
	}
	if s.busy[slot].Add(1) != 1 {
		s.bad.Add(1)
	}
	runtime.Gosched()
	s.busy[slot].Add(-1)
}

func TestSlotJobAndRunMax(t *testing.T) {
	for _, c := range []struct{ threads, most int }{{1, 1}, {3, 3}, {7, 7}, {7, 2}} {
		withThreads(t, c.threads)
		j := &slotJob{most: c.most, busy: make([]atomic.Int32, c.most)}
		RunMax(50, c.most, j)
		if j.bad.Load() != 0 || j.count.Load() != 50 {
			t.Fatalf("threads=%d most=%d: %d parts ran, %d broke the slot contract", c.threads, c.most, j.count.Load(), j.bad.Load())
		}
		if c.most == c.threads {
			j = &slotJob{most: c.most, busy: make([]atomic.Int32, c.most)}
			Run(50, j)
			if j.bad.Load() != 0 || j.count.Load() != 50 {
				t.Fatalf("Run threads=%d: %d parts ran, %d broke the slot contract", c.threads, j.count.Load(), j.bad.Load())
			}
		}
	}
}

// barrierJob's parts each wait until all of them are running, record
// Active() as each one sees it, and wait again until all have recorded
// it, so the region is running while they look.
type barrierJob struct {
	arrived, recorded atomic.Int32
	parts             int32
	seen              []int
	timeout           atomic.Bool
}

func (b *barrierJob) Part(i int) {
	b.arrived.Add(1)
	b.wait(&b.arrived)
	b.seen[i] = Active()
	b.recorded.Add(1)
	b.wait(&b.recorded)
}

// wait waits until n counts every part, or gives up after 5 seconds.
func (b *barrierJob) wait(n *atomic.Int32) {
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() < b.parts {
		if time.Now().After(deadline) {
			b.timeout.Store(true)
			return
		}
		runtime.Gosched()
	}
}

// TestActive checks that every part of a region sees it running, and that
// none is once it has returned; a Run on one thread runs no region.
func TestActive(t *testing.T) {
	n := 3
	withThreads(t, n)
	if got := Active(); got != 0 {
		t.Fatalf("before any region: Active() = %d", got)
	}
	b := &barrierJob{parts: int32(n), seen: make([]int, n)}
	Run(n, b)
	if b.timeout.Load() {
		t.Fatalf("the region's %d parts never ran at once", n)
	}
	for i, got := range b.seen {
		if got != 1 {
			t.Errorf("part %d of one region: Active() = %d, want 1", i, got)
		}
	}
	if got := Active(); got != 0 {
		t.Errorf("after the region: Active() = %d, want 0", got)
	}
	SetThreads(1)
	one := &barrierJob{parts: 1, seen: make([]int, 1)}
	Run(1, one)
	if one.seen[0] != 0 {
		t.Errorf("a Run on its caller alone: Active() = %d, want 0", one.seen[0])
	}
}
