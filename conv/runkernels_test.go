package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/paths"
)

// runCase is one configuration of the run kernels.
type runCase struct {
	f, nRuns, runLen, strideExtra, kExtra, off int
	pixStride                                  int // > 0: also test the two-pixel kernels
}

func (c runCase) String() string {
	return fmt.Sprintf("f=%d nRuns=%d runLen=%d stride=+%d k=+%d off=%d pixStride=%d", c.f, c.nRuns, c.runLen, c.strideExtra, c.kExtra, c.off, c.pixStride)
}

const guardVal = 12345.5

// runBufs holds a case's operands inside guarded buffers: img and mat
// slices with guard values before and after, and in the gaps between runs.
type runBufs struct {
	imgBuf, matBuf, vecBuf []float32
	img, mat, vec          []float32
	stride, k, off         int
}

func newRunBufs(rng *rand.Rand, c runCase) *runBufs {
	b := &runBufs{stride: c.runLen + c.strideExtra, k: c.nRuns*c.runLen + c.kExtra, off: c.off}
	imgLen := c.pixStride + max(0, (c.nRuns-1)*b.stride+c.runLen)
	matLen := (c.f-1)*b.k + c.nRuns*c.runLen
	const guard = 20
	fill := func(n int) ([]float32, []float32) {
		buf := make([]float32, c.off+n+guard)
		for i := range buf {
			buf[i] = guardVal
		}
		s := buf[c.off : c.off+n : c.off+n]
		return buf, s
	}
	b.imgBuf, b.img = fill(imgLen)
	b.matBuf, b.mat = fill(matLen)
	b.vecBuf, b.vec = fill(2 * c.f)
	// Random values only inside the runs; gaps keep the guard value.
	for r := 0; r < c.nRuns; r++ {
		for i := 0; i < c.runLen; i++ {
			b.img[r*b.stride+i] = rng.Float32()*2 - 1
			b.img[c.pixStride+r*b.stride+i] = rng.Float32()*2 - 1
			for j := 0; j < c.f; j++ {
				b.mat[j*b.k+r*c.runLen+i] = rng.Float32()*2 - 1
			}
		}
	}
	for j := range b.vec {
		b.vec[j] = rng.Float32()*2 - 1
	}
	return b
}

func (b *runBufs) clone() *runBufs {
	c := *b
	re := func(buf, s []float32) ([]float32, []float32) {
		nb := append([]float32(nil), buf...)
		return nb, nb[b.off : b.off+len(s) : b.off+len(s)]
	}
	c.imgBuf, c.img = re(b.imgBuf, b.img)
	c.matBuf, c.mat = re(b.matBuf, b.mat)
	c.vecBuf, c.vec = re(b.vecBuf, b.vec)
	return &c
}

// compareBufs checks every element of got's buffers against want's, with a
// tolerance for the summation order, which differs between the kernels.
func compareBufs(got, want []float32, tol float64) error {
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if w == guardVal || g == guardVal {
			if g != w {
				return fmt.Errorf("[%d] = %v, want %v (guard or gap changed)", i, g, w)
			}
			continue
		}
		if math.Abs(g-w) > tol*(1+math.Abs(w)) {
			return fmt.Errorf("[%d] = %v, want %v", i, g, w)
		}
	}
	return nil
}

// checkRunCase runs the active path's three kernels and the Go references
// on the same case and compares them, guards included.
func checkRunCase(rng *rand.Rand, c runCase) error {
	ks := activeRunKernels()
	base := newRunBufs(rng, c)
	tol := 1e-5 * float64(c.nRuns*c.runLen+1)

	got, want := base.clone(), base.clone()
	ks.dotRuns(c.f, got.img, got.stride, got.mat, got.k, c.nRuns, c.runLen, got.vec)
	dotRunsGo(c.f, want.img, want.stride, want.mat, want.k, c.nRuns, c.runLen, want.vec)
	if err := compareBufs(got.vecBuf, want.vecBuf, tol); err != nil {
		return fmt.Errorf("dotRuns out%v", err)
	}

	got, want = base.clone(), base.clone()
	ks.axpyRuns(c.f, got.img, got.stride, got.mat, got.k, c.nRuns, c.runLen, got.vec)
	axpyRunsGo(c.f, want.img, want.stride, want.mat, want.k, c.nRuns, c.runLen, want.vec)
	if err := compareBufs(got.imgBuf, want.imgBuf, 1e-5); err != nil {
		return fmt.Errorf("axpyRuns y%v", err)
	}

	got, want = base.clone(), base.clone()
	ks.gerRuns(c.f, got.mat, got.k, got.img, got.stride, c.nRuns, c.runLen, got.vec)
	gerRunsGo(c.f, want.mat, want.k, want.img, want.stride, c.nRuns, c.runLen, want.vec)
	if err := compareBufs(got.matBuf, want.matBuf, 1e-5); err != nil {
		return fmt.Errorf("gerRuns d%v", err)
	}
	for _, b := range []*runBufs{got, want} {
		if err := compareBufs(b.imgBuf, base.imgBuf, 0); err != nil {
			return fmt.Errorf("gerRuns changed its input: %v", err)
		}
	}
	for _, nPix := range []int{1, 2, 3, 4, 5, 6, 7, 11, 13, 30, 31} {
		if err := checkGerRow(rng, c, nPix); err != nil {
			return err
		}
		if err := checkDotRow(rng, c, nPix); err != nil {
			return err
		}
	}
	return nil
}

// checkDotRow compares the active path's dotRow over nPix pixels, each
// next pixel's runs pixStride floats on, with dotRuns' Go reference
// applied pixel by pixel, guards around out included.
func checkDotRow(rng *rand.Rand, c runCase, nPix int) error {
	ks := activeRunKernels()
	stride, k := c.runLen+c.strideExtra, c.nRuns*c.runLen+c.kExtra
	imgLen := (nPix-1)*c.pixStride + max(0, (c.nRuns-1)*stride+c.runLen)
	img := randSlice(rng, c.off+imgLen)[c.off:]
	mat := randSlice(rng, c.off+(c.f-1)*k+c.nRuns*c.runLen)[c.off:]
	const guard = 20
	base := make([]float32, c.off+nPix*c.f+guard)
	for i := range base {
		base[i] = guardVal
	}
	for i := 0; i < nPix*c.f; i++ {
		base[c.off+i] = rng.Float32()*2 - 1
	}
	got, want := append([]float32(nil), base...), append([]float32(nil), base...)
	ks.dotRow(c.f, img, stride, mat, k, c.nRuns, c.runLen, got[c.off:c.off+nPix*c.f], c.pixStride, nPix)
	for q := 0; q < nPix; q++ {
		dotRunsGo(c.f, img[q*c.pixStride:], stride, mat, k, c.nRuns, c.runLen, want[c.off+q*c.f:])
	}
	if err := compareBufs(got, want, 1e-5*float64(c.nRuns*c.runLen+1)); err != nil {
		return fmt.Errorf("dotRow nPix=%d out%v", nPix, err)
	}
	return nil
}

// checkGerRow compares the active path's gerRow over nPix pixels, each
// next pixel's runs pixStride floats on, with gerRuns' Go reference applied
// pixel by pixel (and gerRowGo with the same), guards around d included.
func checkGerRow(rng *rand.Rand, c runCase, nPix int) error {
	ks := activeRunKernels()
	stride, k := c.runLen+c.strideExtra, c.nRuns*c.runLen+c.kExtra
	imgLen := (nPix-1)*c.pixStride + max(0, (c.nRuns-1)*stride+c.runLen)
	img := randSlice(rng, c.off+imgLen)[c.off:]
	a := randSlice(rng, nPix*c.f)
	const guard = 20
	matLen := (c.f-1)*k + c.nRuns*c.runLen
	base := make([]float32, c.off+matLen+guard)
	for i := range base {
		base[i] = guardVal
	}
	for j := 0; j < c.f; j++ {
		for i := 0; i < c.nRuns*c.runLen; i++ {
			base[c.off+j*k+i] = rng.Float32()*2 - 1
		}
	}
	got, want, row := append([]float32(nil), base...), append([]float32(nil), base...), append([]float32(nil), base...)
	ks.gerRow(c.f, got[c.off:c.off+matLen], k, img, stride, c.nRuns, c.runLen, a, c.pixStride, nPix)
	gerRowGo(c.f, row[c.off:c.off+matLen], k, img, stride, c.nRuns, c.runLen, a, c.pixStride, nPix)
	for q := 0; q < nPix; q++ {
		gerRunsGo(c.f, want[c.off:c.off+matLen], k, img[q*c.pixStride:], stride, c.nRuns, c.runLen, a[q*c.f:])
	}
	tol := 1e-5 * float64(nPix+1)
	if err := compareBufs(got, want, tol); err != nil {
		return fmt.Errorf("gerRow nPix=%d d%v", nPix, err)
	}
	if err := compareBufs(row, want, tol); err != nil {
		return fmt.Errorf("gerRowGo nPix=%d d%v", nPix, err)
	}
	return nil
}

// TestRunKernels covers every filter count, run counts 0-3, every run
// length up to three AVX-512 vectors plus every tail, gaps between runs,
// spare matrix columns and unaligned starts, on every kernel path.
func TestRunKernels(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for f := 1; f <= implicitMaxFilters; f++ {
			for nRuns := 0; nRuns <= 3; nRuns++ {
				for runLen := 0; runLen <= 50; runLen++ {
					c := runCase{f: f, nRuns: nRuns, runLen: runLen, strideExtra: (runLen + f) % 4, kExtra: runLen % 3, off: (runLen + nRuns) % 4}
					// Second pixel's runs overlapping the first's (stride 1
					// convolutions), or not.
					c.pixStride = []int{0, 1, 3, runLen + 2}[(runLen+nRuns)%4]
					if err := checkRunCase(rng, c); err != nil {
						t.Fatalf("%v: %v", c, err)
					}
				}
			}
		}
		// Run lengths past a full gerRow block (12 vectors for one filter)
		// on both vector widths, with every kind of tail after it.
		for f := 1; f <= implicitMaxFilters; f++ {
			for _, runLen := range []int{95, 96, 97, 103, 104, 191, 192, 193, 207, 383, 385} {
				c := runCase{f: f, nRuns: 1 + runLen%3, runLen: runLen, strideExtra: runLen % 5, kExtra: f, off: runLen % 4, pixStride: runLen%7 + 1}
				if err := checkRunCase(rng, c); err != nil {
					t.Fatalf("%v: %v", c, err)
				}
			}
		}
		// The G4 layer's run shape: 3 filters, 3 runs of 3*128.
		if err := checkRunCase(rng, runCase{f: 3, nRuns: 3, runLen: 384, strideExtra: 31*128 + 5, kExtra: 0, off: 1, pixStride: 128}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRunKernelsCheckBounds(t *testing.T) {
	ks := activeRunKernels()
	img, mat, vec := make([]float32, 10), make([]float32, 30), make([]float32, 3)
	for _, c := range []struct {
		name, want string
		call       func()
	}{
		{"short image", "image side", func() { ks.dotRuns(3, img, 6, mat, 10, 2, 5, vec) }},
		{"short matrix", "matrix", func() { ks.axpyRuns(3, img, 5, mat, 11, 2, 5, vec) }},
		{"short vector", "vector", func() { ks.gerRuns(3, mat, 10, img, 5, 2, 5, vec[:2]) }},
		{"too many filters", "bad arguments", func() { ks.dotRuns(implicitMaxFilters+1, img, 5, mat, 5, 1, 5, vec) }},
		{"row, short image", "image side", func() { ks.dotRow(1, img, 5, mat, 5, 1, 5, vec, 6, 2) }},
		{"row, short vector", "vector", func() { ks.gerRow(2, mat, 10, img, 5, 1, 5, vec, 1, 2) }},
		{"row, short output", "vector", func() { ks.dotRow(1, img, 5, mat, 5, 1, 5, vec, 1, 4) }},
		{"row, negative stride", "bad arguments", func() { ks.dotRow(1, img, 5, mat, 5, 1, 5, vec, -1, 2) }},
		{"row, negative count", "bad arguments", func() { ks.gerRow(1, mat, 5, img, 5, 1, 5, vec, 1, -1) }},
	} {
		if msg := panicMessage(c.call); !strings.Contains(msg, c.want) {
			t.Errorf("%s: panic %q, want it to mention %q", c.name, msg, c.want)
		}
	}
}

// TestRunKernelsFollowThePath checks that selecting a kernel path selects
// conv's run kernels with it: the generated ones on the amd64 SIMD paths,
// the Go versions (nil) on the generic path.
func TestRunKernelsFollowThePath(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		ks := activeRunKernels()
		switch p := paths.Active(); p {
		case paths.Generic:
			if ks != nil {
				t.Fatal("the generic path has assembly run kernels")
			}
		case paths.AVX2, paths.AVX512:
			if ks == nil || ks.gather == nil || ks.dot[implicitMaxFilters] == nil || ks.dotRowFn[1] == nil || ks.gerRowFn[1] == nil || ks.gerRowFn[implicitMaxFilters] == nil || len(ks.stripGrad) == 0 {
				t.Fatalf("path %s has no complete set of run kernels", p)
			}
		}
	})
}

// FuzzRunKernels compares the active path's run kernels with the Go
// references on fuzzed shapes. The seeds run under plain go test.
func FuzzRunKernels(f *testing.F) {
	f.Add(uint8(3), uint8(3), uint16(384), uint8(7), uint8(0), uint8(1), uint16(128), uint64(1))
	f.Add(uint8(1), uint8(1), uint16(17), uint8(0), uint8(2), uint8(3), uint16(0), uint64(2))
	f.Add(uint8(4), uint8(2), uint16(33), uint8(1), uint8(1), uint8(0), uint16(1), uint64(3))
	f.Add(uint8(2), uint8(0), uint16(8), uint8(1), uint8(1), uint8(0), uint16(9), uint64(4))
	f.Fuzz(func(t *testing.T, fc, nRuns uint8, runLen uint16, strideExtra, kExtra, off uint8, pixStride uint16, seed uint64) {
		c := runCase{
			f: 1 + int(fc)%implicitMaxFilters, nRuns: int(nRuns % 5), runLen: int(runLen % 700),
			strideExtra: int(strideExtra % 64), kExtra: int(kExtra % 16), off: int(off % 16), pixStride: int(pixStride % 800),
		}
		kerneltest.Run(t, func(t *testing.T) {
			if err := checkRunCase(rand.New(rand.NewPCG(seed, 5)), c); err != nil {
				t.Fatalf("%v: %v", c, err)
			}
			g := gatherCase{c: c.runLen % 300, nRuns: c.nRuns, runLen: c.f * (1 + c.kExtra%4), nPix: 1 + c.strideExtra%7,
				wExtra: c.kExtra, coefExtra: c.strideExtra, coefPix: c.f, off: c.off}
			if err := checkGather(rand.New(rand.NewPCG(seed, 6)), g); err != nil {
				t.Fatalf("%+v: %v", g, err)
			}
		})
	})
}

// TestAVX2KernelsAvoidEVEX scans the generated assembly: the AVX2 kernels
// must run on CPUs without AVX-512, so they may use neither zmm nor opmask
// registers nor x/ymm16-31 (which only EVEX encodings reach).
func TestAVX2KernelsAvoidEVEX(t *testing.T) {
	src, err := os.ReadFile("implicit_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	evex := regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[0-7])\b`)
	fn, avx2Funcs, stripGrads := "", 0, 0
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.Fields(line)[1]
			if strings.Contains(fn, "AVX2(") {
				avx2Funcs++
				if strings.HasPrefix(fn, "·stripGrad") {
					stripGrads++
				}
			}
			continue
		}
		if strings.Contains(fn, "AVX2(") && evex.MatchString(line) {
			t.Errorf("implicit_amd64.s:%d: %s uses an EVEX-only register: %s", i+1, fn, strings.TrimSpace(line))
		}
	}
	// dot, axpy, ger, dotRow, gerRow; gather; and the stripGrad kernels,
	// at least one (this test also runs in builds that register none).
	if want := 5*implicitMaxFilters + 1; avx2Funcs-stripGrads != want || stripGrads == 0 {
		t.Errorf("found %d AVX2 kernels besides %d stripGrad ones, want %d and at least one", avx2Funcs-stripGrads, stripGrads, want)
	}
}

// gatherCase is one gatherRuns call shape.
type gatherCase struct {
	c, nRuns, runLen, nPix int
	wExtra, coefExtra      int // wStride - runLen, coefStride - runLen
	coefPix, off           int
}

// checkGather compares the active path's gatherRuns with the Go reference,
// with slices starting off floats into their buffers and guard values
// after dst.
func checkGather(rng *rand.Rand, g gatherCase) error {
	ks := activeRunKernels()
	wStride, coefStride := g.runLen+g.wExtra, g.runLen+g.coefExtra
	wLen, coefLen := 0, 0
	if g.nRuns > 0 && g.runLen > 0 {
		wLen = ((g.nRuns-1)*wStride + g.runLen) * g.c
		coefLen = max(0, g.nPix-1)*g.coefPix + (g.nRuns-1)*coefStride + g.runLen
	}
	w := randSlice(rng, g.off+wLen)[g.off:]
	coef := randSlice(rng, g.off+coefLen)[g.off:]
	const guard = 20
	got := make([]float32, g.off+g.nPix*g.c+guard)
	for i := range got {
		got[i] = guardVal // also checks that dst is overwritten, not added to
	}
	want := append([]float32(nil), got...)
	ks.gatherRuns(got[g.off:], g.c, w, wStride, coef, coefStride, g.coefPix, g.nRuns, g.runLen, g.nPix)
	if g.nRuns == 0 || g.runLen == 0 {
		clear(want[g.off : g.off+g.nPix*g.c])
	} else {
		gatherRunsGo(want[g.off:], g.c, w, wStride, coef, coefStride, g.coefPix, g.nRuns, g.runLen, g.nPix)
	}
	if err := compareBufs(got, want, 1e-5*float64(g.nRuns*g.runLen+1)); err != nil {
		return fmt.Errorf("gatherRuns dst%v", err)
	}
	return nil
}

// TestGatherRuns covers every column count up to three AVX-512 blocks'
// worth of tails, the G4 layer's 128 channels and 3 runs of 9 rows, several
// pixels per call with overlapping coefficient runs, and unaligned starts,
// on every kernel path.
func TestGatherRuns(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		cs := []int{127, 128, 129, 255, 256, 300, 384}
		for c := 0; c <= 40; c++ {
			cs = append(cs, c)
		}
		for _, c := range cs {
			for _, sh := range []struct{ nRuns, runLen, nPix int }{{0, 3, 1}, {1, 0, 2}, {1, 1, 1}, {2, 3, 1}, {3, 9, 1}, {3, 9, 4}, {1, 5, 3}, {2, 6, 30}} {
				g := gatherCase{c: c, nRuns: sh.nRuns, runLen: sh.runLen, nPix: sh.nPix, wExtra: c % 3, coefExtra: 1 + c%5, coefPix: 1 + c%4, off: (c + sh.runLen) % 4}
				if err := checkGather(rng, g); err != nil {
					t.Fatalf("%+v: %v", g, err)
				}
			}
		}
	})
	ks := activeRunKernels()
	if msg := panicMessage(func() { ks.gatherRuns(make([]float32, 4), 4, make([]float32, 7), 2, make([]float32, 2), 2, 1, 1, 2, 1) }); !strings.Contains(msg, "len(w) = 7") {
		t.Errorf("short w: panic %q", msg)
	}
	if msg := panicMessage(func() { ks.gatherRuns(make([]float32, 8), 4, make([]float32, 8), 2, make([]float32, 2), 2, 1, 1, 2, 2) }); !strings.Contains(msg, "len(coef) = 2") {
		t.Errorf("short coef: panic %q", msg)
	}
	if msg := panicMessage(func() { ks.gatherRuns(make([]float32, 7), 4, make([]float32, 8), 2, make([]float32, 3), 2, 1, 1, 2, 2) }); !strings.Contains(msg, "len(dst) = 7") {
		t.Errorf("short dst: panic %q", msg)
	}
}
