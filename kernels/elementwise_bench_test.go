package kernels

import (
	"sync"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// ewBenchN is one DCGAN activation: 64 channels of 32x32 for a batch of 128.
const ewBenchN = 64 * 32 * 32 * 128

// ewBenchWidth is the row width (channels) for the bias kernels.
const ewBenchWidth = 128

var ewBench = sync.OnceValue(func() [4][]float32 {
	var s [4][]float32
	for j := range s {
		s[j] = make([]float32, ewBenchN)
		for i := range s[j] {
			// Values in [-2, 2) and, for the fourth (Adam's v), [0, 4).
			v := float32((i*7+j*13)%4096)/1024 - 2
			if j == 3 {
				v += 2
			}
			s[j][i] = v
		}
	}
	return s
})

// BenchmarkElementwise runs every element-wise kernel on every path over one
// DCGAN activation. The bytes per operation are those the kernel must read
// and write (each distinct slice read counts once, each written once more),
// so the reported MB/s is effective memory bandwidth.
func BenchmarkElementwise(b *testing.B) {
	s := ewBench()
	x, y, z, w := s[0], s[1], s[2], s[3]
	bias := make([]float32, ewBenchWidth)
	copy(bias, x)
	cases := []struct {
		name    string
		streams int
		f       func()
	}{
		{"Axpy", 3, func() { Axpy(1e-9, x, y) }},
		{"Scale", 2, func() { Scale(1, x) }},
		{"Dot", 2, func() { _ = Dot(x, y) }},
		{"Sum", 1, func() { _ = Sum(x) }},
		{"Mul", 3, func() { Mul(z, x, y) }},
		{"AddBias", 2, func() { AddBias(z, bias) }},
		{"SumRows", 1, func() { SumRows(bias, x) }},
		{"LeakyReLU", 2, func() { LeakyReLU(z, x, 0.2) }},
		{"LeakyReLUBackward", 3, func() { LeakyReLUBackward(z, x, y, 0.2) }},
		{"BiasLeakyReLU", 2, func() { BiasLeakyReLU(z, bias, 0.2) }},
		{"Tanh", 2, func() { Tanh(z, x) }},
		{"TanhBackward", 3, func() { TanhBackward(z, x, y) }},
		{"Sigmoid", 2, func() { Sigmoid(z, x) }},
		{"SigmoidBackward", 3, func() { SigmoidBackward(z, x, y) }},
		{"Adam", 7, func() { Adam(z, x, y, w, 1e-9, 0.9, 0.999, 1e-7, 10) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			kerneltest.Bench(b, func(b *testing.B) {
				b.SetBytes(int64(4 * ewBenchN * c.streams))
				for b.Loop() {
					c.f()
				}

			})
		})
	}
}
