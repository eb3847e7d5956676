package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/kernels"
)

// The strip path: the forward pass of a Conv2D whose input has few
// channels, the discriminator's first layer (C = 3, K = 27).
//
// A window operand packs such a layer's im2col rows from runs of C values,
// a few floats each, and there its packing cost more than the GEMM: 39%
// of the forward pass's samples against 33% in the micro-kernel (AMD Zen
// 3, avx2, batch 64), the layer at 29% of the FMA peak. The strip path
// first copies the input into strips, one per output row (n, oh): the KH
// input rows its windows cover, interleaved column by column,
//
//	S[n][oh][j][kh][c] = x[n][oh*StrideH + kh - PadTop][j - PadLeft][c]
//
// (zero outside x), j over the Wp = (OW-1)*StrideW + KW columns that the
// row's windows span. The window of output pixel (n, oh, ow) is then one
// contiguous run of KW*KH*C values from S[((n*OH+oh)*Wp + ow*StrideW)*KH*C]
// on, in (kw, kh, c) order, and the windows of neighbouring pixels start
// StrideW*KH*C apart, overlapping: kernels reads them in place as the rows
// of A (its strided path), with the kernel permuted to the same (kw, kh,
// c) order as B. The strips are about KW/StrideW times smaller than the
// im2col matrix.
//
// On that layer (batch 64, avx2, Zen 3) the forward pass measured 0.79x
// of the window operand's time on one thread and 0.83x on two (medians of
// six paired rounds; bench/results/strips-d1-forward.md): what is left is
// the micro-kernel's per-call cost at K = 27 and the bias and LeakyReLU.
//
// The sums run over the window in (kw, kh, c) order instead of im2col's
// (kh, kw, c), so the output matches the other paths to rounding, not bit
// for bit; it is still the same for every thread count.

// stripMaxChannels is the most input channels a Conv2D may have for its
// forward pass to take the strip path. The only such layer in the DCGAN
// has 3, and it was measured there alone; from about a vector's width of
// channels on, a window operand packs whole vectors per tap.
const stripMaxChannels = 4

// strips is a Conv2D's strip path: its workspace and operands.
type strips struct {
	off   bool      // tests: take the window operand instead
	s     []float32 // the strips, [n*OH][Wp][KH][C]
	wperm []float32 // the kernel in (kw, kh, c) order, [KW*KH*C][Filters]
	a     stripOperand
	b     kernels.Matrix
	fill  stripFill
	grad  stripGradient // the weight gradient's job (stripgrad.go)
}

// use reports whether the forward pass of a layer with spec s takes the
// strip path.
func (st *strips) use(s Spec) bool {
	return !st.off && s.C <= stripMaxChannels
}

// forward computes out = conv(x, w) + epilogue for n samples.
func (st *strips) forward(geom im2col.Geometry, n int, x, w []float32, filters int, out []float32, epi kernels.Epilogue) {
	g := geom.WithBatch(n)
	run := g.KH * g.C
	wp := (g.OutW-1)*g.StrideW + g.KW
	rows := n * g.OutH
	st.s = grow(st.s, rows*wp*run)
	st.fill = stripFill{g: g, wp: wp, x: x, s: st.s}
	parallelFor(rows, &st.fill, nil)
	st.fill.x, st.fill.s = nil, nil

	k := g.KW * run
	st.wperm = grow(st.wperm, k*filters)
	permuteKernel(st.wperm, w, g.KH, g.KW, g.C, filters)

	st.a = stripOperand{s: st.s, ow: g.OutW, wp: wp, run: run, step: g.StrideW * run}
	st.b = kernels.Matrix{Trans: true, Data: st.wperm, LD: filters}
	kernels.Gemm{M: rows * g.OutW, N: filters, K: k, A: &st.a, B: &st.b, C: out, LDC: filters, Epilogue: epi}.Run()
	st.a.s, st.b.Data = nil, nil
}

// permuteKernel writes w, [KH][KW][C][F], to dst in (kw, kh, c) order:
// dst[((kw*KH+kh)*C+c)*F+f] = w[((kh*KW+kw)*C+c)*F+f].
func permuteKernel(dst, w []float32, kh, kw, c, f int) {
	for i := 0; i < kh; i++ {
		for j := 0; j < kw; j++ {
			src := w[(i*kw+j)*c*f : (i*kw+j+1)*c*f]
			copy(dst[(j*kh+i)*c*f:(j*kh+i+1)*c*f], src)
		}
	}
}

// stripFill copies the input into strips, a range of output rows at a
// time (a chunkRunner: the rows are independent).
type stripFill struct {
	g    im2col.Geometry
	wp   int
	x, s []float32
}

func (f *stripFill) runChunk(lo, hi int) {
	g := f.g
	c, run := g.C, g.KH*g.C
	rowLen := f.wp * run
	for row := lo; row < hi; row++ {
		n, oh := row/g.OutH, row%g.OutH
		strip := f.s[row*rowLen : (row+1)*rowLen]
		for kh := 0; kh < g.KH; kh++ {
			// Strip columns [j0, j1) hold input pixels; the rest, and the
			// whole strip row when input row ih is padding, are zeros.
			ih := oh*g.StrideH + kh - g.PadTop
			j0, j1 := g.PadLeft, min(f.wp, g.PadLeft+g.W)
			if ih < 0 || ih >= g.H {
				j0, j1 = 0, 0
			}
			for j := 0; j < f.wp; j++ {
				if j < j0 || j >= j1 {
					clear(strip[j*run+kh*c : j*run+kh*c+c])
				}
			}
			if j1 > j0 {
				src := f.x[(n*g.H+ih)*g.W*c:]
				spread(strip[j0*run+kh*c:], run, src[:(j1-j0)*c], c)
			}
		}
	}
}

// spread copies src, pixels of c values, to dst one pixel every run
// values: dst[i*run+ci] = src[i*c+ci].
func spread(dst []float32, run int, src []float32, c int) {
	px := len(src) / c
	if px == 0 {
		return
	}
	_ = dst[(px-1)*run+c-1] // one bounds check for the loop
	if c == 3 {
		// The first layer's RGB: three moves per pixel, no inner loop.
		for i := 0; i < px; i++ {
			s := src[i*3 : i*3+3 : i*3+3]
			d := dst[i*run : i*run+3 : i*run+3]
			d[0], d[1], d[2] = s[0], s[1], s[2]
		}
		return
	}
	for i := 0; i < px; i++ {
		copy(dst[i*run:i*run+c], src[i*c:i*c+c])
	}
}

// stripOperand is the im2col matrix of the strips as a kernels.Operand
// that kernels can also read in place (RowSource, RowRun): row r, output
// pixel r, is the run of depth values from where RowRun(r) says it starts.
type stripOperand struct {
	s         []float32
	ow, wp    int // output pixels per output row; strip columns
	run, step int // values per strip column; between neighbouring windows
}

// RowSource is the slice the rows lie in.
func (o *stripOperand) RowSource() []float32 { return o.s }

// RowRun returns where row r's window starts in RowSource and how many
// windows from it on, to the end of its output row, start step apart.
func (o *stripOperand) RowRun(r int) (start, step, count int) {
	row, ow := r/o.ow, r%o.ow
	return row*o.wp*o.run + ow*o.step, o.step, o.ow - ow
}

// Pack implements kernels.Operand: a micro-panel of pixels of one output
// row is packed straight from the strips, rows step apart; one that spans
// two output rows is gathered into the scratch matrix first.
func (o *stripOperand) Pack(dst *kernels.Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	for q := 0; q < dst.Count(); q++ {
		r := r0 + q*w
		rows := min(w, dst.Rows()-q*w)
		start, step, count := o.RowRun(r)
		if count >= rows {
			dst.PackRowsAt(q, 0, kc, o.s[start+p0:], step, rows)
			continue
		}
		sc := dst.Scratch()[:rows*kc]
		for i := 0; i < rows; i++ {
			s, _, _ := o.RowRun(r + i)
			copy(sc[i*kc:(i+1)*kc], o.s[s+p0:s+p0+kc])
		}
		dst.PackRowsAt(q, 0, kc, sc, kc, rows)
	}
}
