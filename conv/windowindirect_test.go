package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// indirectGeometries are window geometries for the indirection-table
// tests: Conv2D windows (stride 1 and 2, both paddings, tiles that cross
// output rows and samples) and a sub-pixel phase's offsets.
func indirectGeometries(t *testing.T) []windows {
	t.Helper()
	var out []windows
	for _, tc := range []struct {
		n, h, w, c, k, s int
		pad              im2col.Padding
	}{
		{2, 9, 7, 5, 3, 1, im2col.Same},
		{3, 8, 8, 16, 4, 2, im2col.Same},
		{2, 11, 10, 6, 3, 2, im2col.Valid},
		{1, 5, 13, 64, 3, 1, im2col.Valid},
	} {
		g, err := im2col.NewGeometry(tc.n, tc.h, tc.w, tc.c, tc.k, tc.k, tc.s, tc.s, tc.pad)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, convWindows(g))
	}
	return append(out, windows{N: 2, H: 6, W: 7, C: 8, OH: 6, OW: 7, StrideH: 1, StrideW: 1, OffH: []int{-1, 0}, OffW: []int{0, 1}})
}

// TestWindowRowTaps checks windowOperand's indirection table against the
// im2col matrix: every run it names holds the matrix's values, every -1
// stands where the matrix holds zeros (a tap outside X), and it refuses
// blocks that are not whole taps and rows past the last pixel.
func TestWindowRowTaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, w := range indirectGeometries(t) {
		x := randSlice(rng, w.N*w.H*w.W*w.C)
		cols := windowsMatrix(w, x)
		o := &windowOperand{windows: w, X: x}
		const mr = 12
		k, c := w.depth(), w.C
		offs := make([]int, mr*k)
		for r0 := 0; r0+mr <= w.pixels(); r0 += 5 {
			for p0 := 0; p0 < k; p0 += c {
				kc := min(2*c, k-p0)
				taps, kt, ok := o.RowTaps(r0, mr, p0, kc, offs)
				if !ok || kt != c || taps*kt != kc {
					t.Fatalf("%+v rows %d p0 %d kc %d: taps %d kt %d ok %v", w, r0, p0, kc, taps, kt, ok)
				}
				for tp := 0; tp < taps; tp++ {
					for i := 0; i < mr; i++ {
						at := offs[tp*mr+i]
						for p := 0; p < kt; p++ {
							want := cols[(r0+i)*k+p0+tp*kt+p]
							got := float32(0)
							if at >= 0 {
								got = x[at+p]
							}
							if got != want {
								t.Fatalf("%+v rows %d p0 %d: tap %d row %d step %d reads %g, im2col %g", w, r0, p0, tp, i, p, got, want)
							}
						}
					}
				}
			}
		}
		for _, bad := range [][3]int{{0, 1, c}, {0, 0, c + 1}, {w.pixels() - mr + 1, 0, c}, {-1, 0, c}} {
			if c == 1 && bad[1] == 1 {
				continue
			}
			if _, _, ok := o.RowTaps(bad[0], mr, bad[1], bad[2], offs); ok {
				t.Fatalf("%+v: RowTaps(r0 %d, p0 %d, kc %d) gave a table", w, bad[0], bad[1], bad[2])
			}
		}
	}
}

// packOnly hides windowOperand's indirection table, so the SGEMM driver
// packs it.
type packOnly struct{ kernels.Operand }

// TestWindowOperandIndirectBitwise checks that a Gemm reading a window
// operand through its indirection table gives the packed operand's bits,
// with full and partial micro-panels of B, at 1 and 2 threads.
func TestWindowOperandIndirectBitwise(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(63, 64))
		for _, w := range indirectGeometries(t) {
			t.Run(fmt.Sprintf("%dx%dx%d_s%d", w.H, w.W, w.C, w.StrideW), func(t *testing.T) {
				x := randSlice(rng, w.N*w.H*w.W*w.C)
				m, k, f := w.pixels(), w.depth(), 71
				b := &kernels.Matrix{Trans: true, Data: randSlice(rng, k*f), LD: f}
				for _, threads := range []int{1, 2} {
					kernels.SetThreads(threads)
					a := &windowOperand{windows: w, X: x}
					want := make([]float32, m*f)
					kernels.Gemm{M: m, N: f, K: k, A: packOnly{a}, B: b, C: want, LDC: f}.Run()
					got := make([]float32, m*f)
					kernels.Gemm{M: m, N: f, K: k, A: a, B: b, C: got, LDC: f}.Run()
					if err := sameBits(got, want); err != nil {
						t.Fatalf("threads %d: %v", threads, err)
					}
				}
			})
		}
	})
}
