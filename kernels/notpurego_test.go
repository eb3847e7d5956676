//go:build !purego

package kernels

func isPurego() bool { return false }
