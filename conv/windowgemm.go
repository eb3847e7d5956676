package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/paths"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// windowGemm runs a layer's GEMMs as implicit GEMMs: one kernels.Gemm
// whose im2col operand is a window operand (window.go), packed block by
// block straight from the NHWC tensor, so the cols matrix is never
// written. The operands are fields, so that the Gemm's interface values
// point into the layer and a call allocates nothing.
type windowGemm struct {
	win windows // the windows for a batch of 1, set on first use
	a   windowOperand
	at  windowOperandT
	x   kernels.Matrix // the input as stored, for a 1x1 stride-1 Conv2D
	b   kernels.Matrix
	ct  []float32         // gradient's dw^T
	tr  transposeEpilogue // gradient's epilogue
	// chunked is the weight gradient over chunks of samples, for inputs
	// with few channels (chunkgrad.go).
	chunked chunkedGradient
	// im2col forces the im2col fallback, the reference tests compare the
	// window operands against; forceWeights forces the window operand for
	// weight gradients on any grid (tests).
	im2col       bool
	forceWeights bool
}

// use reports whether an m x n GEMM of the layer runs on window
// operands: not on the fallback, nor when m or n is at most 4, where
// Sgemm takes its skinny kernels, which the blocked driver behind
// kernels.Gemm does not match.
func (g *windowGemm) use(m, n int) bool {
	return m > 4 && n > 4 && !g.fallback()
}

// windowWeightsMinPixels is the smallest output grid (OH*OW per sample)
// whose weight gradient runs on a window operand by default. Its operand
// packs one output pixel's channels per depth step, which on small grids,
// where most pixels lie at a border, costs more than im2col's bulk copies
// and Sgemm's fixed-stride packing. Measured (AMD Zen 3, avx2, one thread,
// six alternating rounds of the root package's BenchmarkConv, 95a561c's
// im2col path against the window operand): 16x16 grids 0.95-1.01x, 8x8
// grids 1.10-1.14x, 4x4 grids 1.24-1.29x. From 16x16 on the window path
// is level and saves the cols workspace of the whole batch (268 MB for
// the generator's last Conv2DTranspose at batch 128).
const windowWeightsMinPixels = 256

// windowWeightsMinPixelsAVX512 is windowWeightsMinPixels on the AVX-512
// path, whose micro-kernel does twice the work per step, so that the
// im2col pass over memory weighs more against it. Measured (Intel Xeon,
// one thread, ten in-process alternating rounds of the weight gradient
// alone, 1ae641b's window operand against im2col): the discriminator's
// 8x8 grid (conv2d_3) 0.80x the time (0.82x on two threads), the 4x4
// grids (its conv2d_4, the generator's conv2d_transpose_1) 1.12-1.20x.
// The same machine's avx2 path measured 0.99x at 8x8, and Zen 3's avx2
// 1.10-1.14x (above), so the other paths keep 16x16.
const windowWeightsMinPixelsAVX512 = 64

// weightsMinPixels is the smallest output grid whose weight gradient runs
// on a window operand on the active kernel path. Either way the result is
// the same bits.
func weightsMinPixels() int {
	if paths.Active() == paths.AVX512 {
		return windowWeightsMinPixelsAVX512
	}
	return windowWeightsMinPixels
}

// useForWeights is use for a weight gradient of a layer whose windows
// (batch 1) are geom's.
func (g *windowGemm) useForWeights(geom im2col.Geometry, m, n int) bool {
	return g.use(m, n) && (g.forceWeights || geom.OutH*geom.OutW >= weightsMinPixels())
}

// fallback reports whether every GEMM takes the im2col path: while a GEMM
// is set through internal/sgemmhook (kernels.Gemm ignores the hook, and
// the hook must see every GEMM), and when a test sets im2col.
func (g *windowGemm) fallback() bool {
	return g.im2col || sgemmhook.Get() != nil
}

func (g *windowGemm) init(geom im2col.Geometry) {
	if g.win.OffH == nil {
		g.win = convWindows(geom.WithBatch(1))
	}
}

// product computes out = cols * B + epilogue for n samples of src, cols
// being src's im2col matrix under geom (src itself when direct), B the
// [KH*KW*C, cols] matrix b.
func (g *windowGemm) product(geom im2col.Geometry, n int, src, b []float32, cols int, out []float32, epi kernels.Epilogue, direct bool) {
	g.init(geom)
	g.a = windowOperand{windows: g.win, X: src}
	g.a.N = n
	var a kernels.Operand = &g.a
	if direct {
		g.x = kernels.Matrix{Data: src, LD: g.win.C}
		a = &g.x
	}
	g.b = kernels.Matrix{Trans: true, Data: b, LD: cols}
	kernels.Gemm{M: g.a.pixels(), N: cols, K: g.a.depth(), A: a, B: &g.b, C: out, LDC: cols, Epilogue: epi}.Run()
	g.release()
}

// gradient computes dw = cols^T * d for n samples of src, cols as in
// product, d the [n*OH*OW, cols] matrix. It runs as the transpose, dw^T
// = d^T * cols, so that the window operand is the GEMM's B, packed NR
// rows at a time: NR channels of one tap of one pixel are a cache line
// or two of src, where a micro-panel of A's MR rows would use part of a
// line and leave the rest to the next micro-panel. The epilogue writes
// each finished block of dw^T into dw, transposed while in cache. The
// sums are those of cols^T * d term for term, so dw is bit for bit the
// im2col path's.
func (g *windowGemm) gradient(geom im2col.Geometry, n int, src, d []float32, cols int, dw []float32, direct bool) {
	g.init(geom)
	g.at = windowOperandT{windows: g.win, X: src}
	g.at.N = n
	var b kernels.Operand = &g.at
	if direct {
		g.x = kernels.Matrix{Trans: true, Data: src, LD: g.win.C}
		b = &g.x
	}
	k := g.at.depth()
	g.b = kernels.Matrix{Trans: true, Data: d, LD: cols}
	g.ct = grow(g.ct, cols*k)
	g.tr = transposeEpilogue{dst: dw, ld: cols}
	kernels.Gemm{M: cols, N: k, K: g.at.pixels(), A: &g.b, B: b, C: g.ct, LDC: k, Epilogue: &g.tr}.Run()
	g.release()
}

// transposeEpilogue writes each finished block of a GEMM's C into dst
// transposed: C[i][j] to dst[j*ld+i].
type transposeEpilogue struct {
	dst []float32
	ld  int
}

func (e *transposeEpilogue) Finish(c []float32, ldc, i0, rows, j0, cols int) {
	for r := 0; r < rows; r++ {
		d := e.dst[j0*e.ld+i0+r:]
		for j, v := range c[r*ldc : r*ldc+cols] {
			d[j*e.ld] = v
		}
	}
}

// release drops the references to the caller's slices.
func (g *windowGemm) release() {
	g.a.X, g.at.X, g.x.Data, g.b.Data, g.tr.dst = nil, nil, nil, nil, nil
}
