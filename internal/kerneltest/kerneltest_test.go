package kerneltest

import (
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/paths"
)

// TestRunVisitsEveryPathAndRestores checks that Run gives every available
// path a subtest with that path active, skips every other known path, and
// leaves the previous path active.
func TestRunVisitsEveryPathAndRestores(t *testing.T) {
	t.Setenv(SkipPathsEnv, "")
	prev := paths.Active()
	var ran []string
	Run(t, func(t *testing.T) {
		p := paths.Active()
		if !strings.HasSuffix(t.Name(), "/"+p.Name) {
			t.Errorf("subtest %s runs with path %s active", t.Name(), p.Name)
		}
		ran = append(ran, p.Name)
	})
	if want := paths.Names(true); !slices.Equal(ran, want) {
		t.Errorf("Run ran %v, want the available paths %v", ran, want)
	}
	if got := paths.Active(); got != prev {
		t.Errorf("Run left %s active, want %s", got, prev)
	}
}

// TestSkipPathsEnv checks that the paths named in SkipPathsEnv are
// skipped and every other available path still runs.
func TestSkipPathsEnv(t *testing.T) {
	t.Setenv(SkipPathsEnv, "generic,nosuchpath")
	var ran []string
	Run(t, func(t *testing.T) { ran = append(ran, paths.Active().Name) })
	want := slices.DeleteFunc(paths.Names(true), func(n string) bool { return n == "generic" })
	if !slices.Equal(ran, want) {
		t.Errorf("with %s=generic Run ran %v, want %v", SkipPathsEnv, ran, want)
	}
}

// TestSkipReasons checks that every path that cannot run here has a reason
// that names a CPU feature or the build, for Run's skip message.
func TestSkipReasons(t *testing.T) {
	for _, p := range paths.All() {
		if p.Available() {
			continue
		}
		if !strings.HasPrefix(p.Missing(), "CPU lacks ") && !strings.HasPrefix(p.Missing(), "not built for ") {
			t.Errorf("%s: reason %q names neither a CPU feature nor the build", p.Name, p.Missing())
		}
	}
}

// BenchmarkBench checks Bench's twin behaviour: the active path matches
// the sub-benchmark's name.
func BenchmarkBench(b *testing.B) {
	Bench(b, func(b *testing.B) {
		if !strings.HasSuffix(b.Name(), "/"+paths.Active().Name) {
			b.Fatalf("%s runs with path %s active", b.Name(), paths.Active().Name)
		}
		for b.Loop() {
		}
	})
}
