//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// registerArch registers the NEON backend.
func registerArch() {
	neon := genericImpl()
	neon.name = "neon"
	neon.priority = 10
	neon.available = cpu.ARM64.HasASIMD
	setupNEON(neon)
	register(neon)
}

// setupNEON installs the NEON kernels.
func setupNEON(im *impl) {
	setupSgemmNEON(im)
	setupElementwiseNEON(im)
}
