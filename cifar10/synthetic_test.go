package cifar10

import (
	"math"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
)

func TestNewSynthetic(t *testing.T) {
	a, b := NewSynthetic(50, 7), NewSynthetic(50, 7)
	other := NewSynthetic(50, 8)
	x, y, z := make([]float32, ImageSize), make([]float32, ImageSize), make([]float32, ImageSize)
	distinct := 0
	for i := range a.Len() {
		a.Image(i, x)
		b.Image(i, y)
		other.Image(i, z)
		var lo, hi float32 = 1, -1
		same := true
		for k := range x {
			if x[k] != y[k] {
				t.Fatalf("image %d differs between two identical sets at %d", i, k)
			}
			if x[k] < -1 || x[k] > 1 || math.IsNaN(float64(x[k])) {
				t.Fatalf("image %d value %v outside [-1, 1]", i, x[k])
			}
			lo, hi = min(lo, x[k]), max(hi, x[k])
			same = same && x[k] == z[k]
		}
		if hi-lo < 0.2 {
			t.Errorf("image %d is nearly flat: [%v, %v]", i, lo, hi)
		}
		if !same {
			distinct++
		}
	}
	if distinct < a.Len()-1 {
		t.Errorf("only %d of %d images change with the seed", distinct, a.Len())
	}
	if r := allocs.Count(10, func() { a.Image(3, x) }); r.Ours() != 0 {
		t.Errorf("Image allocates: %v", r)
	}
}
