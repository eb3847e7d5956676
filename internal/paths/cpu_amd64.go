//go:build !purego

package paths

import "golang.org/x/sys/cpu"

// The amd64 paths need these CPU features; NEON is not built here.
func init() {
	AVX2.missing = lacks(
		feature{"AVX2", cpu.X86.HasAVX2}, feature{"FMA", cpu.X86.HasFMA})
	AVX512.missing = lacks(
		feature{"AVX512F", cpu.X86.HasAVX512F}, feature{"AVX512DQ", cpu.X86.HasAVX512DQ},
		feature{"AVX512BW", cpu.X86.HasAVX512BW}, feature{"AVX512VL", cpu.X86.HasAVX512VL},
		feature{"FMA", cpu.X86.HasFMA})
	NEON.missing = notBuilt
}
