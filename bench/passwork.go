package bench

// The kinds of call a GEMM layer makes in a training iteration, as the
// per-layer table names them. A training step computes both gradients of
// a trainable layer in one op call (conv.Op.Backward shares work between
// them), so the profiler sees that call whole: KindBackwardBoth.
const (
	KindForward         = "forward"
	KindBackwardData    = "backward-data"         // input gradient only: a frozen layer
	KindBackwardWeights = "backward-weights"      // weight gradients only: a first layer fed data
	KindBackwardBoth    = "backward-data+weights" // both, in one call
)

// Kinds lists the calls layer i (in model order) of p's model makes in
// pass p: forward, then the backward call if p has one. It is the rule
// IterationFLOPs counts by: weight gradients unless the model is frozen,
// an input gradient unless the layer is the first and nothing upstream
// needs it.
func (p Pass) Kinds(i int) []string {
	if !p.Backward {
		return []string{KindForward}
	}
	input := i > 0 || p.InputGrads
	switch {
	case p.WeightGrads && input:
		return []string{KindForward, KindBackwardBoth}
	case p.WeightGrads:
		return []string{KindForward, KindBackwardWeights}
	case input:
		return []string{KindForward, KindBackwardData}
	}
	return []string{KindForward}
}

// KindFLOPs is the GEMM work of one call of kind on a batch of n: the
// forward product's 2*m*n*k for each of the forward, backward-data and
// backward-weights products the call computes.
func (l Layer) KindFLOPs(kind string, n int) float64 {
	f := l.ForwardFLOPs(n)
	switch kind {
	case KindForward, KindBackwardData, KindBackwardWeights:
		return f
	case KindBackwardBoth:
		return 2 * f
	}
	return 0
}

// KindBytes is the least memory traffic of one call of kind on a batch of
// n, in bytes of float32: every operand the call reads read once, every
// result written once, nothing re-read (no im2col buffer, no packing, no
// cache misses). It is a floor to compare a measured time against, not a
// measurement:
//
//   - forward: read x, W and the bias, write y;
//   - backward-data: read dy and W, write dx;
//   - backward-weights: read x and dy, write dW and the bias gradient;
//   - both in one call: read x, dy and W, write dx, dW and the bias
//     gradient.
func (l Layer) KindBytes(kind string, n int) float64 {
	s := l.Spec
	x := float64(n * s.H * s.W * s.C)
	y := float64(n * l.OutH * l.OutW * s.Filters)
	w, b := float64(s.WeightLen()), float64(s.Filters)
	var floats float64
	switch kind {
	case KindForward:
		floats = x + w + b + y
	case KindBackwardData:
		floats = y + w + x
	case KindBackwardWeights:
		floats = x + y + w + b
	case KindBackwardBoth:
		floats = x + y + w + x + w + b
	}
	return 4 * floats
}

// LayerWork is the analytical work of one layer's calls of one kind over a
// training iteration.
type LayerWork struct {
	Calls int
	FLOPs float64 // GEMM FLOPs (KindFLOPs summed)
	Bytes float64 // least memory traffic (KindBytes summed)
}

// IterationWork returns the analytical work of one training iteration of
// batch (see IterationPasses) by layer (Layer.String, e.g. "D/conv2d_2")
// and kind of call. Its FLOPs add up to IterationFLOPs(batch, latentDim).
// It panics when gan cannot build a generator for latentDim.
func IterationWork(batch, latentDim int) map[string]map[string]LayerWork {
	d, g := mustLayers(latentDim)
	out := map[string]map[string]LayerWork{}
	for _, p := range IterationPasses(batch) {
		layers := d
		if p.Model == "G" {
			layers = g
		}
		for i, l := range layers {
			m := out[l.String()]
			if m == nil {
				m = map[string]LayerWork{}
				out[l.String()] = m
			}
			for _, k := range p.Kinds(i) {
				w := m[k]
				w.Calls++
				w.FLOPs += l.KindFLOPs(k, p.Batch)
				w.Bytes += l.KindBytes(k, p.Batch)
				m[k] = w
			}
		}
	}
	return out
}
