package asm

// The SGEMM kernels: AVX-512 (12x32) and AVX2+FMA (6x16) micro-kernels for
// the packed driver, and the skinny dot-product kernels for n <= 4.
//go:generate go run ./sgemm -out ../kernels/sgemm_amd64.s -stubs ../kernels/sgemm_stub_amd64.go -wiring ../kernels/sgemm_amd64.go -pkg kernels
