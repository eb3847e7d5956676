package nn

import (
	"fmt"
	"math"
)

// Epsilon is Keras' fuzz factor: BinaryCrossEntropy clips probabilities to
// [Epsilon, 1-Epsilon] before taking logarithms.
const Epsilon = 1e-7

// BinaryCrossEntropy returns the mean binary cross-entropy of
// probabilities p against targets y, Keras' binary_crossentropy: p is
// clipped to [1e-7, 1-1e-7], so a confident wrong answer costs about 16.1
// rather than infinity. When dp is not nil it receives dLoss/dp, which is
// zero where p lies outside the clipping range (the clip's gradient, as in
// TensorFlow). Sums run in float64, over fixed blocks of lossBlock terms
// added in order (loss_parallel.go), threaded when long.
func BinaryCrossEntropy(p, y, dp []float32) float32 {
	checkLoss("BinaryCrossEntropy", "p", p, y, dp)
	if len(p) == 0 {
		return 0
	}
	invN := 1 / float64(len(p))
	return float32(lossSum(lossBCE, p, y, dp, invN) * invN)
}

// bceRange is BinaryCrossEntropy's loop over [lo, hi): it returns the sum
// of the terms and stores their gradients.
func bceRange(p, y, dp []float32, lo, hi int, invN float64) float64 {
	const eLo, eHi = Epsilon, 1 - Epsilon
	var sum float64
	for i := lo; i < hi; i++ {
		pi, yi := float64(p[i]), float64(y[i])
		c := min(max(pi, eLo), eHi)
		sum -= yi*math.Log(c) + (1-yi)*math.Log1p(-c)
		if dp != nil {
			g := 0.0
			if pi >= eLo && pi <= eHi {
				g = (c - yi) / (c * (1 - c)) * invN
			}
			dp[i] = float32(g)
		}
	}
	return sum
}

// SigmoidBCEWithLogits returns the mean binary cross-entropy of
// sigmoid(z) against targets y, computed from the logits z in the stable
// form max(z,0) - z*y + log(1+exp(-|z|)). When dz is not nil it receives
// dLoss/dz = (sigmoid(z) - y)/n. Fusing the sigmoid into the loss avoids
// both the clipping and the saturated sigmoid gradient; it equals
// BinaryCrossEntropy(sigmoid(z), y) wherever no clipping happens.
func SigmoidBCEWithLogits(z, y, dz []float32) float32 {
	checkLoss("SigmoidBCEWithLogits", "z", z, y, dz)
	if len(z) == 0 {
		return 0
	}
	invN := 1 / float64(len(z))
	return float32(lossSum(lossLogits, z, y, dz, invN) * invN)
}

// logitsRange is SigmoidBCEWithLogits' loop over [lo, hi).
func logitsRange(z, y, dz []float32, lo, hi int, invN float64) float64 {
	var sum float64
	for i := lo; i < hi; i++ {
		zi, yi := float64(z[i]), float64(y[i])
		sum += max(zi, 0) - zi*yi + math.Log1p(math.Exp(-math.Abs(zi)))
		if dz != nil {
			var s float64
			if zi >= 0 {
				s = 1 / (1 + math.Exp(-zi))
			} else {
				e := math.Exp(zi)
				s = e / (1 + e)
			}
			dz[i] = float32((s - yi) * invN)
		}
	}
	return sum
}

func checkLoss(op, name string, x, y, dx []float32) {
	if len(y) != len(x) || (dx != nil && len(dx) != len(x)) {
		panic(fmt.Sprintf("nn: %s: len(%s) = %d, len(y) = %d, len(d%s) = %d: must match", op, name, len(x), len(y), name, len(dx)))
	}
}
