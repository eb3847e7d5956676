package conv

import (
	"fmt"

	"github.com/gokern/gokern/im2col"
)

// Spec describes a convolution layer: per-sample input H x W x C, Filters
// output channels, a KH x KW kernel moved by StrideH x StrideW, and Keras
// padding.
type Spec struct {
	H, W, C          int
	Filters, KH, KW  int
	StrideH, StrideW int
	Padding          im2col.Padding
}

// String formats the spec compactly, e.g. "32x32x3 -> 64 k3x3 s1x1 same".
func (s Spec) String() string {
	return fmt.Sprintf("%dx%dx%d -> %d k%dx%d s%dx%d %v", s.H, s.W, s.C, s.Filters, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
}

// check reports the first size in s that is not positive, or an unknown
// padding.
func (s Spec) check(layer string) error {
	for _, v := range []struct {
		name string
		v    int
	}{{"H", s.H}, {"W", s.W}, {"C", s.C}, {"Filters", s.Filters}, {"KH", s.KH}, {"KW", s.KW}, {"StrideH", s.StrideH}, {"StrideW", s.StrideW}} {
		if v.v < 1 {
			return fmt.Errorf("conv: %s %v: %s = %d, must be positive", layer, s, v.name, v.v)
		}
	}
	if s.Padding != im2col.Valid && s.Padding != im2col.Same {
		return fmt.Errorf("conv: %s %v: unknown padding", layer, s)
	}
	return nil
}

// WeightLen is the number of kernel weights, KH*KW*C*Filters, in either
// layer's layout.
func (s Spec) WeightLen() int { return s.KH * s.KW * s.C * s.Filters }

// checkLen panics with a descriptive message unless got == want.
func checkLen(op, name string, got, want int, how string) {
	if got != want {
		panic(fmt.Sprintf("gokern: conv.%s: len(%s) = %d, want %s = %d", op, name, got, how, want))
	}
}

// checkBatch panics on a negative batch size.
func checkBatch(op string, n int) {
	if n < 0 {
		panic(fmt.Sprintf("gokern: conv.%s: negative batch size %d", op, n))
	}
}

// grow returns buf resliced to n values, reallocating only when its
// capacity is too small, so workspaces settle at the largest batch seen.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
