//go:build openblas && cgo

package openblas

import (
	"math"
	"testing"
)

// TestSgemmAllTransposes checks the wrapper's argument mapping against a
// naive product in every transpose case, with padded leading dimensions.
func TestSgemmAllTransposes(t *testing.T) {
	const m, n, k, pad = 5, 7, 3, 2
	val := func(i int) float32 { return float32(i%11) - 5 }
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			ar, ac := m, k
			if ta {
				ar, ac = k, m
			}
			br, bc := k, n
			if tb {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+pad, bc+pad, n+pad
			a, b, c := make([]float32, ar*lda), make([]float32, br*ldb), make([]float32, m*ldc)
			for i := range a {
				a[i] = val(i)
			}
			for i := range b {
				b[i] = val(3 * i)
			}
			for i := range c {
				c[i] = 1
			}
			Sgemm(ta, tb, m, n, k, 2, a, lda, b, ldb, 0.5, c, ldc)
			for i := range m {
				for j := range n {
					var s float32
					for p := range k {
						var av, bv float32
						if ta {
							av = a[p*lda+i]
						} else {
							av = a[i*lda+p]
						}
						if tb {
							bv = b[j*ldb+p]
						} else {
							bv = b[p*ldb+j]
						}
						s += av * bv
					}
					if want := 2*s + 0.5; math.Abs(float64(c[i*ldc+j]-want)) > 1e-4 {
						t.Fatalf("transA=%v transB=%v: c[%d,%d] = %v, want %v", ta, tb, i, j, c[i*ldc+j], want)
					}
				}
			}
		}
	}
}
