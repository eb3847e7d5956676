//go:build !purego

package kernels

// Cache blocking of the amd64 SGEMM paths: the tuning that goes with each
// generated register tile (MR x NR, in sgemm_amd64.go).
const (
	// AVX-512, the 12x32 tile, blocked for Zen 5 (48 KiB L1D, 1 MiB L2 per
	// core). KC = 512 makes a KC x NR micro-panel of B 64 KiB, more than
	// L1: it streams from L2 with the MR x KC micro-panels of A of the MC x
	// KC block (144 x 512 = 288 KiB), which the column-of-tiles kernel runs
	// it against one after another; at 12 cycles of FMAs per step of k the
	// 176 bytes a step reads are well within L2's bandwidth. What the
	// deeper block saves is a pass over C per KC block and, on the
	// DCGAN's k = 512..640, the second block altogether (gemmJob.kcMax runs
	// a k up to 640 as one). The KC x NC panel of B (8 MiB) sits in L3.
	// An alternating sweep of KC in 256..1024 and MC in 96..480 (Zen 5,
	// one thread, two rounds each, bench/results/avx512-blocking.md) put
	// KC 512 with MC 120..144 ahead of the old 320 x 240 everywhere it
	// measured: D conv2d_2 forward 0.84-0.87x, G conv2d_transpose_3
	// backward-data 0.86x, 8192x128x576 0.92-0.95x, the 1024 cube
	// 0.93-0.99x, G conv2d_transpose_3 forward 0.97-1.0x.
	kcAVX512, mcAVX512, ncAVX512 = 512, 144, 4096

	// ncSharedAVX512 is the AVX-512 path's NC when more than one MC block
	// of A runs against each panel of B: a panel of at most 512 columns (1
	// MiB at KC = 512, 512 KiB at the k = 256 of 1024x2048x256) stays in
	// L2 between the blocks instead of streaming from L3 for each. On an
	// Intel Xeon (2 MiB L2 per core, one thread, twelve in-process
	// alternating rounds) 1024x2048x256, 4096x2048x128 and
	// 16384x2048x128 with B transposed took 0.90-0.92x the time with 512
	// columns against 4096, 0.95-0.98x with 768 and 0.92-1.03x with 256.
	// Where one MC block takes all the rows (the weight gradients'
	// 128-256 rows) the panel is used once, and a narrower one would
	// only repack A: NC stays (see gemmJob.blocks). The AVX2 path
	// measured level (0.99-1.04x on the same shapes) and keeps NC (0:
	// off). Not measured on AMD.
	ncSharedAVX512 = 512
	ncSharedAVX2   = 0

	// AVX2+FMA, the 6x16 tile: KC = 512 (a 32 KiB micro-panel of B in L1),
	// MC = 240 (a 480 KiB block of A in L2), NC = 4096. A sweep of KC in
	// 256..512 and MC in 120..480 put KC = 512 ahead by about 5% (Zen 5);
	// on Zen 3 paired rounds of KC 256..1152 and MC 120..240 found nothing
	// better overall but one block for k up to 640 (gemmJob.kcMax).
	kcAVX2, mcAVX2, ncAVX2 = 512, 240, 4096
)

// stridedPanelAVX2 is the largest packed KC x NC panel of B (in floats:
// 384 KiB, three quarters of Zen 3's 512 KiB L2) for which the AVX2 path
// reads a non-transposed A in place instead of packing it. Each MR-row
// micro-panel of A then stays in L1 while the panel of B streams past it
// from L2, so the panel must fit there. Paired rounds of strided against
// packed (Zen 3, one thread): 32768x64x27 0.86x, 2048x128x1152 0.94x,
// 8192x128x576 0.93-0.98x, 512x256x1152 (a 384 KiB panel) 0.98-1.0x; with
// N = 2048 (2 MiB panels) 1.0-1.02x, so those stay packed.
const stridedPanelAVX2 = 384 << 10 / 4

// stridedPanelAVX512 is stridedPanelAVX2's limit for the AVX-512 path: 768
// KiB, three quarters of Zen 5's 1 MiB L2. Strided against packed (Zen 5,
// one thread, medians of three alternating rounds): 32768x64x27 0.80x,
// 8192x128x576 0.90x, 2048x128x1152 0.93x, 512x256x1152 0.94x, the
// discriminator's first layer forward (its strips) 0.93x; the training
// iteration, whose other GEMMs pack from window operands, within the noise.
const stridedPanelAVX512 = 768 << 10 / 4
