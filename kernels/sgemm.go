package kernels

import (
	"fmt"

	"github.com/gokern/gokern/internal/sgemmhook"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where
// op(X) is X or its transpose as transA and transB say. op(A) is m x k,
// op(B) is k x n and C is m x n; lda, ldb and ldc are the row strides of A,
// B and C as stored. As in BLAS, beta == 0 means C is not read (NaNs in C
// are overwritten) and alpha == 0 means A and B are not read.
//
// Sgemm panics when a dimension is negative, a leading dimension is too
// small or a slice is too short for the matrix it holds.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if f := sgemmhook.Get(); f != nil {
		f(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	sgemm(cur(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func checkSgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gokern: Sgemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMatrix("A", transA, m, k, a, lda)
	checkMatrix("B", transB, k, n, b, ldb)
	checkMatrix("C", false, m, n, c, ldc)
}

// checkMatrix validates a rows x cols operand (before transposition) stored
// row-major with stride ld in s.
func checkMatrix(name string, trans bool, rows, cols int, s []float32, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gokern: Sgemm: ld%s = %d < max(1, %d)", name, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("gokern: Sgemm: len(%s) = %d, need at least %d for %dx%d with stride %d", name, len(s), need, rows, cols, ld))
	}
}
