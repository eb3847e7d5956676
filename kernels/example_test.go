package kernels_test

import (
	"fmt"

	"github.com/gokern/gokern/kernels"
)

func ExampleAxpy() {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	y := []float32{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}
	kernels.Axpy(0.5, x, y)
	fmt.Println(y)
	// Output: [10.5 11 11.5 12 12.5 13 13.5 14 14.5 15]
}

func ExampleDot() {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
	fmt.Println(kernels.Dot(x, x), kernels.Sum(x))
	// Output: 1785 153
}

func ExampleAddBias() {
	// Two rows of three channels.
	x := []float32{1, 2, 3, 4, 5, 6}
	kernels.AddBias(x, []float32{100, 200, 300})
	fmt.Println(x)
	// Output: [101 202 303 104 205 306]
}

func ExampleSumRows() {
	// The bias gradient: column sums of the output gradient, accumulated.
	dy := []float32{1, 2, 3, 4, 5, 6}
	db := []float32{0.5, 0, 0}
	kernels.SumRows(db, dy)
	fmt.Println(db)
	// Output: [5.5 7 9]
}

func ExampleLeakyReLUBackwardSumRows() {
	// A LeakyReLU's backward pass over two rows of three channels, with the
	// bias gradient of the layer before it in the same pass.
	y := []float32{1, -0.2, 3, -0.4, 5, 0}
	dy := []float32{1, 1, 1, 1, 1, 1}
	dx := make([]float32, len(dy))
	db := make([]float32, 3)
	kernels.LeakyReLUBackwardSumRows(dx, dy, y, 0.1, db)
	fmt.Println(dx, db)
	// Output: [1 0.1 1 0.1 1 0.1] [1.1 1.1 1.1]
}

func ExampleBiasLeakyReLU() {
	x := []float32{-1, 2, -3, 4}
	kernels.BiasLeakyReLU(x, []float32{0.5, -0.5}, 0.2)
	fmt.Println(x)
	// Output: [-0.1 1.5 -0.5 3.5]
}

func ExampleTanh() {
	x := []float32{-20, -1, 0, 0.5, 1, 20}
	y := make([]float32, len(x))
	kernels.Tanh(y, x)
	fmt.Printf("%.6f\n", y)
	// Output: [-1.000000 -0.761594 0.000000 0.462117 0.761594 1.000000]
}

func ExampleSigmoid() {
	x := []float32{-100, -1, 0, 1, 100}
	y := make([]float32, len(x))
	kernels.Sigmoid(y, x)
	fmt.Printf("%.6f\n", y)
	// Output: [0.000000 0.268941 0.500000 0.731059 1.000000]
}

func ExampleAdam() {
	// Minimise (p-3)^2 from p = 0 with Keras' default betas.
	p, g, m, v := []float32{0}, []float32{0}, []float32{0}, []float32{0}
	for t := 1; t <= 500; t++ {
		g[0] = 2 * (p[0] - 3)
		kernels.Adam(p, g, m, v, 0.1, 0.9, 0.999, 1e-7, t)
	}
	fmt.Printf("p = %.3f\n", p[0])
	// Output: p = 3.000
}
