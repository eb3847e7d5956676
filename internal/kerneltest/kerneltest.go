// Package kerneltest runs a test or benchmark once per kernel path, in the
// spirit of crypto/internal/cryptotest.TestAllImplementations: one subtest
// named for each known path, the generic one always, and a visible skip
// naming what is missing for every path this CPU or build cannot run, so a
// machine without AVX-512 reports "avx512: CPU lacks AVX512F" instead of
// passing silently. A failure names its path, and one path's t.Fatal does not
// stop the others.
//
// It depends on internal/paths only, not on package kernels, so package
// kernels' own tests can use it too.
package kerneltest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/internal/paths"
)

// SkipPathsEnv names paths (comma-separated) whose subtests Run and Bench
// skip, visibly. The arm64 run under emulation (.ci/test-arm64.sh) sets it
// to "generic" for the packages above kernels, which test the same Go code
// on that path natively.
const SkipPathsEnv = "GOKERN_TEST_SKIP_PATHS"

// Run runs f as the subtest t.Run(path, f) for every known path, with that
// path active (for every family of kernels), and restores the previous path
// afterwards. f must not call t.Parallel: the active path is global.
func Run(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := paths.Active()
	defer restore(t, prev)
	for _, p := range paths.All() {
		t.Run(p.Name, func(t *testing.T) {
			t.Helper()
			use(t, p)
			f(t)
		})
	}
}

// Bench is Run for benchmarks: b.Run(path, f) for every known path.
func Bench(b *testing.B, f func(b *testing.B)) {
	b.Helper()
	prev := paths.Active()
	defer restore(b, prev)
	for _, p := range paths.All() {
		b.Run(p.Name, func(b *testing.B) {
			b.Helper()
			use(b, p)
			f(b)
		})
	}
}

// use makes p active, or skips the test naming why it cannot run here.
func use(tb testing.TB, p *paths.Path) {
	tb.Helper()
	if !p.Available() {
		tb.Skipf("%s: %s", p.Name, p.Missing())
	}
	if slices.Contains(strings.Split(os.Getenv(SkipPathsEnv), ","), p.Name) {
		tb.Skipf("%s: skipped by %s=%s", p.Name, SkipPathsEnv, os.Getenv(SkipPathsEnv))
	}
	if err := paths.Select(p); err != nil {
		tb.Fatal(err)
	}
}

func restore(tb testing.TB, p *paths.Path) {
	tb.Helper()
	if err := paths.Select(p); err != nil {
		tb.Fatal(err)
	}
}
