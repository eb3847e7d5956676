package bench

import "fmt"

// Layer is one GEMM-bearing layer of the seeds' DCGAN (Keras CIFAR-10 GAN,
// shared/seeds/keras-gan-cifar10-models.md), with per-sample shapes. Every
// convolution uses Keras "same" padding.
type Layer struct {
	Model string // "D" (discriminator) or "G" (generator)
	Name  string // Keras layer name, as in the seeds' summaries
	Type  string // "Conv2D", "Conv2DTranspose" or "Dense"

	H, W, C    int // per-sample input (Dense: H = W = 1, C = inputs)
	Filters    int // output channels (Dense: units)
	K, Stride  int // square kernel and stride (Dense: 1, 1)
	OutH, OutW int
}

// GEMM returns the shape of the layer's forward matrix product for a batch
// of n: C[m x cols] = A[m x k] B[k x cols], as gokern's layers compute it.
//
//   - Conv2D: im2col rows (one per output pixel) x (K*K*C), times the
//     (K*K*C) x Filters kernel.
//   - Conv2DTranspose: the input pixels x C, times the C x (K*K*Filters)
//     kernel, whose result col2im scatters onto the output.
//   - Dense: the batch x inputs, times the inputs x units kernel.
func (l Layer) GEMM(n int) (m, cols, k int) {
	switch l.Type {
	case "Conv2D":
		return n * l.OutH * l.OutW, l.Filters, l.K * l.K * l.C
	case "Conv2DTranspose":
		return n * l.H * l.W, l.K * l.K * l.Filters, l.C
	default:
		return n, l.Filters, l.C
	}
}

// ForwardFLOPs is 2*m*n*k of the forward GEMM for a batch of n: one multiply
// and one add per term. Both backward products (the weight gradient
// A^T dC and the input gradient dC B^T) have the same count.
func (l Layer) ForwardFLOPs(n int) float64 {
	m, c, k := l.GEMM(n)
	return 2 * float64(m) * float64(c) * float64(k)
}

// Discriminator lists the discriminator's GEMM layers (its LeakyReLU,
// Flatten, Dropout and Sigmoid layers do element-wise work only).
func Discriminator() []Layer {
	return []Layer{
		convLayer("D", "conv2d_1", "Conv2D", 32, 3, 64, 3, 1),
		convLayer("D", "conv2d_2", "Conv2D", 32, 64, 128, 3, 2),
		convLayer("D", "conv2d_3", "Conv2D", 16, 128, 128, 3, 2),
		convLayer("D", "conv2d_4", "Conv2D", 8, 128, 256, 3, 2),
		dense("D", "dense_1", 4*4*256, 1),
	}
}

// Generator lists the generator's GEMM layers for a latent space of
// latentDim (the seeds use 100).
func Generator(latentDim int) []Layer {
	return []Layer{
		dense("G", "dense_1", latentDim, 4*4*256),
		convLayer("G", "conv2d_transpose_1", "Conv2DTranspose", 4, 256, 128, 4, 2),
		convLayer("G", "conv2d_transpose_2", "Conv2DTranspose", 8, 128, 128, 4, 2),
		convLayer("G", "conv2d_transpose_3", "Conv2DTranspose", 16, 128, 128, 4, 2),
		convLayer("G", "conv2d_1", "Conv2D", 32, 128, 3, 3, 1),
	}
}

func convLayer(model, name, typ string, hw, c, filters, k, stride int) Layer {
	out := (hw + stride - 1) / stride // Keras same: ceil(in/stride)
	if typ == "Conv2DTranspose" {
		out = hw * stride // Keras same: in*stride
	}
	return Layer{Model: model, Name: name, Type: typ, H: hw, W: hw, C: c, Filters: filters, K: k, Stride: stride, OutH: out, OutW: out}
}

func dense(model, name string, in, units int) Layer {
	return Layer{Model: model, Name: name, Type: "Dense", H: 1, W: 1, C: in, Filters: units, K: 1, Stride: 1, OutH: 1, OutW: 1}
}

// Pass is one use of a model inside a training iteration: a forward pass on
// Batch samples and the gradients it needs. WeightGrads is false for a
// frozen model; InputGrads is false when nothing upstream needs dL/dx, in
// which case the first layer's input gradient is skipped (it would be
// thrown away) while every later layer's is still needed.
type Pass struct {
	Step        string // which step of the iteration, e.g. "D real"
	Model       string // "D" or "G"
	Batch       int
	Backward    bool
	WeightGrads bool
	InputGrads  bool
}

// Schedule is one training iteration of the seeds' recipe for a batch of
// batch (128 in the seeds): train D on a half batch of real images, let G
// generate a half batch (inference), train D on it, then train G through the
// frozen D on a full batch labelled real.
func Schedule(batch int) []Pass {
	half := batch / 2
	return []Pass{
		{Step: "D real", Model: "D", Batch: half, Backward: true, WeightGrads: true},
		{Step: "G predict", Model: "G", Batch: half},
		{Step: "D fake", Model: "D", Batch: half, Backward: true, WeightGrads: true},
		{Step: "GAN", Model: "G", Batch: batch, Backward: true, WeightGrads: true},
		{Step: "GAN", Model: "D", Batch: batch, Backward: true, InputGrads: true},
	}
}

// IterationFLOPs is the GEMM work of one training iteration: for each pass
// of Schedule(batch), forward 2*m*n*k per GEMM layer, plus as much again for
// each weight gradient and each needed input gradient. It counts useful work
// only: no weight gradients for the frozen discriminator in the GAN step and
// no input gradient for a model's first layer unless the step propagates
// into another model. Element-wise layers, the loss and Adam are left out;
// they are well under 1% of the total. For the seeds' batch of 128 and
// latent size of 100 it is 130,206,924,800 FLOPs (130.2 GFLOP).
func IterationFLOPs(batch, latentDim int) float64 {
	var total float64
	for _, p := range Schedule(batch) {
		total += PassFLOPs(p, latentDim)
	}
	return total
}

// PassFLOPs is the GEMM work of one pass (see IterationFLOPs).
func PassFLOPs(p Pass, latentDim int) float64 {
	layers := Discriminator()
	if p.Model == "G" {
		layers = Generator(latentDim)
	}
	var total float64
	for i, l := range layers {
		f := l.ForwardFLOPs(p.Batch)
		total += f
		if !p.Backward {
			continue
		}
		if p.WeightGrads {
			total += f
		}
		if i > 0 || p.InputGrads {
			total += f
		}
	}
	return total
}

// GemmShape is one SGEMM problem: C[M x N] = A[M x K] B[K x N].
type GemmShape struct {
	Name    string // where it occurs in the DCGAN
	M, N, K int
}

// String names the shape as benchmarks do, e.g. "m8192n128k576".
func (s GemmShape) String() string { return fmt.Sprintf("m%dn%dk%d", s.M, s.N, s.K) }

// FLOPs is 2*M*N*K.
func (s GemmShape) FLOPs() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// SgemmShapes are the DCGAN's characteristic GEMMs, the forward products of
// its layers at a batch of 32 (D) or 64 (G): the kernels' tuning set.
func SgemmShapes() []GemmShape {
	return []GemmShape{
		{Name: "D conv2d_2 fwd (batch 32)", M: 8192, N: 128, K: 576},
		{Name: "D conv2d_3 fwd (batch 32)", M: 2048, N: 128, K: 1152},
		{Name: "D conv2d_4 fwd (batch 32)", M: 512, N: 256, K: 1152},
		{Name: "D conv2d_1 fwd (batch 32)", M: 32768, N: 64, K: 27},
		{Name: "G conv2d_1 fwd (batch 64)", M: 65536, N: 3, K: 1152},
		{Name: "G conv2d_transpose_3 fwd (batch 64)", M: 16384, N: 2048, K: 128},
	}
}

// ParseShape reads "m,n,k" or "mNnNkN" (as String writes it).
func ParseShape(s string) (GemmShape, error) {
	var g GemmShape
	_, err := fmt.Sscanf(s, "m%dn%dk%d", &g.M, &g.N, &g.K)
	if err != nil {
		_, err = fmt.Sscanf(s, "%d,%d,%d", &g.M, &g.N, &g.K)
	}
	if err != nil || g.M <= 0 || g.N <= 0 || g.K <= 0 {
		return GemmShape{}, fmt.Errorf("bench: shape %q: want m,n,k or mMnNkK with positive sizes", s)
	}
	g.Name = g.String()
	return g, nil
}
