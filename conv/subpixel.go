package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// The adjoint forward, dst = Col2im(src * W^T), is both
// Conv2DTranspose.Forward and Conv2D.BackwardData. Through im2col it
// writes a cols matrix of KH*KW values per source pixel and channel and
// then scatters it with overlapping adds. The sub-pixel decomposition
// computes the same sums without either.
//
// Take the conv whose input is dst (H x W x Cd) and whose output is src
// (OH x OW x Cs), with kernel [KH, KW, Cd, Cs], stride s and leading pad
// p (per dimension). Output pixel oh of the conv reads input row
// ih = oh*s + kh - p under tap kh, so the adjoint sends src row oh to dst
// row ih through tap kh: dst row ih receives exactly the taps kh with
// kh ≡ ih + p (mod s), from src rows oh = (ih + p - kh)/s. Split dst into
// s phases by ih mod s. Phase r holds rows ih = r + s*i, its taps are the
// kh ≡ r + p (mod s), and row i of the phase reads src row
// i + (r + p - kh)/s: a stride-1 convolution of src with those taps. With
// both dimensions, dst splits into StrideH*StrideW phases, each an
// implicit GEMM (a windowOperand over src times the phase's taps of W)
// that writes its own pixels of dst: every dst pixel belongs to exactly one
// phase, so nothing is cleared and nothing is added twice.
//
// A phase has ceil(KH/s) or floor(KH/s) tap rows (3x3 stride 2: phases of
// 2x2, 2x1, 1x2 and 1x1 taps), and none when the kernel is smaller than
// the stride: those pixels get only the bias and activation (a GEMM with
// K = 0). Pixels whose taps all fall outside src (Valid padding, where the
// conv's windows do not reach the end of its input) come out zero, as the
// window operand reads zeros there.

// subpixelMinChannels is the fewest destination channels the sub-pixel
// path takes by default. Its GEMMs have one column per destination
// channel, and the micro-kernels compute 12 (NEON), 16 (AVX2) or 32
// (AVX-512) columns at a time: for an RGB destination over 80% of that
// work would be padding, while the col2im path's GEMM has KH*KW times as
// many columns (27 for 3x3 over RGB) and pays one extra pass over memory.
const subpixelMinChannels = 16

// subpixelMinWidth is the narrowest source (the phase grid's width) the
// sub-pixel path takes by default. A phase GEMM's rows come in runs of
// one grid row, and a register tile of rows that spans two runs goes
// through the driver's scratch tile; on a 4-pixel-wide grid every tile
// does. Measured (AMD Zen 3, avx2, one thread, six alternating rounds of
// the root package's BenchmarkConv, 95a561c's col2im path against the
// sub-pixel one): the generator's 4x4 -> 8x8 layer ran 1.19x slower
// sub-pixel, the 8x8 -> 16x16 one level (1.00x), the 16x16 -> 32x32 one
// 0.99x.
const subpixelMinWidth = 8

// adjointPath is how a layer computes its adjoint forward.
type adjointPath uint8

const (
	adjointAuto     adjointPath = iota // sub-pixel where it measured no slower (subpixel)
	adjointSubpixel                    // sub-pixel always (tests)
	adjointCol2im                      // col2im always (tests)
)

// subpixel reports whether to take the sub-pixel path for the adjoint of
// conv g (batch 1, from dst to src). Never while a GEMM is set through
// sgemmhook: the harness that sets one needs every product to go through
// kernels.Sgemm, and kernels.Gemm does not.
//
// By default only where every phase has the same taps (the kernel a
// multiple of the stride, like the generator's 4x4 stride 2) and the
// source is at least subpixelMinWidth wide. Uneven phases (3x3 stride 2:
// 2x2, 2x1, 1x2 and 1x1 taps) make GEMMs of depth C to 4C that lose to
// col2im's one GEMM: the discriminator's three stride-2 backward-data
// passes measured 1.09x, 1.09x and 1.21x slower sub-pixel (same runs as
// subpixelMinWidth).
func (p adjointPath) subpixel(g im2col.Geometry) bool {
	if sgemmhook.Get() != nil {
		return false
	}
	switch p {
	case adjointSubpixel:
		return true
	case adjointCol2im:
		return false
	}
	return g.C >= subpixelMinChannels &&
		g.KH%g.StrideH == 0 && g.KW%g.StrideW == 0 &&
		g.OutW >= subpixelMinWidth
}

// subpixel is one layer's sub-pixel adjoint forward: its phases, built
// once from the layer's geometry, and the workspace their kernel taps are
// gathered into on every call.
type subpixel struct {
	g      im2col.Geometry // the conv from dst to src, for a batch of 1
	srcC   int             // channels of src: the conv's filters
	phases []subpixelPhase
	taps   []float32 // every phase's kernel taps, gathered per call
}

// subpixelPhase is the dst pixels (r + s*i, q + s*j) of one phase (r, q)
// and the GEMM that computes them: rows = those pixels, columns = dst
// channels, depth = (tap row, tap column, src channel).
type subpixelPhase struct {
	kh, kw []int         // the phase's kernel taps, ascending
	a      windowOperand // src under the phase's taps
	b      kernels.Matrix
	rows   phaseRows
	tapOff int // where b's data starts in subpixel.taps
}

// phaseRows places row i of a phase's GEMM, phase pixel (n, i, j) in
// NHWC order over the phase grid, at dst pixel (n, r + sh*i, q + sw*j).
type phaseRows struct {
	ph, pw int // the phase grid of one sample
	h, w   int // dst's image size
	r, q   int // the phase's first pixel
	sh, sw int
	c      int // dst channels
}

// RowOffset implements kernels.RowLayout.
func (p *phaseRows) RowOffset(i int) int {
	j := i % p.pw
	i /= p.pw
	oh := p.r + i%p.ph*p.sh
	n := i / p.ph
	return ((n*p.h+oh)*p.w + p.q + j*p.sw) * p.c
}

// phaseTaps returns, for phase r of one dimension (dst size in, kernel k,
// stride s, leading pad pad), the phase's grid size, its taps and their
// offsets into src (tap t of grid pixel i reads src pixel i + off[t]).
func phaseTaps(r, in, k, s, pad int) (size int, taps, off []int) {
	if r < in {
		size = (in - r + s - 1) / s
	}
	for kh := 0; kh < k; kh++ {
		if d := r + pad - kh; d%s == 0 {
			taps = append(taps, kh)
			off = append(off, d/s)
		}
	}
	return size, taps, off
}

// init builds the phases of the adjoint of conv g (batch 1), whose
// filters are srcC, unless they are built already.
func (sp *subpixel) init(g im2col.Geometry, srcC int) {
	if sp.phases != nil {
		return
	}
	sp.g, sp.srcC = g, srcC
	at := 0
	for r := 0; r < g.StrideH; r++ {
		ph, khs, offH := phaseTaps(r, g.H, g.KH, g.StrideH, g.PadTop)
		for q := 0; q < g.StrideW; q++ {
			pw, kws, offW := phaseTaps(q, g.W, g.KW, g.StrideW, g.PadLeft)
			if ph == 0 || pw == 0 {
				continue // no dst pixel in this phase
			}
			p := subpixelPhase{kh: khs, kw: kws, tapOff: at}
			p.a.windows = windows{
				H: g.OutH, W: g.OutW, C: srcC, OH: ph, OW: pw,
				StrideH: 1, StrideW: 1, OffH: offH, OffW: offW,
			}
			k := len(khs) * len(kws) * srcC
			p.b = kernels.Matrix{LD: max(k, 1)}
			p.rows = phaseRows{ph: ph, pw: pw, h: g.H, w: g.W, r: r, q: q, sh: g.StrideH, sw: g.StrideW, c: g.C}
			at += k * g.C
			sp.phases = append(sp.phases, p)
		}
	}
	sp.taps = make([]float32, at)
	for i := range sp.phases {
		p := &sp.phases[i]
		k := p.a.depth()
		p.b.Data = sp.taps[p.tapOff : p.tapOff+k*g.C]
	}
}

// gather copies each phase's taps of w, [KH, KW, Cd, Cs], into its B
// matrix: row cd, column (th*len(kw) + tw)*Cs + cs, so that column order
// matches the window operand's depth.
func (sp *subpixel) gather(w []float32) {
	cd, cs, kwAll := sp.g.C, sp.srcC, sp.g.KW
	for i := range sp.phases {
		p := &sp.phases[i]
		b, ld := p.b.Data, p.b.LD
		for th, kh := range p.kh {
			for tw, kw := range p.kw {
				col := (th*len(p.kw) + tw) * cs
				tap := w[(kh*kwAll+kw)*cd*cs : (kh*kwAll+kw+1)*cd*cs]
				for d := 0; d < cd; d++ {
					copy(b[d*ld+col:d*ld+col+cs], tap[d*cs:d*cs+cs])
				}
			}
		}
	}
}

// run overwrites dst, n samples of H x W x Cd, with the adjoint forward
// of src, n samples of OH x OW x Cs, under kernel w, then epi (may be
// nil) on every finished row segment. The lengths are the caller's to
// check.
func (sp *subpixel) run(n int, src, w, dst []float32, epi kernels.Epilogue) {
	sp.gather(w)
	for i := range sp.phases {
		p := &sp.phases[i]
		p.a.N, p.a.X = n, src
		kernels.Gemm{
			M: p.a.pixels(), N: sp.g.C, K: p.a.depth(),
			A: &p.a, B: &p.b,
			C: dst, Rows: &p.rows,
			Epilogue: epi,
		}.Run()
	}
	for i := range sp.phases {
		sp.phases[i].a.X = nil // do not keep the caller's src alive
	}
}
