package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/sgemmhook"
	"github.com/gokern/gokern/kernels"
)

// testSpecs samples small layer shapes: every kernel size 1..4, stride
// 1..3, both paddings, filter counts on both sides of implicitMaxFilters,
// odd and even sizes, plus the DCGAN's own kernel/stride/padding triples.
func testSpecs() []Spec {
	var out []Spec
	hw := []int{1, 2, 3, 4, 5, 6, 7, 9}
	cs := []int{1, 3, 5, 8}
	fs := []int{1, 2, 3, 4, 5, 8}
	for i := 0; i < 48; i++ {
		s := Spec{
			H: hw[i%8], W: hw[(3*i+2)%8], C: cs[i%4], Filters: fs[i%6],
			KH: 1 + i%4, KW: 1 + (i/4)%4, StrideH: 1 + i%3, StrideW: 1 + (i/3)%3,
			Padding: im2col.Padding((i / 2) % 2),
		}
		out = append(out, s)
	}
	same := im2col.Same
	out = append(out,
		Spec{H: 8, W: 8, C: 3, Filters: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		Spec{H: 8, W: 8, C: 4, Filters: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same},
		Spec{H: 4, W: 4, C: 6, Filters: 5, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same},
		Spec{H: 8, W: 8, C: 16, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same},
		Spec{H: 5, W: 5, C: 7, Filters: 9, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: same}, // direct
	)
	return out
}

// closeTo reports the first element of got farther from the float64
// reference than float32 rounding of its terms allows.
func closeTo(got []float32, want ref) error {
	if len(got) != len(want.v) {
		return fmt.Errorf("len %d, want %d", len(got), len(want.v))
	}
	for i, g := range got {
		tol := 1e-5*want.abs[i] + 1e-6
		if d := math.Abs(float64(g) - want.v[i]); !(d <= tol) {
			return fmt.Errorf("[%d] = %v, want %v (diff %.3g > tol %.3g)", i, g, want.v[i], d, tol)
		}
	}
	return nil
}

// layerCase runs one layer's three passes on random data and compares them
// with the reference.
func layerCase(t *testing.T, name string, op Op, n int, s Spec, naive func(int, Spec, []float32, []float32, []float32, []float32) (ref, ref, ref, ref), rng *rand.Rand) {
	t.Helper()
	oh, ow, f := op.OutShape()
	x := randSlice(rng, n*s.H*s.W*s.C)
	w := randSlice(rng, s.WeightLen())
	bias := randSlice(rng, f)
	dy := randSlice(rng, n*oh*ow*f)
	y, dx, dw, db := naive(n, s, x, w, bias, dy)

	// Outputs start as NaN: every pass must overwrite them.
	gy, gdx, gdw, gdb := nans(len(y.v)), nans(len(x)), nans(len(w)), nans(f)
	op.Forward(n, x, w, bias, gy)
	op.BackwardData(n, dy, w, gdx)
	op.BackwardWeights(n, x, dy, gdw, gdb)
	for _, c := range []struct {
		what string
		got  []float32
		want ref
	}{{"y", gy, y}, {"dx", gdx, dx}, {"dw", gdw, dw}, {"dbias", gdb, db}} {
		if err := closeTo(c.got, c.want); err != nil {
			t.Fatalf("%s n=%d %v: %s%s", name, n, s, c.what, err)
		}
	}
	// Without bias: y is the convolution alone, and a nil dbias is allowed.
	op.Forward(n, x, w, nil, gy)
	for i := range gy {
		gy[i] += bias[i%f]
	}
	if err := closeTo(gy, y); err != nil {
		t.Fatalf("%s n=%d %v: y without bias: %v", name, n, s, err)
	}
	op.BackwardWeights(n, x, dy, gdw, nil)
	if err := closeTo(gdw, dw); err != nil {
		t.Fatalf("%s n=%d %v: dw with nil dbias: %v", name, n, s, err)
	}
}

func nans(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

func TestConv2DMatchesNaive(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, s := range testSpecs() {
			if s.Padding == im2col.Valid && (s.KH > s.H || s.KW > s.W) {
				continue
			}
			c, err := NewConv2D(s)
			if err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			// Every compute path on every shape, whatever the filter
			// count: the GEMM paths (backward-data through the flipped
			// convolution where it applies, and without it), and the
			// implicit path.
			flipped := c.flipped
			for _, path := range []struct {
				implicit bool
				flipped  *Conv2D
			}{{false, flipped}, {false, nil}, {true, nil}} {
				if path.flipped == nil && flipped != nil && path.implicit {
					continue
				}
				c.implicit, c.flipped = path.implicit, path.flipped
				name := fmt.Sprintf("implicit=%v flipped=%v", path.implicit, path.flipped != nil)
				for _, n := range []int{1, 3, 2} { // shrinking batch reuses a larger workspace
					layerCase(t, name, c, n, s, naiveConv, rng)
				}
			}
		}
	})
}

func TestConv2DTransposeMatchesNaive(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(2, 2))
		for _, s := range testSpecs() {
			c, err := NewConv2DTranspose(s)
			if err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			for _, n := range []int{1, 3, 2} {
				layerCase(t, "transpose", c, n, s, naiveTranspose, rng)
			}
		}
	})
}

func TestOutShape(t *testing.T) {
	same, valid := im2col.Same, im2col.Valid
	cases := []struct {
		s              Spec
		transpose      bool
		oh, ow, filter int
	}{
		{Spec{H: 32, W: 32, C: 3, Filters: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: same}, false, 32, 32, 64},
		{Spec{H: 32, W: 32, C: 64, Filters: 128, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: same}, false, 16, 16, 128},
		{Spec{H: 7, W: 9, C: 1, Filters: 2, KH: 3, KW: 4, StrideH: 2, StrideW: 3, Padding: valid}, false, 3, 2, 2},
		{Spec{H: 4, W: 4, C: 256, Filters: 128, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: same}, true, 8, 8, 128},
		{Spec{H: 5, W: 3, C: 1, Filters: 2, KH: 3, KW: 2, StrideH: 2, StrideW: 3, Padding: valid}, true, 11, 9, 2},
		{Spec{H: 5, W: 3, C: 1, Filters: 2, KH: 3, KW: 2, StrideH: 2, StrideW: 3, Padding: same}, true, 10, 9, 2},
	}
	for _, c := range cases {
		var op Op
		var err error
		if c.transpose {
			op, err = NewConv2DTranspose(c.s)
		} else {
			op, err = NewConv2D(c.s)
		}
		if err != nil {
			t.Fatalf("%v: %v", c.s, err)
		}
		if oh, ow, f := op.OutShape(); oh != c.oh || ow != c.ow || f != c.filter {
			t.Errorf("%v transpose=%v: OutShape %d, %d, %d; want %d, %d, %d", c.s, c.transpose, oh, ow, f, c.oh, c.ow, c.filter)
		}
	}
}

// TestFiniteDifferences checks the gradients of L = <y, r> against central
// differences of the forward pass, for x, w and bias.
func TestFiniteDifferences(t *testing.T) {
	specs := []struct {
		s         Spec
		transpose bool
		implicit  bool
	}{
		{Spec{H: 5, W: 6, C: 3, Filters: 4, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}, false, false},
		{Spec{H: 5, W: 6, C: 3, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}, false, true},
		{Spec{H: 3, W: 4, C: 5, Filters: 2, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}, true, false},
		{Spec{H: 3, W: 4, C: 2, Filters: 3, KH: 3, KW: 2, StrideH: 2, StrideW: 1, Padding: im2col.Valid}, true, false},
	}
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 3))
		for _, c := range specs {
			var op Op
			if c.transpose {
				op, _ = NewConv2DTranspose(c.s)
			} else {
				cv, _ := NewConv2D(c.s)
				cv.implicit = c.implicit
				op = cv
			}
			const n = 2
			oh, ow, f := op.OutShape()
			x := randSlice(rng, n*c.s.H*c.s.W*c.s.C)
			w := randSlice(rng, c.s.WeightLen())
			b := randSlice(rng, f)
			r := randSlice(rng, n*oh*ow*f)
			y := make([]float32, len(r))
			loss := func() float64 {
				op.Forward(n, x, w, b, y)
				var l float64
				for i := range y {
					l += float64(y[i]) * float64(r[i])
				}
				return l
			}
			dx := make([]float32, len(x))
			dw := make([]float32, len(w))
			db := make([]float32, len(b))
			op.BackwardData(n, r, w, dx)
			op.BackwardWeights(n, x, r, dw, db)
			for _, v := range []struct {
				name string
				p, g []float32
			}{{"x", x, dx}, {"w", w, dw}, {"bias", b, db}} {
				for trial := 0; trial < 8; trial++ {
					i := rng.IntN(len(v.p))
					const h = 1.0 / 64 // exact in float32
					old := v.p[i]
					v.p[i] = old + h
					lp := loss()
					v.p[i] = old - h
					lm := loss()
					v.p[i] = old
					fd := (lp - lm) / (2 * h)
					if math.Abs(fd-float64(v.g[i])) > 2e-3*(1+math.Abs(fd)) {
						t.Errorf("%v transpose=%v: dL/d%s[%d] = %v, finite difference %v", c.s, c.transpose, v.name, i, v.g[i], fd)
					}
				}
			}
		}
	})
}

func TestNewErrors(t *testing.T) {
	ok := Spec{H: 8, W: 8, C: 3, Filters: 4, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}
	bad := map[string]func(s *Spec){
		"zero H":          func(s *Spec) { s.H = 0 },
		"negative W":      func(s *Spec) { s.W = -1 },
		"zero C":          func(s *Spec) { s.C = 0 },
		"zero filters":    func(s *Spec) { s.Filters = 0 },
		"zero KW":         func(s *Spec) { s.KW = 0 },
		"zero stride":     func(s *Spec) { s.StrideH = 0 },
		"unknown padding": func(s *Spec) { s.Padding = 5 },
	}
	for name, mutate := range bad {
		s := ok
		mutate(&s)
		if _, err := NewConv2D(s); err == nil {
			t.Errorf("NewConv2D %s: no error", name)
		}
		if _, err := NewConv2DTranspose(s); err == nil {
			t.Errorf("NewConv2DTranspose %s: no error", name)
		}
	}
	s := ok
	s.Padding, s.KH = im2col.Valid, 9
	if _, err := NewConv2D(s); err == nil {
		t.Error("NewConv2D: valid kernel larger than input: no error")
	}
	if _, err := NewConv2DTranspose(s); err != nil {
		t.Errorf("NewConv2DTranspose: valid kernel larger than input is fine, got %v", err)
	}
}

func TestBadLengthsPanic(t *testing.T) {
	s := Spec{H: 6, W: 6, C: 3, Filters: 5, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	c2, _ := NewConv2D(s)
	ct, _ := NewConv2DTranspose(s)
	for _, op := range []Op{c2, ct} {
		oh, ow, f := op.OutShape()
		const n = 2
		x := make([]float32, n*s.H*s.W*s.C)
		w := make([]float32, s.WeightLen())
		b := make([]float32, f)
		y := make([]float32, n*oh*ow*f)
		cases := []struct {
			name, want string
			call       func()
		}{
			{"forward short x", "len(x)", func() { op.Forward(n, x[1:], w, b, y) }},
			{"forward long w", "len(w)", func() { op.Forward(n, x, append(w, 0), b, y) }},
			{"forward short bias", "len(bias)", func() { op.Forward(n, x, w, b[1:], y) }},
			{"forward short y", "len(y)", func() { op.Forward(n, x, w, b, y[1:]) }},
			{"forward wrong batch", "len(x)", func() { op.Forward(n+1, x, w, b, y) }},
			{"forward negative batch", "negative batch", func() { op.Forward(-1, x, w, b, y) }},
			{"backward-data short dy", "len(dy)", func() { op.BackwardData(n, y[1:], w, x) }},
			{"backward-data short dx", "len(dx)", func() { op.BackwardData(n, y, w, x[1:]) }},
			{"backward-weights short dw", "len(w)", func() { op.BackwardWeights(n, x, y, w[1:], b) }},
			{"backward-weights short dbias", "len(dbias)", func() { op.BackwardWeights(n, x, y, w, b[1:]) }},
			{"backward-weights short dy", "len(dy)", func() { op.BackwardWeights(n, x, y[1:], w, b) }},
			{"backward short x", "len(x)", func() { op.Backward(n, x[1:], y, w, x, w, b) }},
			{"backward short dy", "len(dy)", func() { op.Backward(n, x, y[1:], w, x, w, b) }},
			{"backward short dx", "len(dx)", func() { op.Backward(n, x, y, w, x[1:], w, b) }},
			{"backward short dw", "len(dw)", func() { op.Backward(n, x, y, w, x, w[1:], b) }},
			{"backward short dbias", "len(dbias)", func() { op.Backward(n, x, y, w, x, w, b[1:]) }},
		}
		for _, c := range cases {
			msg := panicMessage(c.call)
			if !strings.Contains(msg, c.want) {
				t.Errorf("%T %s: panic %q, want it to mention %q", op, c.name, msg, c.want)
			}
		}
	}
}

func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestNoAllocsInSteadyState checks that, once the workspaces have grown to
// the largest batch, no pass allocates. Sgemm is swapped for a reference
// that allocates nothing, so the count is this package's alone.
func TestNoAllocsInSteadyState(t *testing.T) {
	sgemmhook.Set(naiveGemm)
	defer sgemmhook.Set(nil)
	layers := []LayerConfig{
		{Name: "conv", Spec: Spec{H: 8, W: 8, C: 8, Filters: 8, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
		{Name: "implicit", Spec: Spec{H: 8, W: 8, C: 8, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "direct", Spec: Spec{H: 8, W: 8, C: 8, Filters: 8, KH: 1, KW: 1, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "transpose", Transpose: true, Spec: Spec{H: 4, W: 4, C: 8, Filters: 8, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
	}
	kerneltest.Run(t, func(t *testing.T) {
		for _, l := range layers {
			op, err := l.New()
			if err != nil {
				t.Fatal(err)
			}
			oh, ow, f := op.OutShape()
			const big = 4
			s := l.Spec
			x := make([]float32, big*s.H*s.W*s.C)
			w := make([]float32, s.WeightLen())
			b := make([]float32, f)
			y := make([]float32, big*oh*ow*f)
			dx, dw := make([]float32, len(x)), make([]float32, len(w))
			step := func(n int) {
				xn, yn := x[:n*s.H*s.W*s.C], y[:n*oh*ow*f]
				op.Forward(n, xn, w, b, yn)
				op.BackwardData(n, yn, w, xn)
				op.BackwardWeights(n, xn, yn, w, b)
				op.Backward(n, xn, yn, w, dx[:len(xn)], dw, b)
			}
			step(big)
			for _, n := range []int{big, 1, 3} {
				if r := allocs.Count(5, func() { step(n) }); r.Ours() != 0 {
					t.Errorf("%s n=%d: %v", l.Name, n, r)
				}
			}
		}
	})
}

// TestThreadCountInvariance checks that every pass gives bitwise the same
// result on one thread as on several.
func TestThreadCountInvariance(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	layers := []LayerConfig{
		{Name: "implicit", Spec: Spec{H: 9, W: 7, C: 5, Filters: 3, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same}},
		{Name: "im2col", Spec: Spec{H: 9, W: 7, C: 5, Filters: 6, KH: 3, KW: 3, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
		{Name: "transpose", Transpose: true, Spec: Spec{H: 4, W: 3, C: 6, Filters: 5, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}},
	}
	rng := rand.New(rand.NewPCG(4, 4))
	kerneltest.Run(t, func(t *testing.T) {
		for _, l := range layers {
			const n = 11
			threadCounts := []int{1, 2, 3, 7}
			results := make([][4][]float32, len(threadCounts))
			op, err := l.New()
			if err != nil {
				t.Fatal(err)
			}
			oh, ow, f := op.OutShape()
			s := l.Spec
			x, w, dy := randSlice(rng, n*s.H*s.W*s.C), randSlice(rng, s.WeightLen()), randSlice(rng, n*oh*ow*f)
			bias := randSlice(rng, f)
			for i, threads := range threadCounts {
				kernels.SetThreads(threads)
				r := [4][]float32{make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w)), make([]float32, f)}
				op.Forward(n, x, w, bias, r[0])
				op.BackwardData(n, dy, w, r[1])
				op.BackwardWeights(n, x, dy, r[2], r[3])
				results[i] = r
			}
			for ti := 1; ti < len(threadCounts); ti++ {
				for k := range results[0] {
					for i := range results[0][k] {
						if math.Float32bits(results[0][k][i]) != math.Float32bits(results[ti][k][i]) {
							t.Fatalf("%s: result %d [%d]: %v on 1 thread, %v on %d", l.Name, k, i, results[0][k][i], results[ti][k][i], threadCounts[ti])
						}
					}
				}
			}
		}
	})
}

// TestEmptyBatch checks that a batch of 0 is accepted and that the weight
// gradients, which have a fixed size, are overwritten with zeros.
func TestEmptyBatch(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		for _, l := range layerKinds {
			op, err := l.New()
			if err != nil {
				t.Fatal(err)
			}
			dw, db := nans(l.Spec.WeightLen()), nans(l.Spec.Filters)
			w := make([]float32, len(dw))
			op.Forward(0, nil, w, nil, nil)
			op.BackwardData(0, nil, w, nil)
			op.BackwardWeights(0, nil, nil, dw, db)
			for i, v := range append(dw, db...) {
				if v != 0 {
					t.Fatalf("%s: gradient [%d] = %v after an empty batch, want 0", l.Name, i, v)
				}
			}
		}
	})
}
