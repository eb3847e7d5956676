package im2col_test

import (
	"fmt"

	"github.com/gokern/gokern/im2col"
)

// A 3x3 single-channel image read by a 2x2 kernel with stride 1 and Keras
// "same" padding: the output keeps the 3x3 size, and the padding (one
// column right, one row below) reads as zeros.
func ExampleIm2col() {
	g, err := im2col.NewGeometry(1, 3, 3, 1, 2, 2, 1, 1, im2col.Same)
	if err != nil {
		panic(err)
	}
	src := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	cols := make([]float32, g.Rows()*g.Cols())
	im2col.Im2col(cols, src, g)
	for r := 0; r < g.Rows(); r++ {
		fmt.Println(cols[r*g.Cols() : (r+1)*g.Cols()])
	}
	// Output:
	// [1 2 4 5]
	// [2 3 5 6]
	// [3 0 6 0]
	// [4 5 7 8]
	// [5 6 8 9]
	// [6 0 9 0]
	// [7 8 0 0]
	// [8 9 0 0]
	// [9 0 0 0]
}

// Col2im adds each matrix entry back where Im2col took it from, so an
// all-ones matrix counts how many kernel windows cover each pixel.
func ExampleCol2im() {
	g, err := im2col.NewGeometry(1, 3, 3, 1, 2, 2, 1, 1, im2col.Valid)
	if err != nil {
		panic(err)
	}
	cols := make([]float32, g.Rows()*g.Cols())
	for i := range cols {
		cols[i] = 1
	}
	counts := make([]float32, g.InputLen())
	im2col.Col2im(counts, cols, g)
	fmt.Println(counts)
	// Output: [1 2 1 2 4 2 1 2 1]
}
