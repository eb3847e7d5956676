package conv

// Op is the compute interface both layer kinds implement: a layer of
// package nn holds an Op and does not care which kind it is.
type Op interface {
	OutShape() (oh, ow, filters int)
	Forward(n int, x, w, bias, y []float32)
	BackwardData(n int, dy, w, dx []float32)
	BackwardWeights(n int, x, dy, dw, dbias []float32)
	// Backward is BackwardWeights and BackwardData in one call, bit for
	// bit the same, for a layer that needs both: an Op may share work
	// between them (Conv2DTranspose lowers dy once for both GEMMs).
	Backward(n int, x, dy, w, dx, dw, dbias []float32)
	// FuseLeakyReLU makes Forward apply LeakyReLU(alpha) to its output
	// after the bias (see Conv2D.FuseLeakyReLU).
	FuseLeakyReLU(alpha float32)
}

var (
	_ Op = (*Conv2D)(nil)
	_ Op = (*Conv2DTranspose)(nil)
)
