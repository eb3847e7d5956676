package nn

import (
	"fmt"
	"strings"
	"time"

	"github.com/gokern/gokern/internal/parallel"
)

// Profiler accumulates the time each layer spends in Forward and Backward.
// Attach one with Sequential.SetProfiler; it costs two time.Now calls per
// layer call and allocates nothing while recording. Layers are keyed by
// their model-qualified name ("discriminator/conv2d_1"), so a model used
// both alone and inside another accumulates into the same rows.
type Profiler struct {
	Layers []LayerTime
	index  map[string]int
}

// LayerTime is one layer's accumulated time.
type LayerTime struct {
	Name, Type        string
	Forward, Backward time.Duration
	ForwardCalls      int
	BackwardCalls     int
	// Parallel is the part of Forward+Backward spent in parallel regions,
	// counted only while internal/parallel's probe is on (the harness's
	// serial-fraction table); the rest ran on one thread.
	Parallel time.Duration
	// FrozenBackward is the part of Backward spent in calls made while the
	// layer was frozen, and FrozenCalls their count (included in
	// BackwardCalls): a frozen layer computes only the input gradient, so
	// this separates backward-data from the calls that also (or only)
	// compute weight gradients, which one op call shares.
	FrozenBackward time.Duration
	FrozenCalls    int

	layer Layer // to tell frozen calls apart
}

// NewProfiler returns an empty profiler.
func NewProfiler() *Profiler { return &Profiler{index: map[string]int{}} }

// Reset zeroes every accumulated time, keeping the rows.
func (p *Profiler) Reset() {
	for i := range p.Layers {
		l := &p.Layers[i]
		l.Forward, l.Backward, l.ForwardCalls, l.BackwardCalls, l.Parallel = 0, 0, 0, 0, 0
		l.FrozenBackward, l.FrozenCalls = 0, 0
	}
}

// Total returns the sum of all forward and backward times.
func (p *Profiler) Total() time.Duration {
	var t time.Duration
	for _, l := range p.Layers {
		t += l.Forward + l.Backward
	}
	return t
}

// String formats the rows as a table with each layer's share of the total.
func (p *Profiler) String() string {
	var b strings.Builder
	total := p.Total()
	fmt.Fprintf(&b, "%-36s %-16s %12s %12s %7s\n", "layer", "type", "forward", "backward", "share")
	for _, l := range p.Layers {
		share := 0.0
		if total > 0 {
			share = 100 * float64(l.Forward+l.Backward) / float64(total)
		}
		fmt.Fprintf(&b, "%-36s %-16s %12v %12v %6.1f%%\n", l.Name, l.Type, l.Forward, l.Backward, share)
	}
	fmt.Fprintf(&b, "%-36s %-16s %25v\n", "total", "", total)
	return b.String()
}

func (p *Profiler) slot(name string, l Layer) int {
	if i, ok := p.index[name]; ok {
		p.Layers[i].layer = l
		return i
	}
	p.index[name] = len(p.Layers)
	p.Layers = append(p.Layers, LayerTime{Name: name, Type: l.Type(), layer: l})
	return len(p.Layers) - 1
}

// addForward records a Forward call that started at t0 with the probe's
// region time at r0.
func (p *Profiler) addForward(i int, t0 time.Time, r0 time.Duration) {
	p.Layers[i].Forward += time.Since(t0)
	p.Layers[i].Parallel += parallel.ProbeTime() - r0
	p.Layers[i].ForwardCalls++
}

func (p *Profiler) addBackward(i int, t0 time.Time, r0 time.Duration) {
	l := &p.Layers[i]
	d := time.Since(t0)
	l.Backward += d
	l.Parallel += parallel.ProbeTime() - r0
	l.BackwardCalls++
	if t, ok := l.layer.(trainable); ok && !t.Trainable() {
		l.FrozenBackward += d
		l.FrozenCalls++
	}
}

// SetProfiler makes the model, and the models nested in it, record their
// layers' times in p; nil turns profiling off. Nested models record their
// own layers, so their time is not counted twice.
func (m *Sequential) SetProfiler(p *Profiler) {
	m.prof = p
	m.slots = m.slots[:0]
	for _, l := range m.layers {
		if s, ok := l.(interface{ SetProfiler(*Profiler) }); ok {
			s.SetProfiler(p)
			m.slots = append(m.slots, -1)
			continue
		}
		if p == nil {
			continue
		}
		name := l.Name()
		if m.name != "" {
			name = m.name + "/" + name
		}
		m.slots = append(m.slots, p.slot(name, l))
	}
}
