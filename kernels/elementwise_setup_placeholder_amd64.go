//go:build !purego

package kernels

// Placeholders until the generated Elementwise kernels for amd64 land; delete this file then.
func setupElementwiseAVX2(im *impl)   {}
func setupElementwiseAVX512(im *impl) {}
