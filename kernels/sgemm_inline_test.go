package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/gokern/gokern/internal/allocs"
	"github.com/gokern/gokern/internal/parallel"
)

// TestInlineSetsGrowAlike checks that a set coming back larger than the
// others makes every waiting set grow to match, and that a set out while
// that happened matches when it comes back, so that which set a call gets
// never decides whether it allocates.
func TestInlineSetsGrowAlike(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(3)
	var p inlineSets
	a, b, c := p.get(), p.get(), p.get()
	if p.made != 3 {
		t.Fatalf("made %d sets for 3 threads", p.made)
	}
	p.put(a)
	b.shared.a = grow(b.shared.a, 100)
	b.shared.offs = growInts(b.shared.offs, 7)
	p.put(b)
	if sizesOf(&a.shared) != sizesOf(&b.shared) {
		t.Errorf("a waiting set did not grow with the one that came back: %+v, %+v", sizesOf(&a.shared), sizesOf(&b.shared))
	}
	if got := sizesOf(&c.shared); got.a != 0 {
		t.Fatalf("a set that is out grew meanwhile: %+v", got)
	}
	p.put(c)
	if sizesOf(&c.shared) != sizesOf(&b.shared) {
		t.Errorf("a set out during the growth did not match when it came back: %+v, want %+v", sizesOf(&c.shared), sizesOf(&b.shared))
	}
	for range 4 { // a fourth caller at once still gets a set
		defer p.put(p.get())
	}
	if p.made != 4 {
		t.Errorf("made %d sets for 4 callers", p.made)
	}
}

// nestedGemms is a region whose parts each run a GEMM of their own shape,
// as the chunked weight gradients do.
type nestedGemms struct {
	shapes [][3]int
	a, b   []float32
	c      [][]float32
}

func (j *nestedGemms) Part(i int) {
	s := j.shapes[i]
	m, n, k := s[0], s[1], s[2]
	Sgemm(false, false, m, n, k, 1, j.a, k, j.b, n, 0, j.c[i], n)
}

// TestNestedGemmsAllocateNothing runs GEMMs of different shapes inside a
// parallel region, each claimed by whichever goroutine comes first, and
// checks that once every shape has run the repeated region allocates
// nothing, at every thread count. With a free list of buffer sets handed
// out in whatever order they came back, a set met a shape larger than it
// had served now and then, many runs in.
func TestNestedGemmsAllocateNothing(t *testing.T) {
	defer SetThreads(Threads())
	rng := rand.New(rand.NewPCG(5, 6))
	j := &nestedGemms{}
	for i := range 12 {
		j.shapes = append(j.shapes, [3]int{30 + 17*i, 40 + 9*(i%5), 50 + 31*(i%7)})
	}
	j.a = operand(rng, 250, 250, 250, 0)
	j.b = operand(rng, 250, 100, 100, 0)
	for _, s := range j.shapes {
		j.c = append(j.c, make([]float32, s[0]*s[1]))
	}
	for _, th := range []int{2, 3, 7} {
		SetThreads(th)
		region := func() { parallel.Run(len(j.shapes), j) }
		if r := allocs.Count(50, region); r.Ours() != 0 {
			t.Errorf("threads=%d: %v", th, r)
		}
	}
}
