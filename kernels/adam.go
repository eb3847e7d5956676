package kernels

import "math"

// Adam applies one Adam step at step number t >= 1 to the parameters p with
// gradient g and moment estimates m and v, in Keras' formulation:
//
//	lrT   = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//	m[i] += (1 - beta1) * (g[i] - m[i])
//	v[i] += (1 - beta2) * (g[i]^2 - v[i])
//	p[i] -= lrT * m[i] / (sqrt(v[i]) + eps)
//
// All four slices must have the same length.
func Adam(p, g, m, v []float32, lr, beta1, beta2, eps float32, t int) {
	sameLen("Adam", len(p), "p, g, m, v", g, m, v)
	if t < 1 {
		panic("gokern: Adam: step number t must be >= 1")
	}
	lrT := float32(float64(lr) * math.Sqrt(1-math.Pow(float64(beta2), float64(t))) / (1 - math.Pow(float64(beta1), float64(t))))
	if splits(len(p)) {
		runSplit(cur(), opAdam, len(p), 0, p, g, m, v, lrT, beta1, beta2, eps)
		return
	}
	cur().adam(p, g, m, v, lrT, beta1, beta2, eps)
}
