package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gokern/gokern/kernels"
)

// Dropout zeroes a fraction rate of its inputs during training and scales
// the rest by 1/(1-rate) (inverted dropout), so inference is the identity.
// Its masks come from a PCG generator seeded at construction: the same seed
// gives the same sequence of masks.
type Dropout struct {
	base
	Rate  float32
	shape []int
	pcg   *rand.PCG // the masks' generator (RandState, SetRandState)
	mask  []float32
	// y and dx are the owned buffers of training mode; the views pass
	// the data through unchanged in inference (never resized, so they
	// cannot write into a caller's storage).
	y, dx         Tensor
	yView, dxView Tensor
	// masked records whether the last Forward applied a mask (training),
	// so Backward knows whether to apply it to the gradient.
	masked bool
	// pcgBuf and maskJob are fillMask's, kept here so it allocates nothing.
	pcgBuf  [20]byte
	maskJob maskJob
}

// NewDropout returns a Dropout layer dropping a fraction rate in [0, 1).
func NewDropout(rate float32, seed uint64) *Dropout {
	pcg := rand.NewPCG(seed, 0x9e3779b97f4a7c15)
	return &Dropout{Rate: rate, pcg: pcg}
}

func (l *Dropout) Type() string     { return "Dropout" }
func (l *Dropout) Params() []*Param { return nil }

func (l *Dropout) Build(in []int) ([]int, error) {
	if !(l.Rate >= 0 && l.Rate < 1) {
		return nil, fmt.Errorf("nn: %s: rate %v outside [0, 1)", l.name, l.Rate)
	}
	l.shape = append([]int(nil), in...)
	return l.shape, nil
}

func (l *Dropout) Forward(x *Tensor, training bool) *Tensor {
	n := checkInput(l, "input", x, l.shape)
	l.masked = training && l.Rate > 0
	if !l.masked {
		l.yView.view(x.Data, n, l.shape)
		return &l.yView
	}
	size := len(x.Data)
	if cap(l.mask) < size {
		l.mask = make([]float32, size)
	}
	l.mask = l.mask[:size]
	keep := 1 - l.Rate
	scale := 1 / keep
	// Compare 24-bit uniforms against the keep probability: exact in
	// float32, and each 64-bit draw serves two values.
	// (dropout_parallel.go draws them, threaded when long.)
	threshold := uint32(float64(keep) * (1 << 24))
	l.fillMask(threshold, scale)
	l.y.resize(n, l.shape)
	kernels.Mul(l.y.Data, x.Data, l.mask)
	return &l.y
}

func (l *Dropout) Backward(dy *Tensor) *Tensor {
	n := checkInput(l, "output gradient", dy, l.shape)
	if !l.masked {
		l.dxView.view(dy.Data, n, l.shape)
		return &l.dxView
	}
	l.dx.resize(n, l.shape)
	kernels.Mul(l.dx.Data, dy.Data, l.mask[:len(dy.Data)])
	return &l.dx
}
