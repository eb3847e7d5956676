package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// stridedTileCase is one call of a strided micro-kernel: A's MR rows lda =
// k+pad apart, starting off elements into their backing array. A negative
// pad makes the rows overlap (pad = -k: every row is the first).
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
			a[i*lda+p] = rng.Float32()*2 - 1
		}
	}
	for i := 0; i < mr; i++ { // after the rows are written: they may overlap
		for p := 0; p < k; p++ {
			ap[p*mr+i] = a[i*lda+p]
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
// exactly k apart, with odd gaps and overlapping (k/3 apart, as conv's
// strips of the first layer's windows are 9 of 27 apart, and all at
// one place), unaligned starts, and beta 0 (C holding NaN), 1 and -0.25.
// Paths without one skip, saying so.
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
			for _, pad := range []int{0, 1, 7, k/3 - k, -k} {
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
			k: int(k % 1100), pad: int(pad%20) - int(k%1100)*int(sel/9%2), off: int(off % 8),
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
// plain Sgemm with A not transposed, or a Gemm whose A has its rows in
// place and whose C has no RowLayout, whose packed panel of B fits the
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
		withOperand := gemmJob{cfg: g}
		withOperand.setOperands(&Matrix{Data: make([]float32, 1), LD: 1}, nil, nil)
		if withOperand.readsAInPlace(8, 16) {
			t.Error("an Operand that only packs was read in place")
		}
		runs := gemmJob{cfg: g}
		runs.setOperands(&rowRunsOperand{}, nil, nil)
		if !runs.readsAInPlace(8, 16) {
			t.Error("an Operand with rows in place was packed")
		}
		runs.setOperands(runs.opA, nil, reversedRows{m: 1, ld: 1})
		if runs.readsAInPlace(8, 16) {
			t.Error("an Operand with rows in place was read in place for a C placed by a RowLayout")
		}
	})
}

// rowRunsOperand is a test A Operand with its rows in place: row r starts
// at src[starts[r]], and the rows come in runs of equally spaced starts,
// runEnd[r] being the first row after r's run.
type rowRunsOperand struct {
	src            []float32
	starts, runEnd []int
}

func (o *rowRunsOperand) RowSource() []float32 { return o.src }

func (o *rowRunsOperand) RowRun(r int) (start, step, count int) {
	start, count = o.starts[r], o.runEnd[r]-r
	if count > 1 {
		step = o.starts[r+1] - start
	}
	return start, step, count
}

func (o *rowRunsOperand) Pack(dst *Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	for q := 0; q < dst.Count(); q++ {
		rows := min(w, dst.Rows()-q*w)
		sc := dst.Scratch()[:rows*kc]
		for i := 0; i < rows; i++ {
			s := o.starts[r0+q*w+i] + p0
			copy(sc[i*kc:(i+1)*kc], o.src[s:s+kc])
		}
		dst.PackRowsAt(q, 0, kc, sc, kc, rows)
	}
}

// newRowRuns returns an m x k rowRunsOperand whose runs have random
// lengths (1 to 15 rows) and steps (0 to k+3, so rows overlap, coincide or
// leave gaps, which hold NaN), and the same matrix stored.
func newRowRuns(rng *rand.Rand, m, k int) (*rowRunsOperand, []float32) {
	o := &rowRunsOperand{starts: make([]int, m), runEnd: make([]int, m)}
	next := 0
	for r := 0; r < m; {
		n, step := min(1+rng.IntN(15), m-r), rng.IntN(k+4)
		for i := 0; i < n; i++ {
			o.starts[r+i], o.runEnd[r+i] = next+i*step, r+n
		}
		next += (n-1)*step + k + rng.IntN(3)
		r += n
	}
	o.src = make([]float32, next)
	for i := range o.src {
		o.src[i] = float32(math.NaN())
	}
	for r := 0; r < m; r++ {
		for p := 0; p < k; p++ {
			o.src[o.starts[r]+p] = rng.Float32()*2 - 1
		}
	}
	stored := make([]float32, m*k)
	for r := 0; r < m; r++ {
		copy(stored[r*k:(r+1)*k], o.src[o.starts[r]:o.starts[r]+k])
	}
	return o, stored
}

// TestGemmRowsInPlaceBitwise checks that a Gemm whose A has its rows in
// place (read by the strided kernel where a tile lies in one run, packed
// where it does not) gives the bits of the same A stored and packed, on
// shapes with edge rows and columns, a narrow C (N = 64 as in the first
// discriminator layer, K = 27), several KC blocks and beta 0 and 1, at 1
// and 3 threads.
func TestGemmRowsInPlaceBitwise(t *testing.T) {
	defer SetThreads(Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(45, 46))
		for _, tc := range []struct {
			m, n, k int
			beta    float32
		}{
			{1, 16, 3, 0},
			{7, 5, 27, 1},
			{500, 64, 27, 0},
			{301, 33, 100, 1},
			{250, 130, 1152, 0},
		} {
			rows, stored := newRowRuns(rng, tc.m, tc.k)
			b := &Matrix{Data: operand(rng, tc.n, tc.k, tc.k, 0), LD: tc.k}
			c0 := operand(rng, tc.m, tc.n, tc.n, 0)
			for _, threads := range []int{1, 3} {
				SetThreads(threads)
				want := append([]float32(nil), c0...)
				Gemm{M: tc.m, N: tc.n, K: tc.k, A: &Matrix{Data: stored, LD: tc.k}, B: b, C: want, LDC: tc.n, Beta: tc.beta}.Run()
				got := append([]float32(nil), c0...)
				Gemm{M: tc.m, N: tc.n, K: tc.k, A: rows, B: b, C: got, LDC: tc.n, Beta: tc.beta}.Run()
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%+v threads %d: C[%d] = %g in place, %g packed", tc, threads, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestStridedPanelsKernels runs every path's row-of-tiles strided kernel
// on 0 to 5 tiles for depths up to 200, rows of A apart by more than, as
// much as and less than k (overlapping), and three betas: each tile must be
// bit for bit what the path's strided kernel computes, C's gap columns and
// the space past it must stay untouched, and with beta = 0 C's NaNs must
// not be read.
func TestStridedPanelsKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.stridedPanels == nil {
			t.Skip("no row-of-tiles strided kernel on this path: the driver calls the strided kernel per tile")
		}
		mr, nr := g.MR, g.NR
		rng := rand.New(rand.NewPCG(43, 44))
		for _, panels := range []int{0, 1, 3, 5} {
			for _, k := range []int{0, 1, 3, 4, 5, 13, 40, 200} {
				for _, lda := range []int{k + 3, k, k / 3} {
					for _, beta := range []float32{0, 1, -0.25} {
						alpha := float32(0.75)
						a := operand(rng, 1, (mr-1)*lda+k+1, (mr-1)*lda+k+1, 0)[1:] // unaligned start
						b := operand(rng, 1, max(panels, 1)*nr*k, max(panels, 1)*nr*k, 0)
						ldc := panels*nr + 5
						back, c := guardedTile(rng, mr, max(panels, 1)*nr, ldc, beta)
						want := append([]float32(nil), back...)
						for q := 0; q < panels; q++ {
							g.strided(k, a, lda, b[q*nr*k:], alpha, beta, want[q*nr:], ldc)
						}
						g.stridedPanels(k, panels, a, lda, b, alpha, beta, c, ldc)
						for i := range back {
							if math.Float32bits(back[i]) != math.Float32bits(want[i]) {
								t.Fatalf("panels=%d k=%d lda=%d beta=%g: C[%d] = %g, the strided kernel gives %g", panels, k, lda, beta, i, back[i], want[i])
							}
						}
					}
				}
			}
		}
	})
}

// TestStridedPanelsKernelChecks checks that the row-of-tiles strided
// kernel's wrapper refuses slices too short for its tiles.
func TestStridedPanelsKernelChecks(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.stridedPanels == nil {
			t.Skip("no row-of-tiles strided kernel on this path")
		}
		mr, nr, k, lda, panels := g.MR, g.NR, 5, 7, 3
		ldc := panels * nr
		a, b, c := make([]float32, (mr-1)*lda+k), make([]float32, panels*nr*k), make([]float32, (mr-1)*ldc+panels*nr)
		g.stridedPanels(k, panels, a, lda, b, 1, 0, c, ldc) // in bounds: must not panic
		for _, tc := range []struct {
			name string
			call func()
		}{
			{"a too short", func() { g.stridedPanels(k, panels, a[:len(a)-1], lda, b, 1, 0, c, ldc) }},
			{"b too short", func() { g.stridedPanels(k, panels, a, lda, b[:len(b)-1], 1, 0, c, ldc) }},
			{"c too short", func() { g.stridedPanels(k, panels, a, lda, b, 1, 0, c[:len(c)-1], ldc) }},
			{"ldc below NR", func() { g.stridedPanels(k, panels, a, lda, b, 1, 0, c, nr-1) }},
			{"negative panels", func() { g.stridedPanels(k, -1, a, lda, b, 1, 0, c, ldc) }},
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
