package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestBlasSgemm checks the gonum adapter against gonum's own Sgemm in every
// transpose case, ConjTrans included.
func TestBlasSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	flags := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	kerneltest.Run(t, func(t *testing.T) {
		for _, ta := range flags {
			for _, tb := range flags {
				m, n, k := 37, 29, 41
				a := operand(rng, max(m, k), max(m, k), max(m, k), 0)
				b := operand(rng, max(k, n), max(k, n), max(k, n), 0)
				c := operand(rng, m, n, n, 0)
				want := append([]float32(nil), c...)
				Blas{}.Sgemm(ta, tb, m, n, k, 0.5, a, max(m, k), b, max(k, n), 0.3, c, n)
				gonum.Implementation{}.Sgemm(ta, tb, m, n, k, 0.5, a, max(m, k), b, max(k, n), 0.3, want, n)
				for i := range c {
					if math.Abs(float64(c[i]-want[i])) > 1e-4 {
						t.Fatalf("%c%c: C[%d] = %g, gonum %g", ta, tb, i, c[i], want[i])
					}
				}
			}
		}
	})
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "bad transpose") {
			t.Errorf("bad transpose flag: panic %q, want one about the flag", r)
		}
	}()
	Blas{}.Sgemm('x', blas.NoTrans, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{0}, 1)
}
