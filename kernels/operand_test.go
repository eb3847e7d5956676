package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// gatherOperand is a row-major rows x depth matrix that packs itself the
// way an implicit convolution does: by Scratch and PackRows (byRows) or,
// for full panels, by PackSteps from a transposed copy.
type gatherOperand struct {
	x      []float32 // rows x depth
	xt     []float32 // depth x rows
	rows   int
	depth  int
	byRows bool
}

func newGatherOperand(rng *rand.Rand, rows, depth int, byRows bool) *gatherOperand {
	g := &gatherOperand{rows: rows, depth: depth, byRows: byRows}
	g.x = make([]float32, rows*depth)
	g.xt = make([]float32, rows*depth)
	for i := range g.x {
		g.x[i] = rng.Float32()*2 - 1
	}
	for r := 0; r < rows; r++ {
		for p := 0; p < depth; p++ {
			g.xt[p*rows+r] = g.x[r*depth+p]
		}
	}
	return g
}

func (g *gatherOperand) Pack(dst *Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	for q := 0; q < dst.Count(); q++ {
		first := r0 + q*w
		n := min(w, r0+dst.Rows()-first)
		if !g.byRows && n == w {
			// Half the steps from the transposed copy, half zeroed then
			// overwritten, to exercise ZeroSteps and partial PackSteps.
			h := kc / 2
			dst.ZeroSteps(q, 0, kc)
			dst.PackSteps(q, 0, h, g.xt[p0*g.rows+first:], g.rows)
			dst.PackSteps(q, h, kc-h, g.xt[(p0+h)*g.rows+first:], g.rows)
			continue
		}
		s := dst.Scratch()
		for r := 0; r < n; r++ {
			copy(s[r*kc:r*kc+kc], g.x[(first+r)*g.depth+p0:])
		}
		dst.PackRows(q, s, kc, n)
	}
}

// rowPermutation is where each row of C goes: in order ("ldc"),
// reversed (no two rows equally spaced), or in groups of five consecutive
// rows with the groups in reverse order (runs of equally spaced rows).
func rowPermutation(m int, layout string) []int {
	perm := make([]int, m)
	for i := range perm {
		switch layout {
		case "ldc":
			perm[i] = i
		case "reversed":
			perm[i] = m - 1 - i
		case "grouped":
			// Group g of five rows ends where m-5g does; the last,
			// possibly partial, group goes first.
			g, r := i/5, i%5
			perm[i] = max(0, m-(g+1)*5) + r
		}
	}
	return perm
}

// permutedRows places row i of C at perm[i]*ld.
type permutedRows struct {
	perm []int
	ld   int
}

func (p permutedRows) RowOffset(i int) int { return p.perm[i] * p.ld }

// reversedRows places row i of an m-row C at (m-1-i)*ld + shift.
type reversedRows struct{ m, ld, shift int }

func (r reversedRows) RowOffset(i int) int { return (r.m-1-i)*r.ld + r.shift }

// countingEpilogue adds 1 to every element it finishes and counts calls
// per element, so a missed or repeated element shows.
type countingEpilogue struct {
	seen []int32 // m x n
	n    int
}

func (e *countingEpilogue) Finish(c []float32, ldc, i0, rows, j0, cols int) {
	if len(c) != (rows-1)*ldc+cols || ldc < cols {
		panic(fmt.Sprintf("epilogue block of %d values for %d rows of %d, ldc %d", len(c), rows, cols, ldc))
	}
	for r := 0; r < rows; r++ {
		row := c[r*ldc : r*ldc+cols]
		for q := range row {
			row[q]++
			e.seen[(i0+r)*e.n+j0+q]++
		}
	}
}

// sgemmBlocked is Sgemm(false, true, ...) always on the blocked path
// (Sgemm takes its skinny path when m or n is at most 4, which sums in
// another order), the reference a Gemm must match bit for bit.
func sgemmBlocked(m, n, k int, a, b []float32, beta float32, c []float32, ldc int) {
	job := gemmJob{
		cfg: &cur().gemm, transB: true, m: m, n: n, k: k, alpha: 1, beta: beta,
		a: a, lda: max(1, k), b: b, ldb: max(1, k), c: c, ldc: ldc,
	}
	if k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	runGemm(&job)
}

// TestGemmOperandsMatchSgemm checks Gemm over Matrix and gather operands,
// with equally spaced and reversed rows of C and an epilogue, against
// Sgemm on the stored matrices: the packed bytes are the same, so the
// results must be bit for bit the same, on every thread count.
func TestGemmOperandsMatchSgemm(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 7))
		shapes := [][3]int{{1, 1, 1}, {1, 17, 3}, {7, 5, 0}, {13, 33, 29}, {6, 16, 512}, {37, 70, 1100}, {250, 130, 700}, {500, 40, 64}}
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, kind := range []string{"matrix", "gatherRows", "gatherSteps"} {
				for _, layout := range []string{"ldc", "reversed", "grouped"} {
					name := fmt.Sprintf("%dx%dx%d/%s/%s", m, n, k, kind, layout)
					t.Run(name, func(t *testing.T) {
						checkGemmCase(t, rng, m, n, k, kind, layout)
					})
				}
			}
		}
	})
}

func checkGemmCase(t *testing.T, rng *rand.Rand, m, n, k int, kind, layout string) {
	ga := newGatherOperand(rng, m, k, kind == "gatherRows")
	gb := newGatherOperand(rng, n, k, kind != "gatherSteps")
	var opA, opB Operand = ga, gb
	if kind == "matrix" {
		// A as stored, B as stored transposed: both of Sgemm's layouts.
		opA, opB = &Matrix{Data: ga.x, LD: k}, &Matrix{Trans: true, Data: gb.xt, LD: n}
	}
	ldc := n + 3
	want := make([]float32, m*ldc)
	for i := range want {
		want[i] = rng.Float32()
	}
	c0 := append([]float32(nil), want...)
	sgemmBlocked(m, n, k, ga.x, gb.x, 1, want, ldc)
	for _, threads := range []int{1, 2, 3, 7} {
		prev := Threads()
		SetThreads(threads)
		c := append([]float32(nil), c0...)
		g := Gemm{M: m, N: n, K: k, A: opA, B: opB, C: c, LDC: ldc, Beta: 1}
		perm := rowPermutation(m, layout)
		if layout != "ldc" {
			// Row i of the product lands in row perm[i] of c, so move c0's
			// rows there first.
			for i, p := range perm {
				copy(c[p*ldc:p*ldc+ldc], c0[i*ldc:i*ldc+ldc])
			}
			g.Rows = permutedRows{perm: perm, ld: ldc}
		}
		ep := &countingEpilogue{seen: make([]int32, m*n), n: n}
		g.Epilogue = ep
		g.Run()
		SetThreads(prev)
		for i := 0; i < m; i++ {
			row := perm[i]
			for j := 0; j < n; j++ {
				got, w := c[row*ldc+j], want[i*ldc+j]+1
				if math.Float32bits(got) != math.Float32bits(w) {
					t.Fatalf("threads %d: C[%d][%d] = %v, want %v (Sgemm + 1)", threads, i, j, got, w)
				}
				if s := ep.seen[i*n+j]; s != 1 {
					t.Fatalf("threads %d: epilogue saw C[%d][%d] %d times", threads, i, j, s)
				}
			}
			for j := n; j < ldc; j++ {
				if c[row*ldc+j] != c0[i*ldc+j] && layout == "ldc" {
					t.Fatalf("threads %d: wrote C[%d][%d] past column n", threads, i, j)
				}
			}
		}
	}
}

// TestGemmBetaZeroDoesNotReadC checks that Beta == 0 overwrites NaNs.
func TestGemmBetaZeroDoesNotReadC(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		m, n, k := 19, 23, 31
		a, b := newGatherOperand(rng, m, k, true), newGatherOperand(rng, n, k, true)
		c := make([]float32, m*n)
		for i := range c {
			c[i] = float32(math.NaN())
		}
		Gemm{M: m, N: n, K: k, A: a, B: b, C: c, LDC: n}.Run()
		want := make([]float32, m*n)
		sgemmBlocked(m, n, k, a.x, b.x, 0, want, n)
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
				t.Fatalf("C[%d] = %v, want %v", i, c[i], want[i])
			}
		}
	})
}

func TestGemmPanics(t *testing.T) {
	a := &Matrix{Data: make([]float32, 12), LD: 3}
	for name, g := range map[string]Gemm{
		"negative":     {M: -1, N: 1, K: 1, A: a, B: a, C: make([]float32, 1), LDC: 1},
		"nil operand":  {M: 1, N: 1, K: 1, A: a, C: make([]float32, 1), LDC: 1},
		"short C":      {M: 4, N: 4, K: 3, A: a, B: a, C: make([]float32, 15), LDC: 4},
		"small LDC":    {M: 4, N: 4, K: 3, A: a, B: a, C: make([]float32, 16), LDC: 3},
		"row outside":  {M: 4, N: 4, K: 3, A: a, B: a, C: make([]float32, 16), Rows: reversedRows{m: 4, ld: 4, shift: 1}},
		"row outside0": {M: 4, N: 4, K: 0, A: a, B: a, C: make([]float32, 16), Rows: reversedRows{m: 4, ld: 4, shift: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Run did not panic")
				}
			}()
			g.Run()
		})
	}
}

// TestGemmAllocatesNothing: a steady-state Gemm, threaded or not, with a
// row layout and an epilogue, allocates nothing.
func TestGemmAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 300, 96, 200
	a, b := newGatherOperand(rng, m, k, true), newGatherOperand(rng, n, k, false)
	c := make([]float32, m*n)
	ep := &countingEpilogue{seen: make([]int32, m*n), n: n}
	for _, threads := range []int{1, 2} {
		prev := Threads()
		SetThreads(threads)
		g := Gemm{M: m, N: n, K: k, A: a, B: b, C: c, Rows: reversedRows{m: m, ld: n}, Epilogue: ep}
		g.Run()
		if r := allocs.Count(5, g.Run); r.Ours() != 0 {
			t.Errorf("threads %d: Gemm allocates: %v", threads, r)
		}
		SetThreads(prev)
	}
}

// TestPanelsOverlappingRows checks PackRowsAt and PackSteps with a stride
// below the run length, so that the rows (or steps) they read overlap, as
// a window operand's do, for full and partial micro-panels on every path,
// and that they leave the other steps alone.
func TestPanelsOverlappingRows(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := &cur().gemm
		src := make([]float32, 4096)
		for i := range src {
			src[i] = float32(i + 1)
		}
		for _, side := range []struct {
			w          int
			trans, cpy panelPacker
		}{{g.MR, g.packAT, g.packAN}, {g.NR, g.packBT, g.packBN}} {
			w := side.w
			const kc = 23
			for _, tc := range []struct{ s0, n, ld, rows int }{
				{0, kc, 3, w}, {5, 9, 1, w}, {2, 17, 0, w}, {7, 11, 6, w - 1}, {0, 4, 2, 1}, {3, 0, 1, w},
			} {
				buf := make([]float32, w*kc)
				for i := range buf {
					buf[i] = -1
				}
				var p Panels
				p.set(buf, w, kc, w, side.trans, side.cpy, nil, make([]float32, w*kc))
				p.PackRowsAt(0, tc.s0, tc.n, src[7:], tc.ld, tc.rows)
				for s := 0; s < kc; s++ {
					for r := 0; r < w; r++ {
						want := float32(-1)
						if s >= tc.s0 && s < tc.s0+tc.n {
							want = 0
							if r < tc.rows {
								want = src[7+r*tc.ld+s-tc.s0]
							}
						}
						if got := buf[s*w+r]; got != want {
							t.Fatalf("width %d PackRowsAt%+v: (r %d, s %d) = %v, want %v", w, tc, r, s, got, want)
						}
					}
				}
				for i := range buf {
					buf[i] = -1
				}
				ld := max(tc.ld, 1) // steps of w values, tc.ld apart
				p.PackSteps(0, tc.s0, tc.n, src[3:], ld)
				for s := 0; s < kc; s++ {
					for r := 0; r < w; r++ {
						want := float32(-1)
						if s >= tc.s0 && s < tc.s0+tc.n {
							want = src[3+(s-tc.s0)*ld+r]
						}
						if got := buf[s*w+r]; got != want {
							t.Fatalf("width %d PackSteps(%d, %d, ld %d): (r %d, s %d) = %v, want %v", w, tc.s0, tc.n, ld, r, s, got, want)
						}
					}
				}
			}
		}
	})
}

// TestPanelsRowGroups checks PackRowGroupsAt against PackRowsAt of the
// same rows gathered into one matrix, for steps in the middle of a
// micro-panel and overlapping rows, and that it panics on a starts slice
// of the wrong length and where the backend has no group packer.
func TestPanelsRowGroups(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := &cur().gemm
		w := g.MR
		src := make([]float32, 4096)
		for i := range src {
			src[i] = float32(i + 1)
		}
		const kc = 23
		var p Panels
		p.set(make([]float32, w*kc), w, kc, w, g.packAT, g.packAN, g.packATGroups, make([]float32, w*kc))
		if p.RowGroup() == 0 {
			defer func() {
				if recover() == nil {
					t.Fatal("PackRowGroupsAt without a group packer did not panic")
				}
			}()
			p.PackRowGroupsAt(0, 0, 1, src, 1, []int{0})
			return
		}
		groups := (w + p.RowGroup() - 1) / p.RowGroup()
		for _, tc := range []struct{ s0, n, ld int }{{0, kc, 30}, {5, 9, 3}, {2, 17, 0}, {7, 11, 100}} {
			starts := []int{1000, 40, 2500}[:groups]
			rows := make([]float32, w*tc.n)
			for r := 0; r < w; r++ {
				at := starts[r/4] + r%4*tc.ld
				copy(rows[r*tc.n:(r+1)*tc.n], src[at:at+tc.n])
			}
			var want Panels
			want.set(make([]float32, w*kc), w, kc, w, nil, nil, nil, make([]float32, w*kc))
			want.PackRowsAt(0, tc.s0, tc.n, rows, tc.n, w)
			clear(p.buf)
			p.PackRowGroupsAt(0, tc.s0, tc.n, src, tc.ld, starts)
			for s := tc.s0; s < tc.s0+tc.n; s++ {
				for r := 0; r < w; r++ {
					if got, wv := p.Panel(0)[s*w+r], want.Panel(0)[s*w+r]; got != wv {
						t.Fatalf("%+v: step %d row %d = %g, want %g", tc, s, r, got, wv)
					}
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Fatal("PackRowGroupsAt with too few starts did not panic")
			}
		}()
		p.PackRowGroupsAt(0, 0, 1, src, 1, make([]int, groups-1))
	})
}
