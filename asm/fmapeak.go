package asm

// The FMA peak probe used by the benchmark harness: tight loops of
// independent VFMADD231PS on ymm (AVX2+FMA) and zmm (AVX-512) registers.
//go:generate go run ./fmapeak -out ../bench/peak/fmapeak_amd64.s -stubs ../bench/peak/fmapeak_stub_amd64.go -pkg peak
