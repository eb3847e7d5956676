package kernels

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
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
	want := best().name
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
	if Active() != Available()[len(Available())-1] {
		t.Fatalf("a failed Use changed the active path to %q", Active())
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

func TestForEachVisitsEveryPathAndRestores(t *testing.T) {
	prev := Active()
	var seen []string
	ForEach(func(name string) {
		if Active() != name {
			t.Errorf("inside ForEach(%q), Active() = %q", name, Active())
		}
		seen = append(seen, name)
	})
	if !slices.Equal(seen, Available()) {
		t.Fatalf("ForEach visited %v, want %v", seen, Available())
	}
	if Active() != prev {
		t.Fatalf("ForEach left %q active, want %q", Active(), prev)
	}
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
		{"bogus", best().name, "1"},
	}
	for _, name := range Known() {
		if !slices.Contains(Available(), name) {
			cases = append(cases, struct{ value, want, wantErr string }{name, best().name, "1"})
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
