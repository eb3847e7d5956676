package bench_test

import (
	"fmt"

	"github.com/gokern/gokern/bench"
)

// One training iteration of the Keras CIFAR-10 DCGAN tutorial's models, batch 128, latent size 100.
func ExampleIterationFLOPs() {
	fmt.Printf("%.0f FLOPs\n", bench.IterationFLOPs(128, 100))
	for _, p := range bench.IterationPasses(128) {
		fmt.Printf("%-9s %s batch %3d: %5.1f GFLOP\n", p.Step, p.Model, p.Batch, bench.PassFLOPs(p, 100)/1e9)
	}
	// Output:
	// 130206924800 FLOPs
	// D real    D batch  64:  13.1 GFLOP
	// G predict G batch  64:  12.3 GFLOP
	// D fake    D batch  64:  13.1 GFLOP
	// GAN       G batch 128:  73.8 GFLOP
	// GAN       D batch 128:  17.8 GFLOP
}

func ExampleSummarize() {
	s := bench.Summarize([]float64{2.61, 2.55, 2.98, 2.58, 2.60})
	fmt.Println(s.Format("%.2f"), "s/iteration")
	// Output: 2.60 (2.55..2.98) s/iteration
}
