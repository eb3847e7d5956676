package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// indirectTileCase is one call of an indirect kernel: taps runs of kt
// values per row of A, panels micro-panels of B, each table entry a zero
// row with probability 1/zeroEvery (0: never), C's rows evenly ldc apart
// or, with shuffled, at scattered offsets.
type indirectTileCase struct {
	taps, kt, panels int
	zeroEvery        int
	shuffled         bool
	alpha, beta      float32
}

// checkIndirectTile runs the active path's indirect kernel on tc and
// checks every tile against the packed kernel on the packed copy of the
// same rows (the same bits) and the generic reference kernel (within
// rounding), and that it wrote nothing outside the tiles and read nothing
// outside the rows the table names: A's other elements hold NaN.
func checkIndirectTile(t *testing.T, rng *rand.Rand, tc indirectTileCase) {
	t.Helper()
	g := cur().gemm
	mr, nr, kt, taps := g.MR, g.NR, tc.kt, tc.taps
	k := taps * kt
	src := make([]float32, 3*kt+11)
	for i := range src {
		src[i] = float32(math.NaN())
	}
	offs := make([]int, taps*mr)
	for i := range offs {
		if tc.zeroEvery > 0 && rng.IntN(tc.zeroEvery) == 0 {
			offs[i] = -1
			continue
		}
		offs[i] = rng.IntN(len(src) - kt + 1) // overlapping runs, unaligned starts
		for p := 0; p < kt; p++ {
			src[offs[i]+p] = float32(rng.IntN(64)-32) / 16
		}
	}
	ap := make([]float32, mr*k) // the packed copy, after every run is written
	for tp := 0; tp < taps; tp++ {
		for i := 0; i < mr; i++ {
			if o := offs[tp*mr+i]; o >= 0 {
				for p := 0; p < kt; p++ {
					ap[(tp*kt+p)*mr+i] = src[o+p]
				}
			}
		}
	}
	b := operand(rng, 1, tc.panels*nr*k, tc.panels*nr*k, 0)
	ldc := tc.panels*nr + 5
	back, c := guardedTile(rng, mr, tc.panels*nr, ldc, tc.beta)
	rows := make([]int, mr)
	for i := range rows {
		rows[i] = i * ldc
	}
	if tc.shuffled {
		rng.Shuffle(mr, func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	c0 := append([]float32(nil), c...)
	back0 := append([]float32(nil), back...)
	var table rowTable
	table.set(rows)
	g.indirectPanels(taps, kt, tc.panels, src, append([]int(nil), offs...), b, tc.alpha, tc.beta, c, table)
	inTile := make([]bool, len(back))
	for q := 0; q < tc.panels; q++ {
		bq := b[q*nr*k : (q+1)*nr*k]
		// The packed kernel and the reference on an evenly spaced copy.
		want := make([]float32, (mr-1)*nr+nr)
		was := make([]float32, len(want))
		for i := 0; i < mr; i++ {
			copy(was[i*nr:i*nr+nr], c0[rows[i]+q*nr:])
		}
		copy(want, was)
		g.kernel(k, ap, bq, tc.alpha, tc.beta, want, nr)
		ref := referenceTile(mr, nr, k, ap, bq, tc.alpha, tc.beta, was, nr)
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				at := rows[i] + q*nr + j
				inTile[at] = true
				got := c[at]
				if math.Float32bits(got) != math.Float32bits(want[i*nr+j]) {
					t.Fatalf("%+v: tile %d C[%d][%d] = %g, packed kernel %g", tc, q, i, j, got, want[i*nr+j])
				}
				var mag float64
				for p := 0; p < k; p++ {
					mag += math.Abs(float64(ap[p*mr+i]) * float64(bq[p*nr+j]))
				}
				if tc.beta != 0 {
					mag += math.Abs(float64(was[i*nr+j]))
				}
				if d := math.Abs(float64(got) - float64(ref[i*nr+j])); !(d <= float64(k+3)*mag/(1<<22)) {
					t.Fatalf("%+v: tile %d C[%d][%d] = %g, generic kernel %g", tc, q, i, j, got, ref[i*nr+j])
				}
			}
		}
	}
	for i := range back {
		if !inTile[i] && math.Float32bits(back[i]) != math.Float32bits(back0[i]) {
			t.Fatalf("%+v: wrote outside the tiles at %d", tc, i)
		}
	}
}

// TestIndirectKernels runs every indirect kernel for runs of 0..40 values
// and some longer ones (past the 4-step unrolling), 0..5 taps, 1..3
// micro-panels of B, tables with and without zero rows (all zero rows
// too), C's rows evenly spaced and shuffled, and beta 0 (C holding NaN),
// 1 and -0.25. Paths without one skip, saying so.
func TestIndirectKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		if cur().gemm.indirectPanels == nil {
			t.Skip("no indirect kernel on this path: a window operand is always packed")
		}
		rng := rand.New(rand.NewPCG(51, 52))
		kts := []int{63, 64, 65, 128, 200, len(zeroRow)}
		for kt := 0; kt <= 40; kt++ {
			kts = append(kts, kt)
		}
		for _, kt := range kts {
			for _, taps := range []int{0, 1, 2, 5} {
				for _, zeroEvery := range []int{0, 4, 1} {
					for _, beta := range []float32{0, 1, -0.25} {
						checkIndirectTile(t, rng, indirectTileCase{
							taps: taps, kt: kt, panels: 1 + (kt+taps)%3, zeroEvery: zeroEvery,
							shuffled: kt%2 == 1, alpha: 0.75, beta: beta,
						})
					}
				}
			}
		}
	})
}

// FuzzIndirectKernel checks random shapes, tables and scalars of the
// indirect kernel against the packed one and the reference.
func FuzzIndirectKernel(f *testing.F) {
	f.Add(uint16(0), uint8(0), uint8(0), uint8(0), uint64(1))
	f.Add(uint16(37), uint8(3), uint8(2), uint8(5), uint64(2))
	f.Add(uint16(128), uint8(4), uint8(4), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, kt uint16, taps, panels, sel uint8, seed uint64) {
		tc := indirectTileCase{
			kt: int(kt) % (len(zeroRow) + 1), taps: int(taps % 9), panels: 1 + int(panels%4),
			zeroEvery: int(sel % 5), shuffled: sel&8 != 0,
			alpha: []float32{1, -0.5, 2}[sel%3],
			beta:  []float32{0, 1, 0.3}[sel/3%3],
		}
		kerneltest.Run(t, func(t *testing.T) {
			if cur().gemm.indirectPanels == nil {
				t.Skip("no indirect kernel on this path")
			}
			checkIndirectTile(t, rand.New(rand.NewPCG(seed, 9)), tc)
		})
	})
}

// TestIndirectKernelChecks checks that the wrapper refuses, before any
// assembly runs, a table entry outside A, a short table, a run longer
// than the zero row, a panel of B too short and a row of C outside C.
func TestIndirectKernelChecks(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		if g.indirectPanels == nil {
			t.Skip("no indirect kernel on this path")
		}
		mr, nr := g.MR, g.NR
		const kt, taps = 8, 2
		a := make([]float32, 100)
		b := make([]float32, nr*taps*kt)
		c := make([]float32, mr*nr)
		var rows rowTable
		even := make([]int, mr)
		for i := range even {
			even[i] = i * nr
		}
		rows.set(even)
		good := func() []int { return make([]int, taps*mr) }
		for _, tc := range []struct {
			name string
			call func()
		}{
			{"offset past A", func() { o := good(); o[5] = len(a) - kt + 1; g.indirectPanels(taps, kt, 1, a, o, b, 1, 0, c, rows) }},
			{"offset below -1", func() { o := good(); o[3] = -2; g.indirectPanels(taps, kt, 1, a, o, b, 1, 0, c, rows) }},
			{"short table", func() { g.indirectPanels(taps, kt, 1, a, good()[:taps*mr-1], b, 1, 0, c, rows) }},
			{"run past the zero row", func() {
				g.indirectPanels(1, len(zeroRow)+1, 1, make([]float32, 2*len(zeroRow)), good(), make([]float32, nr*(len(zeroRow)+1)), 1, 0, c, rows)
			}},
			{"short B", func() { g.indirectPanels(taps, kt, 1, a, good(), b[1:], 1, 0, c, rows) }},
			{"row outside C", func() { g.indirectPanels(taps, kt, 1, a, good(), b, 1, 0, c[1:], rows) }},
			{"empty A", func() { o := good(); o[0] = -1; g.indirectPanels(taps, kt, 1, nil, o, b, 1, 0, c, rows) }},
		} {
			func() {
				defer func() {
					r := recover()
					if s, ok := r.(string); !ok || !strings.Contains(s, "indirect kernel") {
						t.Errorf("%s: recovered %v, want the wrapper's panic", tc.name, r)
					}
				}()
				tc.call()
			}()
		}
	})
}

// tapOperand is a test A Operand with an indirection table: row r's run
// of kt values under tap t starts at X[at(r, t)], or is zeros where at
// returns -1. Pack gathers the same values, so the driver's packed and
// indirect paths must agree bit for bit.
type tapOperand struct {
	X     []float32
	kt    int
	at    func(r, t int) int
	calls *atomic.Int64 // RowTaps calls that returned a table
}

func (o *tapOperand) value(r, p int) float32 {
	if s := o.at(r, p/o.kt); s >= 0 {
		return o.X[s+p%o.kt]
	}
	return 0
}

func (o *tapOperand) Pack(dst *Panels, r0, p0 int) {
	w := dst.Width()
	for q := 0; q < dst.Count(); q++ {
		panel := dst.Panel(q)
		for p := 0; p < dst.Depth(); p++ {
			for i := 0; i < w; i++ {
				v := float32(0)
				if r := q*w + i; r < dst.Rows() {
					v = o.value(r0+r, p0+p)
				}
				panel[p*w+i] = v
			}
		}
	}
}

func (o *tapOperand) RowSource() []float32 { return o.X }

func (o *tapOperand) RowTaps(r0, mr, p0, kc int, offs []int) (taps, kt int, ok bool) {
	if p0%o.kt != 0 || kc%o.kt != 0 {
		return 0, 0, false
	}
	taps = kc / o.kt
	for t := 0; t < taps; t++ {
		for i := 0; i < mr; i++ {
			offs[t*mr+i] = o.at(r0+i, p0/o.kt+t)
		}
	}
	o.calls.Add(1)
	return taps, o.kt, true
}

// packOnly hides an Operand's indirection table: the driver packs it.
type packOnly struct{ Operand }

// everyOther is a RowLayout that places row i of C at 2*i*ld.
type everyOther struct{ ld int }

func (e everyOther) RowOffset(i int) int { return 2 * i * e.ld }

// TestGemmIndirectBitwise checks that reading A through its indirection
// table gives the packed path's bits, at 1 and 3 threads: edge rows (m
// not a multiple of MR) and columns (a narrow last micro-panel of B),
// several KC blocks of whole taps, blocks that are not whole taps (packed
// instead), zero rows, C with and without a RowLayout, beta 0 and 1. It
// also checks that the indirect path ran, on one thread, where the
// backend has it.
func TestGemmIndirectBitwise(t *testing.T) {
	defer SetThreads(Threads())
	kerneltest.Run(t, func(t *testing.T) {
		g := cur().gemm
		rng := rand.New(rand.NewPCG(53, 54))
		for _, tc := range []struct {
			m, n, kt, taps int
			layout         bool
			beta           float32
		}{
			{13, 32, 5, 3, false, 0},
			{12 * 40, 128, 128, 4, true, 0},
			{12*40 + 7, 130, 100, 12, false, 1}, // KC blocks of 4 taps
			{300, 64, 300, 4, false, 0},         // blocks of 400: not whole taps
			{250, 96, 64, 9, true, 1},
		} {
			k := tc.kt * tc.taps
			x := operand(rng, 1, 4096, 4096, 0)
			var calls atomic.Int64
			// Tap t of row r: somewhere in x, overlapping, or every fifth a zero row.
			at := func(r, t int) int {
				if (r+3*t)%5 == 0 {
					return -1
				}
				return (r*131 + t*977) % (len(x) - tc.kt)
			}
			a := &tapOperand{X: x, kt: tc.kt, at: at, calls: &calls}
			b := operand(rng, tc.n, k, k, 0)
			ldc := tc.n + 3
			var rowsL RowLayout
			cLen := tc.m * ldc
			if tc.layout {
				rowsL, cLen = everyOther{ldc}, 2*tc.m*ldc
			}
			c0 := operand(rng, 1, cLen, cLen, 0)
			for _, threads := range []int{1, 3} {
				SetThreads(threads)
				bm := &Matrix{Data: b, LD: k, Trans: false}
				want := append([]float32(nil), c0...)
				Gemm{M: tc.m, N: tc.n, K: k, A: packOnly{a}, B: bm, C: want, LDC: ldc, Rows: rowsL, Beta: tc.beta}.Run()
				calls.Store(0)
				got := append([]float32(nil), c0...)
				Gemm{M: tc.m, N: tc.n, K: k, A: a, B: bm, C: got, LDC: ldc, Rows: rowsL, Beta: tc.beta}.Run()
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%+v threads %d: C[%d] = %g indirect, %g packed", tc, threads, i, got[i], want[i])
					}
				}
				// (At 3 threads some shapes take the team path, which packs.)
				if g.indirectPanels != nil && tc.kt != 300 && threads == 1 && calls.Load() == 0 {
					t.Fatalf("%+v threads %d: the indirect path never ran", tc, threads)
				}
			}
		}
	})
}

// TestGemmIndirectAllocatesNothing: a steady-state Gemm on the indirect
// path allocates nothing at any thread count, whichever pool slot runs
// which part (each slot's indirection table is grown before the parts
// start, not by the first part that needs it).
func TestGemmIndirectAllocatesNothing(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(55, 56))
	m, n, kt, taps := 12*100+5, 64, 64, 4
	k := kt * taps
	x := operand(rng, 1, 4096, 4096, 0)
	var calls atomic.Int64
	a := &tapOperand{X: x, kt: kt, calls: &calls, at: func(r, t int) int {
		if (r+t)%7 == 0 {
			return -1
		}
		return (r*37 + t*401) % (len(x) - kt)
	}}
	b := &Matrix{Data: operand(rng, n, k, k, 0), LD: k}
	c := make([]float32, m*n)
	for _, threads := range []int{1, 2, 3, 7} {
		SetThreads(threads)
		g := Gemm{M: m, N: n, K: k, A: a, B: b, C: c, LDC: n}
		g.Run()
		if r := allocs.Count(20, g.Run); r.Ours() != 0 {
			t.Errorf("threads %d: Gemm allocates: %v", threads, r)
		}
	}
	if cur().gemm.indirectPanels != nil && calls.Load() == 0 {
		t.Fatal("the indirect path never ran")
	}
}

// BenchmarkIndirectKernel runs the indirect kernel as a stride-1 2x2
// convolution of 128 channels reads it (the generator's sub-pixel phases):
// per tile, 12 neighbouring output pixels, 4 taps of 128 channels, 4
// micro-panels of B (N = 128). "resident" repeats one tile, its windows
// in L1; "stream" walks the tiles over a batch of 8 16x16 images (1.2
// MB), each tile's windows coming from L2 or L3 on its first micro-panel,
// as in a layer. Beside BenchmarkRowsKernel it shows what reading A in
// place costs the kernel.
func BenchmarkIndirectKernel(b *testing.B) {
	kerneltest.Bench(b, func(b *testing.B) {
		g := cur().gemm
		if g.indirectPanels == nil {
			b.Skip("this path has no indirect kernel")
		}
		const c, side, images, taps, panels = 128, 17, 8, 4, 4
		kc := taps * c
		x := make([]float32, images*side*side*c)
		for i := range x {
			x[i] = 1.0 / 1024
		}
		bp := make([]float32, panels*g.NR*kc)
		for i := range bp {
			bp[i] = 1.0 / 1024
		}
		ldc := panels * g.NR
		out := make([]float32, g.MR*ldc)
		var rows rowTable
		rowOffs := make([]int, g.MR)
		for i := range rowOffs {
			rowOffs[i] = i * ldc
		}
		rows.set(rowOffs)
		// The tables of every tile of the batch's 16x16 output pixels.
		pixels := images * (side - 1) * (side - 1)
		tiles := pixels / g.MR
		tables := make([][]int, tiles)
		for t := range tables {
			offs := make([]int, taps*g.MR)
			for i := range g.MR {
				p := t*g.MR + i
				img, y, xx := p/((side-1)*(side-1)), p/(side-1)%(side-1), p%(side-1)
				for tap := range taps {
					offs[tap*g.MR+i] = ((img*side+y+tap/2)*side + xx + tap%2) * c
				}
			}
			tables[t] = offs
		}
		flops := 2 * float64(g.MR*ldc*kc)
		for _, mode := range []string{"resident", "stream"} {
			b.Run(fmt.Sprintf("%dx%d/%s", g.MR, g.NR, mode), func(b *testing.B) {
				cpu0 := processCPUTime()
				t := 0
				for b.Loop() {
					g.indirectPanels(taps, c, panels, x, tables[t], bp, 1, 1, out, rows)
					if mode == "stream" {
						t = (t + 1) % tiles
					}
				}
				reportGFLOPS(b, flops, processCPUTime()-cpu0)
			})
		}
	})
}
