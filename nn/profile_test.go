package nn

import (
	"strings"
	"testing"
)

// TestProfilerFrozenBackward checks that the profiler tells the frozen
// discriminator's backward calls (input gradient only, in the GAN step)
// from the trainable ones: one of its three backward calls per step.
func TestProfilerFrozenBackward(t *testing.T) {
	g, d := newMiniGAN(t)
	tr, err := newGANTrainer(g, d, 2)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProfiler()
	tr.gan.SetProfiler(p)
	tr.step()
	tr.step()
	for _, l := range p.Layers {
		wantFrozen := 0
		if strings.HasPrefix(l.Name, "discriminator/") {
			wantFrozen = 2
		}
		if l.FrozenCalls != wantFrozen || (wantFrozen > 0) != (l.FrozenBackward > 0) || l.FrozenBackward > l.Backward {
			t.Errorf("%s: %d frozen backward calls taking %v of %v, want %d", l.Name, l.FrozenCalls, l.FrozenBackward, l.Backward, wantFrozen)
		}
	}
	p.Reset()
	for _, l := range p.Layers {
		if l.FrozenCalls != 0 || l.FrozenBackward != 0 {
			t.Errorf("%s: Reset left %d frozen calls, %v", l.Name, l.FrozenCalls, l.FrozenBackward)
		}
	}
}
