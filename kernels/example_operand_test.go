package kernels_test

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// slidingWindows is the matrix whose row r is x[r : r+depth], the windows
// of a 1-D convolution, as an Operand packed straight from x: its rows
// overlap, one value apart, so no matrix is ever written.
type slidingWindows struct{ x []float32 }

func (s *slidingWindows) Pack(dst *kernels.Panels, r0, p0 int) {
	w := dst.Width()
	for q := 0; q < dst.Count(); q++ {
		first := r0 + q*w
		rows := min(w, r0+dst.Rows()-first)
		dst.PackRowsAt(q, 0, dst.Depth(), s.x[first+p0:], 1, rows)
	}
}

// A 1-D convolution of x with the taps [1, 0, -1] as a Gemm: C = A * B^T
// with A the windows of x and B the taps, one row of depth 3.
func ExamplePanels_PackRowsAt() {
	x := []float32{1, 2, 4, 8, 16, 32}
	taps := &kernels.Matrix{Data: []float32{1, 0, -1}, LD: 3}
	y := make([]float32, 4)
	kernels.Gemm{M: 4, N: 1, K: 3, A: &slidingWindows{x}, B: taps, C: y, LDC: 1}.Run()
	fmt.Println(y)
	// Output: [-3 -6 -12 -24]
}
