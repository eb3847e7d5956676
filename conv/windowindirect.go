package conv

// RowSource and RowTaps make windowOperand an operand the SGEMM driver
// can read through an indirection table instead of packing it, on a
// backend with an indirect kernel (kernels' sgemm_indirect.go): a window
// is taps runs of C channels, each contiguous in X, so a block of whole
// taps is a table of where each of a tile's pixels reads each tap.

// RowSource is the slice the indirection table's offsets index: X.
func (o *windowOperand) RowSource() []float32 { return o.X }

// RowTaps writes the indirection table of the mr rows from r0 (the
// driver's tile) over depth steps [p0, p0+kc): entry t*mr+i is where
// output pixel r0+i reads tap p0/C+t in X, or -1 where that input pixel
// lies outside X. It reports kc/C taps of C steps each, and ok = false
// unless [p0, p0+kc) holds whole taps and the rows exist.
func (o *windowOperand) RowTaps(r0, mr, p0, kc int, offs []int) (taps, kt int, ok bool) {
	c := o.C
	if c <= 0 || kc <= 0 || mr <= 0 || p0%c != 0 || kc%c != 0 || r0 < 0 || r0+mr > o.pixels() || len(offs) < kc/c*mr {
		return 0, 0, false
	}
	taps = kc / c
	first := o.pixelAt(r0)
	for t := 0; t < taps; t++ {
		col := o.columnAt(p0 + t*c)
		dh, dw := o.OffH[col.th], o.OffW[col.tw]
		p := first
		row := offs[t*mr : t*mr+mr]
		for i := range row {
			ih, iw := p.oh*o.StrideH+dh, p.ow*o.StrideW+dw
			if ih < 0 || ih >= o.H || iw < 0 || iw >= o.W {
				row[i] = -1
			} else {
				row[i] = ((p.n*o.H+ih)*o.W + iw) * c
			}
			o.advance(&p, 1)
		}
	}
	return taps, c, true
}
