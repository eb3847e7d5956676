package conv

import (
	"sync"

	"github.com/gokern/gokern/im2col"
)

// The implicit-GEMM path computes a Conv2D with few filters without the
// im2col matrix. As a GEMM such a layer is skinny: M = n*OH*OW, K =
// KH*KW*C, only F <= 4 columns. The generator's RGB output layer (128 -> 3
// channels, 3x3, 32x32) is one, with K = 1152: materialising cols would
// write and read back 1152 floats per output pixel to do 3 dot products
// with them, so the layer would run at memory speed.
//
// Instead each output pixel takes its dot products straight from the
// input. In NHWC the in-bounds taps of one kernel row are KW*C adjacent
// floats, so with the kernel transposed once per call to wt[f][kh, kw, c]
// every output pixel is F dot products of a few contiguous input runs
// against contiguous runs of wt[f], computed by one call of a multi-filter
// kernel (runkernels.go) that loads each input vector once for all F
// filters, and each kernel vector once for two adjacent pixels; a row of
// pixels whose windows lie inside the input is one kernel call. Padding
// needs no zeros, only shorter runs at the borders. Backward-weights uses
// the same runs, dwt[f]_run += dy[pix, f] * x_run; backward-data gathers
// (stride 1: each input pixel's C gradients summed in registers over the
// KH*KW*F output gradients that reach it) or else scatters, dx_run +=
// sum_f dy[pix, f] * wt[f]_run. Larger filter counts work too, in groups
// of implicitMaxFilters (tests run every shape both ways), but NewConv2D
// only picks this path for F <= implicitMaxFilters.

// window returns, for output column ow, the first input column iw0 the
// kernel covers (possibly negative) and the range [lo, hi) of kernel
// columns inside the input; hi <= lo when there are none.
func window(g im2col.Geometry, ow int) (iw0, lo, hi int) {
	iw0 = ow*g.StrideW - g.PadLeft
	return iw0, max(0, -iw0), min(g.KW, g.W-iw0)
}

// transposeKF writes w, a [k, f] matrix, into wt as [f, k].
func transposeKF(wt, w []float32, k, f int) {
	wt = wt[:k*f]
	for p := 0; p < k; p++ {
		row := w[p*f : p*f+f]
		for j, v := range row {
			wt[j*k+p] = v
		}
	}
}

// transposedWeights returns w transposed into the wt workspace.
func (c *Conv2D) transposedWeights(g im2col.Geometry, w []float32) []float32 {
	k, f := g.Cols(), c.spec.Filters
	c.wt = grow(c.wt, k*f)
	transposeKF(c.wt, w, k, f)
	return c.wt
}

// pixelRuns calls fn for every output pixel pix with the runs of its
// in-bounds kernel taps, each run one kernel row: xOff is the offset of the
// first run's first tap in the NHWC input (runs are W*C apart), kOff its
// offset in a [KH*KW*C] kernel row, nRuns the number of runs and runLen
// their length. When the window lies horizontally inside the input, all
// its kernel rows are one call (full-width rows follow each other in the
// kernel); at the left and right borders each row is a call of its own.
//
// Up to maxPix horizontally adjacent pixels whose windows all lie inside
// are passed in one call as np pixels (each next pixel's runs start
// StrideW*C later, its index is one more); with maxPix 1, np is always 1.
//
// ahead, when not nil, is called at the start of each output row but a
// sample's last, before fn, with each input row (its offset and W*C) that
// the next output row reads and this one does not: the forward pass
// prefetches them, so that they arrive from L3 or memory while this row
// computes. (G conv2d_1 forward, the DCGAN's last layer, whose 32x32x128
// input rows each serve three output rows: 0.85-0.93x the time on
// avx512, 0.92-0.99x on avx2, AMD Zen 4, paired in-process rounds of the
// pass alone at batch 64; inside the training iteration, which runs it
// right after the layer that wrote its input, within the noise.
// Prefetching two or three rows ahead gained less, and the
// backward-weights pass's gerRow, which reads the same rows, gained
// nothing on avx512.)
func pixelRuns(g im2col.Geometry, maxPix int, fn func(pix, xOff, kOff, nRuns, runLen, np int), ahead func(off, n int)) {
	kwc := g.KW * g.C
	// The last output column whose window ends inside the input.
	lastInside := -1
	if g.W-g.KW+g.PadLeft >= 0 {
		lastInside = (g.W - g.KW + g.PadLeft) / g.StrideW
	}
	pix := 0
	for n := 0; n < g.Batch; n++ {
		img := n * g.H * g.W * g.C
		for oh := 0; oh < g.OutH; oh++ {
			ih0 := oh*g.StrideH - g.PadTop
			if ahead != nil && oh+1 < g.OutH {
				next := ih0 + g.StrideH
				for ih := max(ih0+g.KH, next, 0); ih < min(next+g.KH, g.H); ih++ {
					ahead(img+ih*g.W*g.C, g.W*g.C)
				}
			}
			khLo, khHi := max(0, -ih0), min(g.KH, g.H-ih0)
			for ow := 0; ow < g.OutW; ow++ {
				iw0, lo, hi := window(g, ow)
				switch {
				case hi <= lo || khHi <= khLo:
				case lo == 0 && hi == g.KW:
					np := max(1, min(maxPix, lastInside-ow+1, g.OutW-ow))
					fn(pix, img+((ih0+khLo)*g.W+iw0)*g.C, khLo*kwc, khHi-khLo, kwc, np)
					ow += np - 1
					pix += np - 1
				default:
					for kh := khLo; kh < khHi; kh++ {
						fn(pix, img+((ih0+kh)*g.W+iw0+lo)*g.C, kh*kwc+lo*g.C, 1, (hi-lo)*g.C, 1)
					}
				}
				pix++
			}
		}
	}
}

// implicitJob is one implicit-path pass, split over goroutines by
// parallelFor: forward and backward-data over samples (each writes only its
// samples' outputs), backward-weights over weightChunks fixed chunks of
// samples, each summing into its own partial gradient, added up afterwards
// in chunk order. The chunks do not depend on the thread count, so results
// are bitwise the same for any kernels.Threads().
type implicitJob struct {
	pass    pass
	g       im2col.Geometry // one sample's
	f, k    int             // filters, KH*KW*C
	n       int             // batch size of the call
	ks      *runKernels
	x, y    []float32 // the input side and the output side of the pass
	wt      []float32 // kernel as [F][KH*KW*C] (forward, backward-data)
	partial []float32 // backward-weights: [chunks][F][KH*KW*C]
	chunks  int
	gather  bool // backward-data by gatherRuns (stride 1); wt then holds the rotated kernel as [KH*KW*F][C]
	wg      sync.WaitGroup
}

type pass int

const (
	passForward pass = iota
	passData
	passWeights
)

// weightChunks is the number of partial weight gradients backward-weights
// sums: enough to keep a few threads busy, few enough that adding them up
// costs nothing next to the pass.
const weightChunks = 8

func (j *implicitJob) runChunk(lo, hi int) {
	g := j.g
	inLen, outLen := g.H*g.W*g.C, g.OutH*g.OutW*j.f
	stride, f, k, ks := g.W*g.C, j.f, j.k, j.ks
	pixStride := g.StrideW * g.C // between horizontally adjacent pixels' windows
	switch j.pass {
	case passForward:
		x, y, wt := j.x[lo*inLen:hi*inLen], j.y[lo*outLen:hi*outLen], j.wt
		clear(y)
		pixelRuns(g.WithBatch(hi-lo), rowPixels(g, f), func(pix, xOff, kOff, nRuns, runLen, np int) {
			if f <= implicitMaxFilters {
				ks.dotRow(f, x[xOff:], stride, wt[kOff:], k, nRuns, runLen, y[pix*f:(pix+np)*f], pixStride, np)
				return
			}
			for f0 := 0; f0 < f; f0 += implicitMaxFilters {
				fb := min(f-f0, implicitMaxFilters)
				ks.dotRuns(fb, x[xOff:], stride, wt[f0*k+kOff:], k, nRuns, runLen, y[pix*f+f0:pix*f+f0+fb])
			}
		}, func(off, n int) { ks.prefetchRuns(x, off, n) })
	case passData:
		if j.gather {
			j.gatherData(lo, hi)
			return
		}
		dx, dy, wt := j.x[lo*inLen:hi*inLen], j.y[lo*outLen:hi*outLen], j.wt
		clear(dx)
		pixelRuns(g.WithBatch(hi-lo), 1, func(pix, xOff, kOff, nRuns, runLen, _ int) {
			for f0 := 0; f0 < f; f0 += implicitMaxFilters {
				fb := min(f-f0, implicitMaxFilters)
				ks.axpyRuns(fb, dx[xOff:], stride, wt[f0*k+kOff:], k, nRuns, runLen, dy[pix*f+f0:pix*f+f0+fb])
			}
		}, nil)
	case passWeights:
		for ch := lo; ch < hi; ch++ {
			s0, s1 := ch*j.n/j.chunks, (ch+1)*j.n/j.chunks
			x, dy := j.x[s0*inLen:s1*inLen], j.y[s0*outLen:s1*outLen]
			dwt := j.partial[ch*f*k : (ch+1)*f*k]
			clear(dwt)
			pixelRuns(g.WithBatch(s1-s0), rowPixels(g, f), func(pix, xOff, kOff, nRuns, runLen, np int) {
				if f <= implicitMaxFilters {
					ks.gerRow(f, dwt[kOff:], k, x[xOff:], stride, nRuns, runLen, dy[pix*f:(pix+np)*f], pixStride, np)
					return
				}
				for f0 := 0; f0 < f; f0 += implicitMaxFilters {
					fb := min(f-f0, implicitMaxFilters)
					ks.gerRuns(fb, dwt[f0*k+kOff:], k, x[xOff:], stride, nRuns, runLen, dy[pix*f+f0:pix*f+f0+fb])
				}
			}, nil)
		}
	}
}

// rowPixels is pixelRuns' maxPix for f filters: whole rows of pixels
// (dotRow, gerRow) when one kernel call handles all f filters, else one
// pixel at a time.
func rowPixels(g im2col.Geometry, f int) int {
	if f <= implicitMaxFilters {
		return g.OutW
	}
	return 1
}

// startJob fills in the fields every pass shares.
func (c *Conv2D) startJob(p pass, n int, x, y []float32) *implicitJob {
	j := &c.job
	j.pass, j.g, j.f, j.k, j.n = p, c.geom, c.spec.Filters, c.geom.Cols(), n
	j.ks = activeRunKernels()
	j.x, j.y = x, y
	return j
}

// forwardImplicit is Forward without the im2col matrix.
func (c *Conv2D) forwardImplicit(n int, x, w, bias, y []float32) {
	j := c.startJob(passForward, n, x, y)
	j.wt = c.transposedWeights(c.geom, w)
	parallelFor(n, j, &j.wg)
	c.leaky.applyUnfused(y, bias)
}

// backwardDataImplicit is BackwardData without the im2col matrix. With
// stride 1 it gathers: every input pixel's gradient is summed in registers
// over the KH*KW*F output gradients its taps reach and written once, a row
// of input pixels per gatherRuns call. Otherwise it scatters with
// axpyRuns, adding each output pixel's contribution to the input runs its
// window covers.
func (c *Conv2D) backwardDataImplicit(n int, dy, w, dx []float32) {
	j := c.startJob(passData, n, dx, dy)
	g := c.geom
	j.gather = g.StrideH == 1 && g.StrideW == 1
	if j.gather {
		c.wt = grow(c.wt, len(w))
		rotatedTapRows(c.wt, w, g.KH*g.KW, g.C, j.f)
		j.wt = c.wt
	} else {
		j.wt = c.transposedWeights(g, w)
	}
	parallelFor(n, j, &j.wg)
}

// rotatedTapRows rewrites the kernel w, [taps][C][F], as dst [taps][F][C]
// with the taps in reverse order (the kernel rotated by 180 degrees): one
// row of C weights per (tap, filter), the rows gatherRuns combines. Taps
// reversed, the taps of one input pixel that meet one output row are
// reached by adjacent output pixels in increasing order, so their
// coefficients are KW*F adjacent floats of dy.
func rotatedTapRows(dst, w []float32, taps, c, f int) {
	for t := 0; t < taps; t++ {
		r := taps - 1 - t
		transposeKF(dst[r*c*f:(r+1)*c*f], w[t*c*f:(t+1)*c*f], c, f)
	}
}

// gatherData computes the input gradient of samples [lo, hi) by
// gatherRuns, for stride 1. With the kernel rotated, input pixel (ih, iw)
// is reached by rotated tap (a, b) of output pixel (oh0+a, ow0+b), oh0 =
// ih+PadTop-KH+1 and ow0 = iw+PadLeft-KW+1, when that pixel exists: for
// each rotated kernel row a run of dy, and the next input pixel's runs F
// floats later. Input pixels whose taps all fall inside the output
// horizontally share one call per row; those at the borders get a call
// each, with shorter runs.
func (j *implicitJob) gatherData(lo, hi int) {
	g, f, ks := j.g, j.f, j.ks
	c := g.C
	inLen, outLen := g.H*g.W*c, g.OutH*g.OutW*f
	rowF := g.OutW * f
	// Interior input columns: all KW taps inside the output.
	inLo, inHi := max(0, g.KW-1-g.PadLeft), min(g.W, g.OutW-g.PadLeft)
	for n := lo; n < hi; n++ {
		dx, dy := j.x[n*inLen:(n+1)*inLen], j.y[n*outLen:(n+1)*outLen]
		for ih := 0; ih < g.H; ih++ {
			oh0 := ih + g.PadTop - g.KH + 1
			aLo, aHi := max(0, -oh0), min(g.KH, g.OutH-oh0)
			row := dx[ih*g.W*c : (ih+1)*g.W*c]
			if aHi <= aLo {
				clear(row)
				continue
			}
			for iw := 0; iw < g.W; {
				ow0 := iw + g.PadLeft - g.KW + 1
				bLo, bHi := max(0, -ow0), min(g.KW, g.OutW-ow0)
				np := 1
				if iw >= inLo && iw < inHi {
					np = inHi - iw
				}
				if bHi <= bLo {
					clear(row[iw*c : (iw+1)*c])
				} else {
					wOff := (aLo*g.KW + bLo) * f * c
					cOff := (oh0+aLo)*rowF + (ow0+bLo)*f
					ks.gatherRuns(row[iw*c:], c, j.wt[wOff:], g.KW*f, dy[cOff:], rowF, f, aHi-aLo, (bHi-bLo)*f, np)
				}
				iw += np
			}
		}
	}
}

// backwardWeightsImplicit is BackwardWeights without the im2col matrix,
// less the bias gradient: the chunks' partial gradients, [F][KH*KW*C]
// each, are summed in order and transposed into dw.
func (c *Conv2D) backwardWeightsImplicit(n int, x, dy, dw []float32) {
	j := c.startJob(passWeights, n, x, dy)
	fk := j.f * j.k
	j.chunks = max(1, min(n, weightChunks))
	c.partial = grow(c.partial, j.chunks*fk)
	j.partial = c.partial
	if n == 0 {
		clear(j.partial[:fk])
	} else {
		parallelFor(j.chunks, j, &j.wg)
	}
	transposeKF(dw, sumChunks(j.partial, j.chunks, fk), j.f, j.k)
}
