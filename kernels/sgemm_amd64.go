//go:build !purego

package kernels

// setupSgemmAVX512 installs the generated AVX-512 SGEMM kernels. Blocking
// for Zen 5 (48 KiB L1D, 1 MiB L2 per core): a KC x NR micro-panel of B (at
// most 320 x 32 floats, 40 KiB; the driver evens out the KC blocks, so
// k = 1152 runs as 4 x 288 = 36 KiB) stays in L1 while MR x KC micro-panels
// of A stream past it from the MC x KC block (240 x 320 = 300 KiB) in L2;
// the KC x NC panel of B (5 MiB) sits in L3. KC and MC were picked by a
// sweep of KC in 192..384 and MC in 120..480 (cpuGFLOPS on a 1024 cube and
// two DCGAN shapes; the differences were within the shared machine's noise
// of about 10%).
func setupSgemmAVX512(im *impl) {
	im.gemm = gemmConfig{
		MR: 12, NR: 32, KC: 320, MC: 240, NC: 4096,
		kernel: checkedKernel(12, 32, sgemmKernel12x32AVX512),
		packAT: checkedPacker(12, sgemmPackT12),
		packBT: checkedPacker(32, sgemmPackT32),
		packAN: checkedCopier(12, sgemmPackN12),
		packBN: checkedCopier(32, sgemmPackN32),
		skinny: skinnyConfig{
			width: 16,
			rows:  4,
			block: [5]dotsKernel{nil,
				checkedDots(4, 1, sgemmDots4x1AVX512), checkedDots(4, 2, sgemmDots4x2AVX512),
				checkedDots(4, 3, sgemmDots4x3AVX512), checkedDots(4, 4, sgemmDots4x4AVX512)},
			single: [5]dotsKernel{nil,
				checkedDots(1, 1, sgemmDots1x1AVX512), checkedDots(1, 2, sgemmDots1x2AVX512),
				checkedDots(1, 3, sgemmDots1x3AVX512), checkedDots(1, 4, sgemmDots1x4AVX512)},
			vecs: 4,
			axpysBlock: [5]axpysKernel{nil,
				checkedAxpys(64, 1, sgemmAxpys4x1AVX512), checkedAxpys(64, 2, sgemmAxpys4x2AVX512),
				checkedAxpys(64, 3, sgemmAxpys4x3AVX512), checkedAxpys(64, 4, sgemmAxpys4x4AVX512)},
			axpysSingle: [5]axpysKernel{nil,
				checkedAxpys(16, 1, sgemmAxpys1x1AVX512), checkedAxpys(16, 2, sgemmAxpys1x2AVX512),
				checkedAxpys(16, 3, sgemmAxpys1x3AVX512), checkedAxpys(16, 4, sgemmAxpys1x4AVX512)},
		},
	}
}

// setupSgemmAVX2 installs the generated AVX2+FMA SGEMM kernels: the 6x16
// tile, KC = 512 (a 32 KiB micro-panel of B in L1), MC = 240 (a 480 KiB
// block of A in L2), NC = 4096. A sweep of KC in 256..512 and MC in
// 120..480 put KC = 512 ahead by about 5%.
func setupSgemmAVX2(im *impl) {
	im.gemm = gemmConfig{
		MR: 6, NR: 16, KC: 512, MC: 240, NC: 4096,
		kernel: checkedKernel(6, 16, sgemmKernel6x16AVX2),
		packAT: checkedPacker(6, sgemmPackT6),
		packBT: checkedPacker(16, sgemmPackT16),
		packAN: checkedCopier(6, sgemmPackN6),
		packBN: checkedCopier(16, sgemmPackN16),
		skinny: skinnyConfig{
			width: 8,
			rows:  2,
			block: [5]dotsKernel{nil,
				checkedDots(2, 1, sgemmDots2x1AVX2), checkedDots(2, 2, sgemmDots2x2AVX2),
				checkedDots(2, 3, sgemmDots2x3AVX2), checkedDots(2, 4, sgemmDots2x4AVX2)},
			single: [5]dotsKernel{nil,
				checkedDots(1, 1, sgemmDots1x1AVX2), checkedDots(1, 2, sgemmDots1x2AVX2),
				checkedDots(1, 3, sgemmDots1x3AVX2), checkedDots(1, 4, sgemmDots1x4AVX2)},
			vecs: 2,
			axpysBlock: [5]axpysKernel{nil,
				checkedAxpys(16, 1, sgemmAxpys2x1AVX2), checkedAxpys(16, 2, sgemmAxpys2x2AVX2),
				checkedAxpys(16, 3, sgemmAxpys2x3AVX2), checkedAxpys(16, 4, sgemmAxpys2x4AVX2)},
			axpysSingle: [5]axpysKernel{nil,
				checkedAxpys(8, 1, sgemmAxpys1x1AVX2), checkedAxpys(8, 2, sgemmAxpys1x2AVX2),
				checkedAxpys(8, 3, sgemmAxpys1x3AVX2), checkedAxpys(8, 4, sgemmAxpys1x4AVX2)},
		},
	}
}
