package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// adamStep runs one Adam step on p, g, m, v at every size and offset and
// compares p, m and v with the generic reference. The SIMD paths use the
// reference's operations in its order (VSQRTPS is the correctly rounded
// square root, as is float32(math.Sqrt)), so results are bit-exact when
// the compiler does not fuse the reference's multiply-adds; the tolerance
// covers one that does.
func TestAdam(t *testing.T) {
	const lr, b1, b2, eps float32 = 1e-3, 0.9, 0.999, 1e-7
	kerneltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(6, 6))
		for _, n := range ewSizes {
			for _, off := range ewOffsets {
				var bufs [4]ewBuf
				var ref [4][]float32
				for j := range bufs {
					bufs[j] = newEwBuf((off+5*j)%16, n)
					for i := range n {
						switch j {
						case 3: // v >= 0
							bufs[j].s()[i] = float32(math.Abs(float64(ewValue(r))))
						default:
							bufs[j].s()[i] = ewValue(r)
						}
					}
					ref[j] = append([]float32(nil), bufs[j].s()...)
				}
				step := 1 + r.IntN(1000)
				p, g, m, v := bufs[0].s(), bufs[1].s(), bufs[2].s(), bufs[3].s()
				Adam(p, g, m, v, lr, b1, b2, eps, step)
				lrT := float32(float64(lr) * math.Sqrt(1-math.Pow(float64(b2), float64(step))) / (1 - math.Pow(float64(b1), float64(step))))
				adamGeneric(ref[0], ref[1], ref[2], ref[3], lrT, b1, b2, eps)
				for i := range n {
					wm, wv := float64(ref[2][i]), float64(ref[3][i])
					q := math.Abs(float64(lrT) * wm / (math.Sqrt(wv) + float64(eps)))
					if !ewClose(m[i], ref[2][i], 4*ewEps, math.Abs(wm)+math.Abs(float64(g[i]))) ||
						!ewClose(v[i], ref[3][i], 4*ewEps, wv+float64(g[i])*float64(g[i])) ||
						!ewClose(p[i], ref[0][i], 8*ewEps, math.Abs(float64(ref[0][i]))+q) {
						t.Fatalf("n=%d off=%d i=%d: p, m, v = %v %v %v, want %v %v %v", n, off, i, p[i], m[i], v[i], ref[0][i], ref[2][i], ref[3][i])
					}
				}
				if g := bufs[1].s(); n > 0 && g[0] != ref[1][0] {
					t.Fatalf("n=%d: Adam wrote to g", n)
				}
				for j, b := range bufs {
					b.checkGuards(t, []string{"p", "g", "m", "v"}[j])
				}
			}
		}

	})
}

// TestAdamConverges minimises sum((p-3)^2) with Adam on every path: a
// check of the whole update rule, not just agreement with the reference.
func TestAdamConverges(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		const n = 37
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for step := 1; step <= 3000; step++ {
			for i := range p {
				g[i] = 2 * (p[i] - 3)
			}
			Adam(p, g, m, v, 0.05, 0.9, 0.999, 1e-7, step)
		}
		for i, x := range p {
			if math.Abs(float64(x)-3) > 1e-3 {
				t.Fatalf("p[%d] = %v after 3000 steps, want 3", i, x)
			}
		}
	})
}
