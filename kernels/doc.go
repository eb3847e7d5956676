// Package kernels is gokern's public compute API: single-precision GEMM in
// all four transpose cases, element-wise and reduction operations, and the
// Adam update, each with SIMD implementations chosen at start-up.
//
// # Dispatch
//
// At start-up the package picks the best implementation the CPU supports,
// reading features from golang.org/x/sys/cpu:
//
//	avx512   AVX-512F (+DQ, BW, VL) on amd64
//	avx2     AVX2 + FMA on amd64
//	neon     Advanced SIMD on arm64
//	generic  pure Go, everywhere (and the only path in a purego build)
//
// The environment variable GOKERN_KERNELS (generic|avx2|avx512|neon) forces a
// path. Asking for a path this CPU lacks never executes an unsupported
// instruction: the package keeps the best available path and reports the
// problem through EnvError. Use switches the path at run time, for this
// package's kernels and for those of the packages built on it (conv's
// implicit-convolution kernels) at once: every family registers its
// kernels per path in one registry. Active names the path in use, Best the
// default, and Available those this CPU can run.
//
// # Contracts
//
// Every exported function checks the lengths and strides of its arguments
// before any assembly runs and panics with a descriptive message when they
// are inconsistent, as slice indexing does: assembly never reads or writes
// outside the slices it is given. The pure-Go implementation of each kernel
// is its reference; the SIMD versions are tested against it.
//
// The package depends on golang.org/x/sys alone; gonum code reaches Sgemm
// through the adapter in package kernels/blas32.
package kernels
