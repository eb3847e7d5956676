package conv

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// TestWindowOperands checks both window operands against the im2col
// matrix they stand for: a Gemm over them must give the Sgemm of the
// explicit matrix bit for bit (same packed bytes), for a forward and a
// weight-gradient product, at odd sizes, both paddings and strides.
func TestWindowOperands(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 9))
		for _, tc := range []struct {
			n, h, w, c, f, k, s int
			pad                 im2col.Padding
		}{
			{1, 5, 7, 3, 5, 3, 1, im2col.Same},
			{2, 9, 6, 7, 9, 3, 2, im2col.Same},
			{3, 8, 8, 16, 17, 4, 2, im2col.Same},
			{2, 7, 9, 5, 6, 3, 1, im2col.Valid},
			{1, 11, 10, 33, 20, 3, 2, im2col.Valid},
		} {
			name := fmt.Sprintf("n%d_%dx%dx%d_f%d_k%d_s%d_%v", tc.n, tc.h, tc.w, tc.c, tc.f, tc.k, tc.s, tc.pad)
			t.Run(name, func(t *testing.T) {
				g, err := im2col.NewGeometry(tc.n, tc.h, tc.w, tc.c, tc.k, tc.k, tc.s, tc.s, tc.pad)
				if err != nil {
					t.Fatal(err)
				}
				x := randSlice(rng, g.InputLen())
				cols := make([]float32, g.Rows()*g.Cols())
				im2col.Im2col(cols, x, g)
				m, k, f := g.Rows(), g.Cols(), tc.f
				wts := randSlice(rng, k*f)
				dy := randSlice(rng, m*f)

				want := make([]float32, m*f)
				kernels.Sgemm(false, false, m, f, k, 1, cols, k, wts, f, 0, want, f)
				got := make([]float32, m*f)
				a := &windowOperand{windows: convWindows(g), X: x}
				b := &kernels.Matrix{Trans: true, Data: wts, LD: f}
				kernels.Gemm{M: m, N: f, K: k, A: a, B: b, C: got, LDC: f}.Run()
				if err := sameBits(got, want); err != nil {
					t.Fatalf("forward: %v", err)
				}

				wantW := make([]float32, k*f)
				kernels.Sgemm(true, false, k, f, m, 1, cols, k, dy, f, 0, wantW, f)
				gotW := make([]float32, k*f)
				at := &windowOperandT{windows: convWindows(g), X: x}
				bt := &kernels.Matrix{Trans: true, Data: dy, LD: f}
				kernels.Gemm{M: k, N: f, K: m, A: at, B: bt, C: gotW, LDC: f}.Run()
				if err := sameBits(gotW, wantW); err != nil {
					t.Fatalf("weights: %v", err)
				}
			})
		}
	})
}
