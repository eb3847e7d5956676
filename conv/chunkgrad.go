package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// The weight gradient of a Conv2D whose input has few channels (the
// discriminator's first layer: 3 channels, dw is 27 x 64 over 64 images'
// 65536 pixels) is a GEMM with a tiny C and a huge depth. Threads split C,
// never the depth, so on two threads each band packed the whole gathered
// im2col operand again, and the layer's weight gradient ran 1.25x faster
// on two threads than on one.
//
// Such a gradient is summed instead over weightChunks fixed chunks of
// samples, like the implicit path's (implicit.go): each chunk is one GEMM
// on one goroutine, into its own partial dw, and the partials are added
// in chunk order. A chunk's GEMM runs inside the region, so kernels runs
// it unsplit on the part's goroutine (kernels/sgemm_pool.go), and it
// packs the gathered operand once. Planned on Threads() instead, each of
// its 4 column bands packed it again, and on two threads the layer's
// weight gradient measured 1.7x the time of the one-part plan. The chunks
// depend on the batch alone, so the result is
// the same bits for every thread count, on the window operands and on the
// im2col path alike (both pack the same values). Each chunk's GEMM is dw
// = cols^T * dy itself, not its transpose (windowGemm.gradient): with 3
// channels a tap's channels are 12 bytes, so the window operand is no
// better as B, and as A (27 rows, 5 MR tiles, against 2 NR panels for 27
// columns) it measured 1.3x faster.

// gradChunks is how many chunks of samples the layer's weight gradient is
// summed in, for a batch of n: weightChunks when its input has at most
// implicitMaxFilters channels, else 1 (one GEMM over the batch). A 1x1
// stride-1 layer (no windows) and one whose GEMMs go through sgemmhook
// (which must see one Sgemm per product, as the layer had) keep 1.
func (c *Conv2D) gradChunks(n int) int {
	if c.spec.C > implicitMaxFilters || c.direct || sgemmhook.Get() != nil {
		return 1
	}
	return max(1, min(n, weightChunks))
}

// chunkedGradient is one chunked weight gradient, a parallel.Job whose
// part i is chunk i's GEMM.
type chunkedGradient struct {
	k, f    int
	partial []float32 // [chunks][k][f]
	chunks  []gradChunk
}

// gradChunk is one chunk's operands: the window operand of its samples
// (cols^T as rows x pixels) and its rows of dy, or with the im2col path
// its rows of the cols matrix.
type gradChunk struct {
	pixels int // the GEMM's depth: the chunk's output pixels
	cols   kernels.Operand
	win    windowOperandT
	mat    kernels.Matrix
	dy     kernels.Matrix
}

// prepare sizes j for chunks chunks of a k x f gradient.
func (j *chunkedGradient) prepare(chunks, k, f int) {
	j.k, j.f = k, f
	j.partial = grow(j.partial, chunks*k*f)
	if cap(j.chunks) < chunks {
		j.chunks = make([]gradChunk, chunks)
	}
	j.chunks = j.chunks[:chunks]
}

// Part computes chunk i's partial gradient (parallel.Job).
func (j *chunkedGradient) Part(i int) {
	ch := &j.chunks[i]
	kf := j.k * j.f
	kernels.Gemm{M: j.k, N: j.f, K: ch.pixels, A: ch.cols, B: &ch.dy, C: j.partial[i*kf : (i+1)*kf], LDC: j.f}.Run()
}

// run computes every chunk and writes their sum, in chunk order, to dw.
func (j *chunkedGradient) run(dw []float32) {
	parallel.Run(len(j.chunks), j)
	copy(dw, sumChunks(j.partial, len(j.chunks), j.k*j.f))
	for i := range j.chunks {
		j.chunks[i] = gradChunk{} // drop the caller's slices
	}
}

// sumChunks adds the chunks partial results of size floats each in
// partial, [chunks][size], in chunk order, into the first, and returns
// it: the fixed order that keeps a chunked sum the same bits for every
// thread count.
func sumChunks(partial []float32, chunks, size int) []float32 {
	sum := partial[:size]
	for i := 1; i < chunks; i++ {
		kernels.Axpy(1, partial[i*size:(i+1)*size], sum)
	}
	return sum
}

// chunkBounds returns the first sample of chunk i of chunks over n.
func chunkBounds(i, chunks, n int) int { return i * n / chunks }

// windowGradientChunked is windowGemm.gradient summed over chunks of
// samples, for few input channels.
func (g *windowGemm) gradientChunked(geom im2col.Geometry, n int, src, d []float32, f int, dw []float32, chunks int) {
	g.init(geom)
	k := g.win.depth()
	g.chunked.prepare(chunks, k, f)
	inLen, outLen := geom.InputLen(), geom.Rows()*f
	for i := range g.chunked.chunks {
		s0, s1 := chunkBounds(i, chunks, n), chunkBounds(i+1, chunks, n)
		ch := &g.chunked.chunks[i]
		ch.win = windowOperandT{windows: g.win, X: src[s0*inLen : s1*inLen]}
		ch.win.N = s1 - s0
		ch.pixels = ch.win.pixels()
		ch.cols = &ch.win
		ch.dy = kernels.Matrix{Trans: true, Data: d[s0*outLen : s1*outLen], LD: f}
	}
	g.chunked.run(dw)
}

// im2colGradientChunked is the im2col path's weight gradient summed over
// chunks of samples: cols is the whole batch's cols matrix, [rows][k].
func (g *windowGemm) im2colGradientChunked(rowsPerSample, n int, cols []float32, k int, d []float32, f int, dw []float32, chunks int) {
	g.chunked.prepare(chunks, k, f)
	for i := range g.chunked.chunks {
		r0, r1 := chunkBounds(i, chunks, n)*rowsPerSample, chunkBounds(i+1, chunks, n)*rowsPerSample
		ch := &g.chunked.chunks[i]
		ch.pixels = r1 - r0
		ch.mat = kernels.Matrix{Trans: true, Data: cols[r0*k : r1*k], LD: k}
		ch.cols = &ch.mat
		ch.dy = kernels.Matrix{Trans: true, Data: d[r0*f : r1*f], LD: f}
	}
	g.chunked.run(dw)
}
