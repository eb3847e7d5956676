//go:build !purego

package paths

import "golang.org/x/sys/cpu"

// The NEON path needs Advanced SIMD; the amd64 paths are not built here.
func init() {
	NEON.missing = lacks(feature{"ASIMD", cpu.ARM64.HasASIMD})
	AVX2.missing = notBuilt
	AVX512.missing = notBuilt
}
