package nn

import (
	"github.com/gokern/gokern/internal/parallel"
	"github.com/gokern/gokern/kernels"
)

// The losses are threaded over fixed blocks of lossBlock terms: each block
// sums its terms in order into its own float64 partial, and the partials
// are added in block order. The blocks depend on the length alone, so the
// loss is bitwise the same for every thread count; a loss of at most
// lossBlock terms (the DCGAN's 64 or 128) is one block, the plain loop.
const (
	lossBlock = 4096
	// lossMinSplit: the DCGAN's losses (64 or 128 terms) never reach it;
	// it keeps long losses from running on one thread.
	lossMinSplit = 1 << 16
)

type lossKind uint8

const (
	lossBCE lossKind = iota
	lossLogits
)

// lossJob is one threaded loss call (parallel.Job).
type lossJob struct {
	kind     lossKind
	x, y, dx []float32
	invN     float64
	partials []float64
}

var lossJobs parallel.FreeList[lossJob]

func (j *lossJob) Part(b int) {
	lo, hi := b*lossBlock, min((b+1)*lossBlock, len(j.x))
	j.partials[b] = lossRange(j.kind, j.x, j.y, j.dx, lo, hi, j.invN)
}

func lossRange(kind lossKind, x, y, dx []float32, lo, hi int, invN float64) float64 {
	if kind == lossBCE {
		return bceRange(x, y, dx, lo, hi, invN)
	}
	return logitsRange(x, y, dx, lo, hi, invN)
}

// lossSum returns the sum of the loss terms over x, by blocks.
func lossSum(kind lossKind, x, y, dx []float32, invN float64) float64 {
	n := len(x)
	blocks := (n + lossBlock - 1) / lossBlock
	if blocks == 1 {
		return lossRange(kind, x, y, dx, 0, n, invN)
	}
	j := lossJobs.Get()
	j.kind, j.x, j.y, j.dx, j.invN = kind, x, y, dx, invN
	if cap(j.partials) < blocks {
		j.partials = make([]float64, blocks)
	}
	j.partials = j.partials[:blocks]
	if n >= lossMinSplit && kernels.Threads() > 1 {
		parallel.Run(blocks, j)
	} else {
		for b := 0; b < blocks; b++ {
			j.Part(b)
		}
	}
	var sum float64
	for _, p := range j.partials {
		sum += p
	}
	j.x, j.y, j.dx = nil, nil, nil
	lossJobs.Put(j)
	return sum
}
