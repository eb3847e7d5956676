package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// pathContenders makes one contender per kernel path in o.Paths, plus the
// GEMM peers when gemm is set and o.Peers, each running call.
func (o Options) pathContenders(gemm bool, call func()) []contender {
	var cs []contender
	for _, p := range o.Paths {
		cs = append(cs, contender{name: p, setup: usePath(p), call: call})
	}
	if gemm && o.Peers {
		best := o.Paths[len(o.Paths)-1]
		for _, name := range peerNames() {
			f := GemmPeers()[name]
			cs = append(cs, contender{
				name:     name,
				setup:    func() { usePath(best)(); sgemmhook.Set(f) },
				teardown: func() { sgemmhook.Set(nil) },
				call:     call,
			})
		}
	}
	return cs
}

// peerNames lists GemmPeers in a fixed order.
func peerNames() []string {
	names := []string{"gonum"}
	if OpenBLASAvailable {
		names = append(names, "openblas")
	}
	return names
}

// usePath returns a setup function that switches to kernel path p.
func usePath(p string) func() {
	return func() {
		if err := kernels.Use(p); err != nil {
			panic(err) // paths are validated before measuring
		}
	}
}

// record times the contenders and appends one KernelResult per contender.
func (o Options) record(out []KernelResult, group, name string, flops, bytes float64, cs []contender) []KernelResult {
	o.logf("  %s %s", group, name)
	for i, s := range o.timeContenders(cs) {
		out = append(out, NewKernelResult(group, name, cs[i].name, s, flops, bytes))
	}
	return out
}

// randSlice returns n pseudo-random values in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// SgemmResults measures kernels.Sgemm (alpha 1, beta 0, each shape's
// transposes) on each of o.Shapes for every path and peer.
func (o Options) SgemmResults() []KernelResult {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []KernelResult
	for _, s := range o.Shapes {
		lda, ldb, ldc := s.Operands()
		a, b, c := randSlice(rng, s.M*s.K), randSlice(rng, s.K*s.N), make([]float32, s.M*s.N)
		call := func() { kernels.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, ldc) }
		out = o.record(out, "sgemm", s.String(), s.FLOPs(), 0, o.pathContenders(true, call))
	}
	return out
}

// Im2colResults measures im2col.Im2col for the discriminator's strided
// convolutions and im2col.Col2im for the generator's transposed ones, at
// half the training batch (the D steps' and G predict's batch).
func (o Options) Im2colResults() []KernelResult {
	n := max(1, o.Batch/2)
	rng := rand.New(rand.NewPCG(3, 4))
	var out []KernelResult
	for _, l := range convLayers(100) {
		s := l.Spec
		switch l.Type {
		case "Conv2D":
			g, err := im2col.NewGeometry(n, s.H, s.W, s.C, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
			if err != nil {
				panic(err)
			}
			src, dst := randSlice(rng, g.InputLen()), make([]float32, g.Rows()*g.Cols())
			call := func() { im2col.Im2col(dst, src, g) }
			name := fmt.Sprintf("im2col %s/%s (batch %d)", l.Model, l.Name, n)
			out = o.record(out, "im2col", name, 0, 4*float64(len(src)+len(dst)), o.pathContenders(false, call))
		case "Conv2DTranspose":
			// The transposed convolution scatters its GEMM's columns onto
			// the output: the adjoint of im2col over the output geometry.
			g, err := im2col.NewGeometry(n, l.OutH, l.OutW, s.Filters, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
			if err != nil {
				panic(err)
			}
			cols, dst := randSlice(rng, g.Rows()*g.Cols()), make([]float32, g.InputLen())
			call := func() { im2col.Col2im(dst, cols, g) }
			name := fmt.Sprintf("col2im %s/%s (batch %d)", l.Model, l.Name, n)
			out = o.record(out, "col2im", name, 0, 4*float64(len(cols)+2*len(dst)), o.pathContenders(false, call))
		}
	}
	return out
}

// ElementwiseResults measures the element-wise kernels on the DCGAN's
// largest activation (the generator's last transposed convolution at the
// full batch: batch x 32 x 32 x 128) and Adam on all generator weights.
func (o Options) ElementwiseResults() []KernelResult {
	rng := rand.New(rand.NewPCG(5, 6))
	const ch = 128
	n := o.Batch * 32 * 32 * ch
	x, y, dy, dx := randSlice(rng, n), make([]float32, n), randSlice(rng, n), make([]float32, n)
	bias := randSlice(rng, ch)
	sums := make([]float32, ch)
	size := fmt.Sprintf("(%d x 32x32x%d)", o.Batch, ch)
	var out []KernelResult
	type kern struct {
		name  string
		bytes float64 // per element
		call  func()
	}
	for _, k := range []kern{
		{"LeakyReLU", 8, func() { kernels.LeakyReLU(y, x, 0.2) }},
		{"LeakyReLUBackward", 12, func() { kernels.LeakyReLUBackward(dx, dy, y, 0.2) }},
		{"BiasLeakyReLU (in place)", 8, func() { kernels.BiasLeakyReLU(y, bias, 0.2) }},
		{"AddBias (in place)", 8, func() { kernels.AddBias(y, bias) }},
		{"SumRows (bias gradient)", 4, func() { kernels.SumRows(sums, dy) }},
		{"Tanh", 8, func() { kernels.Tanh(y, x) }},
	} {
		out = o.record(out, "elementwise", k.name+" "+size, 0, k.bytes*float64(n), o.pathContenders(false, k.call))
	}

	// Adam over every generator weight as one flat buffer: reads p, g, m,
	// v and writes p, m, v.
	np := 1466115
	p, g, m, v := randSlice(rng, np), randSlice(rng, np), make([]float32, np), make([]float32, np)
	t := 0
	call := func() { t++; kernels.Adam(p, g, m, v, 2e-4, 0.5, 0.999, 1e-7, t) }
	out = o.record(out, "adam", fmt.Sprintf("Adam (generator, %d params)", np), 0, 28*float64(np), o.pathContenders(false, call))
	return out
}
