package paths

import (
	"runtime"
	"testing"
)

func TestGenericIsAlwaysAvailableAndFirst(t *testing.T) {
	if All()[0] != Generic || !Generic.Available() {
		t.Fatalf("All()[0] = %v (available %v), want generic, available", All()[0], All()[0].Available())
	}
}

func TestBestIsTheHighestPriorityAvailable(t *testing.T) {
	b := Best()
	if !b.Available() {
		t.Fatalf("Best() = %s, which cannot run here: %s", b, b.Missing())
	}
	for _, p := range All() {
		if p.Available() && p.priority > b.priority {
			t.Errorf("%s (priority %d) is available and beats Best() = %s (%d)", p, p.priority, b, b.priority)
		}
	}
}

func TestSelectRefusesWhatCannotRun(t *testing.T) {
	prev := Active()
	defer func() { active.Store(prev) }()
	for _, p := range All() {
		err := Select(p)
		if (err == nil) != p.Available() {
			t.Errorf("Select(%s) = %v, available = %v", p, err, p.Available())
		}
		if err == nil && Active() != p {
			t.Errorf("after Select(%s), Active() = %s", p, Active())
		}
		if err != nil && Active() == p {
			t.Errorf("a failed Select(%s) made it active", p)
		}
	}
}

// TestArchPathsAreNotBuiltElsewhere checks that a path for another
// architecture says so, so that test skips name the build, not the CPU.
func TestArchPathsAreNotBuiltElsewhere(t *testing.T) {
	arch := map[*Path]string{AVX2: "amd64", AVX512: "amd64", NEON: "arm64"}
	for p, a := range arch {
		if a != runtime.GOARCH && p.Missing() != notBuilt {
			t.Errorf("%s on %s: Missing() = %q, want %q", p, runtime.GOARCH, p.Missing(), notBuilt)
		}
	}
}

func TestFamilyFollowsTheActivePath(t *testing.T) {
	prev := Active()
	defer func() { active.Store(prev) }()
	var f Family[string]
	names := map[*Path]*string{}
	for _, p := range All() {
		n := p.Name
		names[p] = &n
		f.Register(p, &n)
	}
	for _, p := range All() {
		if f.Of(p) != names[p] {
			t.Errorf("Of(%s) = %v", p, f.Of(p))
		}
		if Select(p) == nil && f.Active() != names[p] {
			t.Errorf("with %s active, Active() = %q", p, *f.Active())
		}
	}
	var empty Family[int]
	if empty.Active() != nil {
		t.Errorf("an empty family's Active() = %v, want nil", empty.Active())
	}
}

func TestLookup(t *testing.T) {
	for _, p := range All() {
		if Lookup(p.Name) != p {
			t.Errorf("Lookup(%q) = %v", p.Name, Lookup(p.Name))
		}
	}
	if Lookup("sse9") != nil {
		t.Errorf("Lookup(sse9) = %v, want nil", Lookup("sse9"))
	}
}
