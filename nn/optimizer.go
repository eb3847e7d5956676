package nn

// Optimizer updates parameters from the gradients the last Backward left
// in them. Adam implements it; a training loop written against Optimizer
// takes any other update rule unchanged.
type Optimizer interface {
	Step(params []*Param)
}

var _ Optimizer = (*Adam)(nil)
