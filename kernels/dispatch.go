package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// EnvVar is the environment variable that forces a kernel path.
const EnvVar = "GOKERN_KERNELS"

// impl is one complete implementation of the kernel set. Every backend fills
// every field; the generic backend's functions are the references.
type impl struct {
	name      string
	available bool // whether this CPU (and build) can run it
	priority  int  // higher wins when choosing the default

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

// registry holds every implementation compiled into this binary, available
// or not, in registration order. Backends register from init functions in
// their own files.
var registry []*impl

// active is the implementation in use.
var active atomic.Pointer[impl]

// envErr records a GOKERN_KERNELS value that could not be honoured.
var envErr error

func register(im *impl) { registry = append(registry, im) }

func init() {
	register(genericImpl())
	registerArch()
	active.Store(best())
	if name := os.Getenv(EnvVar); name != "" {
		if err := Use(name); err != nil {
			envErr = fmt.Errorf("%s=%s: %w; using %s", EnvVar, name, err, Active())
		}
	}
}

func best() *impl {
	var b *impl
	for _, im := range registry {
		if im.available && (b == nil || im.priority > b.priority) {
			b = im
		}
	}
	return b
}

func lookup(name string) *impl {
	for _, im := range registry {
		if im.name == name {
			return im
		}
	}
	return nil
}

// Active returns the name of the kernel path in use: "avx512", "avx2",
// "neon" or "generic".
func Active() string { return active.Load().name }

// Available lists the kernel paths this CPU and build can run, generic first.
func Available() []string {
	var names []string
	for _, im := range registry {
		if im.available {
			names = append(names, im.name)
		}
	}
	return names
}

// Known lists every kernel path name gokern has, available here or not.
func Known() []string {
	return []string{"generic", "avx2", "avx512", "neon"}
}

// Use switches every kernel to the named path. It returns an error, and
// changes nothing, when the name is unknown or the CPU cannot run it. Use is
// meant for start-up, tests and benchmarks: calls already running finish on
// the path they started with.
func Use(name string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	im := lookup(name)
	if im == nil {
		known := false
		for _, k := range Known() {
			known = known || k == name
		}
		if !known {
			return fmt.Errorf("gokern: unknown kernel path %q (want one of %s)", name, strings.Join(Known(), ", "))
		}
		return fmt.Errorf("gokern: kernel path %q is not built for this architecture (available: %s)", name, strings.Join(Available(), ", "))
	}
	if !im.available {
		return fmt.Errorf("gokern: this CPU cannot run kernel path %q (available: %s)", name, strings.Join(Available(), ", "))
	}
	active.Store(im)
	return nil
}

// EnvError reports why the GOKERN_KERNELS setting could not be honoured, or
// nil when it was honoured or unset. Programs that take the variable from
// their users should check it at start-up and stop on error.
func EnvError() error { return envErr }

// ForEach runs f once with each available kernel path active, restoring the
// previous path afterwards. Tests and benchmarks use it to cover every path.
func ForEach(f func(name string)) {
	prev := active.Load()
	defer active.Store(prev)
	for _, im := range registry {
		if im.available {
			active.Store(im)
			f(im.name)
		}
	}
}

func cur() *impl { return active.Load() }
