//go:build !purego

package kernels

// The narrow-bias handling of the amd64 bias kernels, which the generated
// wrappers in elementwise_amd64.go call.

// wideBias is the row width below which the bias kernels work on a
// replicated bias. A row narrower than a vector would otherwise cost a
// masked store per row, and the next row's load from the same vector
// cannot be forwarded from a masked store: AddBias on 3 channels ran 4x
// slower than the generic loop.
const wideBias = 64

// wideBiasMax bounds the replicated width.
const wideBiasMax = 256

// replicateBias splits x for a bias of width n < wideBias: head is the
// longest prefix of x made of whole rows of width w, wide is the bias
// repeated to width w (in buf), and tail is the rest of x, whole rows of
// width n. w is a multiple of n and, where that fits in buf, of 16 lanes,
// so the kernels need no masked tail at all; w >= wideBias. For wider
// biases head is x, wide is bias and tail is empty.
func replicateBias(x, bias []float32, buf *[wideBiasMax]float32) (head, tail, wide []float32) {
	n := len(bias)
	if n == 0 || n >= wideBias {
		return x, nil, bias
	}
	w := n
	for w%16 != 0 && w*2 <= wideBiasMax {
		w *= 2 // n*2^k is a multiple of 16 once 2^k supplies the factors of 2 n lacks
	}
	if w%16 != 0 {
		w = n
	}
	w = (wideBias + w - 1) / w * w
	wide = buf[:w]
	for i := 0; i < w; i += n {
		copy(wide[i:], bias)
	}
	h := len(x) / w * w
	return x[:h], x[h:], wide
}
