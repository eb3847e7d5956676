package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// stridedTileCase is one call of a strided micro-kernel: A's MR rows lda =
// k+pad apart, starting off elements into their backing array.
type stridedTileCase struct {
	k, pad, off int
	alpha, beta float32
}

// checkStridedTile runs the active path's strided kernel on tc and checks
// it against the packed kernel on a packed copy of the same rows (the same
// bits), against the generic reference kernel (within rounding), that it
// wrote nothing outside the tile and read nothing outside A's rows: the
// gap columns between rows and the elements around them hold NaN, which
// would reach C.
func checkStridedTile(t *testing.T, rng *rand.Rand, tc stridedTileCase) {
	t.Helper()
	g := cur().gemm
	mr, nr, k := g.MR, g.NR, tc.k
	lda := k + tc.pad
	nA := (mr-1)*lda + k
	backA := make([]float32, tc.off+nA+guardLen)
	for i := range backA {
		backA[i] = float32(math.NaN())
	}
	a := backA[tc.off : tc.off+nA]
	ap := make([]float32, mr*k)
	for i := 0; i < mr; i++ {
		for p := 0; p < k; p++ {
			v := rng.Float32()*2 - 1
			a[i*lda+p], ap[p*mr+i] = v, v
		}
	}
	b := operand(rng, 1, nr*k, nr*k, 3)
	ldc := nr + 3
	back, c := guardedTile(rng, mr, nr, ldc, tc.beta)
	c0 := append([]float32(nil), c...)
	packed := append([]float32(nil), c...)
	g.strided(k, a, lda, b, tc.alpha, tc.beta, c, ldc)
	g.kernel(k, ap, b, tc.alpha, tc.beta, packed, ldc)
	ref := referenceTile(mr, nr, k, ap, b, tc.alpha, tc.beta, c0, ldc)
	for i := range back {
		row, col := i/ldc, i%ldc
		if row >= mr || col >= nr {
			if math.Float32bits(back[i]) != math.Float32bits(guard) {
				t.Fatalf("%+v: wrote outside the tile at row %d column %d", tc, row, col)
			}
			continue
		}
		if math.Float32bits(c[i]) != math.Float32bits(packed[i]) {
			t.Fatalf("%+v: C[%d][%d] = %g, packed kernel %g", tc, row, col, c[i], packed[i])
		}
		var mag float64
		for p := 0; p < k; p++ {
			mag += math.Abs(float64(ap[p*mr+row]) * float64(b[p*nr+col]))
		}
		if tc.beta != 0 {
			mag += math.Abs(float64(c0[i]))
		}
		if d := math.Abs(float64(c[i]) - float64(ref[i])); !(d <= float64(k+3)*mag/(1<<22)) {
			t.Fatalf("%+v: C[%d][%d] = %g, generic kernel %g", tc, row, col, c[i], ref[i])
		}
	}
}

// TestStridedKernels runs every strided micro-kernel for k in 0..40 and
// some longer sums (past the 4-step unrolling and a KC block), rows
// exactly k apart and with odd gaps, unaligned starts, and beta 0 (C
// holding NaN), 1 and -0.25. Paths without one skip, saying so.
func TestStridedKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		if cur().gemm.strided == nil {
			t.Skip("no strided micro-kernel on this path: A is always packed")
		}
		rng := rand.New(rand.NewPCG(41, 42))
		ks := []int{63, 64, 65, 200, 513}
		for k := 0; k <= 40; k++ {
			ks = append(ks, k)
		}
		for _, k := range ks {
			for _, pad := range []int{0, 1, 7} {
				for _, beta := range []float32{0, 1, -0.25} {
					checkStridedTile(t, rng, stridedTileCase{k: k, pad: pad, off: (k + pad) % 4, alpha: 0.75, beta: beta})
				}
			}
		}
	})
}

// FuzzStridedKernel checks random depths, gaps, offsets and scalars of the
// strided micro-kernel against the packed one and the reference.
func FuzzStridedKernel(f *testing.F) {
	f.Add(uint16(0), uint8(0), uint8(0), uint8(0), uint64(1))
	f.Add(uint16(37), uint8(5), uint8(3), uint8(2), uint64(2))
	f.Add(uint16(600), uint8(1), uint8(1), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, k uint16, pad, off, sel uint8, seed uint64) {
		tc := stridedTileCase{
			k: int(k % 1100), pad: int(pad % 20), off: int(off % 8),
			alpha: []float32{1, -0.5, 2}[sel%3],
			beta:  []float32{0, 1, 0.3}[sel/3%3],
		}
		kerneltest.Run(t, func(t *testing.T) {
			if cur().gemm.strided == nil {
				t.Skip("no strided micro-kernel on this path")
			}
			checkStridedTile(t, rand.New(rand.NewPCG(seed, 7)), tc)
		})
	})
}

// withoutStrided runs f with the active path's strided kernel removed, so
// every block of A is packed.
func withoutStrided(f func()) {
	g := &cur().gemm
	saved := g.strided
	g.strided = nil
	defer func() { g.strided = saved }()
	f()
}

// TestSgemmStridedBitwise checks that reading A in place gives the packed
// path's bits, on shapes with edge rows and columns, rows lda > k apart,
// several KC blocks, both forms of B and beta 0 and 1, at 1 and 3 threads.
func TestSgemmStridedBitwise(t *testing.T) {
	defer SetThreads(Threads())
	kerneltest.Run(t, func(t *testing.T) {
		if cur().gemm.strided == nil {
			t.Skip("no strided micro-kernel on this path")
		}
		rng := rand.New(rand.NewPCG(43, 44))
		for _, tc := range []struct {
			m, n, k, pad int
			transB       bool
			beta         float32
		}{
			{7, 16, 5, 0, false, 0},
			{13, 33, 100, 3, false, 1},
			{250, 130, 1152, 1, false, 0},
			{1000, 64, 700, 0, true, 1},
			{2048, 128, 576, 0, false, 0},
			{611, 27, 1300, 5, true, 0},
		} {
			lda, ldb := tc.k+tc.pad, tc.n
			if tc.transB {
				ldb = tc.k
			}
			a := operand(rng, tc.m, tc.k, lda, 1)
			b := operand(rng, tc.k, tc.n, ldb, 0)
			if tc.transB {
				b = operand(rng, tc.n, tc.k, ldb, 0)
			}
			c0 := operand(rng, tc.m, tc.n, tc.n, 0)
			for _, threads := range []int{1, 3} {
				SetThreads(threads)
				want := append([]float32(nil), c0...)
				withoutStrided(func() {
					Sgemm(false, tc.transB, tc.m, tc.n, tc.k, 1.25, a, lda, b, ldb, tc.beta, want, tc.n)
				})
				got := append([]float32(nil), c0...)
				Sgemm(false, tc.transB, tc.m, tc.n, tc.k, 1.25, a, lda, b, ldb, tc.beta, got, tc.n)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%+v threads %d: C[%d] = %g strided, %g packed", tc, threads, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestReadsAInPlace checks which blocks take the strided path: only a
// plain Sgemm with A not transposed whose packed panel of B fits the
// backend's limit and is at most stridedMaxPanels micro-panels wide.
func TestReadsAInPlace(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := &cur().gemm
		limit := g.stridedPanel
		plain := gemmJob{cfg: g}
		if g.strided == nil {
			if plain.readsAInPlace(8, 16) {
				t.Fatal("a path without a strided kernel took the strided path")
			}
			t.Skip("no strided micro-kernel on this path")
		}
		nc := 8 * g.NR
		kc := limit / nc
		if !plain.readsAInPlace(kc, nc) {
			t.Errorf("a %dx%d panel (limit %d floats) was packed", kc, nc, limit)
		}
		if plain.readsAInPlace(kc+1, nc) {
			t.Errorf("a %dx%d panel (limit %d floats) was read in place", kc+1, nc, limit)
		}
		if plain.readsAInPlace(kc, nc-1) != plain.readsAInPlace(kc, nc) {
			t.Error("a narrow last micro-panel of B changed the decision")
		}
		if !plain.readsAInPlace(8, stridedMaxPanels*g.NR) {
			t.Errorf("a block of %d micro-panels of B was packed", stridedMaxPanels)
		}
		if plain.readsAInPlace(8, stridedMaxPanels*g.NR+1) {
			t.Errorf("a block of more than %d micro-panels of B was read in place", stridedMaxPanels)
		}
		transA := gemmJob{cfg: g, transA: true}
		if transA.readsAInPlace(8, 16) {
			t.Error("a transposed A was read in place")
		}
		withOperand := gemmJob{cfg: g, opA: &Matrix{Data: make([]float32, 1), LD: 1}}
		if withOperand.readsAInPlace(8, 16) {
			t.Error("an Operand was read in place")
		}
	})
}
