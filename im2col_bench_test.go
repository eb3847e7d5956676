package gokern_test

import (
	"fmt"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/kernels"
)

// BenchmarkIm2col reports the bandwidth of Im2col and Col2im on each DCGAN
// convolution's geometry at batch 64, counting the bytes of the cols
// matrix, next to a plain copy of a buffer that size: the memory-speed
// bound. A transposed convolution scatters onto its output, so its
// geometry is the output's.
func BenchmarkIm2col(b *testing.B) {
	const n = 64
	for _, l := range convLayers(b) {
		s := l.Spec
		h, w, c := s.H, s.W, s.C
		if l.Type == "Conv2DTranspose" {
			h, w, c = l.OutH, l.OutW, s.Filters
		}
		g, err := im2col.NewGeometry(n, h, w, c, s.KH, s.KW, s.StrideH, s.StrideW, s.Padding)
		if err != nil {
			b.Fatal(err)
		}
		src := make([]float32, g.InputLen())
		cols := make([]float32, g.Rows()*g.Cols())
		other := make([]float32, len(cols))
		// Touch every page first: a fresh page's first write costs far
		// more than the copy itself.
		im2col.Im2col(cols, src, g)
		copy(other, cols)
		bytes := int64(4 * len(cols))
		for _, path := range kernels.Known() {
			b.Run(fmt.Sprintf("%s/im2col/%s", l, path), func(b *testing.B) {
				defer use(b, path)()
				b.SetBytes(bytes)
				for range b.N {
					im2col.Im2col(cols, src, g)
				}
			})
			b.Run(fmt.Sprintf("%s/col2im/%s", l, path), func(b *testing.B) {
				defer use(b, path)()
				b.SetBytes(bytes)
				for range b.N {
					im2col.Col2im(src, cols, g)
				}
			})
		}
		b.Run(fmt.Sprintf("%s/copy", l), func(b *testing.B) {
			b.SetBytes(bytes)
			for range b.N {
				copy(other, cols)
			}
		})
	}
}
