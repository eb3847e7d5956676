package cifar10

import (
	"fmt"
	"math"
)

// Synthetic is the built-in image set for machines without CIFAR-10: each
// image is a colour gradient with one coloured disc, square or diamond on
// it. Images are computed from (seed, index) alone, so the set costs no
// memory, needs no files and is identical on every machine.
type Synthetic struct {
	n    int
	seed uint64
}

// NewSynthetic returns n deterministic synthetic 32x32 RGB images: the
// same (n, seed) always gives the same pixels. It lets training run, and
// tests check learning, with no data on disk.
func NewSynthetic(n int, seed uint64) *Synthetic { return &Synthetic{n: n, seed: seed} }

// Len returns the number of images.
func (s *Synthetic) Len() int { return s.n }

// Identity names the set: its images are a function of n and seed alone.
func (s *Synthetic) Identity() string { return fmt.Sprintf("synthetic n=%d seed=%d", s.n, s.seed) }

// splitmix64 is a tiny counter-based generator: a pure function of its
// input, so each image's parameters depend on nothing but seed and index.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit returns a float in [0, 1) from the state, advancing it.
func unit(state *uint64) float32 {
	*state = splitmix64(*state)
	return float32(*state>>40) / (1 << 24)
}

// Image writes image i into dst as NHWC float32 in [-1, 1].
func (s *Synthetic) Image(i int, dst []float32) {
	st := splitmix64(s.seed ^ splitmix64(uint64(i)))
	var c0, c1, fg [3]float32
	for c := range 3 {
		c0[c] = unit(&st)*2 - 1
		c1[c] = unit(&st)*2 - 1
		fg[c] = unit(&st)*2 - 1
	}
	angle := float64(unit(&st)) * 2 * math.Pi
	dx, dy := float32(math.Cos(angle)), float32(math.Sin(angle))
	shape := int(unit(&st) * 3)
	cx := 8 + unit(&st)*16
	cy := 8 + unit(&st)*16
	r := 4 + unit(&st)*6
	dst = dst[:ImageSize]
	for y := range ImageHeight {
		for x := range ImageWidth {
			fx, fy := float32(x)+0.5, float32(y)+0.5
			// Gradient position in [0, 1] along the direction.
			t := ((fx-16)*dx+(fy-16)*dy)/45 + 0.5
			px, py := fx-cx, fy-cy
			var inside bool
			switch shape {
			case 0: // disc
				inside = px*px+py*py <= r*r
			case 1: // square
				inside = abs32(px) <= r && abs32(py) <= r
			default: // diamond
				inside = abs32(px)+abs32(py) <= r*1.3
			}
			o := (y*ImageWidth + x) * ImageChannels
			for c := range 3 {
				v := c0[c] + (c1[c]-c0[c])*t
				if inside {
					v = fg[c]
				}
				dst[o+c] = max(-1, min(1, v))
			}
		}
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
