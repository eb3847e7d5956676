package kernels

import (
	"fmt"
	"os"
	"strings"

	"github.com/gokern/gokern/internal/paths"
)

// EnvVar is the environment variable that forces a kernel path.
const EnvVar = "GOKERN_KERNELS"

// impl is one path's complete implementation of the kernel set. Every
// backend fills every field; the generic backend's functions are the
// references. Which path an impl belongs to, and whether the CPU can run it,
// is internal/paths' business.
type impl struct {
	gemm gemmConfig

	axpy              func(alpha float32, x, y []float32)
	scale             func(alpha float32, x []float32)
	dot               func(x, y []float32) float32
	sum               func(x []float32) float32
	mul               func(dst, x, y []float32)
	addBias           func(x, bias []float32)
	sumRows           func(dst, x []float32)
	leakyReLU         func(dst, x []float32, alpha float32)
	leakyReLUBackward func(dx, dy, y []float32, alpha float32)
	biasLeakyReLU     func(x, bias []float32, alpha float32)
	tanh              func(dst, x []float32)
	tanhBackward      func(dx, dy, y []float32)
	sigmoid           func(dst, x []float32)
	sigmoidBackward   func(dx, dy, y []float32)
	adam              func(p, g, m, v []float32, lrT, beta1, beta2, eps float32)
}

// backends holds the implementation of every path this build has, in
// internal/paths' one registry: selecting a path there (Use) selects these
// kernels together with every other family's, such as package conv's.
// Backends register from init functions in their own files.
var backends paths.Family[impl]

// envErr records a GOKERN_KERNELS value that could not be honoured.
var envErr error

func init() {
	backends.Register(paths.Generic, genericImpl())
	registerArch()
	if name := os.Getenv(EnvVar); name != "" {
		if err := Use(name); err != nil {
			envErr = fmt.Errorf("%s=%s: %w; using %s", EnvVar, name, err, Active())
		}
	}
}

// Active returns the name of the kernel path in use: "avx512", "avx2",
// "neon" or "generic".
func Active() string { return paths.Active().Name }

// Best returns the name of the path used by default: the best this CPU and
// build can run.
func Best() string { return paths.Best().Name }

// Available lists the kernel paths this CPU and build can run, generic first.
func Available() []string { return paths.Names(true) }

// Known lists every kernel path name gokern has, available here or not,
// generic first.
func Known() []string { return paths.Names(false) }

// Use switches every kernel, in this package and in those built on it, to
// the named path. It returns an error, and changes nothing, when the name is
// unknown or the CPU cannot run it. Use is meant for start-up, tests and
// benchmarks: calls already running finish on the path they started with.
func Use(name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	p := paths.Lookup(name)
	if p == nil {
		return fmt.Errorf("gokern: unknown kernel path %q (want one of %s)", name, strings.Join(Known(), ", "))
	}
	return paths.Select(p)
}

// EnvError reports why the GOKERN_KERNELS setting could not be honoured, or
// nil when it was honoured or unset. Programs that take the variable from
// their users should check it at start-up and stop on error.
func EnvError() error { return envErr }

// cur returns the active path's kernels.
func cur() *impl { return backends.Active() }
