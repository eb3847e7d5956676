package bench

import (
	"fmt"
	"sync"

	"github.com/gokern/gokern/conv"
	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/nn"
)

// Layer is one GEMM-bearing layer of the Keras CIFAR-10 DCGAN tutorial's
// models, read from the models package gan builds (never written out a
// second time), with per-sample shapes.
type Layer struct {
	Model string // "D" (discriminator) or "G" (generator)
	Name  string // Keras layer name, as in the models' summaries
	Type  string // "Conv2D", "Conv2DTranspose" or "Dense"

	// Spec is the convolution the layer computes; a Dense layer is the
	// 1x1 convolution of a 1x1 input with C = inputs, Filters = units.
	Spec       conv.Spec
	OutH, OutW int
}

// Layers returns the GEMM-bearing layers of the discriminator and of the
// generator for a latent space of latentDim (the tutorial uses 100), in
// model order, by walking gan.NewDiscriminator and gan.NewGenerator. The
// LeakyReLU, Flatten, Reshape, Dropout and activation layers do
// element-wise work only and are left out.
func Layers(latentDim int) (d, g []Layer, err error) {
	if v, ok := layerCache.Load(latentDim); ok {
		dg := v.([2][]Layer)
		return dg[0], dg[1], nil
	}
	dm, err := gan.NewDiscriminator()
	if err != nil {
		return nil, nil, err
	}
	gm, err := gan.NewGenerator(latentDim)
	if err != nil {
		return nil, nil, err
	}
	if d, err = gemmLayers("D", dm, nil); err != nil {
		return nil, nil, err
	}
	if g, err = gemmLayers("G", gm, nil); err != nil {
		return nil, nil, err
	}
	layerCache.Store(latentDim, [2][]Layer{d, g})
	return d, g, nil
}

// layerCache holds Layers' result per latent size: building the models
// allocates their weights, and the FLOP counts ask for the layers often.
var layerCache sync.Map

// mustLayers is Layers for the functions whose only failure is a latent
// size gan rejects.
func mustLayers(latentDim int) (d, g []Layer) {
	d, g, err := Layers(latentDim)
	if err != nil {
		panic(fmt.Sprintf("bench: %v", err))
	}
	return d, g
}

// convLayers returns the convolution layers of both models, discriminator
// first.
func convLayers(latentDim int) []Layer {
	d, g := mustLayers(latentDim)
	var out []Layer
	for _, l := range append(d, g...) {
		if l.Type != "Dense" {
			out = append(out, l)
		}
	}
	return out
}

// gemmLayers appends the GEMM-bearing layers of c to dst, descending into
// nested models, as nn.Sequential.Summary walks a model.
func gemmLayers(model string, c nn.Container, dst []Layer) ([]Layer, error) {
	for _, l := range c.Layers() {
		var err error
		switch l := l.(type) {
		case nn.Container:
			dst, err = gemmLayers(model, l, dst)
		case *nn.Conv2D:
			dst, err = appendConv(dst, model, l.Name(), l.Type(), l.Spec(), false)
		case *nn.Conv2DTranspose:
			dst, err = appendConv(dst, model, l.Name(), l.Type(), l.Spec(), true)
		case *nn.Dense:
			s := conv.Spec{H: 1, W: 1, C: l.Inputs(), Filters: l.Units, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: im2col.Valid}
			dst = append(dst, Layer{Model: model, Name: l.Name(), Type: l.Type(), Spec: s, OutH: 1, OutW: 1})
		}
		if err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendConv(dst []Layer, model, name, typ string, s conv.Spec, transpose bool) ([]Layer, error) {
	l := Layer{Model: model, Name: name, Type: typ, Spec: s}
	op, err := l.NewOp()
	if err != nil {
		return nil, err
	}
	l.OutH, l.OutW, _ = op.OutShape()
	return append(dst, l), nil
}

// NewOp builds the layer's convolution (a Dense layer's too, as the 1x1
// convolution it is).
func (l Layer) NewOp() (conv.Op, error) {
	if l.Type == "Conv2DTranspose" {
		return conv.NewConv2DTranspose(l.Spec)
	}
	return conv.NewConv2D(l.Spec)
}

// String names the layer as the reports do, e.g. "D/conv2d_2".
func (l Layer) String() string { return l.Model + "/" + l.Name }

// Params is the layer's parameter count: its weights and one bias per
// filter, as Keras' summary counts them.
func (l Layer) Params() int { return l.Spec.WeightLen() + l.Spec.Filters }

// GEMM returns the shape of the layer's forward matrix product for a batch
// of n: C[m x cols] = A[m x k] B[k x cols], as gokern's layers compute it.
//
//   - Conv2D: im2col rows (one per output pixel) x (KH*KW*C), times the
//     (KH*KW*C) x Filters kernel.
//   - Conv2DTranspose: the input pixels x C, times the C x (KH*KW*Filters)
//     kernel, whose result col2im scatters onto the output.
//   - Dense: the batch x inputs, times the inputs x units kernel (the
//     Conv2D case with one pixel).
func (l Layer) GEMM(n int) (m, cols, k int) {
	s := l.Spec
	if l.Type == "Conv2DTranspose" {
		return n * s.H * s.W, s.KH * s.KW * s.Filters, s.C
	}
	return n * l.OutH * l.OutW, s.Filters, s.KH * s.KW * s.C
}

// ForwardFLOPs is 2*m*n*k of the forward GEMM for a batch of n: one multiply
// and one add per term. Both backward products (the weight gradient
// A^T dC and the input gradient dC B^T) have the same count.
func (l Layer) ForwardFLOPs(n int) float64 {
	m, c, k := l.GEMM(n)
	return 2 * float64(m) * float64(c) * float64(k)
}

// ForwardGemm returns the layer's forward Sgemm call for a batch of n,
// C[M x N] = A[M x K] B[K x N] with M, N, K as GEMM gives them, and
// transposes as gokern's layers pass them: a Conv2DTranspose reads its
// Keras-layout kernel transposed.
func (l Layer) ForwardGemm(n int) GemmShape {
	m, c, k := l.GEMM(n)
	return GemmShape{Name: l.gemmName("fwd", n), M: m, N: c, K: k, TransB: l.Type == "Conv2DTranspose"}
}

// BackwardGemms returns the two backward Sgemm calls of a Conv2D or Dense
// layer for a batch of n: the weight gradient dW = A^T dy (A transposed)
// and the input gradient dA = dy W^T (W transposed), where A is the forward
// product's left operand (im2col rows or the batch). A Conv2DTranspose
// runs its backward passes as the forward pass of its adjoint Conv2D (see
// package conv), so they are not these.
func (l Layer) BackwardGemms(n int) (dW, dA GemmShape) {
	m, c, k := l.GEMM(n)
	return GemmShape{Name: l.gemmName("dW", n), M: k, N: c, K: m, TransA: true},
		GemmShape{Name: l.gemmName("dX", n), M: m, N: k, K: c, TransB: true}
}

func (l Layer) gemmName(what string, n int) string {
	return fmt.Sprintf("%s %s %s (batch %d)", l.Model, l.Name, what, n)
}

// Pass is one use of a model inside a training iteration: a forward pass on
// Batch samples and the gradients it needs. WeightGrads is false for a
// frozen model; InputGrads is false when nothing upstream needs dL/dx, in
// which case the first layer's input gradient is not counted (it would be
// thrown away) while every later layer's is still needed.
type Pass struct {
	Step        string // which step of the iteration, e.g. "D real"
	Model       string // "D" or "G"
	Batch       int
	Backward    bool
	WeightGrads bool
	InputGrads  bool
}

// IterationPasses is one training iteration of the tutorial's recipe for a
// batch of batch (128 in the tutorial): train D on a half batch of real
// images, let G generate a half batch (inference), train D on it, then
// train G through the frozen D on a full batch labelled real.
func IterationPasses(batch int) []Pass {
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
// of IterationPasses(batch), forward 2*m*n*k per GEMM layer, plus as much
// again for each weight gradient and each needed input gradient. It counts
// useful work only: no weight gradients for the frozen discriminator in the
// GAN step and no input gradient for a model's first layer unless the step
// propagates into another model. Element-wise layers, the loss and Adam are
// left out; they are well under 1% of the total. For the tutorial's batch
// of 128 and latent size of 100 it is 130,206,924,800 FLOPs (130.2 GFLOP).
// It panics when gan cannot build a generator for latentDim.
func IterationFLOPs(batch, latentDim int) float64 {
	var total float64
	for _, p := range IterationPasses(batch) {
		total += PassFLOPs(p, latentDim)
	}
	return total
}

// PassFLOPs is the GEMM work of one pass (see IterationFLOPs).
func PassFLOPs(p Pass, latentDim int) float64 {
	layers, g := mustLayers(latentDim)
	if p.Model == "G" {
		layers = g
	}
	var total float64
	for i, l := range layers {
		for _, k := range p.Kinds(i) {
			total += l.KindFLOPs(k, p.Batch)
		}
	}
	return total
}
