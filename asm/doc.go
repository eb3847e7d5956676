// Package asm holds gokern's assembly generators. `go generate ./asm`
// rewrites every assembly file in the module and its Go declarations:
//
//   - amd64 (AVX2+FMA and AVX-512) through Avo, one generator per kernel
//     family in its own directory (package main);
//   - arm64 (NEON) through the small generator in ./neon, because Avo has no
//     arm64 back end (avo issue #189).
//
// Each family's go:generate line lives in a file named for it beside this
// one. Every family writes the same three files into its package:
// <family>_<arch>.s (the kernels), <family>_stub_<arch>.go (their Go
// declarations, //go:noescape wherever they take pointers) and
// <family>_<arch>.go (the wiring that installs each kernel in its path's
// backend, so no table of kernel names is kept by hand). The Avo
// generators share their ISA description, tail masks and horizontal sum
// (asm/internal/avx) and the Go-file writer (asm/internal/gen).
//
// Generated files carry a "Code generated ... DO NOT EDIT." header and
// are never edited by hand; `make check-generated` fails when they are stale.
package asm
