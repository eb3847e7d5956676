package conv

import (
	"fmt"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// Conv2D is a Keras Conv2D layer's compute: NHWC input [n, H, W, C], kernel
// [KH, KW, C, Filters], bias [Filters], output [n, OH, OW, Filters]. It holds
// no weights, only its geometry and workspaces; the caller passes weights
// to every call. A Conv2D is not safe for concurrent use.
type Conv2D struct {
	spec Spec
	geom im2col.Geometry // for a batch of 1

	// implicit selects the implicit-GEMM path (few filters); see implicit.go.
	implicit bool
	// direct is set when im2col is the identity (1x1 kernel, stride 1), so
	// the input itself is the cols matrix.
	direct bool

	cols    []float32 // im2col workspace, [n*OH*OW, KH*KW*C]
	wt      []float32 // implicit path: kernel transposed to [Filters][KH*KW*C]
	partial []float32 // implicit path: partial weight gradients
	job     implicitJob
	colJob  colJob
	col2im  col2imData // BackwardData's col2im path
	wg      windowGemm // the im2col path's GEMMs on window operands
	strip   strips     // Forward's strip path, for few input channels (strip.go)

	leaky fusedLeaky   // FuseLeakyReLU
	epi   biasEpilogue // Forward's epilogue

	// sub is BackwardData's sub-pixel path (subpixel.go), taken as adjoint says.
	sub     subpixel
	adjoint adjointPath

	// flipped, when set, computes BackwardData as its own forward pass
	// with the flipped kernel wflip (flipped.go).
	flipped *Conv2D
	wflip   []float32
}

// implicitMaxFilters is the largest filter count computed by implicit GEMM.
// With so few GEMM columns the im2col matrix would be read once per
// filter, at a few flops per byte: memory-bound. Beyond a handful of
// filters the blocked GEMM's data reuse wins.
const implicitMaxFilters = 4

// NewConv2D returns a Conv2D for s, or an error when a size is not
// positive, the padding is unknown or, with Valid padding, the kernel is
// larger than the input.
func NewConv2D(s Spec) (*Conv2D, error) {
	if err := s.check("Conv2D"); err != nil {
		return nil, err
	}
	g, err := im2col.NewGeometry(1, s.H, s.W, s.C, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
	if err != nil {
		return nil, fmt.Errorf("conv: Conv2D %v: %w", s, err)
	}
	c := &Conv2D{spec: s, geom: g}
	c.implicit = s.Filters <= implicitMaxFilters
	c.direct = s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1
	if !c.direct {
		c.flipped = newFlipped(s)
	}
	return c, nil
}

// Spec returns the layer's spec.
func (c *Conv2D) Spec() Spec { return c.spec }

// OutShape returns the per-sample output size: Keras's conv output
// (Valid: floor((in-k)/stride)+1; Same: ceil(in/stride)) and the filters.
func (c *Conv2D) OutShape() (oh, ow, filters int) {
	return c.geom.OutH, c.geom.OutW, c.spec.Filters
}

// checkArgs validates the batch size and the common slice lengths.
func (c *Conv2D) checkArgs(op string, n int, x, w, y []float32, xName, yName string) im2col.Geometry {
	checkBatch(op, n)
	g := c.geom.WithBatch(n)
	s := c.spec
	checkLen(op, xName, len(x), g.InputLen(), "n*H*W*C")
	checkLen(op, "w", len(w), s.WeightLen(), "KH*KW*C*Filters")
	checkLen(op, yName, len(y), g.Rows()*s.Filters, "n*OH*OW*Filters")
	return g
}

// Forward computes y = conv(x, w) + bias for a batch of n samples,
// overwriting y. bias may be nil (no bias).
func (c *Conv2D) Forward(n int, x, w, bias, y []float32) {
	const op = "Conv2D.Forward"
	g := c.checkArgs(op, n, x, w, y, "x", "y")
	if bias != nil {
		checkLen(op, "bias", len(bias), c.spec.Filters, "Filters")
	}
	if c.implicit {
		c.forwardImplicit(n, x, w, bias, y)
		return
	}
	f, k := c.spec.Filters, g.Cols()
	if c.wg.use(g.Rows(), f) {
		// Bias and activation run in the GEMM's epilogue.
		epi := c.epi.set(bias, c.leaky.on, c.leaky.alpha)
		if !c.direct && c.strip.use(c.spec) {
			c.strip.forward(c.geom, n, x, w, f, y, epi)
			return
		}
		c.wg.product(c.geom, n, x, w, f, y, epi, c.direct)
		return
	}
	// The fallback: im2col, then Sgemm, chunk by chunk.
	inLen, outLen := c.geom.InputLen(), c.geom.Rows()*f
	for s0, cs := 0, c.chunkSize(n); s0 < n; s0 += cs {
		m := min(cs, n-s0)
		gc := c.geom.WithBatch(m)
		cols := c.im2col(gc, x[s0*inLen:(s0+m)*inLen])
		kernels.Sgemm(false, false, gc.Rows(), f, k, 1, cols, k, w, f, 0, y[s0*outLen:(s0+m)*outLen], f)
	}
	c.leaky.applyUnfused(y, bias)
}

// BackwardData computes dx = dL/dx from dy = dL/dy, overwriting dx.
func (c *Conv2D) BackwardData(n int, dy, w, dx []float32) {
	g := c.checkArgs("Conv2D.BackwardData", n, dx, w, dy, "dx", "dy")
	if c.implicit {
		c.backwardDataImplicit(n, dy, w, dx)
		return
	}
	f, k := c.spec.Filters, g.Cols()
	if c.direct {
		kernels.Sgemm(false, true, g.Rows(), k, f, 1, dy, f, w, f, 0, dx, k)
		return
	}
	if c.flipped != nil && sgemmhook.Get() == nil {
		c.backwardDataFlipped(n, dy, w, dx)
		return
	}
	if c.adjoint.subpixel(c.geom) {
		// One implicit GEMM per phase of dx, no cols matrix, no col2im.
		c.sub.init(c.geom, f)
		c.sub.run(n, dy, w, dx, nil)
		return
	}
	// The col2im path: the shapes the paths above do not take (the
	// discriminator's stride-2 layers), and every GEMM set through sgemmhook.
	c.col2im.run(c.geom, f, n, dy, w, dx)
}

// BackwardWeights computes dw = dL/dw and, when dbias is not nil, dbias =
// dL/dbias from the layer input x and dy = dL/dy, overwriting both.
func (c *Conv2D) BackwardWeights(n int, x, dy, dw, dbias []float32) {
	const op = "Conv2D.BackwardWeights"
	g := c.checkArgs(op, n, x, dw, dy, "x", "dy")
	f := c.spec.Filters
	if dbias != nil {
		checkLen(op, "dbias", len(dbias), f, "Filters")
		clear(dbias)
		kernels.SumRows(dbias, dy)
	}
	if c.implicit {
		c.backwardWeightsImplicit(n, x, dy, dw)
		return
	}
	// One GEMM over the whole batch, not the chunks of chunk.go: dw sums
	// over every sample, and splitting that sum by a cache-sized chunking
	// would make the result depend on it. Inputs with few channels sum
	// over a fixed number of chunks instead, on both paths (chunkgrad.go).
	k := g.Cols()
	chunks := c.gradChunks(n)
	if ks := c.strip.useForWeights(c.spec, chunks); ks != nil {
		c.strip.weightGradient(c.geom, n, x, dy, f, dw, chunks, ks)
		return
	}
	if c.wg.useForWeights(c.geom, k, f) {
		if chunks > 1 {
			c.wg.gradientChunked(c.geom, n, x, dy, f, dw, chunks)
		} else {
			c.wg.gradient(c.geom, n, x, dy, f, dw, c.direct)
		}
		return
	}
	// The fallback: the cols matrix of the forward pass, rebuilt rather
	// than kept (the caller may have changed x since; rebuilding costs one
	// pass over memory against the GEMM's K*F flops per element).
	cols := c.im2col(g, x)
	if chunks > 1 {
		c.wg.im2colGradientChunked(c.geom.Rows(), n, cols, k, dy, f, dw, chunks)
		return
	}
	kernels.Sgemm(true, false, k, f, g.Rows(), 1, cols, k, dy, f, 0, dw, f)
}

// Backward computes dw, dbias (when not nil) and dx, each overwritten, as
// BackwardWeights followed by BackwardData. It exists so that both layer
// kinds share one Op method for the full backward pass: Conv2D's two
// passes lower different operands (x for dw, dcols from dy for dx), so
// unlike Conv2DTranspose's there is nothing to share between them.
func (c *Conv2D) Backward(n int, x, dy, w, dx, dw, dbias []float32) {
	// Every length is checked before either pass writes anything.
	const op = "Conv2D.Backward"
	c.checkArgs(op, n, x, w, dy, "x", "dy")
	checkLen(op, "dx", len(dx), len(x), "n*H*W*C")
	checkLen(op, "dw", len(dw), c.spec.WeightLen(), "KH*KW*C*Filters")
	if dbias != nil {
		checkLen(op, "dbias", len(dbias), c.spec.Filters, "Filters")
	}
	c.BackwardWeights(n, x, dy, dw, dbias)
	c.BackwardData(n, dy, w, dx)
}

// im2col returns the cols matrix of x: x itself when im2col is the
// identity, else the workspace filled by im2col.Im2col.
func (c *Conv2D) im2col(g im2col.Geometry, x []float32) []float32 {
	if c.direct {
		return x
	}
	cols := c.workspace(g)
	c.colJob.parallelIm2col(cols, x, g)
	return cols
}

// chunkSize is how many samples make a chunk small enough for its cols
// block to stay in cache; see samplesPerChunk.
func (c *Conv2D) chunkSize(n int) int {
	return samplesPerChunk(c.geom.Rows()*c.geom.Cols(), n)
}

// workspace returns the cols workspace sized for g.
func (c *Conv2D) workspace(g im2col.Geometry) []float32 {
	c.cols = grow(c.cols, g.Rows()*g.Cols())
	return c.cols
}
