package kernels

// skinnyOp is a skinny product out = A' * B' with out m x n, n <= 4, and
// out[i][j] stored at c[i*ci+j*cj]. C with few columns maps to it directly
// (ci = ldc, cj = 1); C with few rows maps to it through C^T = op(B)^T
// op(A)^T (ci = 1, cj = ldc). That way the narrow side always faces the
// kernels' short loop and the long side their vectors, with no padding of
// four columns to a full register tile.
type skinnyOp struct {
	m, n   int
	a      []float32 // A', m x k, or k x m when aT
	lda    int
	aT     bool
	b      []float32 // B', k x n, or n x k when bT
	ldb    int
	bT     bool
	ci, cj int

	// For the dots kernels (A' not transposed): B' with its columns as
	// contiguous rows, n x k with stride ldt.
	bt  []float32
	ldt int
}

// unit is the number of rows the split over threads keeps together. A row
// gets the same bits from a block kernel as from the single kernel (the
// kernels' contracts; TestDotsRowsAgree and TestAxpysKernels check it), so
// the split may cut anywhere the single kernel can start: any row for the
// dots kernels, any whole vector of rows for the axpys kernels, whose
// leftover rows (summed in Go, without fused multiply-adds) stay the last
// part's on every thread count. Fine units give many threads enough parts:
// the output layer's weight gradient has 1152 rows, 36 blocks of 32 but 144
// vectors of 8.
func (s *skinnyOp) unit(cfg *skinnyConfig) int {
	if s.aT {
		return cfg.width
	}
	return 1
}

// prepare sets up B' for the dots kernels, transposing it into buf when it
// is stored k x n.
func (s *skinnyOp) prepare(buf *gemmBuffers, k int) {
	if s.aT {
		return
	}
	if s.bT {
		s.bt, s.ldt = s.b, s.ldb
		return
	}
	buf.bt = grow(buf.bt, s.n*k)
	for p := 0; p < k; p++ {
		row := s.b[p*s.ldb : p*s.ldb+s.n]
		for j, v := range row {
			buf.bt[j*k+p] = v
		}
	}
	s.bt, s.ldt = buf.bt, k
}

// skinnyRows computes rows r0:r1 of the skinny product and stores
// alpha*out + beta*C. r0 is a multiple of the unit, so the split over
// threads never changes which kernel computes a row.
func (j *gemmJob) skinnyRows(buf *gemmBuffers, r0, r1 int) {
	if j.sk.aT {
		j.skinnyAxpys(buf, r0, r1)
	} else {
		j.skinnyDots(buf, r0, r1)
	}
}

// skinnyDots handles a non-transposed A': each element is a dot product of
// a row of A' with a row of B' held transposed, computed by the dots
// kernels over the largest multiple of the vector width and finished in Go.
func (j *gemmJob) skinnyDots(buf *gemmBuffers, r0, r1 int) {
	cfg := &j.cfg.skinny
	s := &j.sk
	n, k := s.n, j.k
	a, lda, bt, ldt := s.a, s.lda, s.bt, s.ldt
	kk := k - k%cfg.width
	out := buf.out[:]
	for i := r0; i < r1; {
		rows, kern := cfg.rows, cfg.block[n]
		if r1-i < rows {
			rows, kern = 1, cfg.single[n]
		}
		kern(kk, a[i*lda:], lda, bt, ldt, out)
		for r := 0; r < rows; r++ {
			arow := a[(i+r)*lda : (i+r)*lda+k]
			for q := 0; q < n; q++ {
				sum := out[r*n+q]
				brow := bt[q*ldt : q*ldt+k]
				for p := kk; p < k; p++ {
					sum += arow[p] * brow[p]
				}
				j.store((i+r)*s.ci+q*s.cj, sum)
			}
		}
		i += rows
	}
}

// skinnyAxpys handles a transposed A' (stored k x m): the axpys kernels
// sum, over p, a vector-wide stretch of row p of A' times n broadcast
// values of B'. Rows past the last whole vector are summed in Go in the
// same order.
func (j *gemmJob) skinnyAxpys(buf *gemmBuffers, r0, r1 int) {
	cfg := &j.cfg.skinny
	s := &j.sk
	n, k := s.n, j.k
	ldbp, ldbj := s.ldb, 1
	if s.bT {
		ldbp, ldbj = 1, s.ldb
	}
	out := buf.out[:]
	block := cfg.vecs * cfg.width
	for i := r0; i < r1; {
		var rows int
		switch {
		case r1-i >= block:
			rows = block
			cfg.axpysBlock[n](k, s.a[i:], s.lda, s.b, ldbp, ldbj, out)
		case r1-i >= cfg.width:
			rows = cfg.width
			cfg.axpysSingle[n](k, s.a[i:], s.lda, s.b, ldbp, ldbj, out)
		default:
			rows = r1 - i
			clear(out[:rows*n])
			for p := 0; p < k; p++ {
				arow := s.a[p*s.lda+i : p*s.lda+i+rows]
				for q := 0; q < n; q++ {
					bv := s.b[p*ldbp+q*ldbj]
					o := out[q*rows : q*rows+rows]
					for r, av := range arow {
						o[r] += av * bv
					}
				}
			}
		}
		for q := 0; q < n; q++ {
			for r := 0; r < rows; r++ {
				j.store((i+r)*s.ci+q*s.cj, out[q*rows+r])
			}
		}
		i += rows
	}
}

// store writes alpha*sum + beta*C to C[idx], not reading C when beta == 0.
func (j *gemmJob) store(idx int, sum float32) {
	if j.beta == 0 {
		j.c[idx] = j.alpha * sum
	} else {
		j.c[idx] = j.alpha*sum + j.beta*j.c[idx]
	}
}
