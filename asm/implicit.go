package asm

// The implicit-GEMM kernels of package conv (few-filter Conv2D without an
// im2col matrix), for amd64 in AVX2+FMA and AVX-512 versions, and the init
// function that registers them for their kernel paths.
//go:generate go run ./implicit -out ../conv/implicit_amd64.s -stubs ../conv/implicit_stub_amd64.go -wiring ../conv/implicit_amd64.go -pkg conv
