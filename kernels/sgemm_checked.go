package kernels

import "fmt"

// checkedKernel wraps an assembly micro-kernel with the length checks of
// the microKernel contract, so a driver bug panics instead of letting
// assembly touch memory outside the slices. The checks cost a few
// comparisons per tile against thousands of FMAs.
func checkedKernel(mr, nr int, f microKernel) microKernel {
	return func(k int, a, b []float32, alpha, beta float32, c []float32, ldc int) {
		if k < 0 || len(a) < mr*k || len(b) < nr*k || ldc < nr || len(c) < (mr-1)*ldc+nr {
			panic(fmt.Sprintf("gokern: internal: %dx%d micro-kernel: k=%d len(a)=%d len(b)=%d len(c)=%d ldc=%d",
				mr, nr, k, len(a), len(b), len(c), ldc))
		}
		f(k, a, b, alpha, beta, c, ldc)
	}
}

// checkedRows wraps an assembly column-of-tiles kernel with the checks of
// the rowsKernel contract: the table's range (found when it was built)
// must lie in C, so every row it names does.
func checkedRows(mr, nr int, f rowsAsm) rowsKernel {
	return func(k, tiles int, a, b []float32, alpha, beta float32, c []float32, rows rowTable) {
		if k < 0 || tiles < 0 || len(a) < tiles*mr*k || len(b) < nr*k || len(rows.offs) < tiles*mr ||
			tiles > 0 && (rows.min < 0 || rows.max > len(c)-nr) {
			panic(fmt.Sprintf("gokern: internal: %dx%d rows kernel: k=%d tiles=%d len(a)=%d len(b)=%d len(c)=%d rows %d in [%d, %d]",
				mr, nr, k, tiles, len(a), len(b), len(c), len(rows.offs), rows.min, rows.max))
		}
		f(k, tiles, a, b, alpha, beta, c, rows.offs)
	}
}

// checkedStrided wraps an assembly strided micro-kernel with the length
// checks of the stridedKernel contract.
func checkedStrided(mr, nr int, f stridedKernel) stridedKernel {
	return func(k int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int) {
		if k < 0 || lda < 0 || len(a) < (mr-1)*lda+k || len(b) < nr*k || ldc < nr || len(c) < (mr-1)*ldc+nr {
			panic(fmt.Sprintf("gokern: internal: %dx%d strided micro-kernel: k=%d len(a)=%d lda=%d len(b)=%d len(c)=%d ldc=%d",
				mr, nr, k, len(a), lda, len(b), len(c), ldc))
		}
		f(k, a, lda, b, alpha, beta, c, ldc)
	}
}

// checkedStridedPanels wraps an assembly row-of-tiles strided kernel with
// the length checks of the stridedPanelsKernel contract.
func checkedStridedPanels(mr, nr int, f stridedPanelsKernel) stridedPanelsKernel {
	return func(k, panels int, a []float32, lda int, b []float32, alpha, beta float32, c []float32, ldc int) {
		if k < 0 || panels < 0 || lda < 0 || panels > 0 && (ldc < nr || len(a) < (mr-1)*lda+k || len(b) < panels*nr*k || len(c) < (mr-1)*ldc+panels*nr) {
			panic(fmt.Sprintf("gokern: internal: %dx%d strided panels kernel: k=%d panels=%d len(a)=%d lda=%d len(b)=%d len(c)=%d ldc=%d",
				mr, nr, k, panels, len(a), lda, len(b), len(c), ldc))
		}
		f(k, panels, a, lda, b, alpha, beta, c, ldc)
	}
}

// checkedIndirectPanels wraps an assembly indirect kernel with the checks
// of the indirectPanelsKernel contract: every offset must leave kt floats
// of a after it, or be -1, which it rewrites to the zero row's offset from
// a's start (zeroRowOffset), so the kernel reads only a and the zero row.
func checkedIndirectPanels(mr, nr int, f indirectAsm) indirectPanelsKernel {
	return func(taps, kt, panels int, a []float32, offs []int, b []float32, alpha, beta float32, c []float32, rows rowTable) {
		if taps < 0 || kt < 0 || panels < 0 || kt > len(zeroRow) || len(offs) < taps*mr || len(b) < panels*nr*taps*kt || len(rows.offs) < mr ||
			panels > 0 && (rows.min < 0 || rows.max > len(c)-panels*nr) {
			panic(fmt.Sprintf("gokern: internal: %dx%d indirect kernel: taps=%d kt=%d panels=%d len(offs)=%d len(b)=%d len(c)=%d rows %d in [%d, %d]",
				mr, nr, taps, kt, panels, len(offs), len(b), len(c), len(rows.offs), rows.min, rows.max))
		}
		if panels == 0 {
			return
		}
		zero := 0
		if taps > 0 {
			if len(a) == 0 {
				panic(fmt.Sprintf("gokern: internal: %dx%d indirect kernel: empty A with %d taps", mr, nr, taps))
			}
			zero = zeroRowOffset(a)
		}
		for i, o := range offs[:taps*mr] {
			switch {
			case o == -1:
				offs[i] = zero
			case o == zero: // rewritten by an earlier call on the same table
			case o < 0 || o > len(a)-kt:
				panic(fmt.Sprintf("gokern: internal: %dx%d indirect kernel: offset %d (entry %d) of a %d-float A, kt=%d", mr, nr, o, i, len(a), kt))
			}
		}
		f(taps, kt, panels, a, offs, b, alpha, beta, c, rows.offs)
	}
}

// checkedDots wraps an assembly dots kernel with the length checks of the
// dotsKernel contract.
func checkedDots(rows, n int, f dotsKernel) dotsKernel {
	return func(k int, a []float32, lda int, b []float32, ldb int, out []float32) {
		if k < 0 || len(out) < rows*n || k > 0 && (lda < k || ldb < k || len(a) < (rows-1)*lda+k || len(b) < (n-1)*ldb+k) {
			panic(fmt.Sprintf("gokern: internal: %dx%d dots kernel: k=%d len(a)=%d lda=%d len(b)=%d ldb=%d len(out)=%d",
				rows, n, k, len(a), lda, len(b), ldb, len(out)))
		}
		f(k, a, lda, b, ldb, out)
	}
}

// checkedPacker wraps an assembly transposing panel packer of R rows with
// the length checks of the panelPacker contract.
func checkedPacker(rows int, f panelPacker) panelPacker {
	return func(k int, src []float32, ld int, dst []float32) {
		if k < 0 || ld < 0 || len(dst) < rows*k || k > 0 && len(src) < (rows-1)*ld+k {
			panic(fmt.Sprintf("gokern: internal: %d-row packer: k=%d len(src)=%d ld=%d len(dst)=%d", rows, k, len(src), ld, len(dst)))
		}
		f(k, src, ld, dst)
	}
}

// checkedGroupPacker wraps an assembly group packer of R rows with the
// length checks of the groupPacker contract: every group's rows in src.
func checkedGroupPacker(rows int, f groupPacker) groupPacker {
	return func(k int, src []float32, off0, off1, off2, ld int, dst []float32) {
		bad := k < 0 || ld < 0 || len(dst) < rows*k
		for g, off := range [3]int{off0, off1, off2} {
			n := min(4, rows-4*g)
			if n <= 0 || bad {
				break
			}
			bad = off < 0 || k > 0 && off+(n-1)*ld+k > len(src)
		}
		if bad {
			panic(fmt.Sprintf("gokern: internal: %d-row group packer: k=%d len(src)=%d offsets %d %d %d ld=%d len(dst)=%d", rows, k, len(src), off0, off1, off2, ld, len(dst)))
		}
		f(k, src, off0, off1, off2, ld, dst)
	}
}

// checkedAxpys wraps an assembly axpys kernel of rows x n with the length
// checks of the axpysKernel contract.
func checkedAxpys(rows, n int, f axpysKernel) axpysKernel {
	return func(k int, a []float32, lda int, b []float32, ldbp, ldbj int, out []float32) {
		bad := k < 0 || len(out) < rows*n || lda < 0 || ldbp < 0 || ldbj < 0
		if !bad && k > 0 {
			bad = len(a) < (k-1)*lda+rows || len(b) <= (k-1)*ldbp+(n-1)*ldbj
		}
		if bad {
			panic(fmt.Sprintf("gokern: internal: %dx%d axpys kernel: k=%d len(a)=%d lda=%d len(b)=%d ldbp=%d ldbj=%d len(out)=%d",
				rows, n, k, len(a), lda, len(b), ldbp, ldbj, len(out)))
		}
		f(k, a, lda, b, ldbp, ldbj, out)
	}
}

// checkedCopier wraps an assembly copying panel packer of R values per step
// with the length checks of the panelPacker contract.
func checkedCopier(rows int, f panelPacker) panelPacker {
	return func(k int, src []float32, ld int, dst []float32) {
		if k < 0 || ld < 0 || len(dst) < rows*k || k > 0 && len(src) < (k-1)*ld+rows {
			panic(fmt.Sprintf("gokern: internal: %d-value copier: k=%d len(src)=%d ld=%d len(dst)=%d", rows, k, len(src), ld, len(dst)))
		}
		f(k, src, ld, dst)
	}
}
