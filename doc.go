// Package gokern is a Go library of SIMD compute kernels (AVX-512, AVX2+FMA,
// NEON and pure Go) and a small deep-learning stack built on them that
// trains the Keras CIFAR-10 DCGAN on a CPU.
//
// The packages, from the bottom up:
//
//	kernels   SGEMM, element-wise kernels and Adam, with run-time dispatch
//	kernels/blas32  gonum's BLAS interface on gokern's SGEMM
//	im2col    the im2col/col2im lowering of convolutions to GEMM
//	conv      Conv2D and Conv2DTranspose compute on NHWC tensors
//	nn        layers, Sequential models, loss, Adam, safetensors weights
//	gan       the DCGAN: models, data set, training schedule, checkpoints
//	bench     the benchmark harness (report command in bench/cmd/bench)
//
// This root package holds no code, only the benchmarks that compare every
// kernel path in one command:
//
//	go test -bench . -run '^$'                     # everything
//	go test -bench 'Epoch' -run '^$' -benchtime 3x # training throughput per path
//	go test -bench 'Sgemm/m8192' -count 10 -run '^$' | tee new.txt; benchstat old.txt new.txt
//
// BenchmarkEpoch/<path> trains the Keras CIFAR-10 DCGAN tutorial's models
// (batch 128) and reports images/s, s/epoch (390 iterations), GFLOPS (of the
// analytical GEMM work, bench.IterationFLOPs: 130.2 GFLOP per iteration)
// and the share of the path's measured FMA peak; BenchmarkEpoch/gonum swaps
// gonum's Sgemm in for every GEMM. BenchmarkSgemm, BenchmarkConv and
// BenchmarkIm2col cover the same GEMMs, convolution layers and im2col
// geometries one by one, with gonum beside gokern's paths; the shapes are
// read from the models package gan builds (bench.Layers), so they cannot
// drift from the model that trains.
package gokern
