//go:build purego || !(amd64 || arm64)

package paths

// Only the generic path exists in purego builds and on architectures
// without assembly.
func init() {
	AVX2.missing = notBuilt
	AVX512.missing = notBuilt
	NEON.missing = notBuilt
}
