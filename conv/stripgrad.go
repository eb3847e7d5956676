package conv

import (
	"fmt"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/parallel"
)

// The strip weight gradient: the backward-weights pass of a Conv2D with
// few input channels (the discriminator's first layer: C = 3, a 27-value
// window, 64 filters) without a GEMM.
//
// As a GEMM, dw = cols^T * dy has only KH*KW*C = 27 rows: two and a bit
// micro-panels of A, a third of whose tile is padding, and both operands
// are packed for it, A from runs of 3 floats. On the AVX-512 path it ran at
// 26% of the FMA peak (AMD Zen 4, one thread), the slowest pass of the
// training step. Here the input is copied into the forward pass's strips
// (strip.go), in which output pixel p's window is one contiguous run, and
// a kernel sums a whole output row's outer products window x dy[p] into
// accumulators that stay in registers: one per tap for a vector of
// filters, each gradient vector loaded once for every tap. Nothing is
// packed; dy is read in place.
//
// Like chunkedGradient it sums over weightChunks fixed chunks of samples,
// one per parallel part, each into its own partial, and adds the partials
// in chunk order, so the result is the same bits for every thread count.
// The sums run in the strips' (kw, kh, c) tap order, over the pixels of a
// chunk in order, so they match the GEMM paths to rounding, not bit for
// bit.

// stripGradFunc is the raw signature of the generated stripGrad kernels:
// for b < blocks, t < taps and l < lanes,
//
//	acc[(b*taps+t)*lanes+l] += sum over p < n of s[p*step+t] * dy[p*ldy+b*lanes+l]
type stripGradFunc func(s *float32, step, n int, dy *float32, ldy, blocks int, acc *float32)

// stripGradKernel is one stripGrad kernel: taps accumulators of lanes
// filters each.
type stripGradKernel struct {
	taps, lanes int
	fn          stripGradFunc
}

// run checks every bound of one call and makes it.
func (k stripGradKernel) run(s []float32, step, n int, dy []float32, ldy, blocks int, acc []float32) {
	if n < 0 || blocks < 0 || step < 0 || ldy < blocks*k.lanes {
		panic(fmt.Sprintf("gokern: conv: stripGrad%d: n=%d blocks=%d step=%d ldy=%d", k.taps, n, blocks, step, ldy))
	}
	if n == 0 || blocks == 0 {
		return
	}
	if need := (n-1)*step + k.taps; len(s) < need {
		panic(fmt.Sprintf("gokern: conv: stripGrad%d: strip has %d floats, %d windows %d apart need %d", k.taps, len(s), n, step, need))
	}
	if need := (n-1)*ldy + blocks*k.lanes; len(dy) < need {
		panic(fmt.Sprintf("gokern: conv: stripGrad%d: dy has %d floats, need %d", k.taps, len(dy), need))
	}
	if need := blocks * k.taps * k.lanes; len(acc) < need {
		panic(fmt.Sprintf("gokern: conv: stripGrad%d: acc has %d floats, need %d", k.taps, len(acc), need))
	}
	k.fn(&s[0], step, n, &dy[0], ldy, blocks, &acc[0])
}

// tapGroup is a run of a window's taps summed by one kernel: taps [t0,
// t0+real) of the window, the kernel's remaining accumulators padding.
type tapGroup struct {
	t0, real int
	k        stripGradKernel
}

// planTapGroups splits a window of k taps into groups for kernels (fewest
// taps first): the largest kernel while a whole one fits, then the
// smallest that covers what is left.
func planTapGroups(k int, kernels []stripGradKernel, dst []tapGroup) []tapGroup {
	dst = dst[:0]
	largest := kernels[len(kernels)-1]
	for t0 := 0; t0 < k; {
		left := k - t0
		g := tapGroup{t0: t0, real: min(left, largest.taps), k: largest}
		if left < largest.taps {
			for _, c := range kernels {
				if c.taps >= left {
					g.k = c
					break
				}
			}
		}
		dst = append(dst, g)
		t0 += g.real
	}
	return dst
}

// stripGradient is one strip weight gradient, a parallel.Job whose part i
// fills chunk i's strips and sums its partial gradient.
type stripGradient struct {
	g         im2col.Geometry // batch n
	wp, run   int             // strip columns; values per strip column
	k, f      int             // window taps (KW*KH*C); filters
	chunks    int
	lanes     int
	groups    []tapGroup
	accLen    int       // accumulators per chunk
	acc       []float32 // [chunks][accLen]
	partial   []float32 // [chunks][k][f], taps in dw's (kh, kw, c) order
	s, dy     []float32
	fill      stripFill
	rowFloats int // floats per strip row (wp*run)
}

// useForWeights reports whether the weight gradient of a layer with spec
// s, summed over chunks chunks, takes the strip path (its filters a
// multiple of the kernels' vector width), and returns the active path's
// kernels if so.
func (st *strips) useForWeights(s Spec, chunks int) []stripGradKernel {
	rk := activeRunKernels()
	if !st.use(s) || chunks < 2 || rk == nil || len(rk.stripGrad) == 0 || s.Filters%rk.stripGrad[0].lanes != 0 {
		return nil
	}
	return rk.stripGrad
}

// weightGradient sets dw, [KH][KW][C][F], to the weight gradient of n
// samples of x against dy, summed over chunks chunks of samples with the
// kernels ks.
func (st *strips) weightGradient(geom im2col.Geometry, n int, x, dy []float32, f int, dw []float32, chunks int, ks []stripGradKernel) {
	g := geom.WithBatch(n)
	j := &st.grad
	j.g, j.f, j.chunks = g, f, chunks
	j.run = g.KH * g.C
	j.wp = (g.OutW-1)*g.StrideW + g.KW
	j.k = g.KW * j.run
	j.rowFloats = j.wp * j.run
	j.lanes = ks[0].lanes
	j.groups = planTapGroups(j.k, ks, j.groups)
	j.accLen = 0
	for _, grp := range j.groups {
		j.accLen += f / j.lanes * grp.k.taps * j.lanes
	}
	// A last group's padding accumulators read past the last window, at
	// most a kernel's taps (and are dropped).
	pad := ks[len(ks)-1].taps
	st.s = grow(st.s, n*g.OutH*j.rowFloats+pad)
	j.acc = grow(j.acc, chunks*j.accLen)
	j.partial = grow(j.partial, chunks*j.k*f)
	j.s, j.dy = st.s, dy
	j.fill = stripFill{g: g, wp: j.wp, x: x, s: st.s}
	parallel.Run(chunks, j)
	copy(dw, sumChunks(j.partial, chunks, j.k*f))
	j.s, j.dy, j.fill.x, j.fill.s = nil, nil, nil, nil
}

// Part fills chunk i's strips and sums its partial gradient (parallel.Job).
func (j *stripGradient) Part(i int) {
	g, f := j.g, j.f
	s0, s1 := chunkBounds(i, j.chunks, g.Batch), chunkBounds(i+1, j.chunks, g.Batch)
	lo, hi := s0*g.OutH, s1*g.OutH
	j.fill.runChunk(lo, hi)
	acc := j.acc[i*j.accLen : (i+1)*j.accLen]
	clear(acc)
	blocks, step, ow := f/j.lanes, g.StrideW*j.run, g.OutW
	for row := lo; row < hi; row++ {
		strip := j.s[row*j.rowFloats:]
		dyRow := j.dy[row*ow*f:]
		off := 0
		for _, grp := range j.groups {
			n := blocks * grp.k.taps * j.lanes
			grp.k.run(strip[grp.t0:], step, ow, dyRow, f, blocks, acc[off:off+n])
			off += n
		}
	}
	// Scatter the accumulators, [group][block][tap][lane] with the taps in
	// the strips' (kw, kh, c) order, into the partial, [tap][filter] in
	// dw's (kh, kw, c) order, dropping the padding taps.
	partial := j.partial[i*j.k*f : (i+1)*j.k*f]
	off := 0
	for _, grp := range j.groups {
		for b := 0; b < blocks; b++ {
			for t := 0; t < grp.k.taps; t++ {
				if t < grp.real {
					row := partial[j.kernelTap(grp.t0+t)*f+b*j.lanes:]
					copy(row[:j.lanes], acc[off:off+j.lanes])
				}
				off += j.lanes
			}
		}
	}
}

// kernelTap returns where tap t of a strip window, in (kw, kh, c) order,
// lies in the kernel's (kh, kw, c) order.
func (j *stripGradient) kernelTap(t int) int {
	kh, c := (t/j.g.C)%j.g.KH, t%j.g.C
	kw := t / j.run
	return (kh*j.g.KW+kw)*j.g.C + c
}
