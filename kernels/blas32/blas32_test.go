package blas32

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestSgemm checks the adapter against gonum's own Sgemm in every
// transpose case, ConjTrans included, on the active kernel path: what is
// tested here is the mapping of flags and arguments, which is the same on
// every path (package kernels tests Sgemm itself on each).
func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = 2*rng.Float32() - 1
		}
		return s
	}
	flags := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	for _, ta := range flags {
		for _, tb := range flags {
			m, n, k := 37, 29, 41
			lda, ldb := max(m, k), max(k, n)
			a, b, c := fill(lda*lda), fill(ldb*ldb), fill(m*n)
			want := append([]float32(nil), c...)
			BLAS{}.Sgemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, 0.3, c, n)
			gonum.Implementation{}.Sgemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, 0.3, want, n)
			for i := range c {
				if math.Abs(float64(c[i]-want[i])) > 1e-4 {
					t.Fatalf("%c%c: C[%d] = %g, gonum %g", ta, tb, i, c[i], want[i])
				}
			}
		}
	}
}

func TestBadTransposeFlag(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "bad transpose") {
			t.Errorf("bad transpose flag: panic %q, want one about the flag", r)
		}
	}()
	BLAS{}.Sgemm('x', blas.NoTrans, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
}
