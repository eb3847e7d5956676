// Package sgemmhook routes kernels.Sgemm to another GEMM. It exists for
// the benchmark harness, which times whole training runs on gonum's or
// OpenBLAS's GEMM in place of gokern's, and for tests that need a GEMM that
// allocates nothing or computes naively. Being internal, it is not part of
// gokern's API.
package sgemmhook

import "sync/atomic"

// Func has kernels.Sgemm's signature.
type Func func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

var hook atomic.Pointer[Func]

// Set routes every kernels.Sgemm call (after its argument checks) to f, or
// back to gokern's own implementation when f is nil.
func Set(f Func) {
	if f == nil {
		hook.Store(nil)
		return
	}
	hook.Store(&f)
}

// Get returns the GEMM set by Set, or nil.
func Get() Func {
	if f := hook.Load(); f != nil {
		return *f
	}
	return nil
}
