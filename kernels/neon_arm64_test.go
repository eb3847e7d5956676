//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// These tests call the generated NEON routines directly, without the
// wrappers' checks, against the pure-Go references, with every slice placed
// at an odd offset inside a larger array whose other elements hold a
// sentinel: a write outside an output shows up as a changed sentinel.

var neonSentinel = math.Float32frombits(0x7fc0f00d) // a NaN with a recognisable payload

const neonGuard = 19

// neonSlice returns n values drawn by gen, starting at element off of an
// array filled with the sentinel on both sides.
func neonSlice(n, off int, gen func() float32) (s, all []float32) {
	all = make([]float32, off+n+neonGuard)
	for i := range all {
		all[i] = neonSentinel
	}
	s = all[off : off+n : off+n]
	for i := range s {
		s[i] = gen()
	}
	return s, all
}

func neonGuardsIntact(all []float32, off, n int) bool {
	for i, v := range all {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(neonSentinel) {
			return false
		}
	}
	return true
}

func neonSame(a, b float32) bool {
	return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b)) || a != a && b != b
}

// neonMicroRef is the 8x12 tile computed from 4x4 sub-tiles by
// microKernelGeneric, so each sub-tile sums in the same order as the NEON
// kernel; only the final alpha/beta step may round differently.
func neonMicroRef(k int, a, b []float32, alpha, beta float32, c []float32, ldc int) {
	a4 := make([]float32, 4*k)
	b4 := make([]float32, 4*k)
	for bi := 0; bi < neonMR/4; bi++ {
		for bj := 0; bj < neonNR/4; bj++ {
			for p := 0; p < k; p++ {
				copy(a4[4*p:4*p+4], a[p*neonMR+4*bi:])
				copy(b4[4*p:4*p+4], b[p*neonNR+4*bj:])
			}
			microKernelGeneric(k, a4, b4, alpha, beta, c[4*bi*ldc+4*bj:], ldc)
		}
	}
}

func checkNEONMicroKernel(t *testing.T, r *rand.Rand, k, ldc, off int, alpha, beta float32) {
	t.Helper()
	gen := func() float32 { return float32(r.Intn(129)-64) / 16 }
	a, _ := neonSlice(neonMR*k, 1, gen)
	b, _ := neonSlice(neonNR*k, 3, gen)
	clen := (neonMR-1)*ldc + neonNR
	cInit := gen
	if beta == 0 {
		// The contract: C is not read when beta == 0, so NaN must not leak.
		cInit = func() float32 { return float32(math.NaN()) }
	}
	c, call := neonSlice(clen, off, cInit)
	// Between the rows of the tile lie elements the kernel must not touch.
	for i := 0; i < neonMR-1; i++ {
		for j := neonNR; j < ldc; j++ {
			c[i*ldc+j] = neonSentinel
		}
	}
	want := append([]float32(nil), c...)
	if beta == 0 {
		for i := range want {
			want[i] = 0
		}
	}
	neonMicroRef(k, a, b, alpha, beta, want, ldc)
	sgemmKernel8x12NEON(k, a, b, alpha, beta, c, ldc)

	name := fmt.Sprintf("k=%d ldc=%d off=%d alpha=%v beta=%v", k, ldc, off, alpha, beta)
	for i := 0; i < neonMR; i++ {
		for j := 0; j < neonNR; j++ {
			got, w := c[i*ldc+j], want[i*ldc+j]
			// Products of multiples of 1/16 in [-4, 4] are multiples of
			// 1/256 below 16, whose sums over k <= 256 need at most 20
			// bits: exact in float32 in any order. Only alpha and beta
			// round.
			if math.Abs(float64(got-w)) > 1e-6*(1+math.Abs(float64(w))) || got != got {
				t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i, j, got, w)
			}
		}
		if i < neonMR-1 {
			for j := neonNR; j < ldc; j++ {
				if math.Float32bits(c[i*ldc+j]) != math.Float32bits(neonSentinel) {
					t.Fatalf("%s: wrote C[%d][%d] outside the tile", name, i, j)
				}
			}
		}
	}
	if !neonGuardsIntact(call, off, clen) {
		t.Fatalf("%s: wrote outside c", name)
	}
}

func TestNEONMicroKernel(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for k := 0; k <= 40; k++ {
		for _, ldc := range []int{neonNR, neonNR + 1, 29} {
			for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-1.5, 0.5}, {0.25, float32(math.Copysign(0, -1))}} {
				checkNEONMicroKernel(t, r, k, ldc, 1+k%4, ab[0], ab[1])
			}
		}
	}
	checkNEONMicroKernel(t, r, 256, 300, 5, 1, 1)
}

func FuzzNEONMicroKernel(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(1), float32(1), float32(0))
	f.Add(uint8(7), uint8(1), uint8(0), float32(-2), float32(1))
	f.Add(uint8(33), uint8(20), uint8(3), float32(0.5), float32(-0.25))
	f.Fuzz(func(t *testing.T, k, pad, off uint8, alpha, beta float32) {
		if alpha != alpha || beta != beta || math.Abs(float64(alpha)) > 1e6 || math.Abs(float64(beta)) > 1e6 {
			t.Skip()
		}
		r := rand.New(rand.NewSource(int64(k)))
		checkNEONMicroKernel(t, r, int(k), neonNR+int(pad), int(off%16), alpha, beta)
	})
}

// neonKernel adapts one element-wise kernel to a common shape: slices
// s[0..len(lens)-1] in, results in the slices (and a returned scalar).
type neonKernel struct {
	name   string
	slices int  // number of slice arguments
	rows   bool // s[0] holds rows of len(s[1])
	out    []int
	// exact: must equal the reference bit for bit. axpy, tanhBackward and
	// adam also do today (verified under qemu), but only because the Go
	// compiler fuses x*y+z on arm64 as the kernels do, which the spec
	// allows but does not promise; they get a tolerance instead.
	exact bool
	ref   func(s [][]float32) float32
	neon  func(s [][]float32) float32
}

const neonAlpha = float32(0.2)

var neonKernels = []neonKernel{
	{"axpy", 2, false, []int{1}, false,
		func(s [][]float32) float32 { axpyGeneric(-0.7, s[0], s[1]); return 0 },
		func(s [][]float32) float32 { axpyNEON(-0.7, s[0], s[1]); return 0 }},
	{"scale", 1, false, []int{0}, true,
		func(s [][]float32) float32 { scaleGeneric(1.3, s[0]); return 0 },
		func(s [][]float32) float32 { scaleNEON(1.3, s[0]); return 0 }},
	{"dot", 2, false, nil, false,
		func(s [][]float32) float32 { return dotGeneric(s[0], s[1]) },
		func(s [][]float32) float32 { return dotNEON(s[0], s[1]) }},
	{"sum", 1, false, nil, false,
		func(s [][]float32) float32 { return sumGeneric(s[0]) },
		func(s [][]float32) float32 { return sumNEON(s[0]) }},
	{"mul", 3, false, []int{0}, true,
		func(s [][]float32) float32 { mulGeneric(s[0], s[1], s[2]); return 0 },
		func(s [][]float32) float32 { mulNEON(s[0], s[1], s[2]); return 0 }},
	{"addBias", 2, true, []int{0}, true,
		func(s [][]float32) float32 { addBiasGeneric(s[0], s[1]); return 0 },
		func(s [][]float32) float32 { addBiasNEON(s[0], s[1]); return 0 }},
	{"sumRows", 2, true, []int{1}, true,
		func(s [][]float32) float32 { sumRowsGeneric(s[1], s[0]); return 0 },
		func(s [][]float32) float32 { sumRowsNEON(s[1], s[0]); return 0 }},
	{"leakyReLU", 2, false, []int{0}, true,
		func(s [][]float32) float32 { leakyReLUGeneric(s[0], s[1], neonAlpha); return 0 },
		func(s [][]float32) float32 { leakyReLUNEON(s[0], s[1], neonAlpha); return 0 }},
	{"leakyReLUBackward", 3, false, []int{0}, true,
		func(s [][]float32) float32 { leakyReLUBackwardGeneric(s[0], s[1], s[2], neonAlpha); return 0 },
		func(s [][]float32) float32 { leakyReLUBackwardNEON(s[0], s[1], s[2], neonAlpha); return 0 }},
	{"biasLeakyReLU", 2, true, []int{0}, true,
		func(s [][]float32) float32 { biasLeakyReLUGeneric(s[0], s[1], neonAlpha); return 0 },
		func(s [][]float32) float32 { biasLeakyReLUNEON(s[0], s[1], neonAlpha); return 0 }},
	{"tanh", 2, false, []int{0}, false,
		func(s [][]float32) float32 { tanhGeneric(s[0], s[1]); return 0 },
		func(s [][]float32) float32 { tanhNEON(s[0], s[1]); return 0 }},
	{"sigmoid", 2, false, []int{0}, false,
		func(s [][]float32) float32 { sigmoidGeneric(s[0], s[1]); return 0 },
		func(s [][]float32) float32 { sigmoidNEON(s[0], s[1]); return 0 }},
	{"tanhBackward", 3, false, []int{0}, false,
		func(s [][]float32) float32 { tanhBackwardGeneric(s[0], s[1], s[2]); return 0 },
		func(s [][]float32) float32 { tanhBackwardNEON(s[0], s[1], s[2]); return 0 }},
	{"sigmoidBackward", 3, false, []int{0}, true,
		func(s [][]float32) float32 { sigmoidBackwardGeneric(s[0], s[1], s[2]); return 0 },
		func(s [][]float32) float32 { sigmoidBackwardNEON(s[0], s[1], s[2]); return 0 }},
	{"adam", 4, false, []int{0, 2, 3}, false,
		func(s [][]float32) float32 { adamGeneric(s[0], s[1], s[2], s[3], 1e-3, 0.5, 0.999, 1e-7); return 0 },
		func(s [][]float32) float32 { adamNEON(s[0], s[1], s[2], s[3], 1e-3, 0.5, 0.999, 1e-7); return 0 }},
}

// checkNEONKernel runs kc on n elements (for row kernels: rows rows of n
// columns) and compares with the reference.
func checkNEONKernel(t *testing.T, r *rand.Rand, kc neonKernel, n, rows, off int) {
	t.Helper()
	gen := func() float32 {
		switch r.Intn(16) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		}
		return float32(r.NormFloat64())
	}
	lens := make([]int, kc.slices)
	for i := range lens {
		lens[i] = n
	}
	if kc.rows {
		lens[0] = n * rows
	}
	var got, want, alls [][]float32
	for i, l := range lens {
		g := gen
		if kc.name == "adam" && i == 3 {
			g = func() float32 { return float32(math.Abs(r.NormFloat64())) } // v >= 0
		}
		s, all := neonSlice(l, off+i, g)
		got = append(got, s)
		alls = append(alls, all)
		want = append(want, append([]float32(nil), s...))
	}
	var wantRet float32
	if !(kc.rows && n == 0) { // the references loop forever on zero-width rows
		wantRet = kc.ref(want)
	}
	gotRet := kc.neon(got)

	name := fmt.Sprintf("%s n=%d rows=%d off=%d", kc.name, n, rows, off)
	var scale float64 // magnitude of the reduction's terms, for its tolerance
	for _, v := range want[0] {
		scale += 4 * math.Abs(float64(v))
	}
	close := func(g, w float32, tol float64) bool {
		if kc.exact {
			return neonSame(g, w)
		}
		return neonSame(g, w) || math.Abs(float64(g-w)) <= tol
	}
	if kc.out == nil && !close(gotRet, wantRet, 1e-6*(1+scale)) {
		t.Fatalf("%s: got %v, want %v", name, gotRet, wantRet)
	}
	for _, o := range kc.out {
		for i := range got[o] {
			if !close(got[o][i], want[o][i], 1e-6*(1+math.Abs(float64(want[o][i])))) {
				t.Fatalf("%s: slice %d [%d] = %v, want %v", name, o, i, got[o][i], want[o][i])
			}
		}
	}
	for i, all := range alls {
		if !neonGuardsIntact(all, off+i, lens[i]) {
			t.Fatalf("%s: wrote outside slice %d", name, i)
		}
	}
}

func TestNEONElementwise(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	sizes := []int{}
	for n := 0; n <= 20; n++ {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 31, 32, 33, 1000, 1027, 4099)
	for _, kc := range neonKernels {
		for _, n := range sizes {
			rowCounts := []int{1}
			if kc.rows {
				rowCounts = []int{0, 1, 3, 7}
				if n > 100 {
					rowCounts = []int{2}
				}
			}
			for _, rows := range rowCounts {
				checkNEONKernel(t, r, kc, n, rows, n%5)
			}
		}
	}
}

// TestNEONSpecialValues: NaN, infinities and signed zeros go through the
// selects and arithmetic exactly as in the reference.
func TestNEONSpecialValues(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.MaxFloat32, -math.SmallestNonzeroFloat32}
	n := len(special)
	for _, kc := range neonKernels {
		if !kc.exact || kc.rows {
			continue
		}
		s := make([][]float32, kc.slices)
		w := make([][]float32, kc.slices)
		for i := range s {
			s[i] = make([]float32, n*n)
			for j := range s[i] {
				// Every pair of special values meets in some element.
				s[i][j] = special[(j/[]int{1, n, 1}[i%3])%n]
			}
			w[i] = append([]float32(nil), s[i]...)
		}
		kc.ref(w)
		kc.neon(s)
		for _, o := range kc.out {
			for j := range s[o] {
				if !neonSame(s[o][j], w[o][j]) {
					t.Errorf("%s: [%d] = %v, want %v", kc.name, j, s[o][j], w[o][j])
				}
			}
		}
	}
}

func FuzzNEONElementwise(f *testing.F) {
	f.Add(uint8(0), uint16(0), uint8(0), uint8(1), int64(1))
	f.Add(uint8(3), uint16(17), uint8(3), uint8(2), int64(2))
	f.Add(uint8(12), uint16(1029), uint8(7), uint8(1), int64(3))
	f.Fuzz(func(t *testing.T, which uint8, n uint16, off, rows uint8, seed int64) {
		kc := neonKernels[int(which)%len(neonKernels)]
		checkNEONKernel(t, rand.New(rand.NewSource(seed)), kc, int(n)%5000, int(rows%9), int(off%16))
	})
}

// TestNEONSkinnyKernels checks every dots and axpys kernel against a plain
// loop, for k up to 44 with padded leading dimensions, and that nothing
// past out[:rows*n] is written.
func TestNEONSkinnyKernels(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	gen := func() float32 { return float32(r.Intn(129)-64) / 16 } // sums are exact
	type dots struct {
		rows, n int
		f       dotsKernel
	}
	dk := []dots{
		{4, 1, sgemmDots4x1NEON}, {4, 2, sgemmDots4x2NEON}, {4, 3, sgemmDots4x3NEON}, {4, 4, sgemmDots4x4NEON},
		{1, 1, sgemmDots1x1NEON}, {1, 2, sgemmDots1x2NEON}, {1, 3, sgemmDots1x3NEON}, {1, 4, sgemmDots1x4NEON},
	}
	for _, d := range dk {
		for k := 0; k <= 44; k += 4 {
			lda, ldb := k+1+k%3, k+2
			a, _ := neonSlice((d.rows-1)*lda+k, 1, gen)
			b, _ := neonSlice((d.n-1)*ldb+k, 2, gen)
			out, all := neonSlice(d.rows*d.n, 3, func() float32 { return float32(math.NaN()) })
			d.f(k, a, lda, b, ldb, out)
			for i := 0; i < d.rows; i++ {
				for j := 0; j < d.n; j++ {
					var want float32
					for p := 0; p < k; p++ {
						want += a[i*lda+p] * b[j*ldb+p]
					}
					if out[i*d.n+j] != want {
						t.Fatalf("dots %dx%d k=%d: out[%d][%d] = %v, want %v", d.rows, d.n, k, i, j, out[i*d.n+j], want)
					}
				}
			}
			if !neonGuardsIntact(all, 3, d.rows*d.n) {
				t.Fatalf("dots %dx%d k=%d: wrote outside out", d.rows, d.n, k)
			}
		}
	}

	type axpys struct {
		rows, n int
		f       axpysKernel
	}
	ak := []axpys{
		{16, 1, sgemmAxpys16x1NEON}, {16, 2, sgemmAxpys16x2NEON}, {16, 3, sgemmAxpys16x3NEON}, {16, 4, sgemmAxpys16x4NEON},
		{4, 1, sgemmAxpys4x1NEON}, {4, 2, sgemmAxpys4x2NEON}, {4, 3, sgemmAxpys4x3NEON}, {4, 4, sgemmAxpys4x4NEON},
	}
	for _, x := range ak {
		for k := 0; k <= 41; k++ {
			for _, bT := range []bool{false, true} {
				lda := x.rows + k%5
				ldbp, ldbj := x.n+1, 1 // B stored k x n
				if bT {
					ldbp, ldbj = 1, k+2 // B stored n x k
				}
				a, _ := neonSlice(max(0, (k-1)*lda+x.rows), 1, gen)
				b, _ := neonSlice(max(0, (k-1)*ldbp+(x.n-1)*ldbj+1), 2, gen)
				out, all := neonSlice(x.rows*x.n, 3, func() float32 { return float32(math.NaN()) })
				x.f(k, a, lda, b, ldbp, ldbj, out)
				for i := 0; i < x.rows; i++ {
					for j := 0; j < x.n; j++ {
						var want float32
						for p := 0; p < k; p++ {
							want += a[p*lda+i] * b[p*ldbp+j*ldbj]
						}
						if out[j*x.rows+i] != want {
							t.Fatalf("axpys %dx%d k=%d bT=%v: out[%d][%d] = %v, want %v", x.rows, x.n, k, bT, j, i, out[j*x.rows+i], want)
						}
					}
				}
				if !neonGuardsIntact(all, 3, x.rows*x.n) {
					t.Fatalf("axpys %dx%d k=%d: wrote outside out", x.rows, x.n, k)
				}
			}
		}
	}
}
