package kernels

import "sync"

// gemmBuffers are one thread's packing buffers. They grow to the largest
// size needed and are then reused, so steady-state calls do not allocate.
type gemmBuffers struct {
	a, b, tile, bt []float32
	out            [256]float32 // one skinny kernel's results (kept here: a local would escape)
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmPool is the persistent worker pool: one parked goroutine per thread
// (up to SetThreads' count), started the first time a call needs it and
// kept for later calls.
// One multi-threaded call runs at a time; a call arriving while the pool is
// busy runs single-threaded on its caller's goroutine with spare buffers.
type gemmPool struct {
	mu      sync.Mutex // held by the call using the pool
	job     gemmJob
	wg      sync.WaitGroup
	workers []chan int     // workers[i] runs part i
	bufs    []*gemmBuffers // bufs[i] belongs to part i
}

var pool gemmPool

// spares hands out buffers to single-threaded calls, which may run
// concurrently; it grows to the number of simultaneous callers.
var spares struct {
	mu   sync.Mutex
	free []*gemmBuffers
}

func getSpare() *gemmBuffers {
	spares.mu.Lock()
	defer spares.mu.Unlock()
	if n := len(spares.free); n > 0 {
		b := spares.free[n-1]
		spares.free = spares.free[:n-1]
		return b
	}
	return new(gemmBuffers)
}

func putSpare(b *gemmBuffers) {
	spares.mu.Lock()
	spares.free = append(spares.free, b)
	spares.mu.Unlock()
}

// runGemm plans j over Threads() and runs its parts.
func runGemm(j *gemmJob) {
	j.plan(Threads())
	if j.parts > 1 && pool.mu.TryLock() {
		defer pool.mu.Unlock()
		pool.run(j)
		return
	}
	j.parts = 1
	buf := getSpare()
	j.prepare(buf)
	j.part(0, buf)
	putSpare(buf)
}

// run executes j's parts on the pool; the caller holds p.mu. Every part,
// the first included, runs on a worker while the caller waits. A goroutine
// readied by a channel send goes to the sender's runnext slot, which the
// Go scheduler lets other Ps steal only after a pause while the sender's P
// is busy; with the caller parked, its P picks up a worker at once and
// idle Ps take the others from its run queue. The cost is one goroutine
// switch per call, against at least minPartFlops of work per part.
func (p *gemmPool) run(j *gemmJob) {
	for len(p.bufs) < j.parts {
		p.bufs = append(p.bufs, new(gemmBuffers))
	}
	for len(p.workers) < j.parts {
		ch := make(chan int)
		p.workers = append(p.workers, ch)
		go p.work(ch)
	}
	p.job = *j
	p.job.prepare(p.bufs[0])
	p.wg.Add(p.job.parts)
	for i := 0; i < p.job.parts; i++ {
		p.workers[i] <- i
	}
	p.wg.Wait()
	p.job = gemmJob{} // drop references to the caller's slices
}

// work is a worker goroutine: it runs the parts it is sent, forever.
func (p *gemmPool) work(parts chan int) {
	for i := range parts {
		p.job.part(i, p.bufs[i])
		p.wg.Done()
	}
}
