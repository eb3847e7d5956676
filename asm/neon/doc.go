// Command neon writes gokern's arm64 NEON kernels: the SGEMM micro-kernel
// and the element-wise kernels, as Go assembly, plus their Go declarations.
// Avo, which writes the amd64 kernels, has no arm64 back end (avo issue
// #189), so this is a small generator of its own: Func lays out the argument
// frame and collects instructions, elementLoop writes the three-stage loop
// every element-wise kernel shares, and encode.go encodes the NEON
// arithmetic Go's assembler does not know (vector FADD, FMUL, FDIV, FSQRT,
// FCMGT, by-element FMLA, ...) as WORD directives with the real mnemonic in
// a comment. Run it through `go generate ./asm`; the output is deterministic.
//
// # The SGEMM micro-kernel: 8x12
//
// The kernel keeps an MR x NR tile of C in registers and, per step of k,
// loads MR values of packed A and NR values of packed B and does MR*NR
// multiply-adds. C is row-major, so a row of the tile is NR/4 vectors and
// a[i] multiplies them through the by-element FMLA (Vd += Vb * Va.s[i]),
// which needs no broadcast. With 32 vector registers:
//
//	accumulators  MR*NR/4,  loaded vectors  MR/4 + NR/4,  sum <= 32
//	FMAs per loaded vector = (MR*NR/4) / (MR/4 + NR/4) = MR*NR/(MR+NR)
//
//	 4x12: 12 acc + 4 = 16 regs, 2.4 FMA/load     8x8:  16 acc + 4 = 20, 3.2
//	 4x24: 24 acc + 7 = 31 regs, 3.4              8x12: 24 acc + 5 = 29, 4.8
//	12x8 : 24 acc + 5 = 29 regs, 4.8              8x16: 32 acc: does not fit
//
// 8x12 (or its transpose) is the largest tile that fits, as in BLIS's ARMv8
// kernel; of the two, 8x12 keeps a C row in three whole vectors (one
// 48-byte VLD1/VST1 per row) and its A step is one 32-byte load. Registers:
// V0-V1 hold A, V2-V4 B, V8-V31 the 24 accumulators; V5-V7 are left for
// alpha and beta at the end.
//
// Inner loop model, per step of k: 2 loads (LD1 of 2 and of 3 registers,
// 80 bytes), 24 FMLA; the loop is unrolled 4 times in k, so loop overhead is
// 3 instructions (SUB, CMP, BGE) per 4 steps: 26.75 instructions per
// 192 flops.
//
//   - 2 FMA pipes of 128 bits (Cortex-A76/A78, Neoverse N1): 24 FMLA take
//     12 cycles; the 2 loads fit in the load ports' idle slots (2/cycle), so
//     the loop runs at 192 flops / 12 cycles = 16 flops/cycle, the core's
//     peak. FMLA latency 4 cycles x 2 pipes needs 8 independent chains; the
//     kernel has 24.
//   - 4 FMA pipes (Neoverse V2, Apple M-series): 24 FMLA in 6 cycles against
//     2 loads and 26.75 instructions per step, within a 6- to 8-wide front
//     end: 32 flops/cycle, again peak; latency 4 x 4 pipes = 16 chains < 24.
//
// Loads are 5 vectors for 24 FMLA (4.8 FMA per vector loaded, 0.42 bytes
// per flop); a 4x4 tile needs one vector load per two FMLA, so a 4-pipe
// core would have to load two vectors every cycle just to keep pace.
//
// # Skinny-shape kernels
//
// When C has at most four columns (or rows), the driver calls the dots
// kernels (4 rows of A x n rows of transposed B, one accumulator vector per
// dot product, reduced (l0+l1)+(l2+l3) so every kernel gives a row the same
// bits) or, for a transposed A, the axpys kernels (16 rows x n: per step of
// k, four vectors of A times n broadcast values of B); see skinny.go.
//
// # Element-wise kernels
//
// Each streams 16 floats per step (four vectors, so four independent
// dependency chains for the reductions), then single vectors, then single
// floats; see elementLoop. They are memory-bound on any core, so the
// arithmetic is written to match the pure-Go reference bit for bit (as Go
// compiles it on arm64, fusing x*y+z) rather than for speed; dot and sum
// add in a different order. Tanh and Sigmoid port the amd64 kernels'
// Cephes-based exp and tanh operation for operation (activation.go) and
// give the same results: 1.195 ulp and 2.470 ulp worst case on the
// kernels package's accuracy sweep.
package main
