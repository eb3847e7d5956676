//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// registerArch registers the amd64 SIMD backends. Each starts as a copy of
// the generic implementation and replaces what it has assembly for.
func registerArch() {
	avx2 := genericImpl()
	avx2.name = "avx2"
	avx2.priority = 10
	avx2.available = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	setupAVX2(avx2)
	register(avx2)

	avx512 := genericImpl()
	avx512.name = "avx512"
	avx512.priority = 20
	avx512.available = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasFMA
	setupAVX512(avx512)
	register(avx512)
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
