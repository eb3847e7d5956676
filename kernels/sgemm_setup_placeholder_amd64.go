//go:build !purego

package kernels

// Placeholders until the generated Sgemm kernels for amd64 land; delete this file then.
func setupSgemmAVX2(im *impl)   {}
func setupSgemmAVX512(im *impl) {}
