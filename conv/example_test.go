package conv_test

import (
	"fmt"

	"github.com/gokern/gokern/conv"
	"github.com/gokern/gokern/im2col"
)

// A 3x3 "same" convolution of a 4x4 single-channel image with a kernel
// that sums each pixel's neighbourhood, then its input gradient for an
// upstream gradient of ones: how many output windows cover each pixel.
func ExampleConv2D() {
	c, err := conv.NewConv2D(conv.Spec{H: 4, W: 4, C: 1, Filters: 1, KH: 3, KW: 3, StrideH: 1, StrideW: 1, Padding: im2col.Same})
	if err != nil {
		panic(err)
	}
	oh, ow, f := c.OutShape()
	x := make([]float32, 4*4)
	for i := range x {
		x[i] = 1
	}
	w := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1} // [KH, KW, C, Filters]
	y := make([]float32, oh*ow*f)
	c.Forward(1, x, w, nil, y)
	fmt.Println(y)

	dx := make([]float32, len(x))
	c.BackwardData(1, x[:len(y)], w, dx) // dy = ones
	fmt.Println(dx)
	// Output:
	// [4 6 6 4 6 9 9 6 6 9 9 6 4 6 6 4]
	// [4 6 6 4 6 9 9 6 6 9 9 6 4 6 6 4]
}

// A transposed convolution with a 4x4 kernel, stride 2 and "same" padding
// doubles the resolution, as in the generator of the Keras CIFAR-10 DCGAN
// tutorial: 4x4x256 becomes 8x8x128.
func ExampleConv2DTranspose() {
	s := conv.Spec{H: 4, W: 4, C: 256, Filters: 128, KH: 4, KW: 4, StrideH: 2, StrideW: 2, Padding: im2col.Same}
	op, err := conv.NewConv2DTranspose(s)
	if err != nil {
		panic(err)
	}
	oh, ow, f := op.OutShape()
	fmt.Printf("%dx%dx%d -> %dx%dx%d, %d weights\n", s.H, s.W, s.C, oh, ow, f, s.WeightLen())
	// Output:
	// 4x4x256 -> 8x8x128, 524288 weights
}
