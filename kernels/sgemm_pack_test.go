package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// TestPanelPackers checks every path's assembly packers against their
// definitions (transposing: dst[p*R+r] = src[r*ld+p]; copying: dst[p*R+r] =
// src[p*ld+r]) for k in 0..40, odd strides and unaligned starts, with the
// space before and after dst as guard bands.
func TestPanelPackers(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		for _, pk := range []struct {
			rows int
			f    panelPacker
			copy bool
		}{{g.MR, g.packAT, false}, {g.NR, g.packBT, false}, {g.MR, g.packAN, true}, {g.NR, g.packBN, true}} {
			if pk.f == nil {
				continue
			}
			rng := rand.New(rand.NewPCG(31, uint64(pk.rows)))
			for k := 0; k <= 40; k++ {
				ld := k + 1 + rng.IntN(4)
				src := operand(rng, pk.rows, max(k, 1), ld, 1+rng.IntN(3))
				at := func(p, r int) float32 { return src[r*ld+p] }
				if pk.copy {
					ld = pk.rows + rng.IntN(4)
					src = operand(rng, max(k, 1), pk.rows, ld, 1+rng.IntN(3))
					at = func(p, r int) float32 { return src[p*ld+r] }
				}
				back := make([]float32, 1+pk.rows*k+guardLen)
				for i := range back {
					back[i] = guard
				}
				dst := back[1 : 1+pk.rows*k]
				pk.f(k, src, ld, dst)
				for i, v := range back {
					p, r := (i-1)/pk.rows, (i-1)%pk.rows
					if i >= 1 && p < k {
						if want := at(p, r); v != want {
							t.Fatalf("%d-row packer k=%d: dst[%d][%d] = %g, want %g", pk.rows, k, p, r, v, want)
						}
					} else if math.Float32bits(v) != math.Float32bits(guard) {
						t.Fatalf("%d-row packer k=%d: wrote element %d outside the packed columns", pk.rows, k, i-1)
					}
				}
			}
		}
	})
}
