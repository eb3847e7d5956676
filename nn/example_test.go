package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gokern/gokern/nn"
)

func ExampleSaveWeights() {
	newModel := func() *nn.Sequential {
		m, err := nn.NewSequential("toy", []int{2}, nn.NewDense(4), nn.NewLeakyReLU(0.2), nn.NewDense(1))
		if err != nil {
			panic(err)
		}
		return m
	}
	dir, _ := os.MkdirTemp("", "nn-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "toy.safetensors")

	a := newModel()
	a.Init(1)
	if err := nn.SaveWeights(path, a); err != nil {
		panic(err)
	}
	b := newModel() // uninitialised: all zeros
	if err := nn.LoadWeights(path, b); err != nil {
		panic(err)
	}
	x := &nn.Tensor{Shape: []int{1, 2}, Data: []float32{0.5, -1}}
	ya := a.Forward(x, false).Data[0]
	yb := b.Forward(x, false).Data[0]
	fmt.Println(ya == yb)
	for _, p := range b.Params() {
		fmt.Println(p.Name, p.Shape)
	}
	// Output:
	// true
	// dense_1/kernel [2 4]
	// dense_1/bias [4]
	// dense_2/kernel [4 1]
	// dense_2/bias [1]
}
