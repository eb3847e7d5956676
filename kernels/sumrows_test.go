package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/paths"
)

// sumRowsReference is SumRows' blocked pairwise summation on the generic
// backend: the reference every path must match bit for bit.
func sumRowsReference(dst, x []float32) { sumRows(backends.Of(paths.Generic), dst, x) }

// sumRowsSequential is SumRows as it was before the pairwise blocking:
// every row added to dst in turn.
func sumRowsSequential(dst, x []float32) { sumRowsGeneric(dst, x) }

// gradientLike fills a rows x n matrix with values shaped like a DCGAN
// bias gradient: small, of both signs, with a per-column mean that does
// not cancel.
func gradientLike(rng *rand.Rand, rows, n int) []float32 {
	x := make([]float32, rows*n)
	mean := make([]float64, n)
	for j := range mean {
		mean[j] = 2e-4 * (rng.Float64() - 0.3)
	}
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			x[r*n+j] = float32(mean[j] + 1e-3*rng.NormFloat64())
		}
	}
	return x
}

// relError is ||got - want|| / ||want|| over columns, want in float64.
func relError(got []float32, want []float64) float64 {
	var num, den float64
	for j, w := range want {
		d := float64(got[j]) - w
		num += d * d
		den += w * w
	}
	return math.Sqrt(num / den)
}

// TestSumRowsAccuracy measures SumRows against a float64 sum on a
// DCGAN-sized bias gradient (131072 rows of 128 filters: the generator's
// last 32x32 Conv2DTranspose on a batch of 128; 65536 rows with -short)
// and asserts the pairwise bound. It logs the error of the old sequential
// sum beside it.
func TestSumRowsAccuracy(t *testing.T) {
	rows, n := 131072, 128
	if testing.Short() {
		rows = 65536
	}
	rng := rand.New(rand.NewPCG(11, 12))
	x := gradientLike(rng, rows, n)
	want := make([]float64, n)
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			want[j] += float64(x[r*n+j])
		}
	}
	seq := make([]float32, n)
	sumRowsSequential(seq, x)
	seqErr := relError(seq, want)
	kerneltest.Run(t, func(t *testing.T) {
		got := make([]float32, n)
		SumRows(got, x)
		err := relError(got, want)
		t.Logf("%d rows x %d: relative error %.2e pairwise, %.2e sequential", rows, n, err, seqErr)
		if err > 3e-7 {
			t.Errorf("relative error %.2e, want <= 3e-7 (sequential: %.2e)", err, seqErr)
		}
	})
}

// TestSumRowsThreadsBitwise checks SumRows at 1, 2, 3 and 7 threads on odd
// shapes, long enough to be split.
func TestSumRowsThreadsBitwise(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(13, 14))
	shapes := [][2]int{{33, 1}, {4097, 3}, {20001, 7}, {70001, 64}, {9999, 129}}
	kerneltest.Run(t, func(t *testing.T) {
		for _, s := range shapes {
			rows, n := s[0], s[1]
			x := gradientLike(rng, rows, n)
			init := gradientLike(rng, 1, n)
			var first []float32
			for _, th := range []int{1, 2, 3, 7} {
				SetThreads(th)
				got := append([]float32(nil), init...)
				SumRows(got, x)
				if first == nil {
					first = got
					continue
				}
				for j := range got {
					if math.Float32bits(got[j]) != math.Float32bits(first[j]) {
						t.Fatalf("%dx%d threads=%d: dst[%d] = %v, threads=1 %v", rows, n, th, j, got[j], first[j])
					}
				}
			}
		}
	})
}
