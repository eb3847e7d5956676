package conv

import (
	"fmt"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/kernels"
)

// Conv2DTranspose is a Keras Conv2DTranspose layer's compute: NHWC input
// [n, H, W, C], kernel [KH, KW, Filters, C], bias [Filters], output
// [n, OH, OW, Filters] with OH = H*StrideH for Same padding and
// H*StrideH + max(KH-StrideH, 0) for Valid, as in Keras.
//
// It is the adjoint of the Conv2D from its output to its input: that
// Conv2D, over an OH x OW x Filters image with the same kernel, stride and
// padding, produces exactly H x W x C, and its kernel [KH, KW, Filters, C]
// is this layer's kernel as Keras stores it. So for k=4, s=2, Same the
// output is cropped like TensorFlow's: one pixel before, one after.
// A Conv2DTranspose is not safe for concurrent use.
type Conv2DTranspose struct {
	spec Spec
	geom im2col.Geometry // the adjoint Conv2D's, for a batch of 1

	cols   []float32 // workspace, [n*H*W, KH*KW*Filters]
	colJob colJob
	wg     windowGemm // the backward GEMMs on window operands over dy

	leaky fusedLeaky   // FuseLeakyReLU
	epi   biasEpilogue // Forward's epilogue

	// sub is Forward's sub-pixel path (subpixel.go), taken as adjoint says.
	sub     subpixel
	adjoint adjointPath
}

// NewConv2DTranspose returns a Conv2DTranspose for s, or an error when a
// size is not positive or the padding is unknown.
func NewConv2DTranspose(s Spec) (*Conv2DTranspose, error) {
	if err := s.check("Conv2DTranspose"); err != nil {
		return nil, err
	}
	oh, ow := deconvLen(s.H, s.KH, s.StrideH, s.Padding), deconvLen(s.W, s.KW, s.StrideW, s.Padding)
	g, err := im2col.NewGeometry(1, oh, ow, s.Filters, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
	if err != nil {
		return nil, fmt.Errorf("conv: Conv2DTranspose %v: %w", s, err)
	}
	if g.OutH != s.H || g.OutW != s.W {
		// Cannot happen with deconvLen's sizes; guards the adjoint relation.
		return nil, fmt.Errorf("conv: Conv2DTranspose %v: adjoint conv maps %dx%d to %dx%d", s, oh, ow, g.OutH, g.OutW)
	}
	return &Conv2DTranspose{spec: s, geom: g}, nil
}

// deconvLen is Keras's deconv_output_length without output_padding.
func deconvLen(in, k, stride int, p im2col.Padding) int {
	if p == im2col.Same {
		return in * stride
	}
	return in*stride + max(k-stride, 0)
}

// Spec returns the layer's spec.
func (c *Conv2DTranspose) Spec() Spec { return c.spec }

// OutShape returns the per-sample output size and the filters.
func (c *Conv2DTranspose) OutShape() (oh, ow, filters int) {
	return c.geom.H, c.geom.W, c.spec.Filters
}

// checkArgs validates the batch size and the common slice lengths and
// returns the adjoint conv's geometry for n samples.
func (c *Conv2DTranspose) checkArgs(op string, n int, x, w, y []float32, xName, yName string) im2col.Geometry {
	checkBatch(op, n)
	g := c.geom.WithBatch(n)
	s := c.spec
	checkLen(op, xName, len(x), n*s.H*s.W*s.C, "n*H*W*C")
	checkLen(op, "w", len(w), s.WeightLen(), "KH*KW*Filters*C")
	checkLen(op, yName, len(y), g.InputLen(), "n*OH*OW*Filters")
	return g
}

// Forward computes y = conv_transpose(x, w) + bias for a batch of n
// samples, overwriting y. bias may be nil (no bias).
func (c *Conv2DTranspose) Forward(n int, x, w, bias, y []float32) {
	const op = "Conv2DTranspose.Forward"
	g := c.checkArgs(op, n, x, w, y, "x", "y")
	if bias != nil {
		checkLen(op, "bias", len(bias), c.spec.Filters, "Filters")
	}
	if c.adjoint.subpixel(c.geom) {
		// Forward is the adjoint conv's backward-data: one implicit GEMM
		// per output phase, with the bias and activation in its epilogue.
		c.sub.init(c.geom, c.spec.C)
		c.sub.run(n, x, w, y, c.epi.set(bias, c.leaky.on, c.leaky.alpha))
		return
	}
	// The col2im path (few filters, or a GEMM set through sgemmhook):
	// cols[pix, (kh, kw, f)] = sum_c x[pix, c] * w[(kh, kw, f), c], then
	// every entry is scattered to the output pixel that tap reaches.
	// parallelCol2im overwrites y, one sample at a time.
	k, ch := g.Cols(), c.spec.C
	xLen, yLen := c.spec.H*c.spec.W*ch, c.geom.InputLen()
	for s0, cs := 0, c.chunkSize(n); s0 < n; s0 += cs {
		m := min(cs, n-s0)
		gc := c.geom.WithBatch(m)
		cols := c.workspace(gc)
		kernels.Sgemm(false, true, gc.Rows(), k, ch, 1, x[s0*xLen:(s0+m)*xLen], ch, w, ch, 0, cols, k)
		c.colJob.parallelCol2im(y[s0*yLen:(s0+m)*yLen], cols, gc)
	}
	c.leaky.applyUnfused(y, bias)
}

// BackwardData computes dx = dL/dx from dy = dL/dy, overwriting dx: the
// adjoint Conv2D's forward pass applied to dy.
func (c *Conv2DTranspose) BackwardData(n int, dy, w, dx []float32) {
	c.checkArgs("Conv2DTranspose.BackwardData", n, dx, w, dy, "dx", "dy")
	c.backwardDataPass(n, dy, w, dx)
}

// backwardDataPass is BackwardData after its checks: one implicit GEMM,
// dx = Im2col(dy) * W with Im2col(dy) packed straight from dy, or the
// im2col fallback.
func (c *Conv2DTranspose) backwardDataPass(n int, dy, w, dx []float32) {
	if ch := c.spec.C; c.wg.use(n*c.geom.Rows(), ch) {
		c.wg.product(c.geom, n, dy, w, ch, dx, nil, false)
		return
	}
	_ = c.backwardData(n, dy, w, dx, false)
}

// backwardData is the im2col fallback of backwardDataPass: it lowers dy
// chunk by chunk and runs each chunk's dx GEMM right after, while the
// chunk is in cache. With keep, chunk s lands at its place in the
// whole-batch workspace, so the whole lowered dy is there afterwards for
// the dw GEMM; without, every chunk reuses the workspace's start. The
// GEMMs are the same either way. It returns the workspace.
func (c *Conv2DTranspose) backwardData(n int, dy, w, dx []float32, keep bool) []float32 {
	k, ch := c.geom.Cols(), c.spec.C
	xLen, yLen, colsLen := c.spec.H*c.spec.W*ch, c.geom.InputLen(), c.geom.Rows()*k
	cs := c.chunkSize(n)
	cols := c.workspace(c.geom.WithBatch(cs))
	if keep {
		cols = c.workspace(c.geom.WithBatch(n))
	}
	for s0 := 0; s0 < n; s0 += cs {
		m := min(cs, n-s0)
		gc := c.geom.WithBatch(m)
		chunk := cols[:m*colsLen]
		if keep {
			chunk = cols[s0*colsLen : (s0+m)*colsLen]
		}
		c.colJob.parallelIm2col(chunk, dy[s0*yLen:(s0+m)*yLen], gc)
		kernels.Sgemm(false, false, gc.Rows(), ch, k, 1, chunk, k, w, ch, 0, dx[s0*xLen:(s0+m)*xLen], ch)
	}
	return cols
}

// biasGradient overwrites dbias, when not nil, with the sum of dy's rows.
func (c *Conv2DTranspose) biasGradient(op string, dy, dbias []float32) {
	if dbias == nil {
		return
	}
	checkLen(op, "dbias", len(dbias), c.spec.Filters, "Filters")
	clear(dbias)
	kernels.SumRows(dbias, dy)
}

// BackwardWeights computes dw = dL/dw and, when dbias is not nil, dbias =
// dL/dbias from the layer input x and dy = dL/dy, overwriting both.
func (c *Conv2DTranspose) BackwardWeights(n int, x, dy, dw, dbias []float32) {
	const op = "Conv2DTranspose.BackwardWeights"
	g := c.checkArgs(op, n, x, dw, dy, "x", "dy")
	c.biasGradient(op, dy, dbias)
	c.backwardWeightsPass(g, n, x, dy, dw)
}

// backwardWeightsPass is BackwardWeights after its checks and the bias
// gradient: one implicit GEMM, dw = Im2col(dy)^T * x with Im2col(dy)^T
// packed straight from dy, or the im2col fallback. It is one GEMM over
// the whole batch, not chunks: dw sums over every sample, and splitting
// that sum would make the result depend on the chunking (see chunk.go).
func (c *Conv2DTranspose) backwardWeightsPass(g im2col.Geometry, n int, x, dy, dw []float32) {
	k, ch := g.Cols(), c.spec.C
	if c.wg.useForWeights(c.geom, k, ch) {
		c.wg.gradient(c.geom, n, dy, x, ch, dw, false)
		return
	}
	cols := c.workspace(g)
	c.colJob.parallelIm2col(cols, dy, g)
	kernels.Sgemm(true, false, k, ch, g.Rows(), 1, cols, k, x, ch, 0, dw, ch)
}

// Backward computes what BackwardWeights and BackwardData compute
// together, bit for bit the same: dw, dbias (when not nil) and dx, each
// overwritten. Both GEMMs read Im2col(dy) (the adjoint Conv2D's cols
// matrix), and each packs it straight from dy, so Backward is the two
// passes in turn. On the im2col fallback (a GEMM set through
// internal/sgemmhook) it lowers dy once for both: chunk by chunk into the
// whole-batch workspace, each chunk's dx GEMM running right after, while
// the chunk is in cache, as in BackwardData; the dw GEMM then reads the
// whole matrix, as in BackwardWeights. Every GEMM has the shape it has
// there, so the results cannot differ, and the workspace is the one
// BackwardWeights already needs.
func (c *Conv2DTranspose) Backward(n int, x, dy, w, dx, dw, dbias []float32) {
	const op = "Conv2DTranspose.Backward"
	g := c.checkArgs(op, n, x, w, dy, "x", "dy")
	checkLen(op, "dx", len(dx), n*c.spec.H*c.spec.W*c.spec.C, "n*H*W*C")
	checkLen(op, "dw", len(dw), c.spec.WeightLen(), "KH*KW*Filters*C")
	c.biasGradient(op, dy, dbias)
	if !c.wg.fallback() {
		// Both GEMMs pack dy themselves: there is no lowered dy to share.
		c.backwardWeightsPass(g, n, x, dy, dw)
		c.backwardDataPass(n, dy, w, dx)
		return
	}
	cols := c.backwardData(n, dy, w, dx, true)
	k, ch := g.Cols(), c.spec.C
	kernels.Sgemm(true, false, k, ch, g.Rows(), 1, cols, k, x, ch, 0, dw, ch)
}

// chunkSize is how many samples make a chunk small enough for its cols
// block to stay in cache; see samplesPerChunk.
func (c *Conv2DTranspose) chunkSize(n int) int {
	return samplesPerChunk(c.geom.Rows()*c.geom.Cols(), n)
}

// workspace returns the cols workspace sized for g.
func (c *Conv2DTranspose) workspace(g im2col.Geometry) []float32 {
	c.cols = grow(c.cols, g.Rows()*g.Cols())
	return c.cols
}
