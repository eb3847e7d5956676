package nn

import (
	"math"
	"math/rand/v2"
)

// Init sets every parameter to Keras' default initial values: kernels
// from glorot_uniform, U(-l, l) with l = sqrt(6/(fan_in+fan_out)), and
// biases to zero. The values depend only on seed and the model's layout:
// one PCG stream draws the kernels in Params order.
//
// Fans are those Keras computes from the kernel shape: Dense [in, out]
// has fan_in = in, fan_out = out; a convolution kernel [kh, kw, a, b] has
// fan_in = kh*kw*a and fan_out = kh*kw*b. For Conv2DTranspose the kernel
// is [kh, kw, filters, in], so Keras' fan_in is kh*kw*filters (the
// layer's outputs) and fan_out kh*kw*in: the glorot limit is symmetric in
// the two, so the swap changes nothing.
func (m *Sequential) Init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc908))
	for _, p := range m.Params() {
		initParam(p, rng)
	}
}

func initParam(p *Param, rng *rand.Rand) {
	if p.fanIn == 0 && p.fanOut == 0 {
		clear(p.Value)
		return
	}
	limit := math.Sqrt(6 / float64(p.fanIn+p.fanOut))
	for i := range p.Value {
		p.Value[i] = float32((2*rng.Float64() - 1) * limit)
	}
}
