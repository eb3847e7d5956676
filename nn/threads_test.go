package nn

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/kernels"
)

// threadsBatch is large enough that the mini GAN's activations (batch x
// 8x8x8 = 32768 values and more) cross kernels' split threshold, so the
// threaded element-wise passes, SumRows and Adam's regions all run split.
const threadsBatch = 64

// trainSnapshot trains a fresh mini GAN for steps steps, calling
// threads(i) before step i to set the thread count, and returns every
// parameter value of both models and the last losses.
func trainSnapshot(t *testing.T, steps int, threads func(step int) int) []float32 {
	t.Helper()
	g, d := newMiniGAN(t)
	tr, err := newGANTrainer(g, d, threadsBatch)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < steps; i++ {
		kernels.SetThreads(threads(i))
		tr.step()
	}
	var out []float32
	for _, m := range []*Sequential{g, d} {
		for _, p := range m.Params() {
			out = append(out, p.Value...)
		}
	}
	return append(out, tr.lossD, tr.lossG)
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d = %v, want %v (one thread)", what, i, got[i], want[i])
		}
	}
}

// TestTrainingThreadsBitwise trains the mini GAN at 1, 2, 3 and 7 threads,
// and with the thread count changed between steps, and checks that every
// weight and loss is bitwise the one-thread result.
func TestTrainingThreadsBitwise(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	const steps = 3
	kerneltest.Run(t, func(t *testing.T) {
		want := trainSnapshot(t, steps, func(int) int { return 1 })
		for _, th := range []int{2, 3, 7} {
			sameBits(t, "threads="+strconv.Itoa(th), trainSnapshot(t, steps, func(int) int { return th }), want)
		}
		changing := []int{7, 1, 3}
		sameBits(t, "threads changed between steps", trainSnapshot(t, steps, func(i int) int { return changing[i] }), want)
	})
}

// TestTrainingGOMAXPROCS1 checks training with one P and more threads
// asked for than there are Ps, and SetThreads(0) (GOMAXPROCS).
func TestTrainingGOMAXPROCS1(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want := trainSnapshot(t, 2, func(int) int { return 1 })
	sameBits(t, "GOMAXPROCS=1 threads=4", trainSnapshot(t, 2, func(int) int { return 4 }), want)
	sameBits(t, "GOMAXPROCS=1 SetThreads(0)", trainSnapshot(t, 2, func(int) int { return 0 }), want)
	if kernels.Threads() != 1 {
		t.Errorf("SetThreads(0) with GOMAXPROCS=1: Threads() = %d", kernels.Threads())
	}
}

// TestTwoTrainersAtOnce trains two mini GANs on concurrent goroutines
// sharing the pool, and checks each against a serial run.
func TestTwoTrainersAtOnce(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(3)
	want := trainSnapshot(t, 2, func(int) int { return 3 })
	var wg sync.WaitGroup
	got := make([][]float32, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, d := newMiniGAN(t)
			tr, err := newGANTrainer(g, d, threadsBatch)
			if err != nil {
				t.Error(err)
				return
			}
			for range 2 {
				tr.step()
			}
			var out []float32
			for _, m := range []*Sequential{g, d} {
				for _, p := range m.Params() {
					out = append(out, p.Value...)
				}
			}
			got[i] = append(out, tr.lossD, tr.lossG)
		}()
	}
	wg.Wait()
	for i := range got {
		sameBits(t, "concurrent trainer "+strconv.Itoa(i), got[i], want)
	}
}

// TestTrainingStepAllocatesNothingThreaded is TestTrainingStepAllocatesNothing
// at a batch whose passes are split, on 1, 2 and 7 threads.
func TestTrainingStepAllocatesNothingThreaded(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	g, d := newMiniGAN(t)
	tr, err := newGANTrainer(g, d, threadsBatch)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []int{1, 2, 7} {
		kernels.SetThreads(th)
		if r := allocs.Count(3, tr.step); r.Ours() != 0 {
			t.Errorf("threads=%d: the training step allocates: %v", th, r)
		}
	}
}

// TestLossThreadsBitwise checks both losses, value and gradient, at 1, 2,
// 3 and 7 threads on odd lengths that span several blocks.
func TestLossThreadsBitwise(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	for _, n := range []int{1, 129, lossBlock + 1, lossMinSplit + 7, 100003} {
		p, z, y := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			u := float32(i%997) / 997
			p[i] = u*0.98 + 0.01
			z[i] = 8*u - 4
			y[i] = float32(i % 2)
		}
		type res struct {
			l  [2]float32
			dl [2][]float32
		}
		var first *res
		for _, th := range []int{1, 2, 3, 7} {
			kernels.SetThreads(th)
			r := &res{dl: [2][]float32{make([]float32, n), make([]float32, n)}}
			r.l[0] = BinaryCrossEntropy(p, y, r.dl[0])
			r.l[1] = SigmoidBCEWithLogits(z, y, r.dl[1])
			if first == nil {
				first = r
				continue
			}
			for k := range 2 {
				if math.Float32bits(r.l[k]) != math.Float32bits(first.l[k]) {
					t.Fatalf("n=%d threads=%d loss %d: %v, one thread %v", n, th, k, r.l[k], first.l[k])
				}
				sameBits(t, "loss gradient", r.dl[k], first.dl[k])
			}
		}
	}
}
