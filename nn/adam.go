package nn

import (
	"fmt"

	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/kernels"
)

// Adam is the Adam optimiser with Keras' defaults and formulation (see
// kernels.Adam). Each parameter has its own state: first and second moment
// estimates and a step count, created on its first Step.
type Adam struct {
	LR, Beta1, Beta2, Eps float32
	state                 map[*Param]*adamState
	job                   adamJob
}

type adamState struct {
	m, v []float32
	t    int
}

// NewAdam returns an Adam optimiser with learning rate lr and first-moment
// decay beta1; beta2 is 0.999 and eps 1e-7, as in Keras.
func NewAdam(lr, beta1 float32) *Adam {
	return &Adam{LR: lr, Beta1: beta1, Beta2: 0.999, Eps: 1e-7, state: map[*Param]*adamState{}}
}

// Step applies one update to each parameter from its current Grad. It
// allocates only on a parameter's first step. It panics when a parameter's
// last Backward skipped its gradient because its layer was frozen: stepping
// on a stale gradient is always a mistake.
func (o *Adam) Step(params []*Param) {
	for _, p := range params {
		if p.stale {
			panic(fmt.Sprintf("nn: Adam.Step: %s has no fresh gradient: its layer was frozen during the last Backward", p.Name))
		}
	}
	o.job.chunks = o.job.chunks[:0]
	total := 0
	for _, p := range params {
		s := o.stateOf(p)
		s.t++
		for lo := 0; lo < len(p.Value); lo += adamChunk {
			o.job.chunks = append(o.job.chunks, adamChunkRef{p: p, s: s, lo: lo, hi: min(lo+adamChunk, len(p.Value))})
		}
		total += len(p.Value)
	}
	o.job.o = o
	if total >= adamMinSplit && kernels.Threads() > 1 {
		parallel.Run(len(o.job.chunks), &o.job)
	} else {
		for i := range o.job.chunks {
			o.job.Part(i)
		}
	}
}

// One Step is one parallel region over every parameter at once, cut into
// chunks of adamChunk values (a bias is one short chunk), so the many small
// parameters do not each pay for a region of their own, nor run serially.
// Each chunk is one kernels.Adam call below kernels' own split threshold;
// Adam is element-wise, so the chunking changes no result.
const (
	adamChunk    = 1 << 14
	adamMinSplit = 1 << 16 // one region over all ~2M parameters: Adam's split wins at 1Mi (kernels' BenchmarkSplitThreshold)
)

// adamChunkRef is values [lo, hi) of parameter p, with its state s.
type adamChunkRef struct {
	p      *Param
	s      *adamState
	lo, hi int
}

// adamJob is the chunk list of the running Step (parallel.Job); it lives
// in the Adam value and its slice is reused, so a Step allocates nothing.
type adamJob struct {
	o      *Adam
	chunks []adamChunkRef
}

func (j *adamJob) Part(i int) {
	c := j.chunks[i]
	o, lo, hi := j.o, c.lo, c.hi
	kernels.Adam(c.p.Value[lo:hi], c.p.Grad[lo:hi], c.s.m[lo:hi], c.s.v[lo:hi], o.LR, o.Beta1, o.Beta2, o.Eps, c.s.t)
}

// Steps returns how many updates p has received from o.
func (o *Adam) Steps(p *Param) int {
	if s, ok := o.state[p]; ok {
		return s.t
	}
	return 0
}

func (o *Adam) stateOf(p *Param) *adamState {
	s, ok := o.state[p]
	if !ok {
		s = &adamState{m: make([]float32, len(p.Value)), v: make([]float32, len(p.Value))}
		o.state[p] = s
	}
	return s
}
