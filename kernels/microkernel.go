package kernels

// microKernel is the BLIS-style register-blocked GEMM micro-kernel contract
// every backend implements (see flame/blis docs/KernelsHowTo.md):
//
//	C[0:MR, 0:NR] = alpha * Ap * Bp + beta * C     (beta == 0: C is not read)
//
// where Ap is a packed MR x k micro-panel of A stored column by column (MR
// consecutive values per step of k) and Bp a packed k x NR micro-panel of B
// stored row by row (NR consecutive values per step of k). C is row-major
// with row stride ldc. The caller guarantees len(a) >= MR*k, len(b) >= NR*k
// and that the MR x NR tile lies inside c; edge tiles are computed into a
// scratch tile by the driver, so micro-kernels only ever see full tiles.
type microKernel func(k int, a, b []float32, alpha, beta float32, c []float32, ldc int)

// gemmConfig is one backend's micro-kernel and its cache blocking, named as
// in BLIS: MR x NR register tile, KC depth of a packed panel (sized so a
// KC x NR panel of B stays in L1), MC rows of packed A per block (L2), NC
// columns of packed B per block (L3).
type gemmConfig struct {
	MR, NR     int
	KC, MC, NC int
	kernel     microKernel
}
