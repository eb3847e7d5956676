package asm

// The arm64 NEON kernels (SGEMM micro-kernel and element-wise kernels) and
// their Go declarations; see ./neon.
//go:generate go run ./neon -out ../kernels
