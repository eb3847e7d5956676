package kernels

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/kerneltest"
)

// splitCase is one threaded element-wise pass: run applies it to fresh
// copies of the operands and returns every output.
type splitCase struct {
	name string
	run  func(ops [][]float32)
	// outs are the indices of the operands the pass writes.
	outs []int
	// width is the row width of bias passes (0: plain element-wise).
	width int
}

var splitCases = []splitCase{
	{"Axpy", func(o [][]float32) { Axpy(0.7, o[0], o[1]) }, []int{1}, 0},
	{"Scale", func(o [][]float32) { Scale(-1.3, o[0]) }, []int{0}, 0},
	{"Mul", func(o [][]float32) { Mul(o[0], o[1], o[2]) }, []int{0}, 0},
	{"AddBias", func(o [][]float32) { AddBias(o[0], o[1][:129]) }, []int{0}, 129},
	{"BiasLeakyReLU", func(o [][]float32) { BiasLeakyReLU(o[0], o[1][:129], 0.2) }, []int{0}, 129},
	{"LeakyReLU", func(o [][]float32) { LeakyReLU(o[0], o[1], 0.2) }, []int{0}, 0},
	{"LeakyReLUBackward", func(o [][]float32) { LeakyReLUBackward(o[0], o[1], o[2], 0.2) }, []int{0}, 0},
	{"Tanh", func(o [][]float32) { Tanh(o[0], o[1]) }, []int{0}, 0},
	{"TanhBackward", func(o [][]float32) { TanhBackward(o[0], o[1], o[2]) }, []int{0}, 0},
	{"Sigmoid", func(o [][]float32) { Sigmoid(o[0], o[1]) }, []int{0}, 0},
	{"SigmoidBackward", func(o [][]float32) { SigmoidBackward(o[0], o[1], o[2]) }, []int{0}, 0},
	{"Adam", func(o [][]float32) { Adam(o[0], o[1], o[2], absAll(o[3]), 1e-3, 0.5, 0.999, 1e-7, 3) }, []int{0, 2, 3}, 0},
	{"SumRows", func(o [][]float32) { SumRows(o[1][:129], o[0]) }, []int{1}, 129},
}

// absAll makes v non-negative in place (Adam's second moments) and returns it.
func absAll(v []float32) []float32 {
	for i, x := range v {
		v[i] = float32(math.Abs(float64(x)))
	}
	return v
}

// splitSizes are odd lengths below, at and well above the split threshold.
var splitSizes = []int{splitMin - 1, splitMin + 1, 3*splitChunk + 17, 100003, splitMin + 3*splitChunk + 5}

func splitOperands(rng *rand.Rand, n, width int) [][]float32 {
	if width > 0 {
		n = n / width * width
	}
	ops := make([][]float32, 4)
	for i := range ops {
		ops[i] = make([]float32, n)
		for j := range ops[i] {
			ops[i][j] = float32(rng.NormFloat64())
		}
	}
	return ops
}

func cloneOps(ops [][]float32) [][]float32 {
	c := make([][]float32, len(ops))
	for i, o := range ops {
		c[i] = append([]float32(nil), o...)
	}
	return c
}

// TestSplitThreadsBitwise runs every threaded pass at 1, 2, 3 and 7
// threads on odd sizes and checks each output bit for bit against the
// one-thread result (which is the unsplit backend call).
func TestSplitThreadsBitwise(t *testing.T) {
	defer SetThreads(Threads())
	kerneltest.Run(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, c := range splitCases {
			for _, n := range splitSizes {
				ops := splitOperands(rng, n, c.width)
				var first [][]float32
				for _, th := range []int{1, 2, 3, 7} {
					SetThreads(th)
					got := cloneOps(ops)
					c.run(got)
					if first == nil {
						first = got
						continue
					}
					for _, o := range c.outs {
						for i := range got[o] {
							if math.Float32bits(got[o][i]) != math.Float32bits(first[o][i]) {
								t.Fatalf("%s n=%d threads=%d: operand %d [%d] = %v, threads=1 %v", c.name, n, th, o, i, got[o][i], first[o][i])
							}
						}
					}
				}
			}
		}
	})
}

// TestSplitConcurrentCallers runs threaded passes from several goroutines
// at once (two trainers in one process) and checks each against a serial
// result.
func TestSplitConcurrentCallers(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(3)
	rng := rand.New(rand.NewPCG(23, 24))
	n := 100003
	ops := splitOperands(rng, n, 129)
	want := make(map[string][][]float32)
	for _, c := range splitCases {
		w := cloneOps(ops)
		c.run(w)
		want[c.name] = w
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := 0; rep < 3; rep++ {
				for _, c := range splitCases {
					got := cloneOps(ops)
					c.run(got)
					for _, o := range c.outs {
						for i := range got[o] {
							if math.Float32bits(got[o][i]) != math.Float32bits(want[c.name][o][i]) {
								errs <- c.name
								return
							}
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for name := range errs {
		t.Errorf("%s: a concurrent call differs from the serial result", name)
	}
}

// TestSplitAllocs checks that split calls allocate nothing once warm.
func TestSplitAllocs(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(25, 26))
	ops := splitOperands(rng, 100003, 129)
	for _, th := range []int{1, 2, 7} {
		SetThreads(th)
		for _, c := range splitCases {
			c.run(ops)
			if r := allocs.Count(5, func() { c.run(ops) }); r.Ours() != 0 {
				t.Errorf("%s threads=%d: %v", c.name, th, r)
			}
		}
	}
}
