package conv

import (
	"math"
	"math/rand/v2"

	"github.com/gokern/gokern/im2col"
)

// This file holds the float64 definitions the layers are tested against,
// written from the Keras/TensorFlow formulas independently of im2col.

// convGeom is a convolution's geometry computed straight from the Keras
// formulas: output size and leading padding per dimension.
type convGeom struct {
	n, h, w, c, f, kh, kw, sh, sw int
	oh, ow, padT, padL            int
}

// kerasConvOut returns Keras's conv output size and TensorFlow's leading
// padding for one dimension.
func kerasConvOut(in, k, s int, p im2col.Padding) (out, pad int) {
	if p == im2col.Valid {
		return (in-k)/s + 1, 0
	}
	out = (in + s - 1) / s
	return out, max((out-1)*s+k-in, 0) / 2
}

func newConvGeom(n int, s Spec) convGeom {
	g := convGeom{n: n, h: s.H, w: s.W, c: s.C, f: s.Filters, kh: s.KH, kw: s.KW, sh: s.StrideH, sw: s.StrideW}
	g.oh, g.padT = kerasConvOut(s.H, s.KH, s.StrideH, s.Padding)
	g.ow, g.padL = kerasConvOut(s.W, s.KW, s.StrideW, s.Padding)
	return g
}

// taps calls fn for every (sample, output pixel, in-bounds kernel tap).
func (g convGeom) taps(fn func(n, oh, ow, ih, iw, kh, kw int)) {
	for n := 0; n < g.n; n++ {
		for oh := 0; oh < g.oh; oh++ {
			for ow := 0; ow < g.ow; ow++ {
				for kh := 0; kh < g.kh; kh++ {
					for kw := 0; kw < g.kw; kw++ {
						ih, iw := oh*g.sh-g.padT+kh, ow*g.sw-g.padL+kw
						if ih >= 0 && ih < g.h && iw >= 0 && iw < g.w {
							fn(n, oh, ow, ih, iw, kh, kw)
						}
					}
				}
			}
		}
	}
}

// ref is a float64 result with, per element, the sum of the absolute
// values of the terms that made it: the scale of its rounding error.
type ref struct {
	v, abs []float64
}

func newRef(n int) ref { return ref{make([]float64, n), make([]float64, n)} }

func (r ref) add(i int, a, b float32) {
	t := float64(a) * float64(b)
	r.v[i] += t
	r.abs[i] += math.Abs(t)
}

// naiveConv returns Conv2D's forward output, input gradient and weight
// and bias gradients for x, w, bias and upstream gradient dy.
func naiveConv(n int, s Spec, x, w, bias, dy []float32) (y, dx, dw, db ref) {
	g := newConvGeom(n, s)
	y = newRef(n * g.oh * g.ow * g.f)
	dx = newRef(len(x))
	dw = newRef(len(w))
	db = newRef(g.f)
	g.taps(func(n, oh, ow, ih, iw, kh, kw int) {
		for c := 0; c < g.c; c++ {
			xi := ((n*g.h+ih)*g.w+iw)*g.c + c
			for f := 0; f < g.f; f++ {
				yi := ((n*g.oh+oh)*g.ow+ow)*g.f + f
				wi := ((kh*g.kw+kw)*g.c+c)*g.f + f
				y.add(yi, x[xi], w[wi])
				dx.add(xi, dy[yi], w[wi])
				dw.add(wi, x[xi], dy[yi])
			}
		}
	})
	addBiasRef(y, db, bias, dy, g.f)
	return y, dx, dw, db
}

// addBiasRef adds bias to y and the column sums of dy to db.
func addBiasRef(y, db ref, bias, dy []float32, f int) {
	for i := range y.v {
		if bias != nil {
			y.add(i, bias[i%f], 1)
		}
		db.add(i%f, dy[i], 1)
	}
}

// transposeGeom returns the geometry of a Conv2DTranspose written from
// Keras's deconv_output_length and TensorFlow's conv2d_transpose: the
// transposed layer's output (OH, OW) plays the conv's input, its input
// (H, W) the conv's output.
func transposeGeom(n int, s Spec) convGeom {
	out := func(in, k, st int) (int, int) {
		if s.Padding == im2col.Same {
			return in * st, max(k-st, 0) / 2
		}
		return in*st + max(k-st, 0), 0
	}
	g := convGeom{n: n, c: s.Filters, f: s.C, kh: s.KH, kw: s.KW, sh: s.StrideH, sw: s.StrideW, oh: s.H, ow: s.W}
	g.h, g.padT = out(s.H, s.KH, s.StrideH)
	g.w, g.padL = out(s.W, s.KW, s.StrideW)
	return g
}

// naiveTranspose returns Conv2DTranspose's forward output and gradients:
// every input pixel (ih, iw) spreads x[ih, iw, :] * w[kh, kw, :, :] onto
// output pixel (ih*s - pad + kh, iw*s - pad + kw) when that is in bounds.
func naiveTranspose(n int, s Spec, x, w, bias, dy []float32) (y, dx, dw, db ref) {
	g := transposeGeom(n, s) // conv direction: y (h, w, Filters) -> x (oh, ow, C)
	y = newRef(n * g.h * g.w * s.Filters)
	dx = newRef(len(x))
	dw = newRef(len(w))
	db = newRef(s.Filters)
	g.taps(func(n, xh, xw, yh, yw, kh, kw int) {
		for c := 0; c < s.C; c++ {
			xi := ((n*s.H+xh)*s.W+xw)*s.C + c
			for f := 0; f < s.Filters; f++ {
				yi := ((n*g.h+yh)*g.w+yw)*s.Filters + f
				wi := ((kh*s.KW+kw)*s.Filters+f)*s.C + c
				y.add(yi, x[xi], w[wi])
				dx.add(xi, dy[yi], w[wi])
				dw.add(wi, x[xi], dy[yi])
			}
		}
	})
	addBiasRef(y, db, bias, dy, s.Filters)
	return y, dx, dw, db
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// naiveGemm is a non-allocating reference Sgemm, installed by tests that
// count allocations so they measure this package alone.
func naiveGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
