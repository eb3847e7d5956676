//go:build openblas && cgo

// Package openblas wraps OpenBLAS's cblas_sgemm (Debian libopenblas-dev) so
// the kernels benchmarks and the benchmark harness can put gokern's SGEMM
// side by side with it. It links OpenBLAS only with the openblas build tag.
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import "unsafe"

// Available reports whether this build links OpenBLAS.
const Available = true

// Sgemm calls cblas_sgemm in row-major order with the same arguments as
// kernels.Sgemm, which has already checked them.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
		ptr(a), C.blasint(lda), ptr(b), C.blasint(ldb), C.float(beta), ptr(c), C.blasint(ldc))
}

// ptr is the address of s's first element, or nil for an empty slice (k == 0
// or alpha == 0 calls may pass empty operands).
func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

// SetThreads sets OpenBLAS's thread count.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
