package kernels

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Blas implements gonum's blas.Float32 with gokern's Sgemm and gonum's
// pure-Go implementation of every other routine, so gonum code gets the
// fast path with
//
//	blas32.Use(kernels.Blas{})
type Blas struct {
	gonum.Implementation
}

var _ blas.Float32 = Blas{}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C in row-major order, as
// blas.Float32Level3 specifies, through kernels.Sgemm. It panics on an
// invalid transpose flag and on inconsistent dimensions, strides or slice
// lengths.
func (Blas) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(transposed(tA), transposed(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transposed maps a BLAS transpose flag to a bool; for real matrices the
// conjugate transpose is the transpose.
func transposed(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic(fmt.Sprintf("gokern: Sgemm: bad transpose flag %q", rune(t)))
}
