//go:build !purego

package kernels

// setupSgemmNEON installs the generated 8x12 NEON micro-kernel (see
// asm/neon for the choice of tile). Blocking for a typical Armv8 core
// (Neoverse N1 / Cortex-A76: 64 KiB L1D, 512 KiB-1 MiB L2): a KC x NR =
// 256 x 12 micro-panel of B is 12 KiB and stays in L1 beside the 8 KiB
// micro-panel of A streaming past it, even on 32 KiB-L1 cores; the
// MC x KC = 128 x 256 packed block of A (128 KiB) lives in L2; the
// KC x NC = 256 x 3072 panel of B (3 MiB) in L3 or the system cache.
// C with at most four columns (or rows) takes the skinny kernels: dots of
// 4 rows x n, and axpys of 16 rows x n for a transposed A.
func setupSgemmNEON(im *impl) {
	im.gemm = gemmConfig{
		MR: neonMR, NR: neonNR, KC: 256, MC: 128, NC: 3072,
		kernel: checkedKernel(neonMR, neonNR, sgemmKernel8x12NEON),
		skinny: skinnyConfig{
			width: neonSkinnyWidth,
			rows:  neonDotsRows,
			block: [5]dotsKernel{nil,
				checkedDots(4, 1, sgemmDots4x1NEON), checkedDots(4, 2, sgemmDots4x2NEON),
				checkedDots(4, 3, sgemmDots4x3NEON), checkedDots(4, 4, sgemmDots4x4NEON)},
			single: [5]dotsKernel{nil,
				checkedDots(1, 1, sgemmDots1x1NEON), checkedDots(1, 2, sgemmDots1x2NEON),
				checkedDots(1, 3, sgemmDots1x3NEON), checkedDots(1, 4, sgemmDots1x4NEON)},
			vecs: neonAxpysVecs,
			axpysBlock: [5]axpysKernel{nil,
				checkedAxpys(16, 1, sgemmAxpys16x1NEON), checkedAxpys(16, 2, sgemmAxpys16x2NEON),
				checkedAxpys(16, 3, sgemmAxpys16x3NEON), checkedAxpys(16, 4, sgemmAxpys16x4NEON)},
			axpysSingle: [5]axpysKernel{nil,
				checkedAxpys(4, 1, sgemmAxpys4x1NEON), checkedAxpys(4, 2, sgemmAxpys4x2NEON),
				checkedAxpys(4, 3, sgemmAxpys4x3NEON), checkedAxpys(4, 4, sgemmAxpys4x4NEON)},
		},
	}
}

// setupElementwiseNEON installs the generated element-wise NEON kernels,
// Tanh and Sigmoid included (the amd64 kernels' Cephes-based algorithm).
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
	im.tanh = tanhNEON
	im.tanhBackward = tanhBackwardNEON
	im.sigmoid = sigmoidNEON
	im.sigmoidBackward = sigmoidBackwardNEON
	im.adam = adamNEON
}
