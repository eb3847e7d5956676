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

// The work of the discriminator's first layer in one training iteration:
// forward three times (real, fake, GAN step), weight gradients alone in the
// two D steps (its input is data), the input gradient alone in the GAN step
// (D is frozen there).
func ExampleIterationWork() {
	w := bench.IterationWork(128, 100)["D/conv2d_1"]
	for _, k := range []string{bench.KindForward, bench.KindBackwardData, bench.KindBackwardWeights, bench.KindBackwardBoth} {
		fmt.Printf("%-21s %d calls %5.2f GFLOP %5.1f MB at least\n", k, w[k].Calls, w[k].FLOPs/1e9, w[k].Bytes/1e6)
	}
	// Output:
	// forward               3 calls  0.91 GFLOP  70.3 MB at least
	// backward-data         1 calls  0.45 GFLOP  35.1 MB at least
	// backward-weights      2 calls  0.45 GFLOP  35.1 MB at least
	// backward-data+weights 0 calls  0.00 GFLOP   0.0 MB at least
}

// Two builds' per-layer tables side by side: what bench/cmd/benchcmp prints
// from their -json reports.
func ExampleCompareLayers() {
	report := func(sec float64) *bench.Report {
		return &bench.Report{LayerPasses: []bench.LayerPass{
			bench.NewLayerPass("generator/conv2d_transpose_3 (Conv2DTranspose)", bench.KindForward, 2, bench.Summarize([]float64{sec}), 2.5, 19.3e9, 0, 0),
		}}
	}
	for _, d := range bench.CompareLayers(report(0.40), report(0.25)) {
		fmt.Printf("%s %s: %.2f s -> %.2f s (%.3gx), %.1f -> %.1f GFLOPS\n", d.Layer, d.Pass, d.Old.Median, d.New.Median, d.Ratio(), d.OldGFLOPS, d.NewGFLOPS)
	}
	// Output:
	// generator/conv2d_transpose_3 (Conv2DTranspose) forward: 0.40 s -> 0.25 s (0.625x), 48.2 -> 77.2 GFLOPS
}
