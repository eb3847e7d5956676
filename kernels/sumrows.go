package kernels

import (
	"math/bits"

	"github.com/gokern/gokern/internal/parallel"
)

// SumRows is a pairwise (cascade) summation over rows. A bias gradient
// sums 65k-131k rows; added one after another in float32 its relative
// error was 5-8e-6 on the DCGAN's gradients, where a pairwise sum (as
// PyTorch's) gets about 1.5e-7. Here:
//
//   - leaves are blocks of sumRowsLeaf consecutive rows, each summed from
//     zero, in order, by the backend's sumRows (vectorised over columns);
//   - parts are runs of sumRowsPartLeaves leaves (the last may be short),
//     each reduced to one row by a balanced binary tree over its leaves,
//     on the shared pool;
//   - the parts' rows are reduced by the same tree, in order, and added to
//     dst.
//
// The tree depends on the row count alone, so results are bitwise the same
// for every thread count. Combining two rows is one sumRows call with a
// single row (dst += row), an exactly rounded add on every backend.
const (
	sumRowsLeaf       = 32
	sumRowsPartLeaves = 64
)

// sumRowsJob is one SumRows call. scratch holds, for each part, its result
// row followed by its tree's stack (levels rows of n).
type sumRowsJob struct {
	im      *impl
	x       []float32
	mask    *leafMask // LeakyReLUBackwardSumRows: how each leaf is made first
	n, rows int
	leaves  int
	parts   int
	levels  int // stack rows each part's tree needs
	scratch []float32
}

var sumRowsJobs parallel.FreeList[sumRowsJob]

// treeLevels is the stack depth, in rows, of a tree over count leaves.
func treeLevels(count int) int { return bits.Len(uint(count)) + 1 }

func sumRows(im *impl, dst, x []float32) { sumRowsMasked(im, dst, x, nil) }

// leafMask makes each leaf of a SumRows just before it is summed:
// x[r] = LeakyReLUBackward(dy[r], y[r]) for the leaf's rows, so the sum
// reads rows the mask has just written, still in cache, and the result is
// bitwise that of the mask over all of x followed by SumRows.
type leafMask struct {
	dy, y []float32
	alpha float32
}

// apply makes x[lo:hi].
func (m *leafMask) apply(im *impl, x []float32, lo, hi int) {
	if m != nil {
		im.leakyReLUBackward(x[lo:hi], m.dy[lo:hi], m.y[lo:hi], m.alpha)
	}
}

// sumRowsMasked is sumRows, with x made leaf by leaf by m when m is not
// nil.
func sumRowsMasked(im *impl, dst, x []float32, m *leafMask) {
	n := len(dst)
	if n == 0 || len(x) == 0 {
		return
	}
	rows := len(x) / n
	if rows <= sumRowsLeaf {
		m.apply(im, x, 0, len(x))
		im.sumRows(dst, x) // a single leaf: the plain sum
		return
	}
	j := sumRowsJobs.Get()
	j.im, j.x, j.n, j.rows, j.mask = im, x, n, rows, m
	j.leaves = (rows + sumRowsLeaf - 1) / sumRowsLeaf
	j.parts = (j.leaves + sumRowsPartLeaves - 1) / sumRowsPartLeaves
	j.levels = treeLevels(min(j.leaves, sumRowsPartLeaves))
	per := (1 + j.levels) * n
	final := treeLevels(j.parts) * n
	need := j.parts*per + j.parts*n + final
	if cap(j.scratch) < need {
		j.scratch = make([]float32, need)
	}
	j.scratch = j.scratch[:need]
	if j.parts > 1 && (j.parts*per >= splitMin || m != nil && len(x) >= splitMin) {
		parallel.Run(j.parts, j)
	} else {
		for p := 0; p < j.parts; p++ {
			j.Part(p)
		}
	}
	// The parts' results, gathered as rows, reduced by the same tree.
	results := j.scratch[j.parts*per : j.parts*per+j.parts*n]
	for p := 0; p < j.parts; p++ {
		copy(results[p*n:(p+1)*n], j.scratch[p*per:p*per+n])
	}
	total := j.scratch[j.parts*per+j.parts*n:]
	tree(im, total[:n], results, n, 1, 0, j.parts, total[n:], nil)
	im.sumRows(dst, total[:n])
	j.im, j.x, j.mask = nil, nil, nil
	sumRowsJobs.Put(j)
}

// Part reduces part p's leaves into the first row of its scratch.
func (j *sumRowsJob) Part(p int) {
	per := (1 + j.levels) * j.n
	s := j.scratch[p*per : (p+1)*per]
	lo := p * sumRowsPartLeaves
	hi := min(lo+sumRowsPartLeaves, j.leaves)
	tree(j.im, s[:j.n], j.x[:j.rows*j.n], j.n, sumRowsLeaf, lo, hi, s[j.n:], j.mask)
}

// tree stores in out the sum of leaves [lo, hi) of x, leaf i being rows
// [i*leafRows, (i+1)*leafRows) (the last may be short), by a balanced
// binary tree: the left half's sum plus the right half's. stack holds the
// right halves on the way down (one row per level). With m not nil, each
// leaf is made by m just before it is summed.
func tree(im *impl, out, x []float32, n, leafRows, lo, hi int, stack []float32, m *leafMask) {
	if hi-lo == 1 {
		clear(out)
		r0 := lo * leafRows * n
		r1 := min((lo+1)*leafRows*n, len(x))
		m.apply(im, x, r0, r1)
		im.sumRows(out, x[r0:r1])
		return
	}
	mid := lo + (hi-lo+1)/2
	tree(im, out, x, n, leafRows, lo, mid, stack, m)
	right := stack[:n]
	tree(im, right, x, n, leafRows, mid, hi, stack[n:], m)
	im.sumRows(out, right)
}
