package kernels

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/gokern/gokern/internal/paths"
)

func TestAvailableStartsWithGeneric(t *testing.T) {
	av := Available()
	if len(av) == 0 || av[0] != "generic" {
		t.Fatalf("Available() = %v, want generic first", av)
	}
	if !slices.Contains(av, Active()) {
		t.Fatalf("Active() = %q is not among Available() = %v", Active(), av)
	}
}

func TestDefaultIsBestAvailable(t *testing.T) {
	if os.Getenv(EnvVar) != "" {
		t.Skipf("%s is set", EnvVar)
	}
	want := Best()
	if got := Active(); got != want {
		t.Fatalf("Active() = %q, want the highest-priority available path %q", got, want)
	}
	if runtime.GOARCH == "amd64" && len(Available()) == 1 && !isPurego() {
		t.Logf("only the generic path is available on this amd64 CPU")
	}
}

func TestUseSwitchesAndRejects(t *testing.T) {
	prev := Active()
	defer func() {
		if err := Use(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatalf("Use(%q): %v", name, err)
		}
		if Active() != name {
			t.Fatalf("after Use(%q), Active() = %q", name, Active())
		}
	}
	if err := Use("sse9"); err == nil || !strings.Contains(err.Error(), "unknown kernel path") {
		t.Fatalf("Use(sse9) error = %v, want unknown kernel path", err)
	}
	last := Available()[len(Available())-1]
	if Active() != last {
		t.Fatalf("a failed Use changed the active path from %q to %q", last, Active())
	}
	for _, name := range Known() {
		if slices.Contains(Available(), name) {
			continue
		}
		if err := Use(name); err == nil {
			t.Fatalf("Use(%q) succeeded on a CPU/build that cannot run it", name)
		}
	}
}

// TestEveryAvailablePathHasABackend checks that the registry's paths and
// this package's backends agree: every path the CPU and build can run has
// the complete kernel set, and Use reaches it.
func TestEveryAvailablePathHasABackend(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		im := backends.Of(paths.Active())
		if im == nil {
			t.Fatalf("no backend registered for available path %s", paths.Active())
		}
		if cur() != im {
			t.Fatal("cur() is not the active path's backend")
		}
		if im.gemm.kernel == nil || im.axpy == nil || im.adam == nil || im.sigmoidBackward == nil {
			t.Fatalf("backend for %s is incomplete", paths.Active())
		}
	})
}

// TestEnvVar runs this test binary again with GOKERN_KERNELS set, because the
// variable is read once at start-up.
func TestEnvVar(t *testing.T) {
	if name := os.Getenv("GOKERN_TEST_CHILD"); name != "" {
		want := os.Getenv("GOKERN_TEST_WANT")
		if Active() != want {
			t.Fatalf("child: Active() = %q, want %q", Active(), want)
		}
		if (EnvError() != nil) != (os.Getenv("GOKERN_TEST_WANTERR") == "1") {
			t.Fatalf("child: EnvError() = %v", EnvError())
		}
		return
	}
	cases := []struct{ value, want, wantErr string }{
		{"generic", "generic", "0"},
		{" GENERIC ", "generic", "0"},
		{"bogus", Best(), "1"},
	}
	for _, name := range Known() {
		if !slices.Contains(Available(), name) {
			cases = append(cases, struct{ value, want, wantErr string }{name, Best(), "1"})
		} else {
			cases = append(cases, struct{ value, want, wantErr string }{name, name, "0"})
		}
	}
	for _, c := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvVar$")
		cmd.Env = append(os.Environ(), EnvVar+"="+c.value, "GOKERN_TEST_CHILD=1",
			"GOKERN_TEST_WANT="+c.want, "GOKERN_TEST_WANTERR="+c.wantErr)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s=%q: %v\n%s", EnvVar, c.value, err, out)
		}
	}
}
