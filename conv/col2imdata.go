package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// col2imData is Conv2D.BackwardData's col2im path (the shapes its other
// paths do not take, and every GEMM set through sgemmhook): for each chunk
// of samples, dcols = dy * w^T and dx = Col2im(dcols). The chunks are
// small enough for their dcols block to stay in cache (cacheChunk), and on several threads each
// chunk runs whole on one of them, its GEMM inline, into that thread's own
// block. The whole batch as one threaded GEMM and one parallel col2im, as
// before, sent a dcols matrix of the batch (38 MiB for the
// discriminator's conv2d_2 at batch 64) to memory and read it back, and
// the pass scaled 1.48x from one thread to two on an Intel Xeon. Every
// row of dcols and every sample of dx depends on its own sample alone, and
// the GEMM's bits do not depend on its thread count, so the chunking
// changes no result.
type col2imData struct {
	geom      im2col.Geometry // one sample's
	filters   int
	dy, w, dx []float32
	n, parts  int
	ws        []float32 // slots x the largest chunk's dcols, kept for reuse
	chunkLen  int       // floats of ws per slot
}

// run overwrites dx with the input gradient of n samples.
func (j *col2imData) run(g im2col.Geometry, f, n int, dy, w, dx []float32) {
	perSample := g.Rows() * g.Cols()
	if n <= 0 || perSample == 0 {
		return
	}
	threads := kernels.Threads()
	if sgemmhook.Get() != nil {
		threads = 1 // a hook sees the GEMMs one at a time, in order
	}
	cs := cacheChunk(perSample, n)
	parts := (n + cs - 1) / cs
	if threads > 1 && parts%threads != 0 && n >= threads {
		parts += threads - parts%threads // even work per thread
	}
	parts = min(parts, n)
	slots := min(threads, parts)
	j.geom, j.filters, j.dy, j.w, j.dx, j.n, j.parts = g, f, dy, w, dx, n, parts
	j.chunkLen = (n + parts - 1) / parts * perSample
	j.ws = grow(j.ws, slots*j.chunkLen)
	parallel.RunMax(parts, slots, j)
	j.dy, j.w, j.dx = nil, nil, nil
}

// Part runs chunk i on the caller's block (parallel.Job).
func (j *col2imData) Part(i int) { j.PartOn(i, 0) }

// PartOn runs chunk i, samples [i*n/parts, (i+1)*n/parts), with slot's
// block of the workspace (parallel.SlotJob).
func (j *col2imData) PartOn(i, slot int) {
	s0, s1 := i*j.n/j.parts, (i+1)*j.n/j.parts
	g, f, k := j.geom, j.filters, j.geom.Cols()
	outLen, colLen := g.Rows()*f, g.Rows()*k
	m := s1 - s0
	dcols := j.ws[slot*j.chunkLen : slot*j.chunkLen+m*colLen]
	kernels.Sgemm(false, true, m*g.Rows(), k, f, 1, j.dy[s0*outLen:s1*outLen], f, j.w, f, 0, dcols, k)
	col2imSamples(j.dx[s0*g.InputLen():s1*g.InputLen()], dcols, g, m)
}
