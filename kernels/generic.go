package kernels

import "math"

// genericImpl is the pure-Go implementation: the reference every SIMD path is
// tested against and the fallback on every CPU.
func genericImpl() *impl {
	return &impl{
		gemm: gemmConfig{
			MR: 4, NR: 4, KC: 256, MC: 128, NC: 4096,
			kernel: microKernel4x4Go,
		},
		axpy:              axpyGeneric,
		scale:             scaleGeneric,
		dot:               dotGeneric,
		sum:               sumGeneric,
		mul:               mulGeneric,
		addBias:           addBiasGeneric,
		sumRows:           sumRowsGeneric,
		leakyReLU:         leakyReLUGeneric,
		leakyReLUBackward: leakyReLUBackwardGeneric,
		biasLeakyReLU:     biasLeakyReLUGeneric,
		tanh:              tanhGeneric,
		tanhBackward:      tanhBackwardGeneric,
		sigmoid:           sigmoidGeneric,
		sigmoidBackward:   sigmoidBackwardGeneric,
		adam:              adamGeneric,
	}
}

// axpyGeneric: for i := range x { y[i] += alpha * x[i] }
func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// scaleGeneric: for i := range x { x[i] *= alpha }
func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// dotGeneric: for i := range x { s += x[i] * y[i] }
func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// sumGeneric: for i := range x { s += x[i] }
func sumGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// mulGeneric: for i := range dst { dst[i] = x[i] * y[i] }
func mulGeneric(dst, x, y []float32) {
	x = x[:len(dst)]
	y = y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// addBiasGeneric: for each row r of x (rows of len(bias)): x[r][j] += bias[j]
func addBiasGeneric(x, bias []float32) {
	n := len(bias)
	if n == 0 {
		return
	}
	for r := 0; r+n <= len(x); r += n {
		row := x[r : r+n]
		for j, b := range bias {
			row[j] += b
		}
	}
}

// sumRowsGeneric: for each row r of x (rows of len(dst)): dst[j] += x[r][j]
func sumRowsGeneric(dst, x []float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	for r := 0; r+n <= len(x); r += n {
		row := x[r : r+n]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// leakyReLUGeneric: dst[i] = x[i] if x[i] > 0 else alpha * x[i]
func leakyReLUGeneric(dst, x []float32, alpha float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = alpha * v
		}
	}
}

// leakyReLUBackwardGeneric: dx[i] = dy[i] if y[i] > 0 else alpha * dy[i].
// y is the layer's output; for alpha > 0 its sign is the input's.
func leakyReLUBackwardGeneric(dx, dy, y []float32, alpha float32) {
	dy = dy[:len(dx)]
	y = y[:len(dx)]
	for i := range dx {
		if y[i] > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = alpha * dy[i]
		}
	}
}

// biasLeakyReLUGeneric: x[r][j] = leakyReLU(x[r][j] + bias[j]), in place.
func biasLeakyReLUGeneric(x, bias []float32, alpha float32) {
	n := len(bias)
	if n == 0 {
		return
	}
	for r := 0; r+n <= len(x); r += n {
		row := x[r : r+n]
		for j, b := range bias {
			v := row[j] + b
			if v <= 0 {
				v *= alpha
			}
			row[j] = v
		}
	}
}

// tanhGeneric: dst[i] = tanh(x[i])
func tanhGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

// tanhBackwardGeneric: dx[i] = dy[i] * (1 - y[i]*y[i]), y = tanh(x)
func tanhBackwardGeneric(dx, dy, y []float32) {
	dy = dy[:len(dx)]
	y = y[:len(dx)]
	for i := range dx {
		dx[i] = dy[i] * (1 - y[i]*y[i])
	}
}

// sigmoidGeneric: dst[i] = 1 / (1 + exp(-x[i]))
func sigmoidGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// sigmoidBackwardGeneric: dx[i] = dy[i] * y[i] * (1 - y[i]), y = sigmoid(x)
func sigmoidBackwardGeneric(dx, dy, y []float32) {
	dy = dy[:len(dx)]
	y = y[:len(dx)]
	for i := range dx {
		dx[i] = dy[i] * y[i] * (1 - y[i])
	}
}

// adamGeneric is one Adam step in Keras' form, with lrT the bias-corrected
// learning rate lr*sqrt(1-beta2^t)/(1-beta1^t):
//
//	m[i] += (1-beta1) * (g[i] - m[i])
//	v[i] += (1-beta2) * (g[i]*g[i] - v[i])
//	p[i] -= lrT * m[i] / (sqrt(v[i]) + eps)
func adamGeneric(p, g, m, v []float32, lrT, beta1, beta2, eps float32) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i := range p {
		gi := g[i]
		mi := m[i] + (1-beta1)*(gi-m[i])
		vi := v[i] + (1-beta2)*(gi*gi-v[i])
		m[i] = mi
		v[i] = vi
		p[i] -= lrT * mi / (float32(math.Sqrt(float64(vi))) + eps)
	}
}
