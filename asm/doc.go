// Package asm holds gokern's assembly generators. `go generate ./asm`
// rewrites every assembly file in the module and its Go declarations:
//
//   - amd64 (AVX2+FMA and AVX-512) through Avo, one generator per kernel
//     family in its own directory (package main);
//   - arm64 (NEON) through the small generator in ./neon, because Avo has no
//     arm64 back end (avo issue #189).
//
// Each family's go:generate line lives in a file named for it beside this
// one. Generated files carry a "Code generated ... DO NOT EDIT." header and
// are never edited by hand; `make check-generated` fails when they are stale.
package asm
