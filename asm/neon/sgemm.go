package main

import "fmt"

// SGEMM micro-kernel geometry; see the package comment for why 8x12.
const (
	mr = 8  // rows of the C tile: two vectors of packed A per step of k
	nr = 12 // columns of the C tile: three vectors of packed B per step of k

	kUnroll = 4 // steps of k per iteration of the main loop
)

// Register plan of the micro-kernel.
const (
	regA     V = 0 // V0, V1: a[p*8 : p*8+8]
	regB     V = 2 // V2..V4: b[p*12 : p*12+12]
	regAlpha V = 5
	regBeta  V = 6
	regAcc   V = 8 // V8..V31: the 8x12 tile, row i in V(8+3i)..V(10+3i)
)

// acc is the accumulator holding C[i][4j : 4j+4].
func acc(i, j int) V { return regAcc + V(i*nr/4+j) }

func sgemmKernel() *Func {
	f := NewFunc("sgemmKernel8x12NEON",
		fmt.Sprintf("sgemmKernel8x12NEON is the %dx%d micro-kernel of the contract in microkernel.go:\nC[0:%d, 0:%d] = alpha * Ap * Bp + beta * C, C not read when beta == 0.", mr, nr, mr, nr),
		[]Param{p("k", Int), p("a", Slice), p("b", Slice), p("alpha", F32), p("beta", F32), p("c", Slice), p("ldc", Int)},
		nil)
	f.Op("MOVD %s, R0", f.Arg("k"))
	f.Op("MOVD %s, R1", f.Arg("a_base"))
	f.Op("MOVD %s, R2", f.Arg("b_base"))
	f.Op("MOVD %s, R3", f.Arg("c_base"))
	f.Op("MOVD %s, R4", f.Arg("ldc"))
	f.Op("LSL $2, R4, R4") // row stride in bytes
	for i := 0; i < mr*nr/4; i++ {
		f.zero(regAcc + V(i))
	}

	step := func() {
		f.Op("VLD1.P %d(R1), %s", 4*mr, list(regA, mr/4))
		f.Op("VLD1.P %d(R2), %s", 4*nr, list(regB, nr/4))
		// Row i of the tile gains a[i] * b[0:12]: a[i] is lane i%4 of V(i/4).
		for i := 0; i < mr; i++ {
			for j := 0; j < nr/4; j++ {
				f.Enc(FMLAe(acc(i, j), regB+V(j), regA+V(i/4), i%4))
			}
		}
	}

	f.Comment("Main loop: %d steps of k per iteration.", kUnroll)
	f.Op("CMP $%d, R0", kUnroll)
	f.Op("BLT ktail")
	f.Label("kloop")
	for u := 0; u < kUnroll; u++ {
		step()
	}
	f.Op("SUB $%d, R0", kUnroll)
	f.Op("CMP $%d, R0", kUnroll)
	f.Op("BGE kloop")
	f.Label("ktail")
	f.Op("CBZ R0, store")
	f.Label("ktailloop")
	step()
	f.Op("SUBS $1, R0, R0")
	f.Op("BNE ktailloop")

	f.Label("store")
	f.Op("FMOVS %s, F%d", f.Arg("alpha"), regAlpha)
	f.Op("FMOVS %s, F%d", f.Arg("beta"), regBeta)
	f.Op("FCMPS $(0.0), F%d", regBeta)
	f.Op("BEQ storenobeta")
	f.Comment("C = alpha*acc + beta*C, row by row.")
	for i := 0; i < mr; i++ {
		f.Op("VLD1 (R3), %s", list(regA, nr/4)) // V0..V2: the old row of C
		for j := 0; j < nr/4; j++ {
			f.Enc(FMULe(acc(i, j), acc(i, j), regAlpha, 0))
			f.Enc(FMLAe(acc(i, j), regA+V(j), regBeta, 0))
		}
		f.Op("VST1 %s, (R3)", list(acc(i, 0), nr/4))
		f.Op("ADD R4, R3")
	}
	f.Op("RET")
	f.Label("storenobeta")
	f.Comment("beta == 0: C = alpha*acc, C never read (it may hold NaN).")
	for i := 0; i < mr; i++ {
		for j := 0; j < nr/4; j++ {
			f.Enc(FMULe(acc(i, j), acc(i, j), regAlpha, 0))
		}
		f.Op("VST1 %s, (R3)", list(acc(i, 0), nr/4))
		f.Op("ADD R4, R3")
	}
	return f
}
