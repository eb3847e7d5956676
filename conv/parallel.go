package conv

import (
	"runtime"
	"sync"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/kernels"
)

// The implicit path does its own threading (the im2col path's GEMMs are
// threaded by kernels.Sgemm). Work is split over contiguous ranges of an
// index (samples, or fixed chunks of samples), one per goroutine, on a
// pool of workers started once, so a call allocates nothing: the work is
// described by a chunkRunner (a pointer, so converting it to the interface
// does not allocate) and sent as a plain struct over a channel.

// chunkRunner runs the items [lo, hi) of the current parallel job.
type chunkRunner interface {
	runChunk(lo, hi int)
}

type task struct {
	r      chunkRunner
	lo, hi int
	wg     *sync.WaitGroup
}

var pool struct {
	once    sync.Once
	workers int
	tasks   chan task
}

func startPool() {
	pool.workers = runtime.GOMAXPROCS(0) - 1
	pool.tasks = make(chan task)
	for i := 0; i < pool.workers; i++ {
		go func() {
			for t := range pool.tasks {
				t.r.runChunk(t.lo, t.hi)
				t.wg.Done()
			}
		}()
	}
}

// parallelFor splits [0, n) into at most kernels.Threads() contiguous
// ranges and runs r.runChunk on each, the first on the calling goroutine,
// returning when all are done. wg must not be in use by anyone else.
func parallelFor(n int, r chunkRunner, wg *sync.WaitGroup) {
	if n <= 0 {
		return
	}
	pool.once.Do(startPool)
	t := min(kernels.Threads(), n, pool.workers+1)
	if t <= 1 {
		r.runChunk(0, n)
		return
	}
	wg.Add(t - 1)
	for i := 1; i < t; i++ {
		pool.tasks <- task{r: r, lo: i * n / t, hi: (i + 1) * n / t, wg: wg}
	}
	r.runChunk(0, n/t)
	wg.Wait()
}

// colJob runs im2col.Im2col or im2col.Col2im over ranges of samples: each
// sample's rows of the cols matrix and its image are disjoint from every
// other sample's, so the ranges need no synchronisation, and each value is
// computed exactly as in one sequential call.
type colJob struct {
	scatter bool            // Col2im (image += cols) rather than Im2col
	g       im2col.Geometry // one sample's
	img     []float32       // [n, H, W, C]
	cols    []float32       // [n*OutH*OutW, KH*KW*C]
	wg      sync.WaitGroup
}

func (j *colJob) runChunk(lo, hi int) {
	g := j.g
	inLen, colLen := g.InputLen(), g.Rows()*g.Cols()
	img, cols := j.img[lo*inLen:hi*inLen], j.cols[lo*colLen:hi*colLen]
	if j.scatter {
		im2col.Col2im(img, cols, g.WithBatch(hi-lo))
	} else {
		im2col.Im2col(cols, img, g.WithBatch(hi-lo))
	}
}

// parallelIm2col is im2col.Im2col(cols, img, g) split over samples.
func (j *colJob) parallelIm2col(cols, img []float32, g im2col.Geometry) {
	j.run(false, cols, img, g)
}

// parallelCol2im is im2col.Col2im(img, cols, g) split over samples.
func (j *colJob) parallelCol2im(img, cols []float32, g im2col.Geometry) {
	j.run(true, cols, img, g)
}

func (j *colJob) run(scatter bool, cols, img []float32, g im2col.Geometry) {
	// Check the lengths here, with im2col's messages, before slicing.
	if len(img) != g.InputLen() || len(cols) != g.Rows()*g.Cols() {
		if scatter {
			im2col.Col2im(img, cols, g)
		} else {
			im2col.Im2col(cols, img, g)
		}
		return
	}
	j.scatter, j.g, j.img, j.cols = scatter, g.WithBatch(1), img, cols
	parallelFor(g.Batch, j, &j.wg)
	j.img, j.cols = nil, nil
}
