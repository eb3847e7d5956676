//go:build !purego

package kernels

// Placeholders until the generated Sgemm kernels for arm64 land; delete this file then.
func setupSgemmNEON(im *impl) {}
