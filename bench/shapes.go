package bench

import "fmt"

// GemmShape is one SGEMM problem: op(A) is M x K, op(B) is K x N, stored
// densely (leading dimensions minimal).
type GemmShape struct {
	Name           string // where it occurs, e.g. "D conv2d_2 (batch 32) fwd"
	M, N, K        int
	TransA, TransB bool
}

// String names the shape as benchmarks do, e.g. "m8192n128k576", with
// "tA" or "tB" appended for a transposed operand.
func (s GemmShape) String() string {
	name := fmt.Sprintf("m%dn%dk%d", s.M, s.N, s.K)
	if s.TransA {
		name += "tA"
	}
	if s.TransB {
		name += "tB"
	}
	return name
}

// FLOPs is 2*M*N*K, the numerator of GFLOPS figures.
func (s GemmShape) FLOPs() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// Operands returns the leading dimensions of A, B and C as stored.
func (s GemmShape) Operands() (lda, ldb, ldc int) {
	lda, ldb = s.K, s.N
	if s.TransA {
		lda = s.M
	}
	if s.TransB {
		ldb = s.K
	}
	return max(lda, 1), max(ldb, 1), max(s.N, 1)
}

// SgemmShapes returns the DCGAN's characteristic GEMMs, the kernels' tuning
// set, derived from the layers of the models gan builds (Layers): the
// forward product of every convolution, the discriminator's at a batch of
// 32 and the generator's at 64, then both backward products of the
// generator's last layer (a Conv2D), whose 3 filters make the skinniest
// GEMMs of the model: N = 3 in its weight gradient, K = 3 in its input
// gradient.
func SgemmShapes() []GemmShape {
	var out []GemmShape
	batch := map[string]int{"D": 32, "G": 64}
	for _, l := range convLayers(100) {
		out = append(out, l.ForwardGemm(batch[l.Model]))
	}
	_, g := mustLayers(100)
	dW, dX := g[len(g)-1].BackwardGemms(batch["G"])
	return append(out, dW, dX)
}

// ParseShape reads "m,n,k" or "mMnNkK" (as String writes it, without
// transposes).
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
