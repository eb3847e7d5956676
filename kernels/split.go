package kernels

import "github.com/gokern/gokern/internal/parallel"

// The element-wise passes are threaded here, in the wrappers, above the
// backends: a long call is cut into fixed chunks and each chunk is one
// call of the active backend's function on the shared pool. Every backend
// therefore gets the threading, and an element's value never depends on
// the thread count: each element sees exactly the operations it sees in an
// unsplit call. Chunks are whole multiples of splitAlign elements (and
// whole rows for the bias passes), so no chunk but the last has a vector
// tail, and the last chunk's tail is the unsplit call's.

// splitChunk is the number of elements one part handles, and splitMin the
// shortest call that is split at all. splitMin comes from
// BenchmarkSplitThreshold (split_bench_test.go) on the quiet 2-core Zen 3
// VM, -cpu 2 -count 3: at 256Ki elements splitting was even for Tanh
// (compute-bound, 0.22 ms), and lost for Adam (0.10 -> 0.13 ms) and Mul
// (memory-bound, 0.05 -> 0.07 ms); at 1Mi it won for Tanh (0.87 -> 0.54 ms)
// and Adam (0.47 -> 0.39 ms) and still lost for Mul. Two threads share one
// memory path on that machine, so a memory-bound pass gains only where
// cores have bandwidth of their own; a per-pass threshold is left for a
// measurement on a many-core machine.
const (
	splitChunk = 1 << 14
	splitMin   = 1 << 18
	splitAlign = 256
)

// ewOp names the backend function a splitJob calls.
type ewOp uint8

const (
	opAxpy ewOp = iota
	opScale
	opMul
	opAddBias
	opBiasLeakyReLU
	opLeakyReLU
	opLeakyReLUBackward
	opTanh
	opTanhBackward
	opSigmoid
	opSigmoidBackward
	opAdam
)

// splitJob is one split element-wise call. Operands keep the order of the
// backend function's parameters: s0 is its first slice, s1 its second...
type splitJob struct {
	im             *impl
	op             ewOp
	s0, s1, s2, s3 []float32
	f0, f1, f2, f3 float32
	n, chunk       int
}

var splitJobs parallel.FreeList[splitJob]

// splits reports whether a call over n elements is worth splitting now.
func splits(n int) bool { return n >= splitMin && Threads() > 1 }

// runSplit splits op over n elements in chunks of about splitChunk (whole
// rows of width when width > 0) and runs them on the pool.
func runSplit(im *impl, op ewOp, n, width int, s0, s1, s2, s3 []float32, f0, f1, f2, f3 float32) {
	j := splitJobs.Get()
	*j = splitJob{im: im, op: op, s0: s0, s1: s1, s2: s2, s3: s3, f0: f0, f1: f1, f2: f2, f3: f3, n: n, chunk: splitChunk}
	if width > 0 {
		j.chunk = max(1, splitChunk/width) * width
	}
	parallel.Run((n+j.chunk-1)/j.chunk, j)
	*j = splitJob{}
	splitJobs.Put(j)
}

// Part runs chunk i (parallel.Job).
func (j *splitJob) Part(i int) {
	lo := i * j.chunk
	hi := min(lo+j.chunk, j.n)
	im := j.im
	switch j.op {
	case opAxpy:
		im.axpy(j.f0, j.s0[lo:hi], j.s1[lo:hi])
	case opScale:
		im.scale(j.f0, j.s0[lo:hi])
	case opMul:
		im.mul(j.s0[lo:hi], j.s1[lo:hi], j.s2[lo:hi])
	case opAddBias: // the bias (s1) is whole: chunks are whole rows
		im.addBias(j.s0[lo:hi], j.s1)
	case opBiasLeakyReLU:
		im.biasLeakyReLU(j.s0[lo:hi], j.s1, j.f0)
	case opLeakyReLU:
		im.leakyReLU(j.s0[lo:hi], j.s1[lo:hi], j.f0)
	case opLeakyReLUBackward:
		im.leakyReLUBackward(j.s0[lo:hi], j.s1[lo:hi], j.s2[lo:hi], j.f0)
	case opTanh:
		im.tanh(j.s0[lo:hi], j.s1[lo:hi])
	case opTanhBackward:
		im.tanhBackward(j.s0[lo:hi], j.s1[lo:hi], j.s2[lo:hi])
	case opSigmoid:
		im.sigmoid(j.s0[lo:hi], j.s1[lo:hi])
	case opSigmoidBackward:
		im.sigmoidBackward(j.s0[lo:hi], j.s1[lo:hi], j.s2[lo:hi])
	case opAdam:
		im.adam(j.s0[lo:hi], j.s1[lo:hi], j.s2[lo:hi], j.s3[lo:hi], j.f0, j.f1, j.f2, j.f3)
	}
}
