package im2col

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

// Im2col writes the im2col matrix of the NHWC input src into dst, which
// must hold exactly g.Rows() x g.Cols() values; row r = (n*OutH+oh)*OutW+ow
// holds the kernel window of output pixel (n, oh, ow), its columns ordered
// (kh, kw, c). Taps that fall in the padding are written as zeros, so dst
// is overwritten entirely.
//
// Without dilation the in-bounds taps of one kernel row are adjacent in an
// NHWC image (KW pixels of C channels, whatever the stride), so each kernel
// row of each output pixel is one copy of up to KW*C floats. Go's built-in
// copy compiles to the runtime's memmove, which already uses the widest
// vector moves the CPU has, so no assembly is needed here; runs shorter
// than a vector or two (C = 3 images) use a plain loop instead.
func Im2col(dst, src []float32, g Geometry) {
	check("Im2col", "src", len(src), g.InputLen(), "dst", len(dst), g.Rows()*g.Cols())
	kwc := g.KW * g.C
	cols := g.Cols()
	r := 0
	for n := 0; n < g.Batch; n++ {
		img := src[n*g.H*g.W*g.C : (n+1)*g.H*g.W*g.C]
		for oh := 0; oh < g.OutH; oh++ {
			ih0 := oh*g.StrideH - g.PadTop
			for ow := 0; ow < g.OutW; ow++ {
				row := dst[r*cols : (r+1)*cols]
				r++
				iw0, lo, hi := g.window(ow)
				for kh := 0; kh < g.KH; kh++ {
					seg := row[kh*kwc : (kh+1)*kwc]
					ih := ih0 + kh
					if ih < 0 || ih >= g.H || hi <= lo {
						clear(seg)
						continue
					}
					base := (ih*g.W + iw0) * g.C
					if lo == 0 && hi == g.KW {
						copyRun(seg, img[base:base+kwc])
						continue
					}
					clear(seg[:lo*g.C])
					copyRun(seg[lo*g.C:hi*g.C], img[base+lo*g.C:base+hi*g.C])
					clear(seg[hi*g.C:])
				}
			}
		}
	}
}

// Col2im is the adjoint of Im2col: it adds every value of the matrix cols
// (g.Rows() x g.Cols(), laid out as Im2col writes it) onto the input
// position it was gathered from, dst[n, ih, iw, c] += cols[r, (kh, kw, c)],
// and drops the values of padded taps. It accumulates into dst (an NHWC
// [Batch, H, W, C] tensor); callers that want the plain adjoint zero dst
// first.
//
// Each kernel row's in-bounds taps are again one contiguous run, added with
// kernels.Axpy (SIMD, y += 1*x, which rounds exactly like y + x); very
// short runs (small C) use a Go loop, cheaper than a call.
func Col2im(dst, cols []float32, g Geometry) {
	check("Col2im", "dst", len(dst), g.InputLen(), "cols", len(cols), g.Rows()*g.Cols())
	kwc := g.KW * g.C
	nc := g.Cols()
	r := 0
	for n := 0; n < g.Batch; n++ {
		img := dst[n*g.H*g.W*g.C : (n+1)*g.H*g.W*g.C]
		for oh := 0; oh < g.OutH; oh++ {
			ih0 := oh*g.StrideH - g.PadTop
			for ow := 0; ow < g.OutW; ow++ {
				row := cols[r*nc : (r+1)*nc]
				r++
				iw0, lo, hi := g.window(ow)
				if hi <= lo {
					continue
				}
				for kh := 0; kh < g.KH; kh++ {
					ih := ih0 + kh
					if ih < 0 || ih >= g.H {
						continue
					}
					base := (ih*g.W + iw0) * g.C
					addTo(img[base+lo*g.C:base+hi*g.C], row[kh*kwc+lo*g.C:kh*kwc+hi*g.C])
				}
			}
		}
	}
}

// shortRun is the run length below which a Go loop beats a call to
// kernels.Axpy.
const shortRun = 16

// copyRun copies src to dst, len(dst) == len(src): with a Go loop when
// the run is short (few channels), where the loop is cheaper than the
// runtime's memmove call, else with the built-in copy.
func copyRun(dst, src []float32) {
	if len(src) < shortRun {
		dst = dst[:len(src)]
		//lint:ignore S1001 the loop is the point: it avoids memmove's call for runs this short
		for i, v := range src {
			dst[i] = v
		}
		return
	}
	copy(dst, src)
}

// addTo adds src to dst element-wise; len(dst) == len(src).
func addTo(dst, src []float32) {
	if len(src) < shortRun {
		dst = dst[:len(src)]
		for i, v := range src {
			dst[i] += v
		}
		return
	}
	kernels.Axpy(1, src, dst)
}

// check panics unless both lengths are as the geometry requires.
func check(op, aName string, aLen, aWant int, bName string, bLen, bWant int) {
	if aLen != aWant {
		panic(fmt.Sprintf("gokern: im2col.%s: len(%s) = %d, want %d", op, aName, aLen, aWant))
	}
	if bLen != bWant {
		panic(fmt.Sprintf("gokern: im2col.%s: len(%s) = %d, want %d", op, bName, bLen, bWant))
	}
}
