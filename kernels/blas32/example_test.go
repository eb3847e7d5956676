package blas32_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	gokernblas32 "github.com/gokern/gokern/kernels/blas32"
)

// gonum code gets gokern's Sgemm once BLAS is installed.
func ExampleBLAS() {
	blas32.Use(gokernblas32.BLAS{})
	a := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: []float32{1, 2, 3, 4}}
	c := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, a, 0, c)
	fmt.Println(c.Data)
	// Output: [7 10 15 22]
}
