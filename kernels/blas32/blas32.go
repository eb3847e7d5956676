// Package blas32 adapts gokern's Sgemm to gonum's BLAS interface, so code
// written against gonum (gonum.org/v1/gonum/blas/blas32, mat) gets gokern's
// GEMM with one line:
//
//	blas32.Use(gokernblas32.BLAS{})
//
// It is a separate package so that package kernels itself depends on
// nothing but golang.org/x/sys.
package blas32

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/gokern/gokern/kernels"
)

// BLAS implements gonum's blas.Float32 with kernels.Sgemm for Sgemm and
// gonum's pure-Go implementation for every other routine.
type BLAS struct {
	gonum.Implementation
}

var _ blas.Float32 = BLAS{}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C in row-major order, as
// blas.Float32Level3 specifies, through kernels.Sgemm. It panics on an
// invalid transpose flag and on inconsistent dimensions, strides or slice
// lengths.
func (BLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	kernels.Sgemm(transposed(tA), transposed(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
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
