// Package openblas calls OpenBLAS's cblas_sgemm through cgo so benchmarks
// can put gokern's SGEMM side by side with it. It is built only with the
// openblas build tag (it needs Debian's libopenblas-dev); without the tag
// the package is empty.
package openblas
