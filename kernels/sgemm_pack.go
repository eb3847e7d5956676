package kernels

// packA copies the mc x kc block of op(A) at (ic, pc) into dst as
// micro-panels of MR rows, each stored column by column (MR consecutive
// values per step of k), the layout the micro-kernel reads. Rows past mc in
// the last panel are zero.
func packA(dst []float32, transA bool, a []float32, lda, ic, pc, mc, kc, MR int, packT, packN panelPacker) {
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		panel := dst[ir*kc : ir*kc+MR*kc]
		if transA {
			// op(A)[i][p] = a[p*lda+i]: each k step is a contiguous run.
			if packN != nil && mr == MR {
				packN(kc, a[pc*lda+ic+ir:], lda, panel)
				continue
			}
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+ir : (pc+p)*lda+ic+ir+mr]
				d := panel[p*MR : p*MR+MR]
				copy(d, src)
				clear(d[mr:])
			}
			continue
		}
		// op(A)[i][p] = a[i*lda+p]: a transpose, in assembly for full
		// panels where the backend has it.
		if packT != nil && mr == MR {
			packT(kc, a[(ic+ir)*lda+pc:], lda, panel)
			continue
		}
		for r := 0; r < mr; r++ {
			src := a[(ic+ir+r)*lda+pc : (ic+ir+r)*lda+pc+kc]
			d := panel[r:]
			for p, v := range src {
				d[p*MR] = v
			}
		}
		for r := mr; r < MR; r++ {
			for p := 0; p < kc; p++ {
				panel[p*MR+r] = 0
			}
		}
	}
}

// packB copies the kc x nc block of op(B) at (pc, jc) into dst as
// micro-panels of NR columns, each stored row by row (NR consecutive values
// per step of k). Columns past nc in the last panel are zero.
func packB(dst []float32, transB bool, b []float32, ldb, pc, jc, kc, nc, NR int, packT, packN panelPacker) {
	for jr := 0; jr < nc; jr += NR {
		nr := min(NR, nc-jr)
		panel := dst[jr*kc : jr*kc+NR*kc]
		if !transB {
			// op(B)[p][j] = b[p*ldb+j]: each k step is a contiguous run.
			if packN != nil && nr == NR {
				packN(kc, b[pc*ldb+jc+jr:], ldb, panel)
				continue
			}
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+jr : (pc+p)*ldb+jc+jr+nr]
				d := panel[p*NR : p*NR+NR]
				copy(d, src)
				clear(d[nr:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: a transpose, in assembly for full
		// panels where the backend has it.
		if packT != nil && nr == NR {
			packT(kc, b[(jc+jr)*ldb+pc:], ldb, panel)
			continue
		}
		for q := 0; q < nr; q++ {
			src := b[(jc+jr+q)*ldb+pc : (jc+jr+q)*ldb+pc+kc]
			d := panel[q:]
			for p, v := range src {
				d[p*NR] = v
			}
		}
		for q := nr; q < NR; q++ {
			for p := 0; p < kc; p++ {
				panel[p*NR+q] = 0
			}
		}
	}
}
