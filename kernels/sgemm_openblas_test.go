//go:build openblas && cgo

package kernels

import "github.com/gokern/gokern/internal/openblas"

func init() {
	gemmPeers = append(gemmPeers, gemmPeer{name: "openblas", setThreads: openblas.SetThreads, sgemm: openblas.Sgemm})
}
