//go:build !purego

package kernels

// setupSgemmNEON installs the generated 8x12 NEON micro-kernel (see
// asm/neon for the choice of tile). Blocking for a typical Armv8 core
// (Neoverse N1 / Cortex-A76: 64 KiB L1D, 512 KiB-1 MiB L2): a KC x NR =
// 256 x 12 micro-panel of B is 12 KiB and stays in L1 beside the 8 KiB
// micro-panel of A streaming past it, even on 32 KiB-L1 cores; the
// MC x KC = 128 x 256 packed block of A (128 KiB) lives in L2; the
// KC x NC = 256 x 3072 panel of B (3 MiB) in L3 or the system cache.
func setupSgemmNEON(im *impl) {
	im.gemm = gemmConfig{
		MR: neonMR, NR: neonNR, KC: 256, MC: 128, NC: 3072,
		kernel: checkedKernel(neonMR, neonNR, sgemmKernel8x12NEON),
	}
}

// setupElementwiseNEON installs the generated element-wise NEON kernels.
// Tanh and Sigmoid stay on the pure-Go code: they need exp, which has no
// NEON version yet.
func setupElementwiseNEON(im *impl) {
	im.axpy = axpyNEON
	im.scale = scaleNEON
	im.dot = dotNEON
	im.sum = sumNEON
	im.mul = mulNEON
	im.addBias = addBiasNEON
	im.sumRows = sumRowsNEON
	im.leakyReLU = leakyReLUNEON
	im.leakyReLUBackward = leakyReLUBackwardNEON
	im.biasLeakyReLU = biasLeakyReLUNEON
	im.tanhBackward = tanhBackwardNEON
	im.sigmoidBackward = sigmoidBackwardNEON
	im.adam = adamNEON
}
