package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// gemmCase is one Sgemm call to check against the float64 reference.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	padA, padB     int // leading dimension minus the minimum
	padC           int
	offA, offB     int // unaligned slice starts
	offC           int
	alpha, beta    float32
	nanC           bool // fill C with NaN (only meaningful with beta == 0)
	nanAB          bool // put NaN in A and B (only meaningful with alpha == 0)
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/pad=%d,%d,%d/off=%d,%d,%d/alpha=%g,beta=%g/nanC=%v,nanAB=%v",
		t(tc.transA), t(tc.transB), tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC,
		tc.offA, tc.offB, tc.offC, tc.alpha, tc.beta, tc.nanC, tc.nanAB)
}

// guard is the sentinel written around C; a changed sentinel is an
// out-of-bounds write.
var guard = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a recognisable payload

const guardLen = 67

// operand returns a rows x cols matrix stored with stride ld inside a
// larger backing array starting off elements in, filled from rng.
func operand(rng *rand.Rand, rows, cols, ld, off int) []float32 {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	back := make([]float32, off+n+guardLen)
	for i := range back {
		back[i] = rng.Float32()*2 - 1
	}
	return back[off : off+n]
}

// runGemmCase runs tc on the active path and reports errors through t.
func runGemmCase(t testing.TB, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = bc, br
	}
	lda, ldb, ldc := max(1, ac)+tc.padA, max(1, bc)+tc.padB, max(1, tc.n)+tc.padC
	a := operand(rng, ar, ac, lda, tc.offA)
	b := operand(rng, br, bc, ldb, tc.offB)
	if tc.nanAB {
		if len(a) > 0 {
			a[len(a)/2] = float32(math.NaN())
		}
		if len(b) > 0 {
			b[0] = float32(math.Inf(1))
		}
	}
	cLen := 0
	if tc.m > 0 && tc.n > 0 {
		cLen = (tc.m-1)*ldc + tc.n
	}
	back := make([]float32, tc.offC+cLen+guardLen)
	for i := range back {
		back[i] = guard
	}
	c := back[tc.offC : tc.offC+cLen]
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			if tc.nanC {
				c[i*ldc+j] = float32(math.NaN())
			} else {
				c[i*ldc+j] = rng.Float32()*2 - 1
			}
		}
	}
	c0 := append([]float32(nil), c...)

	Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)

	// Guard bands: before and after C, and between rows when ldc > n.
	for i := 0; i < tc.offC; i++ {
		if math.Float32bits(back[i]) != math.Float32bits(guard) {
			t.Fatalf("%v: wrote before C at offset %d", tc, i-tc.offC)
		}
	}
	for i := tc.offC + cLen; i < len(back); i++ {
		if math.Float32bits(back[i]) != math.Float32bits(guard) {
			t.Fatalf("%v: wrote %d elements past the end of C", tc, i-tc.offC-cLen+1)
		}
	}
	for i := 0; i+1 < tc.m && tc.n > 0; i++ {
		for j := tc.n; j < ldc; j++ {
			if math.Float32bits(c[i*ldc+j]) != math.Float32bits(guard) {
				t.Fatalf("%v: wrote in the gap after row %d at column %d", tc, i, j)
			}
		}
	}

	at := func(i, p int) float64 {
		if tc.transA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	bt := func(p, j int) float64 {
		if tc.transB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	const eps = 1.0 / (1 << 23)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, mag float64
			if tc.alpha != 0 {
				for p := 0; p < tc.k; p++ {
					v := at(i, p) * bt(p, j)
					s += v
					mag += math.Abs(v)
				}
			}
			want := float64(tc.alpha) * s
			mag *= math.Abs(float64(tc.alpha))
			if tc.beta != 0 {
				want += float64(tc.beta) * float64(c0[i*ldc+j])
				mag += math.Abs(float64(tc.beta) * float64(c0[i*ldc+j]))
			}
			got := float64(c[i*ldc+j])
			tol := float64(tc.k+3) * eps * mag * 2
			if math.IsNaN(got) || math.Abs(got-want) > tol {
				t.Fatalf("%v: C[%d][%d] = %g, want %g (tolerance %g)", tc, i, j, got, want, tol)
			}
		}
	}
}

var gemmDims = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 33, 63, 65, 127, 129, 255, 257}

// randomGemmCase draws a case, mostly small so the float64 reference stays
// fast, with big dimensions often enough to cross every blocking boundary.
func randomGemmCase(rng *rand.Rand) gemmCase {
	dim := func() int {
		if rng.IntN(4) == 0 {
			return gemmDims[rng.IntN(len(gemmDims))]
		}
		return gemmDims[rng.IntN(19)] // 0..17, 31
	}
	tc := gemmCase{
		transA: rng.IntN(2) == 0, transB: rng.IntN(2) == 0,
		m: dim(), n: dim(), k: dim(),
		alpha: []float32{1, -0.5, 0, 1.5}[rng.IntN(4)],
		beta:  []float32{0, 1, 0.3}[rng.IntN(3)],
	}
	// Keep the reference cheap: at most one dimension above 129.
	for tc.m*tc.n*tc.k > 257*129*65 {
		tc.k /= 2
	}
	if rng.IntN(2) == 0 {
		tc.padA, tc.padB, tc.padC = rng.IntN(5), rng.IntN(5), rng.IntN(5)
	}
	if rng.IntN(2) == 0 {
		tc.offA, tc.offB, tc.offC = rng.IntN(4), rng.IntN(4), rng.IntN(4)
	}
	tc.nanC = tc.beta == 0 && rng.IntN(2) == 0
	tc.nanAB = tc.alpha == 0 && rng.IntN(2) == 0
	return tc
}

func TestSgemmRandom(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		n := 1000
		if testing.Short() {
			n = 200
		}
		for range n {
			runGemmCase(t, rng, randomGemmCase(rng))
		}
	})
}

// TestSgemmEdges covers every transpose case on sizes around the register
// tiles of every path (MR, NR in 4..32) and the skinny kernels (n <= 4).
func TestSgemmEdges(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, mnk := range [][3]int{
					{1, 1, 1}, {12, 32, 40}, {13, 33, 17}, {11, 31, 16}, {6, 16, 5}, {7, 17, 9},
					{24, 64, 300}, {25, 65, 257}, {37, 3, 1152}, {9, 1, 33}, {5, 4, 16}, {3, 2, 15},
					{130, 4, 47}, {4, 130, 47}, {1, 100, 70}, {100, 1, 70},
				} {
					tc := gemmCase{transA: ta, transB: tb, m: mnk[0], n: mnk[1], k: mnk[2],
						padA: 1, padB: 2, padC: 3, offA: 1, offB: 2, offC: 3, alpha: -0.5, beta: 0.3}
					runGemmCase(t, rng, tc)
					tc.beta, tc.nanC = 0, true
					runGemmCase(t, rng, tc)
				}
			}
		}
	})
}

// TestSgemmAlphaZero checks that alpha == 0 reads neither A nor B (NaN and
// Inf there must not reach C) and that beta == 0 never reads C.
func TestSgemmAlphaZero(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, beta := range []float32{0, 1, 0.3} {
			tc := gemmCase{m: 33, n: 17, k: 9, alpha: 0, beta: beta, nanAB: true, nanC: beta == 0}
			runGemmCase(t, rng, tc)
		}
	})
}

// TestSgemmThreadsBitwise checks that every thread count gives the same
// bits, on shapes that split over rows, over columns, over both (the team
// path, sgemm_team.go), into more parts than threads (balanceParts) and on
// the skinny path.
func TestSgemmThreadsBitwise(t *testing.T) {
	defer SetThreads(Threads())
	shapes := [][3]int{{300, 200, 150}, {100, 700, 150}, {5001, 3, 700}, {4001, 1, 517}, {3, 5001, 700}, {257, 129, 1100}, {61, 51, 20001}, {31, 71, 20001}, {401, 300, 301}, {2001, 2, 4001}, {3, 1153, 6001}, {4100, 33, 64}, {40, 4200, 64}, {260, 520, 260}}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, true}, {false, true}} {
				m, n, k := s[0], s[1], s[2]
				a := operand(rng, m, k, k, 0)
				b := operand(rng, k, n, n, 0)
				c0 := operand(rng, m, n, n, 0)
				var first []float32
				for _, th := range []int{1, 2, 3, 7} {
					SetThreads(th)
					c := append([]float32(nil), c0...)
					lda, ldb := k, n
					if tr[0] {
						lda = m
					}
					if tr[1] {
						ldb = k
					}
					Sgemm(tr[0], tr[1], m, n, k, 0.7, a, lda, b, ldb, 0.3, c, n)
					if first == nil {
						first = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
							t.Fatalf("%v trans=%v: threads=%d differs from threads=1 at %d: %g vs %g",
								s, tr, th, i, c[i], first[i])
						}
					}
				}
			}
		}
	})
}

// TestGemmBlocks checks the driver's NC rule: a panel of B shared by
// several MC blocks narrows to NCShared columns once it is larger than
// sharedPanelMin, and only then.
func TestGemmBlocks(t *testing.T) {
	cfg := gemmConfig{MR: 12, NR: 32, KC: 512, MC: 144, NC: 4096, NCShared: 512}
	j := gemmJob{cfg: &cfg}
	for _, c := range []struct {
		rows, cols, kc, mc, nc int
		shared                 bool
	}{
		{1024, 2048, 256, 132, 512, true},   // 2 MiB panel, 8 MC blocks
		{1024, 1300, 256, 132, 448, true},   // even NC blocks: 3 x 448
		{128, 2048, 512, 132, 2048, true},   // one MC block: the panel is used once
		{4096, 576, 128, 144, 576, true},    // 288 KiB panel: stays whole
		{1024, 2048, 256, 132, 2048, false}, // no NCShared: NC
	} {
		cfg.NCShared = 0
		if c.shared {
			cfg.NCShared = 512
		}
		mc, nc := j.blocks(c.rows, c.cols, c.kc)
		if mc != c.mc || nc != c.nc {
			t.Errorf("blocks(%d, %d, %d) with NCShared %d = MC %d, NC %d; want %d, %d",
				c.rows, c.cols, c.kc, cfg.NCShared, mc, nc, c.mc, c.nc)
		}
	}
}

// TestSgemmSharedPanelBitwise checks that narrowing the shared panel of B
// (NCShared) changes no bit of C on any path: only the loops around the
// micro-kernel move.
func TestSgemmSharedPanelBitwise(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(1)
	kerneltest.Run(t, func(t *testing.T) {
		g := &cur().gemm
		defer func(v int) { g.NCShared = v }(g.NCShared)
		rng := rand.New(rand.NewPCG(9, 10))
		for _, s := range [][3]int{{250, 560, 240}} {
			m, n, k := s[0], s[1], s[2]
			for _, transB := range []bool{false, true} {
				a, b, c0 := operand(rng, m, k, k, 0), operand(rng, k, n, n, 0), operand(rng, m, n, n, 0)
				ldb := n
				if transB {
					ldb = k
				}
				var first []float32
				for _, shared := range []int{0, 3 * g.NR} {
					g.NCShared = shared
					if shared > 0 {
						if _, nc := (&gemmJob{cfg: g, k: k}).blocks(m, n, k); nc >= n {
							t.Fatalf("%v: NCShared %d does not narrow the panel (NC %d)", s, shared, nc)
						}
					}
					c := append([]float32(nil), c0...)
					Sgemm(false, transB, m, n, k, 0.7, a, k, b, ldb, 0.3, c, n)
					if first == nil {
						first = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
							t.Fatalf("%v transB=%v: NCShared %d differs at %d: %g vs %g", s, transB, shared, i, c[i], first[i])
						}
					}
				}
			}
		}
	})
}

// TestSgemmAllocs checks that steady-state calls do not allocate, on one
// and on two threads, on the packed and the skinny paths.
func TestSgemmAllocs(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(9, 10))
	kerneltest.Run(t, func(t *testing.T) {
		for _, s := range [][3]int{{256, 256, 256}, {4096, 3, 300}} {
			m, n, k := s[0], s[1], s[2]
			a := operand(rng, m, k, k, 0)
			b := operand(rng, k, n, n, 0)
			c := operand(rng, m, n, n, 0)
			for _, th := range []int{1, 2} {
				SetThreads(th)
				r := allocs.Count(5, func() {
					Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				})
				if r.Ours() != 0 {
					t.Errorf("%v threads=%d: %v", s, th, r)
				}
			}
		}
	})
}

func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	cases := []struct {
		name string
		want string
		f    func()
	}{
		{"negative m", "negative dimension", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"negative k", "negative dimension", func() { Sgemm(false, false, 2, 2, -3, 1, s, 2, s, 2, 0, s, 2) }},
		{"small lda", "ldA = 2 < max(1, 3)", func() { Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"small ldb transposed", "ldB = 2 < max(1, 3)", func() { Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"small ldc", "ldC = 1 < max(1, 2)", func() { Sgemm(false, false, 2, 2, 2, 1, s, 2, s, 2, 0, s, 1) }},
		{"short a", "len(A) = 5", func() { Sgemm(false, false, 3, 2, 2, 1, s[:5], 2, s, 2, 0, s, 2) }},
		{"short b", "len(B) = 3", func() { Sgemm(false, false, 2, 2, 2, 1, s, 2, s[:3], 2, 0, s, 2) }},
		{"short c", "len(C) = 10", func() { Sgemm(false, false, 4, 4, 2, 1, s, 2, s, 4, 0, s[:10], 3+1) }},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if r == nil || !strings.Contains(msg, tc.want) {
					t.Errorf("%s: panic %v, want one containing %q", tc.name, r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// FuzzSgemm checks random shapes, strides, offsets and scalars against the
// float64 reference on every path.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(0), uint8(13), uint8(33), uint8(17), uint8(0), uint8(0), uint16(0))
	f.Add(uint8(3), uint8(7), uint8(3), uint8(40), uint8(1), uint8(2), uint16(0x1234))
	f.Add(uint8(1), uint8(1), uint8(100), uint8(1), uint8(2), uint8(0), uint16(0xffff))
	f.Add(uint8(2), uint8(65), uint8(4), uint8(31), uint8(3), uint8(1), uint16(7))
	f.Add(uint8(0), uint8(0), uint8(5), uint8(0), uint8(1), uint8(1), uint16(99))
	f.Fuzz(func(t *testing.T, trans, m, n, k, alphaSel, betaSel uint8, layout uint16) {
		tc := gemmCase{
			transA: trans&1 != 0, transB: trans&2 != 0,
			m: int(m % 80), n: int(n % 80), k: int(k % 80),
			padA: int(layout & 3), padB: int(layout >> 2 & 3), padC: int(layout >> 4 & 3),
			offA: int(layout >> 6 & 3), offB: int(layout >> 8 & 3), offC: int(layout >> 10 & 3),
			alpha: []float32{1, -0.5, 0, 2}[alphaSel%4],
			beta:  []float32{0, 1, 0.3}[betaSel%3],
		}
		tc.nanC = tc.beta == 0 && layout&0x1000 != 0
		tc.nanAB = tc.alpha == 0 && layout&0x2000 != 0
		kerneltest.Run(t, func(t *testing.T) {
			runGemmCase(t, rand.New(rand.NewPCG(uint64(layout), uint64(m))), tc)
		})
	})
}

// TestSgemmConcurrent calls Sgemm from several goroutines at once with two
// threads each: the calls share the pool's workers (a call that finds none
// idle runs on its own goroutine), each part packing into its own spare
// buffers, and every result must match a serial run.
func TestSgemmConcurrent(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(2)
	rng := rand.New(rand.NewPCG(19, 20))
	const m, n, k, calls = 150, 140, 130, 6
	a := operand(rng, m, k, k, 0)
	b := operand(rng, k, n, n, 0)
	want := make([]float32, m*n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	done := make(chan []float32)
	for range calls {
		go func() {
			c := make([]float32, m*n)
			for range 5 {
				Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			}
			done <- c
		}()
	}
	for range calls {
		c := <-done
		for i := range c {
			if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
				t.Fatalf("concurrent call: C[%d] = %g, serial %g", i, c[i], want[i])
			}
		}
	}
}
