package kernels

// LeakyReLU stores dst[i] = x[i] if x[i] > 0, else alpha*x[i]. dst and x may
// be the same slice.
func LeakyReLU(dst, x []float32, alpha float32) {
	sameLen("LeakyReLU", len(dst), "dst, x", x)
	cur().leakyReLU(dst, x, alpha)
}

// LeakyReLUBackward stores the input gradient dx[i] = dy[i] if y[i] > 0, else
// alpha*dy[i], from the forward output y (whose sign is the input's for
// alpha > 0). dx may alias dy.
func LeakyReLUBackward(dx, dy, y []float32, alpha float32) {
	sameLen("LeakyReLUBackward", len(dx), "dx, dy, y", dy, y)
	cur().leakyReLUBackward(dx, dy, y, alpha)
}

// BiasLeakyReLU adds bias to every row of x and applies LeakyReLU in place,
// in one pass over memory: x[r*n+j] = LeakyReLU(x[r*n+j] + bias[j]).
func BiasLeakyReLU(x, bias []float32, alpha float32) {
	rowsOf("BiasLeakyReLU", x, len(bias))
	cur().biasLeakyReLU(x, bias, alpha)
}

// Tanh stores dst[i] = tanh(x[i]). SIMD paths use a rational approximation
// accurate to a few float32 ulps. dst may alias x.
func Tanh(dst, x []float32) {
	sameLen("Tanh", len(dst), "dst, x", x)
	cur().tanh(dst, x)
}

// TanhBackward stores dx[i] = dy[i] * (1 - y[i]^2) where y = tanh(x).
func TanhBackward(dx, dy, y []float32) {
	sameLen("TanhBackward", len(dx), "dx, dy, y", dy, y)
	cur().tanhBackward(dx, dy, y)
}

// Sigmoid stores dst[i] = 1 / (1 + exp(-x[i])). dst may alias x.
func Sigmoid(dst, x []float32) {
	sameLen("Sigmoid", len(dst), "dst, x", x)
	cur().sigmoid(dst, x)
}

// SigmoidBackward stores dx[i] = dy[i] * y[i] * (1 - y[i]) where y = sigmoid(x).
func SigmoidBackward(dx, dy, y []float32) {
	sameLen("SigmoidBackward", len(dx), "dx, dy, y", dy, y)
	cur().sigmoidBackward(dx, dy, y)
}
