package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkSplitThreshold measures where splitting an element-wise pass
// starts to pay: for each length it times the backend's unsplit call
// ("serial") against the same call forced through runSplit on the pool
// with the current splitChunk ("split", at -cpu's GOMAXPROCS threads). The
// smallest length where split wins by a clear margin on a quiet machine is
// splitMin; Mul is the cheapest pass per element (memory-bound), Tanh the
// dearest, Adam the widest. Run it as
//
//	go test ./kernels -run '^$' -bench SplitThreshold -cpu 2 -count 5
func BenchmarkSplitThreshold(b *testing.B) {
	defer SetThreads(Threads())
	for _, n := range []int{1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20} {
		x, y, z, w := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i], z[i], w[i] = float32(i%7)-3, 0.5, 0.1, 0.2
		}
		ops := []struct {
			name string
			op   ewOp
		}{{"Mul", opMul}, {"Tanh", opTanh}, {"Adam", opAdam}}
		for _, o := range ops {
			im := cur()
			serial := func() {
				switch o.op {
				case opMul:
					im.mul(x, y, z)
				case opTanh:
					im.tanh(x, y)
				case opAdam:
					im.adam(x, y, z, w, 1e-3, 0.5, 0.999, 1e-7)
				}
			}
			split := func() {
				switch o.op {
				case opMul:
					runSplit(im, opMul, n, 0, x, y, z, nil, 0, 0, 0, 0)
				case opTanh:
					runSplit(im, opTanh, n, 0, x, y, nil, nil, 0, 0, 0, 0)
				case opAdam:
					runSplit(im, opAdam, n, 0, x, y, z, w, 1e-3, 0.5, 0.999, 1e-7)
				}
			}
			b.Run(fmt.Sprintf("%s/n=%d/serial", o.name, n), func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					serial()
				}
			})
			b.Run(fmt.Sprintf("%s/n=%d/split", o.name, n), func(b *testing.B) {
				SetThreads(0)
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					split()
				}
			})
		}
	}
}
