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

// ewSentinel fills everything around a kernel's slices: a NaN with a
// recognisable payload, so an out-of-bounds write changes its bits.
var ewSentinel = math.Float32frombits(0x7fc0beef)

// ewGuard is the number of sentinel values after every slice.
const ewGuard = 37

// ewSizes covers 0, every tail below both vector widths, several unrolled
// blocks of both paths, and sizes with large blocks plus a tail.
var ewSizes = func() []int {
	var s []int
	for n := 0; n <= 70; n++ {
		s = append(s, n)
	}
	return append(s, 127, 128, 129, 1000, 1023, 4097)
}()

// ewOffsets are the slice starts, in floats from a fresh allocation: the
// SIMD paths must not assume alignment.
var ewOffsets = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// ewBuf is a slice of n values at offset off inside a larger buffer whose
// other values are the sentinel.
type ewBuf struct {
	all    []float32
	off, n int
}

func newEwBuf(off, n int) ewBuf {
	b := ewBuf{all: make([]float32, off+n+ewGuard), off: off, n: n}
	for i := range b.all {
		b.all[i] = ewSentinel
	}
	return b
}

func (b ewBuf) s() []float32 { return b.all[b.off : b.off+b.n] }

// checkGuards fails unless every value outside the slice is the sentinel.
func (b ewBuf) checkGuards(t testing.TB, what string) {
	t.Helper()
	for i, v := range b.all {
		if i >= b.off && i < b.off+b.n {
			continue
		}
		if math.Float32bits(v) != math.Float32bits(ewSentinel) {
			t.Fatalf("%s: write outside the slice at %d (offset %d, len %d): %v", what, i-b.off, b.off, b.n, v)
		}
	}
}

// ewValue draws a value of either sign spanning a few orders of magnitude,
// with exact zeros now and then.
func ewValue(r *rand.Rand) float32 {
	if r.IntN(16) == 0 {
		return 0
	}
	return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(5)-2)))
}

// ewSame reports whether a and b are the same float32, treating every NaN
// as the same value.
func ewSame(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// ewRel bounds |got-want| by tol*scale, with NaNs matching NaNs only.
func ewClose(got, want float32, tol, scale float64) bool {
	if got != got || want != want {
		return got != got && want != want
	}
	if math.IsInf(float64(want), 0) {
		return got == want
	}
	return math.Abs(float64(got)-float64(want)) <= tol*scale
}

// ewEps is the float32 unit roundoff, 2^-24.
const ewEps = 1.0 / (1 << 24)

// mapCase is an element-wise kernel under test: it takes nin slices of
// one length, writes the slices listed in outs, and is compared with its
// generic reference by cmp (nil: bit-exact).
type mapCase struct {
	name string
	nin  int
	outs []int
	// gen draws input i (nil: ewValue).
	gen  func(r *rand.Rand, slice int) float32
	call func(s [][]float32)
	ref  func(s [][]float32)
	// cmp checks output value got against want at index i, given the
	// inputs as they were before the call.
	cmp func(got, want float32, in [][]float32, i int) bool
}

const ewAlpha = float32(0.2)

var mapCases = []mapCase{
	{
		name: "Scale", nin: 1, outs: []int{0},
		call: func(s [][]float32) { Scale(-1.75, s[0]) },
		ref:  func(s [][]float32) { scaleGeneric(-1.75, s[0]) },
	},
	{
		// Axpy uses one fused multiply-add per element; the reference
		// rounds the product first, so the two differ by at most one
		// rounding of alpha*x plus one of the sum (relative, or two
		// subnormal spacings near zero).
		name: "Axpy", nin: 2, outs: []int{1},
		call: func(s [][]float32) { Axpy(0.37, s[0], s[1]) },
		ref:  func(s [][]float32) { axpyGeneric(0.37, s[0], s[1]) },
		cmp: func(got, want float32, in [][]float32, i int) bool {
			ax := math.Abs(0.37 * float64(in[0][i]))
			return ewClose(got, want, 2*ewEps, ax+math.Abs(float64(want))) || ewClose(got, want, 2*0x1p-149, 1)
		},
	},
	{
		name: "Mul", nin: 3, outs: []int{0},
		call: func(s [][]float32) { Mul(s[0], s[1], s[2]) },
		ref:  func(s [][]float32) { mulGeneric(s[0], s[1], s[2]) },
	},
	{
		name: "LeakyReLU", nin: 2, outs: []int{0},
		call: func(s [][]float32) { LeakyReLU(s[0], s[1], ewAlpha) },
		ref:  func(s [][]float32) { leakyReLUGeneric(s[0], s[1], ewAlpha) },
	},
	{
		name: "LeakyReLUBackward", nin: 3, outs: []int{0},
		call: func(s [][]float32) { LeakyReLUBackward(s[0], s[1], s[2], ewAlpha) },
		ref:  func(s [][]float32) { leakyReLUBackwardGeneric(s[0], s[1], s[2], ewAlpha) },
	},
	{
		// The SIMD paths use the reference's unfused operations; the
		// tolerance only covers a compiler that fuses the reference.
		name: "TanhBackward", nin: 3, outs: []int{0},
		gen:  ewActivationOutput(-1, 1),
		call: func(s [][]float32) { TanhBackward(s[0], s[1], s[2]) },
		ref:  func(s [][]float32) { tanhBackwardGeneric(s[0], s[1], s[2]) },
		cmp: func(got, want float32, in [][]float32, i int) bool {
			return ewClose(got, want, 4*ewEps, math.Abs(float64(in[1][i])))
		},
	},
	{
		name: "SigmoidBackward", nin: 3, outs: []int{0},
		gen:  ewActivationOutput(0, 1),
		call: func(s [][]float32) { SigmoidBackward(s[0], s[1], s[2]) },
		ref:  func(s [][]float32) { sigmoidBackwardGeneric(s[0], s[1], s[2]) },
		cmp: func(got, want float32, in [][]float32, i int) bool {
			return ewClose(got, want, 4*ewEps, math.Abs(float64(in[1][i])))
		},
	},
	{
		name: "Tanh", nin: 2, outs: []int{0},
		call: func(s [][]float32) { Tanh(s[0], s[1]) },
		ref:  func(s [][]float32) { tanhGeneric(s[0], s[1]) },
		cmp: func(got, want float32, in [][]float32, i int) bool {
			return ewClose(got, want, tanhMaxULP*ewEps*2, math.Abs(float64(want))) || ewClose(got, want, 1, 1e-37)
		},
	},
	{
		name: "Sigmoid", nin: 2, outs: []int{0},
		call: func(s [][]float32) { Sigmoid(s[0], s[1]) },
		ref:  func(s [][]float32) { sigmoidGeneric(s[0], s[1]) },
		cmp: func(got, want float32, in [][]float32, i int) bool {
			return ewClose(got, want, sigmoidMaxULP*ewEps*2, math.Abs(float64(want))) || ewClose(got, want, 1, sigmoidAbsFloor)
		},
	},
}

// ewActivationOutput draws the y input (slice 2) of a backward kernel from
// [lo, hi], as an activation's output would be.
func ewActivationOutput(lo, hi float64) func(r *rand.Rand, slice int) float32 {
	return func(r *rand.Rand, slice int) float32 {
		if slice == 2 {
			return float32(lo + (hi-lo)*r.Float64())
		}
		return ewValue(r)
	}
}

// runMapCase runs c on the active path for one size and offset.
func runMapCase(t *testing.T, r *rand.Rand, c mapCase, n, off int, alias bool) {
	t.Helper()
	bufs := make([]ewBuf, c.nin)
	in := make([][]float32, c.nin)
	ref := make([][]float32, c.nin)
	got := make([][]float32, c.nin)
	for j := range bufs {
		// Different offsets per slice: relative misalignment too.
		bufs[j] = newEwBuf((off+3*j)%16, n)
		for i := range bufs[j].s() {
			if c.gen != nil {
				bufs[j].s()[i] = c.gen(r, j)
			} else {
				bufs[j].s()[i] = ewValue(r)
			}
		}
		in[j] = append([]float32(nil), bufs[j].s()...)
		ref[j] = append([]float32(nil), bufs[j].s()...)
		got[j] = bufs[j].s()
	}
	if alias {
		// dst aliases the first input.
		got[0] = got[1]
		ref[0] = ref[1]
		in[0] = in[1]
	}
	c.ref(ref)
	c.call(got)
	for _, o := range c.outs {
		for i := range n {
			g, w := got[o][i], ref[o][i]
			ok := ewSame(g, w)
			if !ok && c.cmp != nil {
				ok = c.cmp(g, w, in, i)
			}
			if !ok {
				t.Fatalf("n=%d off=%d alias=%v: output %d [%d] = %v (%#x), want %v (%#x)", n, off, alias, o, i, g, math.Float32bits(g), w, math.Float32bits(w))
			}
		}
	}
	for j, b := range bufs {
		b.checkGuards(t, fmt.Sprintf("slice %d", j))
	}
}

func TestMapKernels(t *testing.T) {
	for _, c := range mapCases {
		t.Run(c.name, func(t *testing.T) {
			kerneltest.Run(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(1, uint64(len(c.name))))
				for _, n := range ewSizes {
					for _, off := range ewOffsets {
						runMapCase(t, r, c, n, off, false)
					}
				}

			})
		})
	}
}

// TestMapKernelsAlias runs the kernels documented to allow dst == x with
// the output aliasing the input.
func TestMapKernelsAlias(t *testing.T) {
	for _, c := range mapCases {
		switch c.name {
		case "LeakyReLU", "Tanh", "Sigmoid", "Mul", "LeakyReLUBackward", "TanhBackward", "SigmoidBackward":
		default:
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			kerneltest.Run(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(2, uint64(len(c.name))))
				for _, n := range []int{0, 1, 7, 15, 16, 17, 63, 64, 65, 1000} {
					runMapCase(t, r, c, n, 3, true)
				}

			})
		})
	}
}

// TestMapKernelsSpecial feeds every element-wise kernel infinities, NaNs,
// signed zeros and extreme finite values.
func TestMapKernelsSpecial(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-30, -1e-30, 100, -100, 89, -89, 88.7, -88.7}
	for _, c := range mapCases {
		t.Run(c.name, func(t *testing.T) {
			kerneltest.Run(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(3, 3))
				c := c
				c.gen = func(r *rand.Rand, slice int) float32 { return special[r.IntN(len(special))] }
				if c.name == "Axpy" {
					// alpha*x+y with huge operands: FMA and the reference
					// may legitimately disagree between Inf and finite.
					return
				}
				for _, n := range []int{1, 17, 33, 100} {
					runMapCase(t, r, c, n, 1, false)
				}

			})
		})
	}
}

// ewReduceTol bounds the difference between two summation orders of n
// terms whose absolute values sum to abs: each is within n*eps*abs of the
// exact sum.
func ewReduceTol(n int, abs float64) float64 { return 2 * float64(n+1) * ewEps * abs }

func TestReductions(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(4, 4))
		for _, n := range ewSizes {
			for _, off := range ewOffsets {
				x, y := newEwBuf(off, n), newEwBuf((off+5)%16, n)
				var abs, absDot float64
				for i := range n {
					x.s()[i], y.s()[i] = ewValue(r), ewValue(r)
					abs += math.Abs(float64(x.s()[i]))
					absDot += math.Abs(float64(x.s()[i]) * float64(y.s()[i]))
				}
				if got, want := Sum(x.s()), sumGeneric(x.s()); !ewClose(got, want, ewReduceTol(n, abs), 1) {
					t.Fatalf("Sum n=%d off=%d: got %v, want %v", n, off, got, want)
				}
				if got, want := Dot(x.s(), y.s()), dotGeneric(x.s(), y.s()); !ewClose(got, want, ewReduceTol(n, absDot), 1) {
					t.Fatalf("Dot n=%d off=%d: got %v, want %v", n, off, got, want)
				}
				x.checkGuards(t, "x")
				y.checkGuards(t, "y")
			}
		}

	})
}

// TestReductionsExact checks sums whose every partial sum is exact (small
// integers), so every summation order must give the same answer, and that
// a NaN or Inf anywhere reaches the result.
func TestReductionsExact(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		for _, n := range ewSizes {
			x, y := newEwBuf(1, n), newEwBuf(2, n)
			want := 0
			for i := range n {
				x.s()[i] = float32(i%7 - 3)
				y.s()[i] = float32(i%5 - 2)
				want += (i%7 - 3) * (i%5 - 2)
			}
			if got := Dot(x.s(), y.s()); got != float32(want) {
				t.Fatalf("Dot n=%d: got %v, want %d", n, got, want)
			}
			if n == 0 {
				continue
			}
			x.s()[n-1] = float32(math.Inf(1))
			if got := Sum(x.s()); !math.IsInf(float64(got), 1) {
				t.Fatalf("Sum n=%d with +Inf last: got %v", n, got)
			}
			x.s()[n/2] = float32(math.NaN())
			if got := Sum(x.s()); got == got {
				t.Fatalf("Sum n=%d with a NaN: got %v", n, got)
			}
		}

	})
}

// rowWidths covers the DCGAN's widths (1, 3, 64, 128, 256, 4096), widths
// around both vector sizes and their unrolled blocks, and odd widths.
var rowWidths = []int{1, 2, 3, 5, 6, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 62, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300, 4096}

func TestRowKernels(t *testing.T) {
	type rowCase struct {
		name string
		call func(x, bias []float32)
		ref  func(x, bias []float32)
	}
	cases := []rowCase{
		{"AddBias", AddBias, addBiasGeneric},
		{"SumRows", func(x, b []float32) { SumRows(b, x) }, func(x, b []float32) { sumRowsReference(b, x) }},
		{"BiasLeakyReLU",
			func(x, b []float32) { BiasLeakyReLU(x, b, ewAlpha) },
			func(x, b []float32) { biasLeakyReLUGeneric(x, b, ewAlpha) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kerneltest.Run(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(5, 5))
				for _, n := range rowWidths {
					for _, rows := range []int{0, 1, 2, 3, 5, 33, 100} {
						if n == 4096 && rows > 3 {
							continue
						}
						if n*rows > 20000 {
							rows = 3
						}
						off := r.IntN(16)
						x, b := newEwBuf(off, rows*n), newEwBuf((off+7)%16, n)
						for i := range x.s() {
							x.s()[i] = ewValue(r)
						}
						for i := range b.s() {
							b.s()[i] = ewValue(r)
						}
						wx, wb := append([]float32(nil), x.s()...), append([]float32(nil), b.s()...)
						c.ref(wx, wb)
						c.call(x.s(), b.s())
						// SumRows adds the rows in the reference's
						// (pairwise) order, so every output is bit-exact.
						for i := range wx {
							if !ewSame(x.s()[i], wx[i]) {
								t.Fatalf("n=%d rows=%d: x[%d] = %v, want %v", n, rows, i, x.s()[i], wx[i])
							}
						}
						for i := range wb {
							if !ewSame(b.s()[i], wb[i]) {
								t.Fatalf("n=%d rows=%d: bias/dst[%d] = %v, want %v", n, rows, i, b.s()[i], wb[i])
							}
						}
						x.checkGuards(t, "x")
						b.checkGuards(t, "bias")
					}
				}

			})
		})
	}
}

// TestPanics checks that every wrapper rejects inconsistent lengths with
// a message naming the operation, on every path, before any kernel runs.
func TestPanics(t *testing.T) {
	a, b, c, d := make([]float32, 4), make([]float32, 5), make([]float32, 4), make([]float32, 4)
	calls := []struct {
		op   string
		call func()
	}{
		{"Axpy", func() { Axpy(1, a, b) }},
		{"Dot", func() { Dot(a, b) }},
		{"Mul", func() { Mul(a, c, b) }},
		{"AddBias", func() { AddBias(b, a) }},
		{"AddBias", func() { AddBias(a, nil) }},
		{"SumRows", func() { SumRows(a, b) }},
		{"LeakyReLU", func() { LeakyReLU(a, b, 0.2) }},
		{"LeakyReLUBackward", func() { LeakyReLUBackward(a, c, b, 0.2) }},
		{"BiasLeakyReLU", func() { BiasLeakyReLU(b, make([]float32, 3), 0.2) }},
		{"Tanh", func() { Tanh(b, a) }},
		{"TanhBackward", func() { TanhBackward(a, b, c) }},
		{"Sigmoid", func() { Sigmoid(a, b) }},
		{"SigmoidBackward", func() { SigmoidBackward(a, c, b) }},
		{"Adam", func() { Adam(a, c, d, b, 1e-3, 0.9, 0.999, 1e-7, 1) }},
		{"Adam", func() { Adam(a, c, d, a, 1e-3, 0.9, 0.999, 1e-7, 0) }},
	}
	kerneltest.Run(t, func(t *testing.T) {
		for _, tc := range calls {
			msg := func() (msg string) {
				defer func() { msg = fmt.Sprint(recover()) }()
				tc.call()
				return "no panic"
			}()
			if !strings.Contains(msg, "gokern: "+tc.op+":") {
				t.Errorf("%s: panic %q does not name the operation", tc.op, msg)
			}
		}
	})
	for _, s := range [][]float32{a, c, d} {
		for _, v := range s {
			if v != 0 {
				t.Fatal("a rejected call wrote to its arguments")
			}
		}
	}
}

// TestElementwiseAllocs checks that no wrapper allocates.
func TestElementwiseAllocs(t *testing.T) {
	const n = 1000
	x, y, z, w := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	bias, bias3 := make([]float32, 10), make([]float32, 3)
	x3 := x[:999]
	kerneltest.Run(t, func(t *testing.T) {
		r := allocs.Count(10, func() {
			Axpy(1, x, y)
			Scale(1, x)
			_ = Dot(x, y)
			_ = Sum(x)
			Mul(z, x, y)
			AddBias(x, bias)
			AddBias(x3, bias3)
			BiasLeakyReLU(x3, bias3, 0.2)
			SumRows(bias, x)
			LeakyReLU(z, x, 0.2)
			LeakyReLUBackward(z, x, y, 0.2)
			BiasLeakyReLU(x, bias, 0.2)
			Tanh(z, x)
			TanhBackward(z, x, y)
			Sigmoid(z, x)
			SigmoidBackward(z, x, y)
			Adam(x, y, z, w, 1e-3, 0.9, 0.999, 1e-7, 3)
		})
		if r.Ours() != 0 {
			t.Errorf("the element-wise kernels allocate: %v", r)
		}
	})
}
