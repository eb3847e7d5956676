package kernels

import "fmt"

// sameLen panics unless every slice has length n. The kernels' wrappers call
// it before any assembly runs.
func sameLen(op string, n int, names string, slices ...[]float32) {
	for _, s := range slices {
		if len(s) != n {
			panic(fmt.Sprintf("gokern: %s: length mismatch among %s: want %d, got %d", op, names, n, len(s)))
		}
	}
}

// rowsOf panics unless len(x) is a whole number of rows of width n > 0.
func rowsOf(op string, x []float32, n int) {
	if n == 0 {
		if len(x) != 0 {
			panic(fmt.Sprintf("gokern: %s: zero-width rows but len(x) = %d", op, len(x)))
		}
		return
	}
	if len(x)%n != 0 {
		panic(fmt.Sprintf("gokern: %s: len(x) = %d is not a multiple of the row width %d", op, len(x), n))
	}
}
