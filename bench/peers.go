package bench

import (
	"github.com/gokern/gokern/internal/openblas"
	"github.com/gokern/gokern/internal/sgemmhook"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// GonumSgemm is gonum's pure-Go Sgemm (gonum.org/v1/gonum/blas/gonum) with
// kernels.Sgemm's signature. Gonum's BLAS is row-major like gokern's, so the
// arguments pass straight through; it parallelises over GOMAXPROCS.
func GonumSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// OpenBLASAvailable reports whether this binary was built with the openblas
// tag and links OpenBLAS.
const OpenBLASAvailable = openblas.Available

// OpenBLASSgemm is OpenBLAS's cblas_sgemm with kernels.Sgemm's signature;
// it panics unless OpenBLASAvailable.
func OpenBLASSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	openblas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmPeers lists the other SGEMMs this build can compare against, by name:
// "gonum" always, "openblas" with the openblas build tag.
func GemmPeers() map[string]sgemmhook.Func {
	m := map[string]sgemmhook.Func{"gonum": GonumSgemm}
	if openblas.Available {
		m["openblas"] = OpenBLASSgemm
	}
	return m
}

// SetPeerThreads sets the thread count of the peers that have their own
// (OpenBLAS); gonum follows GOMAXPROCS.
func SetPeerThreads(n int) {
	if openblas.Available {
		openblas.SetThreads(n)
	}
}
