//go:build !purego

package kernels

import "github.com/gokern/gokern/internal/paths"

// registerArch registers the amd64 SIMD backends, whether this CPU can run
// them or not (internal/paths decides that). Each starts as a copy of the
// generic implementation and replaces what it has assembly for.
func registerArch() {
	avx2 := genericImpl()
	setupAVX2(avx2)
	backends.Register(paths.AVX2, avx2)

	avx512 := genericImpl()
	setupAVX512(avx512)
	backends.Register(paths.AVX512, avx512)
}

// setupAVX2 installs the AVX2+FMA kernels.
func setupAVX2(im *impl) {
	setupSgemmAVX2(im)
	setupElementwiseAVX2(im)
}

// setupAVX512 installs the AVX-512 kernels.
func setupAVX512(im *impl) {
	setupSgemmAVX512(im)
	setupElementwiseAVX512(im)
}
