package conv

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/kernels"
)

// windows is the kernel-window geometry of a convolution over an NHWC
// input of N samples of H x W x C: output pixel (n, oh, ow) with tap (th,
// tw) reads input pixel (oh*StrideH + OffH[th], ow*StrideW + OffW[tw]),
// all C channels, or zeros when that pixel lies outside the input.
//
// A Conv2D's windows have OffH[kh] = kh - PadTop (and the same for
// columns); a sub-pixel phase of a transposed convolution picks a few taps
// of its kernel, with offsets of their own.
type windows struct {
	N, H, W, C       int
	OH, OW           int
	StrideH, StrideW int
	OffH, OffW       []int
}

// taps is the number of kernel taps of one window.
func (w *windows) taps() int { return len(w.OffH) * len(w.OffW) }

// pixels is the number of output pixels, the rows of the im2col matrix.
func (w *windows) pixels() int { return w.N * w.OH * w.OW }

// depth is the length of one window, taps()*C: the columns of the im2col
// matrix, in (th, tw, c) order.
func (w *windows) depth() int { return w.taps() * w.C }

// windowOperand is the im2col matrix of X under its windows as a
// kernels.Operand: row r is output pixel r (n, oh, ow in NHWC order),
// column (th*len(OffW) + tw)*C + c is input channel c under tap (th, tw).
// It is packed straight from X, so the matrix is never written out.
type windowOperand struct {
	windows
	X []float32
}

// Pack gathers each micro-panel's rows into the scratch matrix, one
// contiguous run of channels per tap (zeros outside the input), and packs
// the scratch with the path's transposing packer: the gather stays in L1.
func (o *windowOperand) Pack(dst *kernels.Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	s := dst.Scratch()
	for q := 0; q < dst.Count(); q++ {
		first := r0 + q*w
		rows := min(w, r0+dst.Rows()-first)
		for r := 0; r < rows; r++ {
			o.gatherRow(s[r*kc:r*kc+kc], first+r, p0)
		}
		dst.PackRows(q, s, kc, rows)
	}
}

// gatherRow writes columns [p0, p0+len(dst)) of im2col row pix into dst.
func (o *windowOperand) gatherRow(dst []float32, pix, p0 int) {
	c := o.C
	ow := pix % o.OW
	oh := pix / o.OW % o.OH
	n := pix / (o.OW * o.OH)
	img := o.X[n*o.H*o.W*c : (n+1)*o.H*o.W*c]
	ntw := len(o.OffW)
	for len(dst) > 0 {
		t, c0 := p0/c, p0%c
		run := min(c-c0, len(dst))
		ih := oh*o.StrideH + o.OffH[t/ntw]
		iw := ow*o.StrideW + o.OffW[t%ntw]
		if ih < 0 || ih >= o.H || iw < 0 || iw >= o.W {
			clear(dst[:run])
		} else {
			at := (ih*o.W+iw)*c + c0
			copy(dst[:run], img[at:at+run])
		}
		dst, p0 = dst[run:], p0+run
	}
}

// windowOperandT is the transpose of windowOperand's matrix as a
// kernels.Operand, the operand of a weight gradient: row (th, tw, c), one
// column per output pixel.
type windowOperandT struct {
	windows
	X []float32
}

// Pack writes each micro-panel a depth step (an output pixel) at a time:
// the panel's Width() rows are Width() channels of that pixel's window.
func (o *windowOperandT) Pack(dst *kernels.Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	c := o.C
	ntw := len(o.OffW)
	for q := 0; q < dst.Count(); q++ {
		panel := dst.Panel(q)
		first := r0 + q*w
		rows := min(w, r0+dst.Rows()-first)
		for s := 0; s < kc; s++ {
			pix := p0 + s
			ow := pix % o.OW
			oh := pix / o.OW % o.OH
			n := pix / (o.OW * o.OH)
			d := panel[s*w : s*w+w]
			for r := 0; r < rows; {
				row := first + r
				t, c0 := row/c, row%c
				run := min(c-c0, rows-r)
				ih := oh*o.StrideH + o.OffH[t/ntw]
				iw := ow*o.StrideW + o.OffW[t%ntw]
				if ih < 0 || ih >= o.H || iw < 0 || iw >= o.W {
					clear(d[r : r+run])
				} else {
					at := ((n*o.H+ih)*o.W+iw)*c + c0
					copy(d[r:r+run], o.X[at:at+run])
				}
				r += run
			}
			clear(d[rows:])
		}
	}
}

// convWindows returns the windows of a Conv2D with geometry g (for
// g.Batch samples): every tap of the KH x KW kernel, offset by the padding.
func convWindows(g im2col.Geometry) windows {
	w := windows{
		N: g.Batch, H: g.H, W: g.W, C: g.C, OH: g.OutH, OW: g.OutW,
		StrideH: g.StrideH, StrideW: g.StrideW,
		OffH: make([]int, g.KH), OffW: make([]int, g.KW),
	}
	for kh := range w.OffH {
		w.OffH[kh] = kh - g.PadTop
	}
	for kw := range w.OffW {
		w.OffW[kw] = kw - g.PadLeft
	}
	return w
}
