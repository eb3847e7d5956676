package conv

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// stripGradGo is the stripGrad kernels' reference: for b < blocks, t <
// taps and l < lanes, acc[(b*taps+t)*lanes+l] += sum over p < n of
// s[p*step+t] * dy[p*ldy+b*lanes+l].
func stripGradGo(taps, lanes int, s []float32, step, n int, dy []float32, ldy, blocks int, acc []float32) {
	for b := 0; b < blocks; b++ {
		for t := 0; t < taps; t++ {
			a := acc[(b*taps+t)*lanes : (b*taps+t+1)*lanes]
			for p := 0; p < n; p++ {
				v := s[p*step+t]
				for l := range a {
					a[l] += v * dy[p*ldy+b*lanes+l]
				}
			}
		}
	}
}

// stripGradCase is one call of a stripGrad kernel.
type stripGradCase struct {
	n, step, blocks, ldyExtra, off int
}

// checkStripGrad runs kernel k on case c and compares acc, guard band
// included, with the Go reference, and checks that s and dy are unchanged.
func checkStripGrad(rng *rand.Rand, k stripGradKernel, c stripGradCase) error {
	ldy := c.blocks*k.lanes + c.ldyExtra
	sLen := max(0, (c.n-1)*c.step+k.taps)
	dyLen := max(0, (c.n-1)*ldy+c.blocks*k.lanes)
	s := randSlice(rng, c.off+sLen)[c.off:]
	dy := randSlice(rng, c.off+dyLen)[c.off:]
	const guard = 20
	accLen := c.blocks * k.taps * k.lanes
	base := make([]float32, c.off+accLen+guard)
	for i := range base {
		base[i] = guardVal
	}
	for i := 0; i < accLen; i++ {
		base[c.off+i] = rng.Float32()*2 - 1
	}
	got, want := append([]float32(nil), base...), append([]float32(nil), base...)
	s0, dy0 := append([]float32(nil), s...), append([]float32(nil), dy...)
	k.run(s, c.step, c.n, dy, ldy, c.blocks, got[c.off:c.off+accLen])
	if c.n > 0 {
		stripGradGo(k.taps, k.lanes, s, c.step, c.n, dy, ldy, c.blocks, want[c.off:c.off+accLen])
	}
	if err := compareBufs(got, want, 1e-5*float64(c.n+1)); err != nil {
		return fmt.Errorf("acc%v", err)
	}
	if err := compareBufs(s, s0, 0); err != nil {
		return fmt.Errorf("s changed: %v", err)
	}
	if err := compareBufs(dy, dy0, 0); err != nil {
		return fmt.Errorf("dy changed: %v", err)
	}
	return nil
}

// stripGradKernels returns the active path's strip weight-gradient
// kernels, skipping the test where it has none.
func stripGradKernels(t *testing.T) []stripGradKernel {
	t.Helper()
	ks := activeRunKernels()
	if ks == nil || len(ks.stripGrad) == 0 {
		t.Skip("this kernel path has no stripGrad kernels: the weight gradient of few-channel layers stays a GEMM")
	}
	return ks.stripGrad
}

// TestStripGradKernels compares every stripGrad kernel of every path with
// the Go reference: no pixels, one, odd and long rows; windows that
// coincide (step 0), overlap (step 1, the strips' usual case) and lie
// apart; up to five blocks of filters; gaps after each gradient row;
// unaligned starts; accumulation onto existing values, guard band after.
func TestStripGradKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(71, 72))
		for _, k := range stripGradKernels(t) {
			for _, n := range []int{0, 1, 2, 3, 7, 32, 33} {
				for _, blocks := range []int{0, 1, 2, 5} {
					for _, step := range []int{0, 1, 3, 9, k.taps + 5} {
						c := stripGradCase{n: n, step: step, blocks: blocks, ldyExtra: (n + step) % 3, off: (n + blocks + step) % 4}
						if err := checkStripGrad(rng, k, c); err != nil {
							t.Fatalf("stripGrad%d %+v: %v", k.taps, c, err)
						}
					}
				}
			}
		}
	})
}

// FuzzStripGrad compares the active path's stripGrad kernels with the Go
// reference on fuzzed shapes. The seeds run under plain go test.
func FuzzStripGrad(f *testing.F) {
	f.Add(uint8(6), uint8(32), uint8(9), uint8(4), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(0), uint8(1), uint8(0), uint8(1), uint8(3), uint8(1), uint64(2))
	f.Add(uint8(2), uint8(17), uint8(1), uint8(3), uint8(1), uint8(3), uint64(3))
	f.Fuzz(func(t *testing.T, kernel, n, step, blocks, ldyExtra, off uint8, seed uint64) {
		kerneltest.Run(t, func(t *testing.T) {
			ks := stripGradKernels(t)
			k := ks[int(kernel)%len(ks)]
			c := stripGradCase{n: int(n % 70), step: int(step % 40), blocks: int(blocks % 6), ldyExtra: int(ldyExtra % 17), off: int(off % 16)}
			if err := checkStripGrad(rand.New(rand.NewPCG(seed, 7)), k, c); err != nil {
				t.Fatalf("stripGrad%d %+v: %v", k.taps, c, err)
			}
		})
	})
}

// TestStripGradCheckBounds checks that the wrapper refuses, with a message
// that says which operand, every call that would read or write past a
// slice.
func TestStripGradCheckBounds(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		k := stripGradKernels(t)[0]
		s, dy, acc := make([]float32, 3*2+k.taps), make([]float32, 4*2*k.lanes), make([]float32, 2*k.taps*k.lanes)
		for _, c := range []struct {
			name, want string
			call       func()
		}{
			{"short strip", "strip has", func() { k.run(s, 3, 4, dy, 2*k.lanes, 2, acc) }},
			{"short dy", "dy has", func() { k.run(s, 2, 4, dy[:len(dy)-1], 2*k.lanes, 2, acc) }},
			{"short acc", "acc has", func() { k.run(s, 2, 4, dy, 2*k.lanes, 2, acc[:len(acc)-1]) }},
			{"dy rows narrower than the blocks", "ldy", func() { k.run(s, 2, 4, dy, 2*k.lanes-1, 2, acc) }},
			{"negative count", "n=-1", func() { k.run(s, 2, -1, dy, 2*k.lanes, 2, acc) }},
			{"negative step", "step=-1", func() { k.run(s, -1, 4, dy, 2*k.lanes, 2, acc) }},
		} {
			if msg := panicMessage(c.call); !strings.Contains(msg, c.want) {
				t.Errorf("%s: panic %q, want it to mention %q", c.name, msg, c.want)
			}
		}
	})
}

// TestPlanTapGroups checks that the tap groups cover a window of every
// size from 1 to 80 taps once, in order, each within its kernel, with the
// padding of the last group under the smallest kernel's taps; and the
// discriminator's 27 taps: one 28-tap call on AVX-512, 12 + 12 + 4 on AVX2.
func TestPlanTapGroups(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		ks := stripGradKernels(t)
		var groups []tapGroup
		for k := 1; k <= 80; k++ {
			groups = planTapGroups(k, ks, groups)
			t0 := 0
			for i, g := range groups {
				if g.t0 != t0 || g.real < 1 || g.real > g.k.taps {
					t.Fatalf("k=%d group %d: %+v after %d taps", k, i, g, t0)
				}
				if i < len(groups)-1 && g.real != g.k.taps {
					t.Fatalf("k=%d group %d: %d of %d taps, and not the last", k, i, g.real, g.k.taps)
				}
				t0 += g.real
			}
			last := groups[len(groups)-1]
			if t0 != k || last.k.taps-last.real >= ks[0].taps {
				t.Fatalf("k=%d: groups %+v cover %d taps, the last pads %d", k, groups, t0, last.k.taps-last.real)
			}
		}
		var taps []int
		for _, g := range planTapGroups(27, ks, groups) {
			taps = append(taps, g.k.taps)
		}
		want := map[int]string{16: "[28]", 8: "[12 12 4]"}[ks[0].lanes]
		if got := fmt.Sprint(taps); got != want {
			t.Errorf("27 taps with %d lanes: kernels %s, want %s", ks[0].lanes, got, want)
		}
	})
}

// stripGradSpecs are few-channel Conv2D shapes whose weight gradient takes
// the strip path (filters a multiple of both vector widths): the
// discriminator's first layer on a smaller image, valid padding, strides 2
// and mixed, a 4x4 and a non-square kernel, 1 to 4 channels, and a window
// of 36 taps (two groups on every path).
func stripGradSpecs() []Spec {
	same, valid := im2col.Same, im2col.Valid
	return []Spec{
		{H: 12, W: 13, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		{H: 9, W: 11, C: 1, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: valid},
		{H: 8, W: 8, C: 3, Filters: 32, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same},
		{H: 10, W: 9, C: 4, Filters: 16, KH: 4, KW: 4, StrideH: 2, StrideW: 1, Padding: valid},
		{H: 7, W: 8, C: 2, Filters: 48, KH: 2, KW: 3, StrideH: 1, StrideW: 2, Padding: same},
		{H: 6, W: 6, C: 4, Filters: 16, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
	}
}

// TestStripWeightGradient checks the strip weight gradient against the
// naive float64 convolution at batches 2, 3 and 11 (chunks of one and of
// several samples, even and uneven), that it is the same bit for bit at
// 1, 2, 3 and 7 threads, and that it is what ran: the strips start as NaN
// and must be refilled, and the kernels' tap groups must be planned.
func TestStripWeightGradient(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		stripGradKernels(t)
		rng := rand.New(rand.NewPCG(73, 74))
		for _, s := range stripGradSpecs() {
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{2, 3, 11} {
				if c.strip.useForWeights(s, c.gradChunks(n)) == nil {
					t.Fatalf("%v n=%d: the strip weight gradient does not apply", s, n)
				}
				oh, ow, f := c.OutShape()
				x, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, n*oh*ow*f)
				_, _, dwRef, dbRef := naiveConv(n, s, x, randSlice(rng, s.WeightLen()), randSlice(rng, f), dy)
				var first []float32
				for _, threads := range []int{1, 2, 3, 7} {
					kernels.SetThreads(threads)
					c.strip.s = nans(len(c.strip.s))
					c.strip.grad.groups = c.strip.grad.groups[:0]
					dw, db := nans(s.WeightLen()), nans(f)
					c.BackwardWeights(n, x, dy, dw, db)
					name := fmt.Sprintf("%v n=%d threads=%d", s, n, threads)
					if len(c.strip.grad.groups) == 0 {
						t.Fatalf("%s: the strip weight gradient did not run", name)
					}
					if err := closeTo(dw, dwRef); err != nil {
						t.Fatalf("%s: dw%v", name, err)
					}
					if err := closeTo(db, dbRef); err != nil {
						t.Fatalf("%s: dbias%v", name, err)
					}
					if first == nil {
						first = dw
					} else if err := sameBits(dw, first); err != nil {
						t.Fatalf("%s: dw%v, against 1 thread", name, err)
					}
				}
			}
		}
	})
}

// TestStripWeightGradientAllocatesNothing checks that once its buffers
// have grown to the largest batch, the strip weight gradient allocates
// nothing, on one thread and on two.
func TestStripWeightGradientAllocatesNothing(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		stripGradKernels(t)
		s := stripGradSpecs()[0]
		c, err := NewConv2D(s)
		if err != nil {
			t.Fatal(err)
		}
		oh, ow, f := c.OutShape()
		const big = 9
		x, dy := make([]float32, big*s.H*s.W*s.C), make([]float32, big*oh*ow*f)
		dw := make([]float32, s.WeightLen())
		for _, threads := range []int{1, 2} {
			kernels.SetThreads(threads)
			c.BackwardWeights(big, x, dy, dw, nil)
			for _, n := range []int{big, 2, 5} {
				bwd := func() { c.BackwardWeights(n, x[:n*s.H*s.W*s.C], dy[:n*oh*ow*f], dw, nil) }
				if r := allocs.Count(5, bwd); r.Ours() != 0 {
					t.Errorf("threads %d n=%d: the strip weight gradient allocates: %v", threads, n, r)
				}
			}
		}
	})
}

// TestKernelTap checks that kernelTap undoes permuteKernel's reordering
// on a non-square kernel: permuteKernel puts kernel row i at strip tap t
// exactly when kernelTap(t) = i.
func TestKernelTap(t *testing.T) {
	const kh, kw, c = 2, 3, 2
	k := kh * kw * c
	rows := make([]float32, k)
	for i := range rows {
		rows[i] = float32(i)
	}
	perm := make([]float32, k)
	permuteKernel(perm, rows, kh, kw, c, 1)
	j := stripGradient{g: im2col.Geometry{KH: kh, KW: kw, C: c}, run: kh * c}
	for tap, i := range perm {
		if got := j.kernelTap(tap); got != int(i) {
			t.Errorf("kernelTap(%d) = %d, want %d", tap, got, int(i))
		}
	}
}
