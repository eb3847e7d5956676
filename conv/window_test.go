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

// windowsMatrix writes the matrix the windows stand for, from their
// definition: row (n, oh, ow), column (th, tw, c) is x at (oh*StrideH +
// OffH[th], ow*StrideW + OffW[tw]), channel c, or 0 outside x.
func windowsMatrix(w windows, x []float32) []float32 {
	m := make([]float32, w.pixels()*w.depth())
	col := 0
	for n := 0; n < w.N; n++ {
		for oh := 0; oh < w.OH; oh++ {
			for ow := 0; ow < w.OW; ow++ {
				for _, dh := range w.OffH {
					for _, dw := range w.OffW {
						ih, iw := oh*w.StrideH+dh, ow*w.StrideW+dw
						for c := 0; c < w.C; c++ {
							if ih >= 0 && ih < w.H && iw >= 0 && iw < w.W {
								m[col] = x[((n*w.H+ih)*w.W+iw)*w.C+c]
							}
							col++
						}
					}
				}
			}
		}
	}
	return m
}

// TestWindowOperandsGeneralOffsets checks both operands on windows that
// no Conv2D has, the kind a sub-pixel phase of a transposed convolution
// builds: a few taps with offsets that are not adjacent, or decrease, or
// lie wholly outside the input, against the matrix written from the
// windows' definition, bit for bit, on 1 and 3 threads.
func TestWindowOperandsGeneralOffsets(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(10, 11))
		for _, w := range []windows{
			{N: 2, H: 6, W: 7, C: 5, OH: 6, OW: 7, StrideH: 1, StrideW: 1, OffH: []int{-1, 0}, OffW: []int{0, 2}},
			{N: 3, H: 5, W: 9, C: 7, OH: 5, OW: 9, StrideH: 1, StrideW: 1, OffH: []int{1, 0}, OffW: []int{-1, 0, 1}},
			{N: 1, H: 8, W: 8, C: 6, OH: 4, OW: 4, StrideH: 2, StrideW: 2, OffH: []int{0}, OffW: []int{-2, 1, 2, 9}},
			{N: 2, H: 4, W: 3, C: 16, OH: 4, OW: 3, StrideH: 1, StrideW: 1, OffH: []int{0, 1}, OffW: []int{0, 1}},
			// Linear (stride 1, output the input's size) with K = 1200 over
			// several KC blocks, which start inside a tap; micro-panels
			// cross the 5-pixel rows and the samples.
			{N: 2, H: 3, W: 5, C: 300, OH: 3, OW: 5, StrideH: 1, StrideW: 1, OffH: []int{-1, 0}, OffW: []int{0, 1}},
		} {
			x := randSlice(rng, w.N*w.H*w.W*w.C)
			cols := windowsMatrix(w, x)
			m, k, f := w.pixels(), w.depth(), 13
			wts := randSlice(rng, k*f)
			dy := randSlice(rng, m*f)
			want := make([]float32, m*f)
			kernels.Sgemm(false, false, m, f, k, 1, cols, k, wts, f, 0, want, f)
			wantW := make([]float32, k*f)
			kernels.Sgemm(true, false, k, f, m, 1, cols, k, dy, f, 0, wantW, f)
			for _, threads := range []int{1, 3} {
				kernels.SetThreads(threads)
				got := make([]float32, m*f)
				b := &kernels.Matrix{Trans: true, Data: wts, LD: f}
				kernels.Gemm{M: m, N: f, K: k, A: &windowOperand{windows: w, X: x}, B: b, C: got, LDC: f}.Run()
				if err := sameBits(got, want); err != nil {
					t.Fatalf("%+v threads=%d: forward: %v", w, threads, err)
				}
				gotW := make([]float32, k*f)
				bt := &kernels.Matrix{Trans: true, Data: dy, LD: f}
				kernels.Gemm{M: k, N: f, K: m, A: &windowOperandT{windows: w, X: x}, B: bt, C: gotW, LDC: f}.Run()
				if err := sameBits(gotW, wantW); err != nil {
					t.Fatalf("%+v threads=%d: weights: %v", w, threads, err)
				}
				// As B, dw^T = dy^T * cols, as the layers run it.
				gotWT := make([]float32, f*k)
				kernels.Gemm{M: f, N: k, K: m, A: bt, B: &windowOperandT{windows: w, X: x}, C: gotWT, LDC: k}.Run()
				for i := 0; i < k; i++ {
					for j := 0; j < f; j++ {
						gotW[i*f+j] = gotWT[j*k+i]
					}
				}
				if err := sameBits(gotW, wantW); err != nil {
					t.Fatalf("%+v threads=%d: weights as B: %v", w, threads, err)
				}
			}
		}
	})
}
