//go:build !purego

package kernels

// Cache blocking of the amd64 SGEMM paths: the tuning that goes with each
// generated register tile (MR x NR, in sgemm_amd64.go).
const (
	// AVX-512, the 12x32 tile, blocked for Zen 5 (48 KiB L1D, 1 MiB L2 per
	// core): a KC x NR micro-panel of B (320 x 32 floats, 40 KiB; the
	// driver evens out the KC blocks, so k = 1152 runs as 4 x 288 = 36 KiB,
	// and runs a k up to 400 as one block, see gemmJob.kcMax) stays in L1
	// while MR x KC micro-panels of A stream past it
	// from the MC x KC block (240 x 320 = 300 KiB) in L2; the KC x NC panel
	// of B (5 MiB) sits in L3. KC and MC were picked by a sweep of KC in
	// 192..384 and MC in 120..480 (cpuGFLOPS on a 1024 cube and two DCGAN
	// shapes; the differences were within the shared machine's noise of
	// about 10%).
	kcAVX512, mcAVX512, ncAVX512 = 320, 240, 4096

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
