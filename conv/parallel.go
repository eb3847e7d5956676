package conv

import (
	"sync"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/kernels"
)

// The implicit path and im2col/col2im are threaded here (the im2col
// path's GEMMs by kernels.Sgemm), on the same pool as every kernel
// (internal/parallel), so kernels.SetThreads sizes them all at any time.
// Work is split over contiguous ranges of an index (samples, or fixed
// chunks of samples), at most kernels.Threads() of them; each range's
// result depends on its items alone, so the split never changes a result.

// chunkRunner runs the items [lo, hi) of the current parallel job.
type chunkRunner interface {
	runChunk(lo, hi int)
}

// forJob adapts a chunkRunner to parallel.Ranger. Adapters are recycled,
// so a call allocates nothing.
type forJob struct{ r chunkRunner }

func (f *forJob) Range(lo, hi int) { f.r.runChunk(lo, hi) }

var forJobs parallel.FreeList[forJob]

// parallelFor splits [0, n) into at most kernels.Threads() contiguous
// ranges and runs r.runChunk on each, the calling goroutine taking its
// share, returning when all are done. A call from inside another parallel
// region runs inline (internal/parallel's rule). The WaitGroup argument
// is no longer used (the pool keeps its own); it stays so callers need
// not change.
func parallelFor(n int, r chunkRunner, _ *sync.WaitGroup) {
	if n <= 0 {
		return
	}
	t := min(kernels.Threads(), n)
	if t <= 1 {
		r.runChunk(0, n)
		return
	}
	f := forJobs.Get()
	f.r = r
	parallel.For(n, t, f)
	f.r = nil
	forJobs.Put(f)
}

// colJob runs im2col.Im2col or im2col.Col2im over ranges of samples: each
// sample's rows of the cols matrix and its image are disjoint from every
// other sample's, so the ranges need no synchronisation, and each value is
// computed exactly as in one sequential call.
type colJob struct {
	scatter bool            // image = Col2im(cols) rather than cols = Im2col(image)
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
		col2imSamples(img, cols, g, hi-lo)
	} else {
		im2col.Im2col(cols, img, g.WithBatch(hi-lo))
	}
}

// col2imSamples overwrites the n images of img (each of one sample, g's
// geometry) with im2col.Col2im of their rows of cols. Each sample's image
// is zeroed just before its values are added to it, while it is in cache
// (a few hundred KiB): zeroing the whole batch first sent it to DRAM and
// col2im read it back.
func col2imSamples(img, cols []float32, g im2col.Geometry, n int) {
	inLen, colLen := g.InputLen(), g.Rows()*g.Cols()
	for s := range n {
		im := img[s*inLen : (s+1)*inLen]
		clear(im)
		im2col.Col2im(im, cols[s*colLen:(s+1)*colLen], g)
	}
}

// parallelIm2col is im2col.Im2col(cols, img, g) split over samples.
func (j *colJob) parallelIm2col(cols, img []float32, g im2col.Geometry) {
	j.run(false, cols, img, g)
}

// parallelCol2im overwrites img with the adjoint of cols, im2col.Col2im
// onto a zeroed img, split over samples.
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
