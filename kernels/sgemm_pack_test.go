package kernels

import (
	"fmt"
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

// TestGroupPackers checks every path's group packer against its
// definition, dst[p*R+r] = src[off[r/4]+(r%4)*ld+p], for k in 0..40, odd
// strides, strides below k (overlapping rows, as neighbouring kernel
// windows overlap), groups in any order and unaligned, with guard bands
// around dst; and that its wrapper rejects a group that leaves src.
func TestGroupPackers(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.packATGroups == nil {
			t.Skipf("%s: no group packer (its window operands gather crossing micro-panels)", Active())
		}
		rows := g.MR
		groups := (rows + 3) / 4
		rng := rand.New(rand.NewPCG(33, uint64(rows)))
		for k := 0; k <= 40; k++ {
			ld := []int{k + 1 + rng.IntN(4), max(1, k/3)}[k%2]
			src := make([]float32, 8*ld+3*k+200)
			var off [3]int
			for gi := 0; gi < groups; gi++ {
				off[gi] = rng.IntN(len(src) - 3*ld - k)
			}
			if err := checkGroupPacker(rng, g.packATGroups, rows, k, ld, off, src); err != nil {
				t.Fatal(err)
			}
		}
		// The last group's last row one float past src's end.
		src := make([]float32, 100)
		dst := make([]float32, rows*10)
		last := rows - 1 - 4*(groups-1) // rows of the last group, less one
		var off [3]int
		off[groups-1] = len(src) - 10 - last*5 + 1
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("a group past src's end did not panic")
				}
			}()
			g.packATGroups(10, src, off[0], off[1], off[2], 5, dst)
		}()
		off[groups-1]--
		g.packATGroups(10, src, off[0], off[1], off[2], 5, dst)
	})
}

// checkGroupPacker fills src at random, runs the rows-row group packer f
// with depth k, stride ld and group offsets off into a guarded dst, and
// compares every value with its definition.
func checkGroupPacker(rng *rand.Rand, f groupPacker, rows, k, ld int, off [3]int, src []float32) error {
	for i := range src {
		src[i] = float32(rng.IntN(1<<20)) - 1<<19
	}
	back := make([]float32, 1+rows*k+guardLen)
	for i := range back {
		back[i] = guard
	}
	f(k, src, off[0], off[1], off[2], ld, back[1:1+rows*k])
	for i, v := range back {
		p, r := (i-1)/rows, (i-1)%rows
		if i >= 1 && p < k {
			if want := src[off[r/4]+(r%4)*ld+p]; v != want {
				return fmt.Errorf("%d-row group packer k=%d ld=%d offsets %v: dst[%d][%d] = %g, want %g", rows, k, ld, off, p, r, v, want)
			}
		} else if math.Float32bits(v) != math.Float32bits(guard) {
			return fmt.Errorf("%d-row group packer k=%d: wrote element %d outside the packed columns", rows, k, i-1)
		}
	}
	return nil
}

// FuzzGroupPacker checks the active path's group packer (where it has
// one) on fuzzed depths, strides and group offsets against its definition.
func FuzzGroupPacker(f *testing.F) {
	f.Add(uint8(13), uint8(7), uint16(0), uint16(300), uint16(40))
	f.Add(uint8(0), uint8(0), uint16(5), uint16(5), uint16(5))
	f.Add(uint8(37), uint8(2), uint16(900), uint16(1), uint16(77))
	f.Fuzz(func(t *testing.T, k8, ld8 uint8, o0, o1, o2 uint16) {
		kerneltest.Run(t, func(t *testing.T) {
			g := cur().gemm
			if g.packATGroups == nil {
				t.Skipf("%s: no group packer", Active())
			}
			k, ld := int(k8%64), int(ld8)
			src := make([]float32, 1024+3*ld+k)
			span := len(src) - 3*ld - k
			off := [3]int{int(o0) % span, int(o1) % span, int(o2) % span}
			rng := rand.New(rand.NewPCG(uint64(k8), uint64(o0)))
			if err := checkGroupPacker(rng, g.packATGroups, g.MR, k, ld, off, src); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// BenchmarkPanelPackers measures each path's transposing packer of A's
// micro-panels as a window operand calls it: one tap of 128 channels (k =
// 128) of MR pixels 128 floats apart, from a source in L1 ("hot") and
// from one walking through 8 MiB ("cold", mostly L3), in packed floats
// per second.
func BenchmarkPanelPackers(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		g := cur().gemm
		if g.packAT == nil {
			b.Skip("this path has no transposing packer")
		}
		const k, ld = 128, 128
		for _, c := range []struct {
			name string
			n    int
		}{{"hot", g.MR*ld + k}, {"cold", 8 << 20 / 4}} {
			src, dst := make([]float32, c.n+k), make([]float32, g.MR*k)
			step := g.MR * ld
			b.Run(fmt.Sprintf("%drows/%s", g.MR, c.name), func(b *testing.B) {
				off := 0
				for b.Loop() {
					g.packAT(k, src[off:], ld, dst)
					if off += step; off+step+k > c.n {
						off = 0
					}
				}
				b.ReportMetric(float64(g.MR*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gfloats/s")
			})
		}
	})
}
