package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// TestMicroKernels runs every path's micro-kernel on one full tile for k in
// 0..40, against the float64 product of the packed panels (the contract
// generic.go's kernel also meets), with C's gap columns and the space past
// it as guard bands.
func TestMicroKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		mr, nr := g.MR, g.NR
		rng := rand.New(rand.NewPCG(11, 12))
		for k := 0; k <= 40; k++ {
			for _, beta := range []float32{0, 1, -0.25} {
				alpha := float32(0.75)
				a := operand(rng, 1, mr*k, mr*k, 1)
				b := operand(rng, 1, nr*k, nr*k, 3)
				ldc := nr + 5
				back, c := guardedTile(rng, mr, nr, ldc, beta)
				c0 := append([]float32(nil), c...)
				g.kernel(k, a, b, alpha, beta, c, ldc)
				ref := referenceTile(mr, nr, k, a, b, alpha, beta, c0, ldc)
				for i := range back {
					row, col := i/ldc, i%ldc
					if row < mr && col < nr {
						var s, mag float64
						for p := 0; p < k; p++ {
							v := float64(a[p*mr+row]) * float64(b[p*nr+col])
							s += v
							mag += math.Abs(v)
						}
						want := float64(alpha) * s
						if beta != 0 {
							want += float64(beta) * float64(c0[i])
							mag += math.Abs(float64(c0[i]))
						}
						tol := float64(k+3) * mag / (1 << 22)
						if d := math.Abs(float64(c[i]) - want); !(d <= tol) {
							t.Fatalf("%dx%d k=%d beta=%g: C[%d][%d] = %g, want %g", mr, nr, k, beta, row, col, c[i], want)
						}
						if d := math.Abs(float64(c[i]) - float64(ref[i])); !(d <= tol) {
							t.Fatalf("%dx%d k=%d beta=%g: C[%d][%d] = %g, generic kernel %g", mr, nr, k, beta, row, col, c[i], ref[i])
						}
					} else if math.Float32bits(back[i]) != math.Float32bits(guard) {
						t.Fatalf("%dx%d k=%d: wrote outside the tile at row %d column %d", mr, nr, k, row, col)
					}
				}
			}
		}
	})
}

// TestRowsKernels runs every path's column-of-tiles kernel on 0 to 5 tiles
// for k in 0..40 and three betas, with C's rows at uneven offsets in
// shuffled order, gap columns between them and guard bands: each tile must
// be bit for bit what the path's micro-kernel computes on it, nothing
// outside the rows may change, and with beta = 0 the NaNs in C must not be
// read.
func TestRowsKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.rows == nil {
			t.Skip("this path has no column-of-tiles kernel: its driver calls the micro-kernel per tile")
		}
		mr, nr := g.MR, g.NR
		rng := rand.New(rand.NewPCG(21, 22))
		for _, tiles := range []int{0, 1, 2, 5} {
			for _, k := range []int{0, 1, 2, 3, 4, 5, 7, 8, 13, 40} {
				for _, beta := range []float32{0, 1, -0.25} {
					alpha := float32(0.75)
					a := operand(rng, 1, tiles*mr*k, tiles*mr*k, 0)
					b := operand(rng, 1, nr*k, nr*k, 0)
					// Slot q of C starts at q*(nr+3) plus 5 per earlier
					// third slot: uneven spacing; rows take the slots in
					// a random order.
					n := tiles * mr
					slot := func(q int) int { return q*(nr+3) + q/3*5 }
					rows := make([]int, n)
					for i, q := range rng.Perm(n) {
						rows[i] = slot(q)
					}
					back := make([]float32, slot(n)+guardLen)
					for i := range back {
						back[i] = guard
					}
					c := back[:max(slot(n), nr)]
					for _, o := range rows {
						for j := 0; j < nr; j++ {
							c[o+j] = rng.Float32()*2 - 1
							if beta == 0 {
								c[o+j] = float32(math.NaN())
							}
						}
					}
					want := append([]float32(nil), back...)
					tile := make([]float32, mr*nr)
					for ti := 0; ti < tiles; ti++ {
						for i := 0; i < mr; i++ {
							copy(tile[i*nr:(i+1)*nr], want[rows[ti*mr+i]:])
						}
						g.kernel(k, a[ti*mr*k:], b, alpha, beta, tile, nr)
						for i := 0; i < mr; i++ {
							copy(want[rows[ti*mr+i]:], tile[i*nr:(i+1)*nr])
						}
					}
					var table rowTable
					table.set(rows)
					g.rows(k, tiles, a, b, alpha, beta, c, table)
					for i := range back {
						if math.Float32bits(back[i]) != math.Float32bits(want[i]) {
							t.Fatalf("tiles=%d k=%d beta=%g: C[%d] = %g, the micro-kernel gives %g", tiles, k, beta, i, back[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestRowsKernelChecks checks that the column-of-tiles kernel's wrapper
// refuses what would let the assembly touch memory outside its slices.
func TestRowsKernelChecks(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.rows == nil {
			t.Skip("this path has no column-of-tiles kernel")
		}
		mr, nr, k := g.MR, g.NR, 3
		a, b := make([]float32, 2*mr*k), make([]float32, nr*k)
		c := make([]float32, 4*mr*nr)
		good := func() rowTable {
			rows := make([]int, 2*mr)
			for i := range rows {
				rows[i] = i * nr
			}
			var t rowTable
			t.set(rows)
			return t
		}
		with := func(i, o int) rowTable {
			t := good()
			t.offs[i] = o
			t.set(t.offs)
			return t
		}
		g.rows(k, 2, a, b, 1, 0, c, good()) // in bounds: must not panic
		for _, tc := range []struct {
			name string
			call func()
		}{
			{"row past the end of c", func() { g.rows(k, 2, a, b, 1, 0, c, with(3, len(c)-nr+1)) }},
			{"negative row", func() { g.rows(k, 2, a, b, 1, 0, c, with(mr, -1)) }},
			{"a too short", func() { g.rows(k, 2, a[:2*mr*k-1], b, 1, 0, c, good()) }},
			{"b too short", func() { g.rows(k, 2, a, b[:nr*k-1], 1, 0, c, good()) }},
			{"too few rows", func() { g.rows(k, 2, a, b, 1, 0, c, good().head(2*mr-1)) }},
			{"negative tiles", func() { g.rows(k, -1, a, b, 1, 0, c, good()) }},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: no panic", tc.name)
					}
				}()
				tc.call()
			}()
		}
	})
}

// guardedTile returns an mr x nr tile of C with row stride ldc, c, at the
// start of back, whose gap columns and the guardLen values past the tile
// hold guard. The tile holds values from rng, or NaN when beta is 0 (a
// kernel must then not read it).
func guardedTile(rng *rand.Rand, mr, nr, ldc int, beta float32) (back, c []float32) {
	n := (mr-1)*ldc + nr
	back = make([]float32, n+guardLen)
	for i := range back {
		back[i] = guard
	}
	c = back[:n]
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			v := rng.Float32()*2 - 1
			if beta == 0 {
				v = float32(math.NaN())
			}
			c[i*ldc+j] = v
		}
	}
	return back, c
}

// referenceTile computes an mr x nr tile (nr a multiple of 4) from packed
// panels with the 4x4 reference kernel of generic.go, one 4x4 block at a
// time through a scratch block, starting from a copy of c0.
func referenceTile(mr, nr, k int, a, b []float32, alpha, beta float32, c0 []float32, ldc int) []float32 {
	c := append([]float32(nil), c0...)
	a4 := make([]float32, 4*k)
	b4 := make([]float32, 4*k)
	var c4 [16]float32
	for bi := 0; bi < mr; bi += 4 {
		rows := min(4, mr-bi)
		for bj := 0; bj < nr; bj += 4 {
			clear(a4)
			for p := 0; p < k; p++ {
				copy(a4[p*4:p*4+rows], a[p*mr+bi:p*mr+bi+rows])
				copy(b4[p*4:p*4+4], b[p*nr+bj:])
			}
			clear(c4[:])
			for i := 0; i < rows; i++ {
				copy(c4[i*4:i*4+4], c[(bi+i)*ldc+bj:])
			}
			microKernelGeneric(k, a4, b4, alpha, beta, c4[:], 4)
			for i := 0; i < rows; i++ {
				copy(c[(bi+i)*ldc+bj:(bi+i)*ldc+bj+4], c4[i*4:])
			}
		}
	}
	return c
}

// TestDotsKernels runs every path's skinny kernels (rows x n dot products)
// for k in multiples of the width up to 10 widths, with unaligned starts and
// odd strides, against float64 dot products.
func TestDotsKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		s := cur().gemm.skinny
		if s.width == 0 {
			return
		}
		rng := rand.New(rand.NewPCG(13, 14))
		for n := 1; n <= 4; n++ {
			for _, rows := range []int{1, s.rows} {
				kern := s.single[n]
				if rows > 1 {
					kern = s.block[n]
				}
				for k := 0; k <= 10*s.width; k += s.width {
					lda, ldb := k+3, k+1
					a := operand(rng, rows, k, lda, 1)
					b := operand(rng, n, k, ldb, 2)
					out := make([]float32, rows*n+guardLen)
					for i := range out {
						out[i] = guard
					}
					kern(k, a, lda, b, ldb, out[:rows*n])
					for i := rows * n; i < len(out); i++ {
						if math.Float32bits(out[i]) != math.Float32bits(guard) {
							t.Fatalf("dots %dx%d k=%d: wrote past out", rows, n, k)
						}
					}
					for r := 0; r < rows; r++ {
						for j := 0; j < n; j++ {
							var want, mag float64
							for p := 0; p < k; p++ {
								v := float64(a[r*lda+p]) * float64(b[j*ldb+p])
								want += v
								mag += math.Abs(v)
							}
							got := float64(out[r*n+j])
							if d := math.Abs(got - want); !(d <= float64(k+2)*mag/(1<<22)) {
								t.Fatalf("dots %dx%d k=%d: out[%d][%d] = %g, want %g", rows, n, k, r, j, got, want)
							}
						}
					}
				}
			}
		}
	})
}

// TestAxpysKernels runs every path's skinny kernels for a transposed A
// for k in 0..40 with B stored both ways round, odd strides and unaligned
// starts, against float64 sums, and checks that the single-vector kernel
// gives the block kernel's bits for the same rows.
func TestAxpysKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		s := cur().gemm.skinny
		if s.width == 0 {
			return
		}
		rng := rand.New(rand.NewPCG(17, 18))
		block := s.vecs * s.width
		for n := 1; n <= 4; n++ {
			for k := 0; k <= 40; k++ {
				for _, bT := range []bool{false, true} {
					lda := block + 3
					a := operand(rng, max(k, 1), block, lda, 1)
					ldb, ldbp, ldbj := n+1, n+1, 1
					b := operand(rng, max(k, 1), n, ldb, 2)
					if bT {
						ldb, ldbp, ldbj = k+2, 1, k+2
						b = operand(rng, n, max(k, 1), ldb, 2)
					}
					out := make([]float32, block*n+guardLen)
					for i := range out {
						out[i] = guard
					}
					s.axpysBlock[n](k, a, lda, b, ldbp, ldbj, out[:block*n])
					for i := block * n; i < len(out); i++ {
						if math.Float32bits(out[i]) != math.Float32bits(guard) {
							t.Fatalf("axpys %dx%d k=%d: wrote past out", block, n, k)
						}
					}
					for j := 0; j < n; j++ {
						for i := 0; i < block; i++ {
							var want, mag float64
							for p := 0; p < k; p++ {
								v := float64(a[p*lda+i]) * float64(b[p*ldbp+j*ldbj])
								want += v
								mag += math.Abs(v)
							}
							got := float64(out[j*block+i])
							if d := math.Abs(got - want); !(d <= float64(k+2)*mag/(1<<22)) {
								t.Fatalf("axpys %dx%d k=%d bT=%v: out[%d][%d] = %g, want %g", block, n, k, bT, i, j, got, want)
							}
						}
					}
					one := make([]float32, s.width*n)
					for v := 0; v < s.vecs; v++ {
						s.axpysSingle[n](k, a[v*s.width:], lda, b, ldbp, ldbj, one)
						for j := 0; j < n; j++ {
							for i := 0; i < s.width; i++ {
								if math.Float32bits(one[j*s.width+i]) != math.Float32bits(out[j*block+v*s.width+i]) {
									t.Fatalf("axpys n=%d k=%d: single-vector kernel differs from the block kernel at row %d", n, k, v*s.width+i)
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestDotsRowsAgree checks the property the skinny driver relies on for
// thread-count independence: a row gets the same bits from the block kernel
// as from the single-row kernel.
func TestDotsRowsAgree(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		s := cur().gemm.skinny
		if s.width == 0 {
			return
		}
		rng := rand.New(rand.NewPCG(15, 16))
		k := 7 * s.width
		for n := 1; n <= 4; n++ {
			a := operand(rng, s.rows, k, k, 0)
			b := operand(rng, n, k, k, 0)
			block := make([]float32, s.rows*n)
			s.block[n](k, a, k, b, k, block)
			for r := 0; r < s.rows; r++ {
				one := make([]float32, n)
				s.single[n](k, a[r*k:], k, b, k, one)
				for j := range one {
					if math.Float32bits(one[j]) != math.Float32bits(block[r*n+j]) {
						t.Fatalf("n=%d row %d col %d: single-row kernel %g, block kernel %g", n, r, j, one[j], block[r*n+j])
					}
				}
			}
		}
	})
}

// BenchmarkMicroKernel measures each path's micro-kernel alone on
// L1-resident panels (k = 256), the ceiling for the packed driver.
func BenchmarkMicroKernel(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		g := cur().gemm
		const k = 256
		a := make([]float32, g.MR*k)
		bp := make([]float32, g.NR*k)
		c := make([]float32, g.MR*g.NR)
		b.Run(fmt.Sprintf("%dx%d", g.MR, g.NR), func(b *testing.B) {
			cpu0 := processCPUTime()
			for b.Loop() {
				g.kernel(k, a, bp, 1, 1, c, g.NR)
			}
			reportGFLOPS(b, 2*float64(g.MR*g.NR*k), processCPUTime()-cpu0)
		})
	})
}

// BenchmarkRowsKernel measures each path's column-of-tiles kernel the way
// the packed driver runs it on one block, with its operands in L2: one
// micro-panel of B at a time (KC = 512 deep) against the 12 (or MC/MR)
// micro-panels of an A block, over four micro-panels of B, accumulating
// into C. Against BenchmarkMicroKernel it shows what streaming A and B
// from L2 and C's loads and stores cost the micro-kernel.
func BenchmarkRowsKernel(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		g := cur().gemm
		if g.rows == nil {
			b.Skip("this path has no column-of-tiles kernel")
		}
		const k, panelsB = 512, 4
		tiles := max(1, 144/g.MR)
		a, bp := make([]float32, tiles*g.MR*k), make([]float32, panelsB*g.NR*k)
		for i := range a {
			a[i] = 1.0 / 1024 // small and normal: C grows slowly with beta = 1
		}
		for i := range bp {
			bp[i] = 1.0 / 1024
		}
		ldc := panelsB * g.NR
		c := make([]float32, tiles*g.MR*ldc)
		tables := make([]rowTable, panelsB)
		for j := range tables {
			offs := make([]int, tiles*g.MR)
			for i := range offs {
				offs[i] = i*ldc + j*g.NR
			}
			tables[j].set(offs)
		}
		b.Run(fmt.Sprintf("%dx%d", g.MR, g.NR), func(b *testing.B) {
			cpu0 := processCPUTime()
			for b.Loop() {
				for j := range tables {
					g.rows(k, tiles, a, bp[j*g.NR*k:], 1, 1, c, tables[j])
				}
			}
			reportGFLOPS(b, 2*float64(tiles*g.MR*ldc*k), processCPUTime()-cpu0)
		})
	})
}
