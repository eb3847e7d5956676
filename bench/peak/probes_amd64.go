//go:build !purego

package peak

import "github.com/gokern/gokern/internal/paths"

// The amd64 probes, registered for the kernel paths whose instructions
// they issue.
func init() {
	probes.Register(paths.AVX2, &probe{lanes: 8, run: fmaAVX2})
	probes.Register(paths.AVX512, &probe{lanes: 16, run: fmaAVX512})
}
