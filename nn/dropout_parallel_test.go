package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/gokern/gokern/kernels"
)

// TestPCGStateMatchesStdlib checks the mask generator's reimplementation of
// math/rand/v2's PCG draw for draw, and its jump ahead against stepping.
func TestPCGStateMatchesStdlib(t *testing.T) {
	ref := rand.NewPCG(3, 0x9e3779b97f4a7c15)
	s := pcgState{3, 0x9e3779b97f4a7c15}
	start := s
	for i := 0; i < 1000; i++ {
		if a, b := s.uint64(), ref.Uint64(); a != b {
			t.Fatalf("draw %d: %#x, math/rand/v2 %#x", i, a, b)
		}
		if j := start.advance(uint64(i + 1)); j != s {
			t.Fatalf("advance(%d) = %+v, stepping gives %+v", i+1, j, s)
		}
	}
	if j := start.advance(0); j != start {
		t.Fatalf("advance(0) changed the state")
	}
}

// keepOrDrop is the mask value as the serial loop computed it, the
// reference for keepBits: scale when the 24-bit uniform u falls below
// threshold, else 0.
func keepOrDrop(u, threshold uint32, scale float32) float32 {
	if u < threshold {
		return scale
	}
	return 0
}

// serialMasks is Dropout's mask loop as it was before threading: one
// math/rand/v2 draw per two values, in order.
func serialMasks(seed uint64, rate float32, sizes []int) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	keep := 1 - rate
	scale := 1 / keep
	threshold := uint32(float64(keep) * (1 << 24))
	var out [][]float32
	for _, n := range sizes {
		m := make([]float32, n)
		for i := 0; i < n; i += 2 {
			r := rng.Uint64()
			m[i] = keepOrDrop(uint32(r>>40), threshold, scale)
			if i+1 < n {
				m[i+1] = keepOrDrop(uint32(r>>8)&(1<<24-1), threshold, scale)
			}
		}
		out = append(out, m)
	}
	return out
}

// TestDropoutMasksThreadsBitwise draws successive masks of odd sizes (one
// too short to split, others split into several parts) at 1, 2, 3 and 7
// threads and checks them against the serial loop bit for bit, and that
// the generator ends where the serial loop leaves it.
func TestDropoutMasksThreadsBitwise(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	sizes := []int{7, dropMinSplit + 3, 5*dropChunk + 1, 101, 3*dropMinSplit + 2}
	want := serialMasks(5, 0.4, sizes)
	for _, th := range []int{1, 2, 3, 7} {
		kernels.SetThreads(th)
		l := NewDropout(0.4, 5)
		for k, n := range sizes {
			if _, err := l.Build([]int{n}); err != nil {
				t.Fatal(err)
			}
			x := NewTensor(1, n)
			for i := range x.Data {
				x.Data[i] = 1
			}
			l.Forward(x, true)
			if !slices.Equal(l.mask, want[k]) {
				t.Fatalf("threads=%d: mask %d (%d values) differs from the serial loop", th, k, n)
			}
		}
		got, _ := l.RandState()
		ref := rand.NewPCG(5, 0x9e3779b97f4a7c15)
		for _, n := range sizes {
			for i := 0; i < (n+1)/2; i++ {
				ref.Uint64()
			}
		}
		wantState, _ := ref.MarshalBinary()
		if !slices.Equal(got, wantState) {
			t.Fatalf("threads=%d: generator state after the masks differs from the serial loop's", th)
		}
	}
}

// TestKeepBits checks the branchless mask value against keepOrDrop at
// and around the threshold, where a random mask almost never lands.
func TestKeepBits(t *testing.T) {
	const scale = float32(1) / 0.6
	for _, th := range []uint32{0, 1, 2, 1 << 23, 10066329, 1<<24 - 1, 1 << 24} {
		for _, u := range []uint32{0, 1, th - 1, th, th + 1, 1<<24 - 2, 1<<24 - 1} {
			if u >= 1<<24 {
				continue // draws give 24-bit uniforms
			}
			got, want := keepBits(u, th, math.Float32bits(scale)), keepOrDrop(u, th, scale)
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("u=%d threshold=%d: %v, keepOrDrop %v", u, th, got, want)
			}
		}
	}
}

// BenchmarkDropoutMask draws the discriminator's dropout mask at batch 128
// (128 x 4096 values, rate 0.4) on the threads -cpu gives.
func BenchmarkDropoutMask(b *testing.B) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(runtime.GOMAXPROCS(0))
	d := NewDropout(0.4, 1)
	if _, err := d.Build([]int{4096}); err != nil {
		b.Fatal(err)
	}
	x := NewTensor(128, 4096)
	d.Forward(x, true)
	b.ResetTimer()
	for b.Loop() {
		d.Forward(x, true)
	}
}
