package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// leakySumRowsShapes cover a single leaf, leaf boundaries, one part (the
// sequential fused path, and with 2048x256 the fallback that keeps the
// mask split over threads), several parts below and above the parallel
// threshold, and odd widths.
var leakySumRowsShapes = [][2]int{
	{0, 3}, {1, 1}, {5, 3}, {31, 7}, {32, 4}, {33, 5}, {64, 128}, {100, 3},
	{2047, 2}, {2048, 256}, {2049, 9}, {4097, 3}, {4113, 128}, {20001, 7}, {70001, 64},
}

// leakyBackwardInputs returns dy and a forward output y with zeros, both
// signs and small magnitudes, as a LeakyReLU's backward pass sees them.
func leakyBackwardInputs(rng *rand.Rand, rows, n int) (dy, y []float32) {
	dy = gradientLike(rng, rows, n)
	y = make([]float32, rows*n)
	for i := range y {
		switch rng.IntN(8) {
		case 0:
			y[i] = 0
		case 1, 2, 3:
			y[i] = -rng.Float32()
		default:
			y[i] = rng.Float32()
		}
	}
	return dy, y
}

// TestLeakyReLUBackwardSumRowsBitwise checks the fused kernel against
// LeakyReLUBackward followed by SumRows, bit for bit in both dx and the
// sums (which it adds to), out of place and in place (dx = dy), at 1, 2,
// 3 and 7 threads, on every kernel path.
func TestLeakyReLUBackwardSumRowsBitwise(t *testing.T) {
	defer SetThreads(Threads())
	const alpha = 0.2
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, s := range leakySumRowsShapes {
			rows, n := s[0], s[1]
			dy, y := leakyBackwardInputs(rng, rows, n)
			init := gradientLike(rng, 1, n)
			SetThreads(1)
			wantDx := make([]float32, len(dy))
			LeakyReLUBackward(wantDx, dy, y, alpha)
			want := append([]float32(nil), init...)
			SumRows(want, wantDx)
			for _, th := range []int{1, 2, 3, 7} {
				SetThreads(th)
				for _, inPlace := range []bool{false, true} {
					dyc := append([]float32(nil), dy...)
					dx := make([]float32, len(dy))
					if inPlace {
						dx = dyc
					}
					got := append([]float32(nil), init...)
					LeakyReLUBackwardSumRows(dx, dyc, y, alpha, got)
					for i := range dx {
						if math.Float32bits(dx[i]) != math.Float32bits(wantDx[i]) {
							t.Fatalf("%dx%d threads=%d inPlace=%v: dx[%d] = %v, want %v", rows, n, th, inPlace, i, dx[i], wantDx[i])
						}
					}
					for j := range got {
						if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
							t.Fatalf("%dx%d threads=%d inPlace=%v: sums[%d] = %v, want %v", rows, n, th, inPlace, j, got[j], want[j])
						}
					}
				}
			}
		}
	})
}

// TestLeakyReLUBackwardSumRowsAllocs checks the fused kernel allocates
// nothing once warm, on the sequential, parallel and fallback paths.
func TestLeakyReLUBackwardSumRowsAllocs(t *testing.T) {
	defer SetThreads(Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 24))
		for _, s := range [][2]int{{33, 5}, {4113, 128}, {2048, 256}} {
			dy, y := leakyBackwardInputs(rng, s[0], s[1])
			dx, sums := make([]float32, len(dy)), make([]float32, s[1])
			for _, th := range []int{1, 2} {
				SetThreads(th)
				if r := allocs.Count(10, func() { LeakyReLUBackwardSumRows(dx, dy, y, 0.2, sums) }); r.Ours() != 0 {
					t.Errorf("%dx%d threads=%d: %v", s[0], s[1], th, r)
				}
			}
		}
	})
}

// TestLeakyReLUBackwardSumRowsChecks checks the length checks run before
// anything is written.
func TestLeakyReLUBackwardSumRowsChecks(t *testing.T) {
	for _, c := range []struct {
		name          string
		dx, dy, y, db int
	}{
		{"dy", 12, 11, 12, 3}, {"y", 12, 12, 13, 3}, {"width", 12, 12, 12, 5}, {"zero width", 12, 12, 12, 0},
	} {
		dx := make([]float32, c.dx)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			LeakyReLUBackwardSumRows(dx, make([]float32, c.dy), make([]float32, c.y), 0.2, make([]float32, c.db))
		}()
	}
}
