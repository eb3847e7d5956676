package asm

// The element-wise, reduction, activation and Adam kernels for amd64, in
// AVX2+FMA (ymm) and AVX-512 (zmm) versions.
//go:generate go run ./elementwise -out ../kernels/elementwise_amd64.s -stubs ../kernels/elementwise_stub_amd64.go -wiring ../kernels/elementwise_amd64.go -pkg kernels
