package nn

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// Adam is the Adam optimiser with Keras' defaults and formulation (see
// kernels.Adam). Each parameter has its own state: first and second moment
// estimates and a step count, created on its first Step.
type Adam struct {
	LR, Beta1, Beta2, Eps float32
	state                 map[*Param]*adamState
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
		s := o.stateOf(p)
		s.t++
		kernels.Adam(p.Value, p.Grad, s.m, s.v, o.LR, o.Beta1, o.Beta2, o.Eps, s.t)
	}
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
