package kernels

// Axpy adds alpha*x to y: y[i] += alpha * x[i]. len(x) must equal len(y).
// The SIMD paths use one fused multiply-add per element, so they may differ
// from the generic path, which rounds alpha*x[i] first, in the last bit.
func Axpy(alpha float32, x, y []float32) {
	sameLen("Axpy", len(x), "x, y", y)
	if splits(len(x)) {
		runSplit(cur(), opAxpy, len(x), 0, x, y, nil, nil, alpha, 0, 0, 0)
		return
	}
	cur().axpy(alpha, x, y)
}

// Scale multiplies x by alpha in place: x[i] *= alpha.
func Scale(alpha float32, x []float32) {
	if splits(len(x)) {
		runSplit(cur(), opScale, len(x), 0, x, nil, nil, nil, alpha, 0, 0, 0)
		return
	}
	cur().scale(alpha, x)
}

// Dot returns the inner product sum(x[i] * y[i]). len(x) must equal len(y).
// The summation order differs between paths, so results may differ in the
// last bits.
func Dot(x, y []float32) float32 {
	sameLen("Dot", len(x), "x, y", y)
	return cur().dot(x, y)
}

// Sum returns sum(x[i]).
func Sum(x []float32) float32 { return cur().sum(x) }

// Mul stores the element-wise product: dst[i] = x[i] * y[i].
func Mul(dst, x, y []float32) {
	sameLen("Mul", len(dst), "dst, x, y", x, y)
	if splits(len(dst)) {
		runSplit(cur(), opMul, len(dst), 0, dst, x, y, nil, 0, 0, 0, 0)
		return
	}
	cur().mul(dst, x, y)
}

// AddBias adds bias to every row of x, where x holds len(x)/len(bias) rows
// of len(bias) values: x[r*n+j] += bias[j].
func AddBias(x, bias []float32) {
	rowsOf("AddBias", x, len(bias))
	if len(bias) > 0 && splits(len(x)) {
		runSplit(cur(), opAddBias, len(x), len(bias), x, bias, nil, nil, 0, 0, 0, 0)
		return
	}
	cur().addBias(x, bias)
}

// SumRows accumulates the column sums of x into dst, where x holds rows of
// len(dst) values: dst[j] += sum over r of x[r*n+j]. It is the bias
// gradient of AddBias.
//
// Rows are summed pairwise over blocks of sumRowsLeaf rows (see
// sumrows.go), so the rounding error grows with the logarithm of the row
// count rather than the count, and the blocking depends on the shape
// alone: results are bitwise the same for every thread count.
func SumRows(dst, x []float32) {
	rowsOf("SumRows", x, len(dst))
	sumRows(cur(), dst, x)
}
