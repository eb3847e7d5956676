//go:build purego || !(amd64 || arm64)

package kernels

// registerArch registers nothing: only the generic path exists in purego
// builds and on architectures without assembly.
func registerArch() {}
