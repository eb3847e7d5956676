package gan_test

import (
	"fmt"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/gan"
)

// A few iterations of the tutorial's schedule on the built-in synthetic
// images, with a small batch.
func Example() {
	cfg := gan.DefaultConfig()
	cfg.Batch = 2
	cfg.Seed = 7
	tr, err := gan.NewTrainer(cfg, cifar10.NewSynthetic(100, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("discriminator:", tr.D.CountParams(), "parameters")
	fmt.Println("generator:", tr.G.CountParams(), "parameters")
	for range 2 {
		s := tr.Iteration()
		fmt.Println("losses are positive:", s.DLossReal > 0 && s.DLossFake > 0 && s.GLoss > 0)
	}
	// Output:
	// discriminator: 522497 parameters
	// generator: 1466115 parameters
	// losses are positive: true
	// losses are positive: true
}
