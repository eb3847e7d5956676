// Package peak measures a core's single-precision FMA throughput, the
// ceiling every GFLOPS figure in gokern's benchmark report is compared with.
//
// For each kernel path the probe runs a tight loop of independent fused
// multiply-adds on that path's vector width (ymm for avx2, zmm for avx512,
// scalar Go for generic) with no memory traffic, times it, and reports
//
//	GFLOPS = 2 * lanes * FMAs / seconds
//
// Probes run on several goroutines at once to measure the whole machine:
// the peak at t threads is what t cores sustain together, which is what a
// multi-threaded training run should be compared against.
package peak
