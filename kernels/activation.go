package kernels

import "github.com/gokern/gokern/internal/parallel"

// LeakyReLU stores dst[i] = x[i] if x[i] > 0, else alpha*x[i]. dst and x may
// be the same slice.
func LeakyReLU(dst, x []float32, alpha float32) {
	sameLen("LeakyReLU", len(dst), "dst, x", x)
	if splits(len(dst)) {
		runSplit(cur(), opLeakyReLU, len(dst), 0, dst, x, nil, nil, alpha, 0, 0, 0)
		return
	}
	cur().leakyReLU(dst, x, alpha)
}

// LeakyReLUBackward stores the input gradient dx[i] = dy[i] if y[i] > 0, else
// alpha*dy[i], from the forward output y (whose sign is the input's for
// alpha > 0). dx may alias dy.
func LeakyReLUBackward(dx, dy, y []float32, alpha float32) {
	sameLen("LeakyReLUBackward", len(dx), "dx, dy, y", dy, y)
	if splits(len(dx)) {
		runSplit(cur(), opLeakyReLUBackward, len(dx), 0, dx, dy, y, nil, alpha, 0, 0, 0)
		return
	}
	cur().leakyReLUBackward(dx, dy, y, alpha)
}

// LeakyReLUBackwardSumRows is LeakyReLUBackward(dx, dy, y, alpha) followed
// by SumRows(sums, dx), with bitwise the same results, for every thread
// count, in one pass over memory: dx is made in the blocks of rows SumRows
// sums (32 rows), each summed right after it is written, while it is still
// in cache, instead of being read back from memory by a second pass. It is
// the backward pass of a LeakyReLU fused into the layer before it, whose
// bias gradient is the column sums of dx (len(sums) is the row width). dx
// may alias dy.
//
// When the rows form a single block of SumRows' parallel parts (up to 2048
// rows) and the mask alone would be split over threads, it runs the two
// kernels one after the other instead, so the mask keeps its parallelism.
func LeakyReLUBackwardSumRows(dx, dy, y []float32, alpha float32, sums []float32) {
	const op = "LeakyReLUBackwardSumRows"
	sameLen(op, len(dx), "dx, dy, y", dy, y)
	rowsOf(op, dx, len(sums))
	if len(sums) == 0 || len(dx)/len(sums) <= sumRowsLeaf*sumRowsPartLeaves && splits(len(dx)) {
		LeakyReLUBackward(dx, dy, y, alpha)
		SumRows(sums, dx)
		return
	}
	m := leafMasks.Get()
	m.dy, m.y, m.alpha = dy, y, alpha
	sumRowsMasked(cur(), sums, dx, m)
	m.dy, m.y = nil, nil
	leafMasks.Put(m)
}

var leafMasks parallel.FreeList[leafMask]

// BiasLeakyReLU adds bias to every row of x and applies LeakyReLU in place,
// in one pass over memory: x[r*n+j] = LeakyReLU(x[r*n+j] + bias[j]).
func BiasLeakyReLU(x, bias []float32, alpha float32) {
	rowsOf("BiasLeakyReLU", x, len(bias))
	if len(bias) > 0 && splits(len(x)) {
		runSplit(cur(), opBiasLeakyReLU, len(x), len(bias), x, bias, nil, nil, alpha, 0, 0, 0)
		return
	}
	cur().biasLeakyReLU(x, bias, alpha)
}

// Tanh stores dst[i] = tanh(x[i]). dst may alias x.
//
// The SIMD paths compute sign(x) * tanh(|x|), as |x| + |x|^3*P(x^2) for
// |x| < 0.625 and 1 - 2/(exp(2|x|)+1) above (exp by range reduction to
// 2^k * e^r with a degree-5 polynomial, 2|x| capped at 20). Measured against
// float64 over a dense sweep of [-20, 20] plus tiny, huge and infinite
// inputs, the largest error is 1.2 ulp; results are exactly +-1 from
// |x| = 9.01 on, tanh(-0) = -0, and NaN propagates.
//
// The generic path rounds math.Tanh (at most 0.5 ulp).
func Tanh(dst, x []float32) {
	sameLen("Tanh", len(dst), "dst, x", x)
	if splits(len(dst)) {
		runSplit(cur(), opTanh, len(dst), 0, dst, x, nil, nil, 0, 0, 0, 0)
		return
	}
	cur().tanh(dst, x)
}

// TanhBackward stores dx[i] = dy[i] * (1 - y[i]^2) where y = tanh(x).
func TanhBackward(dx, dy, y []float32) {
	sameLen("TanhBackward", len(dx), "dx, dy, y", dy, y)
	if splits(len(dx)) {
		runSplit(cur(), opTanhBackward, len(dx), 0, dx, dy, y, nil, 0, 0, 0, 0)
		return
	}
	cur().tanhBackward(dx, dy, y)
}

// Sigmoid stores dst[i] = 1 / (1 + exp(-x[i])). dst may alias x.
//
// The SIMD paths compute exp(-x) by range reduction to 2^k * e^r with a
// degree-5 polynomial, -x clamped to [-87.3, 88.3], and divide 1 by 1+exp(-x).
// Measured against float64 over a dense sweep of [-20, 20] plus tiny, huge
// and infinite inputs, the largest error is 2.5 ulp wherever the result is a
// normal float32; for x < -87.3 the result is below 1.2e-38 with an
// absolute error under 4.5e-39; NaN propagates.
func Sigmoid(dst, x []float32) {
	sameLen("Sigmoid", len(dst), "dst, x", x)
	if splits(len(dst)) {
		runSplit(cur(), opSigmoid, len(dst), 0, dst, x, nil, nil, 0, 0, 0, 0)
		return
	}
	cur().sigmoid(dst, x)
}

// SigmoidBackward stores dx[i] = dy[i] * y[i] * (1 - y[i]) where y = sigmoid(x).
func SigmoidBackward(dx, dy, y []float32) {
	sameLen("SigmoidBackward", len(dx), "dx, dy, y", dy, y)
	if splits(len(dx)) {
		runSplit(cur(), opSigmoidBackward, len(dx), 0, dx, dy, y, nil, 0, 0, 0, 0)
		return
	}
	cur().sigmoidBackward(dx, dy, y)
}
