package im2col

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// naiveIm2col is the definition of Im2col, one element at a time.
func naiveIm2col(src []float32, g Geometry) []float32 {
	dst := make([]float32, g.Rows()*g.Cols())
	i := 0
	for n := 0; n < g.Batch; n++ {
		for oh := 0; oh < g.OutH; oh++ {
			for ow := 0; ow < g.OutW; ow++ {
				for kh := 0; kh < g.KH; kh++ {
					for kw := 0; kw < g.KW; kw++ {
						for c := 0; c < g.C; c++ {
							ih := oh*g.StrideH - g.PadTop + kh
							iw := ow*g.StrideW - g.PadLeft + kw
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								dst[i] = src[((n*g.H+ih)*g.W+iw)*g.C+c]
							}
							i++
						}
					}
				}
			}
		}
	}
	return dst
}

// naiveCol2im is the definition of Col2im, adding in the same order as
// Col2im does, so float32 results agree exactly.
func naiveCol2im(dst, cols []float32, g Geometry) {
	i := 0
	for n := 0; n < g.Batch; n++ {
		for oh := 0; oh < g.OutH; oh++ {
			for ow := 0; ow < g.OutW; ow++ {
				for kh := 0; kh < g.KH; kh++ {
					for kw := 0; kw < g.KW; kw++ {
						for c := 0; c < g.C; c++ {
							ih := oh*g.StrideH - g.PadTop + kh
							iw := ow*g.StrideW - g.PadLeft + kw
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								dst[((n*g.H+ih)*g.W+iw)*g.C+c] += cols[i]
							}
							i++
						}
					}
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// shape is one test configuration.
type shape struct {
	batch, h, w, c, kh, kw, sh, sw int
	p                              Padding
}

func (s shape) String() string {
	return fmt.Sprintf("n%d_%dx%dx%d_k%dx%d_s%dx%d_%v", s.batch, s.h, s.w, s.c, s.kh, s.kw, s.sh, s.sw, s.p)
}

// testShapes samples the cross product of the axes so that every value of
// every axis appears several times, in varied combinations, while the test
// stays fast: entry i takes the value at a different, coprime step of i
// along each axis, and a seeded generator adds random combinations.
func testShapes() []shape {
	hw := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 32}
	cs := []int{1, 3, 8, 64, 129}
	ks := []int{1, 2, 3, 4, 5}
	ss := []int{1, 2, 3}
	ps := []Padding{Valid, Same}
	bs := []int{1, 3}
	var out []shape
	add := func(s shape) {
		// Keep the big corner (32x32 with 129 channels and batch 3) rare.
		if s.h*s.w*s.c*s.batch > 32*32*64 {
			s.batch = 1
		}
		if s.p == Valid && (s.kh > s.h || s.kw > s.w) {
			s.p = Same
		}
		out = append(out, s)
	}
	for i := 0; i < 60; i++ {
		add(shape{
			batch: bs[i%2], h: hw[i%10], w: hw[(3*i+1)%10], c: cs[(7*i+2)%5],
			kh: ks[i%5], kw: ks[(2*i+1)%5], sh: ss[i%3], sw: ss[(i+1)%3], p: ps[(i/3)%2],
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(v []int) int { return v[rng.IntN(len(v))] }
	for i := 0; i < 60; i++ {
		add(shape{
			batch: pick(bs), h: pick(hw), w: pick(hw), c: pick(cs),
			kh: pick(ks), kw: pick(ks), sh: pick(ss), sw: pick(ss), p: ps[rng.IntN(2)],
		})
	}
	// The DCGAN's own geometries.
	add(shape{2, 32, 32, 3, 3, 3, 1, 1, Same})
	add(shape{2, 32, 32, 8, 3, 3, 2, 2, Same})
	add(shape{2, 8, 8, 8, 4, 4, 2, 2, Same})
	return out
}

func (s shape) geometry(t testing.TB) Geometry {
	g, err := NewGeometry(s.batch, s.h, s.w, s.c, s.kh, s.kw, s.sh, s.sw, s.p)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	return g
}

func TestShapesCoverEveryAxisValue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range testShapes() {
		for _, k := range []string{
			fmt.Sprint("h", s.h), fmt.Sprint("w", s.w), fmt.Sprint("c", s.c), fmt.Sprint("kh", s.kh),
			fmt.Sprint("kw", s.kw), fmt.Sprint("sh", s.sh), fmt.Sprint("sw", s.sw), fmt.Sprint("p", s.p), fmt.Sprint("b", s.batch),
		} {
			seen[k] = true
		}
	}
	var missing []string
	for _, v := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 32} {
		for _, a := range []string{"h", "w"} {
			if !seen[fmt.Sprint(a, v)] {
				missing = append(missing, fmt.Sprint(a, v))
			}
		}
	}
	for _, v := range []int{1, 3, 8, 64, 129} {
		if !seen[fmt.Sprint("c", v)] {
			missing = append(missing, fmt.Sprint("c", v))
		}
	}
	for v := 1; v <= 5; v++ {
		for _, a := range []string{"kh", "kw"} {
			if !seen[fmt.Sprint(a, v)] {
				missing = append(missing, fmt.Sprint(a, v))
			}
		}
	}
	for v := 1; v <= 3; v++ {
		for _, a := range []string{"sh", "sw"} {
			if !seen[fmt.Sprint(a, v)] {
				missing = append(missing, fmt.Sprint(a, v))
			}
		}
	}
	for _, k := range []string{"pvalid", "psame", "b1", "b3"} {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("test shapes miss axis values: %s", strings.Join(missing, " "))
	}
}

func TestIm2colMatchesNaive(t *testing.T) {
	shapes := testShapes()
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, s := range shapes {
			g := s.geometry(t)
			src := randSlice(rng, g.InputLen())
			want := naiveIm2col(src, g)
			// Poison dst: Im2col must overwrite every element, padding included.
			got := make([]float32, len(want)+8)
			for i := range got {
				got[i] = float32(math.NaN())
			}
			guard := got[len(want):]
			Im2col(got[:len(want)], src, g)
			for i := range want {
				if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
					t.Fatalf("%v: dst[%d] = %v, want %v", s, i, got[i], want[i])
				}
			}
			for i, v := range guard {
				if !math.IsNaN(float64(v)) {
					t.Fatalf("%v: guard[%d] overwritten", s, i)
				}
			}
		}
	})
}

func TestCol2imMatchesNaive(t *testing.T) {
	shapes := testShapes()
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, s := range shapes {
			g := s.geometry(t)
			cols := randSlice(rng, g.Rows()*g.Cols())
			// Start from non-zero dst: Col2im accumulates.
			base := randSlice(rng, g.InputLen())
			want := append([]float32(nil), base...)
			naiveCol2im(want, cols, g)
			got := append(append([]float32(nil), base...), 7, 7, 7, 7)
			Col2im(got[:len(want)], cols, g)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v: dst[%d] = %v, want %v", s, i, got[i], want[i])
				}
			}
			for i, v := range got[len(want):] {
				if v != 7 {
					t.Fatalf("%v: guard[%d] overwritten", s, i)
				}
			}
		}
	})
}

// TestAdjoint checks <Im2col(x), y> = <x, Col2im(y)> in float64.
func TestAdjoint(t *testing.T) {
	shapes := testShapes()
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, s := range shapes {
			g := s.geometry(t)
			if err := adjointGap(rng, g); err != nil {
				t.Fatalf("%v: %v", s, err)
			}
		}
	})
}

func adjointGap(rng *rand.Rand, g Geometry) error {
	x := randSlice(rng, g.InputLen())
	y := randSlice(rng, g.Rows()*g.Cols())
	cx := make([]float32, len(y))
	Im2col(cx, x, g)
	ay := make([]float32, len(x))
	Col2im(ay, y, g)
	var lhs, rhs, scale float64
	for i := range y {
		lhs += float64(cx[i]) * float64(y[i])
		scale += math.Abs(float64(cx[i]) * float64(y[i]))
	}
	for i := range x {
		rhs += float64(x[i]) * float64(ay[i])
	}
	// Col2im sums in float32, so allow float32 rounding of its sums.
	if math.Abs(lhs-rhs) > 1e-5*scale+1e-6 {
		return fmt.Errorf("<im2col(x), y> = %v, <x, col2im(y)> = %v", lhs, rhs)
	}
	return nil
}

func TestPaddingArithmetic(t *testing.T) {
	cases := []struct {
		in, k, s       int
		p              Padding
		out, padBefore int
	}{
		{32, 3, 2, Same, 16, 0},  // pad 0 before, 1 after
		{32, 3, 1, Same, 32, 1},  // 1 and 1
		{16, 3, 2, Same, 8, 0},   // 0 and 1
		{8, 4, 2, Same, 4, 1},    // 1 and 1 (the transposed conv's forward geometry)
		{5, 4, 1, Same, 5, 1},    // total 3: 1 before, 2 after
		{7, 5, 3, Same, 3, 2},    // total (3-1)*3+5-7 = 4
		{1, 5, 1, Same, 1, 2},    // kernel larger than input
		{32, 3, 2, Valid, 15, 0}, // floor((32-3)/2)+1
		{9, 4, 3, Valid, 2, 0},
	}
	for _, c := range cases {
		g, err := NewGeometry(1, c.in, c.in, 1, c.k, c.k, c.s, c.s, c.p)
		if err != nil {
			t.Fatal(err)
		}
		if g.OutH != c.out || g.OutW != c.out || g.PadTop != c.padBefore || g.PadLeft != c.padBefore {
			t.Errorf("in %d k %d s %d %v: out %dx%d pad %d,%d; want out %d pad %d",
				c.in, c.k, c.s, c.p, g.OutH, g.OutW, g.PadTop, g.PadLeft, c.out, c.padBefore)
		}
	}
}

func TestNewGeometryErrors(t *testing.T) {
	bad := []struct {
		name                           string
		batch, h, w, c, kh, kw, sh, sw int
		p                              Padding
	}{
		{"negative batch", -1, 4, 4, 1, 3, 3, 1, 1, Same},
		{"zero height", 1, 0, 4, 1, 3, 3, 1, 1, Same},
		{"zero channels", 1, 4, 4, 0, 3, 3, 1, 1, Same},
		{"zero kernel", 1, 4, 4, 1, 0, 3, 1, 1, Same},
		{"zero stride", 1, 4, 4, 1, 3, 3, 0, 1, Same},
		{"kernel too big for valid", 1, 4, 4, 1, 5, 3, 1, 1, Valid},
		{"unknown padding", 1, 4, 4, 1, 3, 3, 1, 1, Padding(7)},
	}
	for _, b := range bad {
		if _, err := NewGeometry(b.batch, b.h, b.w, b.c, b.kh, b.kw, b.sh, b.sw, b.p); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
	if g, err := NewGeometry(0, 4, 4, 1, 3, 3, 1, 1, Same); err != nil || g.Rows() != 0 {
		t.Errorf("empty batch: %v, rows %d", err, g.Rows())
	}
}

func TestBadLengthsPanic(t *testing.T) {
	g, err := NewGeometry(2, 5, 5, 3, 3, 3, 1, 1, Same)
	if err != nil {
		t.Fatal(err)
	}
	src := make([]float32, g.InputLen())
	cols := make([]float32, g.Rows()*g.Cols())
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"im2col short src", "len(src)", func() { Im2col(cols, src[1:], g) }},
		{"im2col long dst", "len(dst)", func() { Im2col(append(cols, 0), src, g) }},
		{"col2im short dst", "len(dst)", func() { Col2im(src[1:], cols, g) }},
		{"col2im short cols", "len(cols)", func() { Col2im(src, cols[1:], g) }},
	} {
		msg := panicMessage(c.f)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: panic %q, want it to mention %q", c.name, msg, c.want)
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

func TestNoAllocs(t *testing.T) {
	g, err := NewGeometry(2, 8, 8, 16, 3, 3, 2, 2, Same)
	if err != nil {
		t.Fatal(err)
	}
	src := make([]float32, g.InputLen())
	cols := make([]float32, g.Rows()*g.Cols())
	kerneltest.Run(t, func(t *testing.T) {
		if r := allocs.Count(10, func() { Im2col(cols, src, g); Col2im(src, cols, g) }); r.Ours() != 0 {
			t.Errorf("Im2col+Col2im allocate: %v", r)
		}
	})
}

// FuzzAdjoint checks Im2col against its definition and the adjoint identity
// on fuzzed geometries. The seeds run as a unit test under plain go test.
func FuzzAdjoint(f *testing.F) {
	f.Add(uint8(1), uint8(5), uint8(7), uint8(3), uint8(3), uint8(2), uint8(1), uint8(2), true, uint64(1))
	f.Add(uint8(2), uint8(8), uint8(8), uint8(4), uint8(4), uint8(4), uint8(2), uint8(2), true, uint64(2))
	f.Add(uint8(1), uint8(9), uint8(4), uint8(1), uint8(5), uint8(1), uint8(3), uint8(1), false, uint64(3))
	f.Add(uint8(3), uint8(1), uint8(1), uint8(17), uint8(1), uint8(1), uint8(1), uint8(1), false, uint64(4))
	f.Fuzz(func(t *testing.T, batch, h, w, c, kh, kw, sh, sw uint8, same bool, seed uint64) {
		// Fold the fuzzed bytes into small sizes so each input runs fast.
		b := int(batch % 4)
		hh, ww, cc := 1+int(h%12), 1+int(w%12), 1+int(c%20)
		p := Valid
		if same {
			p = Same
		}
		g, err := NewGeometry(b, hh, ww, cc, 1+int(kh%6), 1+int(kw%6), 1+int(sh%4), 1+int(sw%4), p)
		if err != nil {
			return // e.g. a valid kernel larger than its input
		}
		rng := rand.New(rand.NewPCG(seed, 9))
		src := randSlice(rng, g.InputLen())
		want := naiveIm2col(src, g)
		got := make([]float32, len(want))
		Im2col(got, src, g)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%+v: dst[%d] = %v, want %v", g, i, got[i], want[i])
			}
		}
		if err := adjointGap(rng, g); err != nil {
			t.Fatalf("%+v: %v", g, err)
		}
	})
}
