package main

import "fmt"

// The skinny-shape SGEMM kernels (contracts dotsKernel and axpysKernel in
// kernels/microkernel.go), used instead of the packed path when C has at
// most four columns (or rows): a 12-wide register tile would waste most of
// its lanes there.

const (
	skinnyWidth = 4 // k granularity of the dots kernels: one vector
	dotsRows    = 4 // rows of A per block dots kernel: up to 16 accumulators
	axpysVecs   = 4 // vectors of rows per block axpys kernel: 16 rows
)

var skinnyGP = []string{"R1", "R2", "R3", "R4"}  // row pointers of A (dots) or B (axpys)
var skinnyGP2 = []string{"R5", "R6", "R7", "R8"} // row pointers of B (dots)

// dotsKernel emits out[r*n+j] = sum over p < k of a[r*lda+p] * b[j*ldb+p]
// for r < rows, j < n, k a multiple of 4. Each dot product accumulates in
// one vector (lane l sums the p = l mod 4 terms) and is reduced as
// (l0+l1)+(l2+l3), so a row comes out the same from every kernel.
func dotsKernel(rows, n int) *Func {
	f := NewFunc(dotsName(rows, n),
		fmt.Sprintf("%s is the %dx%d dots kernel of the contract in microkernel.go.", dotsName(rows, n), rows, n),
		[]Param{p("k", Int), p("a", Slice), p("lda", Int), p("b", Slice), p("ldb", Int), p("out", Slice)}, nil)
	const regA, regB, regAcc V = 0, 4, 16
	acc := func(r, j int) V { return regAcc + V(r*n+j) }
	rowPointers := func(base, ld string, ptrs []string, count int) {
		f.Op("MOVD %s, R9", f.Arg(ld))
		f.Op("LSL $2, R9, R9")
		f.Op("MOVD %s, %s", f.Arg(base), ptrs[0])
		for i := 1; i < count; i++ {
			f.Op("ADD R9, %s, %s", ptrs[i-1], ptrs[i])
		}
	}
	rowPointers("a_base", "lda", skinnyGP, rows)
	rowPointers("b_base", "ldb", skinnyGP2, n)
	f.Op("MOVD %s, R10", f.Arg("out_base"))
	f.Op("MOVD %s, R0", f.Arg("k"))
	f.Op("LSR $2, R0, R0") // vectors per row
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			f.zero(acc(r, j))
		}
	}
	f.Op("CBZ R0, reduce")
	f.Label("loop")
	for r := 0; r < rows; r++ {
		f.Op("VLD1.P 16(%s), [%s]", skinnyGP[r], s4(regA+V(r)))
	}
	for j := 0; j < n; j++ {
		f.Op("VLD1.P 16(%s), [%s]", skinnyGP2[j], s4(regB+V(j)))
	}
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			f.Op("VFMLA %s, %s, %s", s4(regA+V(r)), s4(regB+V(j)), s4(acc(r, j)))
		}
	}
	f.Op("SUBS $1, R0, R0")
	f.Op("BNE loop")
	f.Label("reduce")
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			f.Enc(FADDP(acc(r, j), acc(r, j), acc(r, j)))
			f.Enc(FADDPS(acc(r, j), acc(r, j)))
			f.Op("FMOVS F%d, %d(R10)", acc(r, j), 4*(r*n+j))
		}
	}
	return f
}

// axpysKernel emits out[j*rows+i] = sum over p < k of a[p*lda+i] *
// b[p*ldbp+j*ldbj] for i < rows = 4*vecs, j < n: per step of p, vecs
// vectors of row p of A times n broadcast values of B. Every lane adds its
// terms in p order with one rounding each, as the Go loop that finishes the
// last rows does.
func axpysKernel(vecs, n int) *Func {
	rows := 4 * vecs
	f := NewFunc(axpysName(rows, n),
		fmt.Sprintf("%s is the %dx%d axpys kernel of the contract in microkernel.go.", axpysName(rows, n), rows, n),
		[]Param{p("k", Int), p("a", Slice), p("lda", Int), p("b", Slice), p("ldbp", Int), p("ldbj", Int), p("out", Slice)}, nil)
	const regA, regB, regAcc V = 0, 8, 16
	acc := func(j, v int) V { return regAcc + V(j*vecs+v) }
	f.Op("MOVD %s, R0", f.Arg("k"))
	f.Op("MOVD %s, R9", f.Arg("a_base"))
	f.Op("MOVD %s, R11", f.Arg("lda"))
	f.Op("LSL $2, R11, R11")
	f.Op("MOVD %s, R12", f.Arg("ldbp"))
	f.Op("LSL $2, R12, R12")
	f.Op("MOVD %s, R13", f.Arg("ldbj"))
	f.Op("LSL $2, R13, R13")
	f.Op("MOVD %s, %s", f.Arg("b_base"), skinnyGP[0])
	for j := 1; j < n; j++ {
		f.Op("ADD R13, %s, %s", skinnyGP[j-1], skinnyGP[j])
	}
	f.Op("MOVD %s, R10", f.Arg("out_base"))
	for j := 0; j < n; j++ {
		for v := 0; v < vecs; v++ {
			f.zero(acc(j, v))
		}
	}
	f.Op("CBZ R0, store")
	f.Label("loop")
	f.Op("VLD1 (R9), %s", list(regA, vecs))
	f.Op("ADD R11, R9")
	for j := 0; j < n; j++ {
		f.Op("VLD1R (%s), [%s]", skinnyGP[j], s4(regB+V(j)))
		f.Op("ADD R12, %s", skinnyGP[j])
	}
	for j := 0; j < n; j++ {
		for v := 0; v < vecs; v++ {
			f.Op("VFMLA %s, %s, %s", s4(regA+V(v)), s4(regB+V(j)), s4(acc(j, v)))
		}
	}
	f.Op("SUBS $1, R0, R0")
	f.Op("BNE loop")
	f.Label("store")
	for j := 0; j < n; j++ {
		f.Op("VST1.P %s, %d(R10)", list(acc(j, 0), vecs), 16*vecs)
	}
	return f
}

func skinnyFuncs() []*Func {
	var fs []*Func
	for n := 1; n <= 4; n++ {
		fs = append(fs, dotsKernel(dotsRows, n), dotsKernel(1, n))
	}
	for n := 1; n <= 4; n++ {
		fs = append(fs, axpysKernel(axpysVecs, n), axpysKernel(1, n))
	}
	return fs
}

// dotsName and axpysName name the skinny kernels of rows rows of A (of C)
// and n columns, for the kernels and their wiring.
func dotsName(rows, n int) string  { return fmt.Sprintf("sgemmDots%dx%dNEON", rows, n) }
func axpysName(rows, n int) string { return fmt.Sprintf("sgemmAxpys%dx%dNEON", rows, n) }
