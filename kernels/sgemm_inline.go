package kernels

import (
	"sync"

	"github.com/gokern/gokern/internal/parallel"
)

// inlineSets are the buffer sets of the calls made inside a parallel
// region (see root). Which set such a call gets depends on the order the
// region's parts come and go, so the sets are kept alike: each is grown,
// when it comes back, to the largest size any set has needed for each
// buffer, and so is every set waiting then. Once every shape of a repeated
// sequence of calls has run, no set grows again, whichever calls it serves.
// There are as many sets as Threads(), the most parts a region runs at
// once, made at the first call, so a later peak of concurrent calls finds
// them ready.
type inlineSets struct {
	mu   sync.Mutex
	idle []*gemmBufSet
	made int
	most bufSizes // the largest capacity any set has had, per buffer
}

// bufSizes are the capacities of a gemmBuffers' slices.
type bufSizes struct{ a, b, tile, bt, scratch, offs, ind int }

func sizesOf(g *gemmBuffers) bufSizes {
	return bufSizes{cap(g.a), cap(g.b), cap(g.tile), cap(g.bt), cap(g.scratch), cap(g.offs), cap(g.ind)}
}

// atLeast returns the larger of s and t, buffer by buffer.
func (s bufSizes) atLeast(t bufSizes) bufSizes {
	return bufSizes{max(s.a, t.a), max(s.b, t.b), max(s.tile, t.tile), max(s.bt, t.bt), max(s.scratch, t.scratch), max(s.offs, t.offs), max(s.ind, t.ind)}
}

// growTo grows g's buffers to at least s.
func (g *gemmBuffers) growTo(s bufSizes) {
	g.a = grow(g.a, s.a)
	g.b = grow(g.b, s.b)
	g.tile = grow(g.tile, s.tile)
	g.bt = grow(g.bt, s.bt)
	g.scratch = grow(g.scratch, s.scratch)
	g.offs = growInts(g.offs, s.offs)
	g.ind = growInts(g.ind, s.ind)
}

// get returns an idle set. There are at least Threads() sets, and one
// more for each caller beyond that.
func (p *inlineSets) get() *gemmBufSet {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Threads() sets from the first call on, not one at each new peak of
	// concurrent calls: on a loaded machine a region's parts may first all
	// run at once many iterations in.
	for p.made < parallel.Threads() || len(p.idle) == 0 {
		set := new(gemmBufSet)
		set.shared.growTo(p.most)
		p.idle = append(p.idle, set)
		p.made++
	}
	n := len(p.idle) - 1
	set := p.idle[n]
	p.idle[n] = nil
	p.idle = p.idle[:n]
	return set
}

// put returns set to the idle sets. If it grew past the others, they all
// grow to match it now; if they grew while it was out, it grows to match.
func (p *inlineSets) put(set *gemmBufSet) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if most := p.most.atLeast(sizesOf(&set.shared)); most != p.most {
		p.most = most
		for _, other := range p.idle {
			other.shared.growTo(most)
		}
	}
	set.shared.growTo(p.most)
	p.idle = append(p.idle, set)
}
