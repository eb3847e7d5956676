package kernels

// microKernelGeneric is the reference micro-kernel for the contract in
// microkernel.go, with MR = NR = 4: the plainest loop, against which the
// tests check every path's micro-kernel (and the generic path's own
// microKernel4x4Go).
func microKernelGeneric(k int, a, b []float32, alpha, beta float32, c []float32, ldc int) {
	const mr, nr = 4, 4
	var acc [mr * nr]float32
	a = a[:mr*k]
	b = b[:nr*k]
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr : p*nr+nr]
		for i := 0; i < mr; i++ {
			ai := ap[i]
			acc[i*nr+0] += ai * bp[0]
			acc[i*nr+1] += ai * bp[1]
			acc[i*nr+2] += ai * bp[2]
			acc[i*nr+3] += ai * bp[3]
		}
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			if beta == 0 {
				row[j] = alpha * acc[i*nr+j]
			} else {
				row[j] = alpha*acc[i*nr+j] + beta*row[j]
			}
		}
	}
}
