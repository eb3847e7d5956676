//go:build !purego

package kernels

import "github.com/gokern/gokern/internal/paths"

// registerArch registers the NEON backend, whether this CPU can run it or
// not (internal/paths decides that).
func registerArch() {
	neon := genericImpl()
	setupNEON(neon)
	backends.Register(paths.NEON, neon)
}

// setupNEON installs the NEON kernels.
func setupNEON(im *impl) {
	setupSgemmNEON(im)
	setupElementwiseNEON(im)
}
