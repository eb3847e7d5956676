//go:build !purego

package kernels

// Cache blocking of the NEON SGEMM path, the tuning that goes with the
// generated 8x12 register tile (sgemm_arm64.go), for a typical Armv8 core
// (Neoverse N1 / Cortex-A76: 64 KiB L1D, 512 KiB-1 MiB L2): a KC x NR =
// 256 x 12 micro-panel of B is 12 KiB and stays in L1 beside the 8 KiB
// micro-panel of A streaming past it, even on 32 KiB-L1 cores; the
// MC x KC = 128 x 256 packed block of A (128 KiB) lives in L2; the
// KC x NC = 256 x 3072 panel of B (3 MiB) in L3 or the system cache.
const kcNEON, mcNEON, ncNEON = 256, 128, 3072
