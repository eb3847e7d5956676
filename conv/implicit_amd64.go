//go:build !purego

package conv

import "github.com/gokern/gokern/internal/paths"

// The generated AVX2 and AVX-512 run kernels (implicit_amd64.s), registered
// for their paths: they run whenever the path is active, which it only ever
// is on CPUs that support it.
func init() {
	runFamily.Register(paths.AVX2, &runKernels{
		dot:    [...]runFunc{nil, dotRuns1AVX2, dotRuns2AVX2, dotRuns3AVX2, dotRuns4AVX2},
		axpy:   [...]runFunc{nil, axpyRuns1AVX2, axpyRuns2AVX2, axpyRuns3AVX2, axpyRuns4AVX2},
		ger:    [...]runFunc{nil, gerRuns1AVX2, gerRuns2AVX2, gerRuns3AVX2, gerRuns4AVX2},
		dot2:   [...]runFunc2{nil, dotRuns1x2AVX2, dotRuns2x2AVX2, dotRuns3x2AVX2, dotRuns4x2AVX2},
		ger2:   [...]runFunc2{nil, gerRuns1x2AVX2, gerRuns2x2AVX2, gerRuns3x2AVX2, gerRuns4x2AVX2},
		gather: gatherRowsAVX2,
	})
	runFamily.Register(paths.AVX512, &runKernels{
		dot:    [...]runFunc{nil, dotRuns1AVX512, dotRuns2AVX512, dotRuns3AVX512, dotRuns4AVX512},
		axpy:   [...]runFunc{nil, axpyRuns1AVX512, axpyRuns2AVX512, axpyRuns3AVX512, axpyRuns4AVX512},
		ger:    [...]runFunc{nil, gerRuns1AVX512, gerRuns2AVX512, gerRuns3AVX512, gerRuns4AVX512},
		dot2:   [...]runFunc2{nil, dotRuns1x2AVX512, dotRuns2x2AVX512, dotRuns3x2AVX512, dotRuns4x2AVX512},
		ger2:   [...]runFunc2{nil, gerRuns1x2AVX512, gerRuns2x2AVX512, gerRuns3x2AVX512, gerRuns4x2AVX512},
		gather: gatherRowsAVX512,
	})
}
