package kernels

// GemmShape is an SGEMM problem: op(A) is M x K, op(B) is K x N, stored
// densely (leading dimensions minimal).
type GemmShape struct {
	Name           string
	M, N, K        int
	TransA, TransB bool
}

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

// Flops is the floating-point operation count of one multiplication,
// 2*M*N*K, the numerator of GFLOPS figures.
func (s GemmShape) Flops() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// GemmBenchShapes lists the shapes gokern's SGEMM benchmarks report: powers
// of two from 256 to 2048 and the GEMMs of the CIFAR-10 DCGAN's
// convolutions (im2col form: M output pixels, K = kernel taps x input
// channels, N output channels), including the N = 3 output layer and the
// two backward GEMMs of that layer: the weight gradient dW = dY^T X (M = 3,
// A transposed, K = 65536) and the input gradient dX = dY W (K = 3).
func GemmBenchShapes() []GemmShape {
	return []GemmShape{
		{Name: "square256", M: 256, N: 256, K: 256},
		{Name: "square512", M: 512, N: 512, K: 512},
		{Name: "square1024", M: 1024, N: 1024, K: 1024},
		{Name: "square2048", M: 2048, N: 2048, K: 2048},
		{Name: "dcgan8192x576x128", M: 8192, N: 128, K: 576},
		{Name: "dcgan2048x1152x128", M: 2048, N: 128, K: 1152},
		{Name: "dcgan512x1152x256", M: 512, N: 256, K: 1152},
		{Name: "dcgan32768x27x64", M: 32768, N: 64, K: 27},
		{Name: "dcgan16384x128x2048", M: 16384, N: 2048, K: 128},
		{Name: "dcgan65536x1152x3", M: 65536, N: 3, K: 1152},
		{Name: "dcganOutDW", M: 3, N: 1152, K: 65536, TransA: true},
		{Name: "dcganOutDX", M: 65536, N: 1152, K: 3},
	}
}
