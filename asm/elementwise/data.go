package main

import (
	"math"

	"github.com/gokern/gokern/asm/internal/avx"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// Tail-mask tables.
var (
	// masks are the tail-mask tables.
	masks avx.Masks
)

// constant is a float32 (or int32) repeated across 16 lanes, so both ymm
// and zmm instructions can use it as a full-width memory operand.
type constant struct {
	name string
	f    float32
	i    int32
	int  bool
}

// constants used by the kernels, in the order they are emitted.
var constants = []constant{
	{name: "one", f: 1},
	{name: "two", f: 2},
	{name: "absMask", i: 0x7fffffff, int: true},
	{name: "signMask", i: -0x80000000, int: true},
	{name: "expBias", i: 127, int: true},

	// exp(t) = 2^k * e^r with k = round(t*log2(e)) and r = t - k*ln2, where
	// ln2 is split in a high part exact in float32 and a low correction
	// (Cephes expf); e^r on |r| <= ln2/2 is 1 + r + r^2*P(r).
	{name: "log2e", f: 1.44269504088896341},
	{name: "ln2Hi", f: 0.693359375},
	{name: "ln2Lo", f: -2.12194440e-4},
	{name: "expP0", f: 1.9875691500e-4},
	{name: "expP1", f: 1.3981999507e-3},
	{name: "expP2", f: 8.3334519073e-3},
	{name: "expP3", f: 4.1665795894e-2},
	{name: "expP4", f: 1.6666665459e-1},
	{name: "expP5", f: 5.0000001201e-1},

	// Sigmoid clamps -x to [expMin, expMax] so that k stays within the
	// normal exponent range [-126, 127]; beyond it sigmoid is 1, or below
	// 1.2e-38 (clamped there).
	{name: "expMin", f: -87.3},
	{name: "expMax", f: 88.3},

	// tanh(|x|) for |x| < tanhSmall is |x| + |x|^3*Q(x^2) (Cephes tanhf);
	// above it 1 - 2/(exp(2|x|)+1), with 2|x| capped at tanhCap: tanh
	// rounds to 1 in float32 from |x| = 9.01 on.
	{name: "tanhSmall", f: 0.625},
	{name: "tanhCap", f: 20},
	{name: "tanhQ0", f: -5.70498872745e-3},
	{name: "tanhQ1", f: 2.06390887954e-2},
	{name: "tanhQ2", f: -5.37397155531e-2},
	{name: "tanhQ3", f: 1.33314422036e-1},
	{name: "tanhQ4", f: -3.33332819422e-1},
}

var constMem = map[string]Mem{}

// c returns the memory operand of a named constant.
func c(name string) Mem {
	m, ok := constMem[name]
	if !ok {
		panic("unknown constant " + name)
	}
	return m
}

// defineData emits the avx.Mask tables and the constants.
func defineData() {
	masks = avx.DefineMasks("ew")
	for _, k := range constants {
		m := GLOBL("ew_"+k.name, RODATA|NOPTR)
		for i := 0; i < 16; i++ {
			if k.int {
				DATA(4*i, I32(k.i))
			} else {
				// As bits: Avo prints F32(1) as $(1), which the
				// assembler reads as the integer 1.
				DATA(4*i, U32(math.Float32bits(k.f)))
			}
		}
		constMem[k.name] = m
	}
}
