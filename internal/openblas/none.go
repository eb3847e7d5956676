//go:build !openblas || !cgo

// Package openblas wraps OpenBLAS's cblas_sgemm for the benchmarks' peer
// columns when built with the openblas build tag; without it, as here,
// Available is false and the functions panic.
package openblas

// Available reports whether this build links OpenBLAS.
const Available = false

// Sgemm is unavailable without the openblas build tag.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	panic("openblas: built without the openblas tag")
}

// SetThreads is unavailable without the openblas build tag.
func SetThreads(n int) { panic("openblas: built without the openblas tag") }
