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

// Pack packs a block one micro-panel and one span (a run of columns that
// is contiguous in X for every pixel, see span) at a time. A micro-panel
// of Width() consecutive pixels of one output row, whose windows for the
// span lie inside X, reads the span at equally spaced places, StrideW*C
// apart: PackRowsAt packs it straight from X. A kernel row outside X is
// zeros; at a border the span goes tap by tap, and only the taps that
// some window leaves are gathered. A full micro-panel across output rows
// of a linear geometry (see linear) is packed straight from X as well,
// and its rows whose windows leave X are zeroed after; in any other
// geometry, so is one whose groups of rows (packGroups) each lie in one
// output row inside X's rows. Any other micro-panel (partial, or with a
// group across rows or in padding rows) gathers the span's rows into the
// scratch matrix first, which stays in L1, and packs that.
func (o *windowOperand) Pack(dst *kernels.Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	c, sw := o.C, o.StrideW
	linear := o.linear()
	first := o.columnAt(p0)
	pix := o.pixelAt(r0)
	for q := 0; q < dst.Count(); q++ {
		rows := min(w, dst.Rows()-q*w)
		oneRow := rows == w && pix.ow+w <= o.OW
		img := pix.n * o.H * o.W * c
		col := first
		for s := 0; s < kc; {
			n, tw1, next := o.span(col, kc-s)
			ih := pix.oh*o.StrideH + o.OffH[col.th]
			lo := pix.ow*sw + o.OffW[col.tw]        // first pixel's first column
			hi := (pix.ow+w-1)*sw + o.OffW[tw1] + 1 // last pixel's end column
			// Where a linear geometry's micro-panel starts reading X.
			flat := (r0+q*w+o.OffH[col.th]*o.W+o.OffW[col.tw])*c + col.c
			switch {
			case oneRow && (ih < 0 || ih >= o.H):
				dst.ZeroSteps(q, s, n)
			case oneRow && lo >= 0 && hi <= o.W:
				at := img + (ih*o.W+lo)*c + col.c
				dst.PackRowsAt(q, s, n, o.X[at:], sw*c, w)
			case linear && rows == w && flat >= 0 && flat+(w-1)*c+n <= len(o.X):
				dst.PackRowsAt(q, s, n, o.X[flat:], c, w)
				o.zeroOutside(dst.Panel(q), w, s, n, col, tw1, pix)
			case oneRow:
				o.packTaps(dst, q, s, n, col, pix.ow, img+ih*o.W*c)
			case rows == w && o.packGroups(dst, q, s, n, col, tw1, pix):
			default:
				sc := dst.Scratch()[:rows*n]
				p := pix
				for r := 0; r < rows; r++ {
					o.gather(sc[r*n:r*n+n], p, col, tw1)
					o.advance(&p, 1)
				}
				dst.PackRowsAt(q, s, n, sc, n, rows)
			}
			s, col = s+n, next
		}
		o.advance(&pix, w)
	}
}

// packGroups packs steps [s, s+n) of micro-panel q, a span from col
// (reaching tap tw1), for the Width() pixels from p on, group by group
// (Panels.RowGroup) straight from X, where each group of pixels lies in
// one output row whose kernel row col.th lies inside X, and reports
// whether it did. A pixel whose window leaves X at a side reads its
// neighbours' values there, and zeroOutside clears them. A micro-panel
// that crosses an output row is so packed in place, its groups from two
// rows, instead of being gathered: with 12-row micro-panels (AVX-512) over
// the discriminator's 16- and 8-pixel output rows, half or all of them
// cross one.
func (o *windowOperand) packGroups(dst *kernels.Panels, q, s, n int, col column, tw1 int, p pixel) bool {
	w, gw := dst.Width(), dst.RowGroup()
	var starts [3]int
	if gw == 0 {
		return false
	}
	groups := (w + gw - 1) / gw
	if groups > len(starts) {
		return false
	}
	c, ld := o.C, o.StrideW*o.C
	first := p
	for g := 0; g < groups; g++ {
		cnt := min(gw, w-g*gw)
		ih := p.oh*o.StrideH + o.OffH[col.th]
		at := ((p.n*o.H+ih)*o.W+p.ow*o.StrideW+o.OffW[col.tw])*c + col.c
		if p.ow+cnt > o.OW || ih < 0 || ih >= o.H || at < 0 || at+(cnt-1)*ld+n > len(o.X) {
			return false
		}
		starts[g] = at
		o.advance(&p, cnt)
	}
	dst.PackRowGroupsAt(q, s, n, o.X, ld, starts[:groups])
	o.zeroOutside(dst.Panel(q), w, s, n, col, tw1, first)
	return true
}

// linear reports whether the windows map output pixel r (in NHWC order)
// to input pixel r + OffH[th]*W + OffW[tw] under tap (th, tw) wherever
// the tap lies inside X: stride 1 and an output the input's size, as the
// sub-pixel phases of a transposed convolution and the "same" stride-1
// convolutions have. Then the windows of consecutive pixels start C
// apart in X even across output rows and samples, so a micro-panel that
// crosses an output row reads each span in place, C apart, like one
// inside a row. A pixel whose tap lies outside X reads the neighbouring
// row's values there instead, and zeroOutside clears them.
//
// With 12-row micro-panels (AVX-512) over the generator's 16-pixel phase
// rows, half of them cross a row. Gathering those first took about 8% of
// the samples of its last Conv2DTranspose's forward pass (Zen 5, one
// thread); packing them in place made the pass 0.965x (median of eight
// alternating rounds, all below 1).
func (w *windows) linear() bool {
	return w.StrideH == 1 && w.StrideW == 1 && w.OH == w.H && w.OW == w.W
}

// zeroOutside clears, in steps [s, s+n) of a micro-panel of width w that
// holds a span from col (reaching tap tw1) for the w pixels from p on,
// each row's values under the taps its window has outside X (read from
// wherever the in-place packing's addresses fell).
func (o *windowOperand) zeroOutside(panel []float32, w, s, n int, col column, tw1 int, p pixel) {
	for r := 0; r < w; r++ {
		if ih := p.oh*o.StrideH + o.OffH[col.th]; ih < 0 || ih >= o.H {
			clearRow(panel, w, r, s, n)
		} else {
			at := s
			for tw, c0 := col.tw, col.c; tw <= tw1 && at < s+n; tw, c0 = tw+1, 0 {
				take := min(o.C-c0, s+n-at)
				if iw := p.ow*o.StrideW + o.OffW[tw]; iw < 0 || iw >= o.W {
					clearRow(panel, w, r, at, take)
				}
				at += take
			}
		}
		o.advance(&p, 1)
	}
}

// clearRow zeroes row r of steps [s, s+n) of a micro-panel of width w.
func clearRow(panel []float32, w, r, s, n int) {
	for i := s; i < s+n; i++ {
		panel[i*w+r] = 0
	}
}

// packTaps packs steps [s, s+n) of micro-panel q, a span from col, for
// the Width() pixels from output column ow of one output row, whose
// kernel row starts at X[row:], one tap at a time: straight from X where
// every pixel's window holds the tap, zeros where none does, else
// gathered through the scratch matrix.
func (o *windowOperand) packTaps(dst *kernels.Panels, q, s, n int, col column, ow, row int) {
	w := dst.Width()
	c, sw := o.C, o.StrideW
	for tw, c0 := col.tw, col.c; n > 0; tw, c0 = tw+1, 0 {
		take := min(c-c0, n)
		lo := ow*sw + o.OffW[tw] // the first pixel's input column
		hi := lo + (w-1)*sw      // the last one's
		switch {
		case lo >= 0 && hi < o.W:
			dst.PackRowsAt(q, s, take, o.X[row+lo*c+c0:], sw*c, w)
		case hi < 0 || lo >= o.W:
			dst.ZeroSteps(q, s, take)
		default:
			sc := dst.Scratch()[:w*take]
			for r, iw := 0, lo; r < w; r, iw = r+1, iw+sw {
				d := sc[r*take : r*take+take]
				if iw < 0 || iw >= o.W {
					clear(d)
				} else {
					move(d, o.X[row+iw*c+c0:])
				}
			}
			dst.PackRowsAt(q, s, take, sc, take, w)
		}
		s, n = s+take, n-take
	}
}

// windowOperandT is the transpose of windowOperand's matrix as a
// kernels.Operand, the operand of a weight gradient: row (th, tw, c), one
// column per output pixel.
type windowOperandT struct {
	windows
	X []float32
}

// Pack packs a block one micro-panel and one span of its rows at a time
// (a run of rows whose values, for each depth step, an output pixel, are
// contiguous in X; see span). The steps of a run of pixels along one
// output row are equally spaced in X, StrideW*C apart, so a span is
// copied straight from X for the pixels whose windows hold it: by
// PackSteps when the span is the whole micro-panel. Kernel rows outside X
// are zeros, and the pixels at the ends of an output row, whose windows
// hold part of the span, are gathered.
func (o *windowOperandT) Pack(dst *kernels.Panels, r0, p0 int) {
	w, kc := dst.Width(), dst.Depth()
	start := o.pixelAt(p0)
	for q := 0; q < dst.Count(); q++ {
		rows := min(w, dst.Rows()-q*w)
		if rows < w {
			dst.ZeroSteps(q, 0, kc) // the rows past the block's end
		}
		col := o.columnAt(r0 + q*w)
		for r := 0; r < rows; {
			n, tw1, next := o.span(col, rows-r)
			o.packSpan(dst, q, r, n, col, tw1, start)
			r, col = r+n, next
		}
	}
}

// packSpan writes rows [r, r+n) of micro-panel q, the span of taps
// col.tw..tw1 of kernel row col.th from channel col.c, for the block's
// pixels from start on, run by run along the output rows.
func (o *windowOperandT) packSpan(dst *kernels.Panels, q, r, n int, col column, tw1 int, start pixel) {
	w, kc := dst.Width(), dst.Depth()
	panel := dst.Panel(q)
	c, sw := o.C, o.StrideW
	whole := r == 0 && n == w
	// The output columns whose window holds the whole span: [owLo, owHi).
	owLo := max(0, ceilDiv(-o.OffW[col.tw], sw))
	owHi := min(o.OW, floorDiv(o.W-1-o.OffW[tw1], sw)+1)
	pix := start
	for s := 0; s < kc; {
		run := min(kc-s, o.OW-pix.ow)
		ih := pix.oh*o.StrideH + o.OffH[col.th]
		a, b := pix.ow, pix.ow+run
		in0, in1 := max(a, owLo), min(b, owHi)
		switch {
		case ih < 0 || ih >= o.H:
			if whole {
				dst.ZeroSteps(q, s, run)
				break
			}
			for i := s; i < s+run; i++ {
				clear(panel[i*w+r : i*w+r+n])
			}
		case in0 >= in1:
			o.gatherSteps(panel, w, r, n, s, run, col, tw1, pix)
		default:
			// Pixels at the row's ends may have part of the span inside X.
			o.gatherSteps(panel, w, r, n, s, in0-a, col, tw1, pix)
			at := ((pix.n*o.H+ih)*o.W+in0*sw+o.OffW[col.tw])*c + col.c
			s0, cnt, ld := s+in0-a, in1-in0, sw*c
			if whole {
				dst.PackSteps(q, s0, cnt, o.X[at:], ld)
			} else {
				copyRows(panel[s0*w+r:], w, o.X[at:], ld, cnt, n)
			}
			p := pix
			p.ow = in1
			o.gatherSteps(panel, w, r, n, s+in1-a, b-in1, col, tw1, p)
		}
		s += run
		o.advance(&pix, run)
	}
}

// gatherSteps writes rows [r, r+n) of steps [s, s+cnt) of a micro-panel
// of width w, a span from col, for cnt pixels from p on along one output
// row.
func (o *windowOperandT) gatherSteps(panel []float32, w, r, n, s, cnt int, col column, tw1 int, p pixel) {
	for i := s; i < s+cnt; i++ {
		o.gather(panel[i*w+r:i*w+r+n], p, col, tw1)
		p.ow++
	}
}

// copyRows copies rows rows of n values, src[i*ld:i*ld+n] to
// dst[i*w:i*w+n], by move.
func copyRows(dst []float32, w int, src []float32, ld, rows, n int) {
	for i := 0; i < rows; i++ {
		move(dst[i*w:i*w+n], src[i*ld:])
	}
}

// move copies len(d) values from s to d. The runs of a span are often a
// few floats (3 for an RGB input), too short for copy's call to pay:
// below 16 values a run is two fixed-size copies of k <= n <= 2k values,
// overlapping in the middle.
func move(d, s []float32) {
	n := len(d)
	s = s[:n]
	switch {
	case n >= 16:
		copy(d, s)
	case n >= 8:
		*(*[8]float32)(d) = *(*[8]float32)(s)
		*(*[8]float32)(d[n-8:]) = *(*[8]float32)(s[n-8:])
	case n >= 4:
		*(*[4]float32)(d) = *(*[4]float32)(s)
		*(*[4]float32)(d[n-4:]) = *(*[4]float32)(s[n-4:])
	case n >= 2:
		*(*[2]float32)(d) = *(*[2]float32)(s)
		*(*[2]float32)(d[n-2:]) = *(*[2]float32)(s[n-2:])
	case n == 1:
		d[0] = s[0]
	}
}

// pixel is an output pixel's coordinates, stepped along the NHWC order
// by advance without a division per pixel.
type pixel struct{ n, oh, ow int }

// pixelAt returns the coordinates of output pixel r.
func (w *windows) pixelAt(r int) pixel {
	return pixel{n: r / (w.OH * w.OW), oh: r / w.OW % w.OH, ow: r % w.OW}
}

// advance moves p on by k pixels.
func (w *windows) advance(p *pixel, k int) {
	p.ow += k
	for p.ow >= w.OW {
		p.ow -= w.OW
		if p.oh++; p.oh == w.OH {
			p.oh = 0
			p.n++
		}
	}
}

// column is a column of the im2col matrix: channel c under tap (th, tw).
type column struct{ th, tw, c int }

// columnAt returns column p's coordinates.
func (w *windows) columnAt(p int) column {
	t := p / w.C
	return column{th: t / len(w.OffW), tw: t % len(w.OffW), c: p % w.C}
}

// span returns the length n of the longest run of at most limit columns
// from col whose values, for any one output pixel, are contiguous in X
// (or all outside it), with the last tap tw1 it reaches and the column
// after it. A run stays in kernel row col.th and crosses from tap tw to
// tw+1 only where their offsets are adjacent (OffW[tw+1] == OffW[tw]+1),
// as every tap's are in a Conv2D: in NHWC a kernel row's taps are then
// KW*C adjacent floats.
func (w *windows) span(col column, limit int) (n, tw1 int, next column) {
	tw1, c := col.tw, col.c
	for {
		take := min(w.C-c, limit-n)
		n += take
		if c+take < w.C { // the limit ends the run inside tap tw1
			return n, tw1, column{col.th, tw1, c + take}
		}
		if n == limit || tw1+1 == len(w.OffW) || w.OffW[tw1+1] != w.OffW[tw1]+1 {
			break
		}
		tw1, c = tw1+1, 0
	}
	next = column{col.th, tw1 + 1, 0}
	if next.tw == len(w.OffW) {
		next.th, next.tw = next.th+1, 0
	}
	return n, tw1, next
}

// gather writes the span of len(d) columns from col (reaching tap tw1) of
// pixel p's window into d, zeros where the window leaves X.
func (o *windowOperand) gather(d []float32, p pixel, col column, tw1 int) {
	o.windows.gather(o.X, d, p, col, tw1)
}

func (o *windowOperandT) gather(d []float32, p pixel, col column, tw1 int) {
	o.windows.gather(o.X, d, p, col, tw1)
}

func (w *windows) gather(x, d []float32, p pixel, col column, tw1 int) {
	c := w.C
	ih := p.oh*w.StrideH + w.OffH[col.th]
	if ih < 0 || ih >= w.H {
		clear(d)
		return
	}
	row := x[(p.n*w.H+ih)*w.W*c : (p.n*w.H+ih+1)*w.W*c]
	iw0 := p.ow * w.StrideW
	if lo, hi := iw0+w.OffW[col.tw], iw0+w.OffW[tw1]; lo >= 0 && hi < w.W {
		move(d, row[lo*c+col.c:])
		return
	}
	for tw, c0 := col.tw, col.c; len(d) > 0; tw, c0 = tw+1, 0 {
		take := min(c-c0, len(d))
		if iw := iw0 + w.OffW[tw]; iw < 0 || iw >= w.W {
			clear(d[:take])
		} else {
			move(d[:take], row[iw*c+c0:])
		}
		d = d[take:]
	}
}

// floorDiv and ceilDiv divide by a positive b, rounding down and up
// whatever a's sign.
func floorDiv(a, b int) int {
	if a >= 0 {
		return a / b
	}
	return -((-a + b - 1) / b)
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

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
