package conv

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// TestPixelRunsAhead checks pixelRuns' ahead calls against the windows'
// rows: at the start of each output row but a sample's last, before that
// row's first fn call, the input rows that the next output row reads and
// this one does not, in order, each whole, for strides 1 to 3, both
// paddings, kernels taller and shorter than the stride, batches of 1 and
// 3.
func TestPixelRunsAhead(t *testing.T) {
	for _, c := range []struct {
		batch, h, w, ch, k, stride int
		pad                        im2col.Padding
	}{
		{1, 8, 5, 3, 3, 1, im2col.Same},
		{3, 9, 4, 2, 3, 2, im2col.Same},
		{2, 7, 7, 1, 5, 1, im2col.Valid},
		{1, 11, 6, 4, 4, 2, im2col.Valid},
		{3, 10, 3, 2, 2, 3, im2col.Same},
		{1, 6, 6, 5, 1, 2, im2col.Valid},
	} {
		g, err := im2col.NewGeometry(c.batch, c.h, c.w, c.ch, c.k, c.k, c.stride, c.stride, c.pad)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%+v", c)
		// rows returns the input rows output row oh reads, clipped to the input.
		rows := func(oh int) []int {
			var r []int
			for ih := oh*g.StrideH - g.PadTop; ih < oh*g.StrideH-g.PadTop+g.KH; ih++ {
				if ih >= 0 && ih < g.H {
					r = append(r, ih)
				}
			}
			return r
		}
		var want []string
		for n := range g.Batch {
			for oh := 0; oh+1 < g.OutH; oh++ {
				for _, ih := range rows(oh + 1) {
					if !slices.Contains(rows(oh), ih) {
						want = append(want, fmt.Sprintf("pix %d: off %d n %d", (n*g.OutH+oh)*g.OutW, (n*g.H+ih)*g.W*g.C, g.W*g.C))
					}
				}
			}
		}
		var got []string
		nextPix := 0 // the pixel the next fn call starts at
		pixelRuns(g, g.OutW, func(pix, _, _, _, _, np int) { nextPix = max(nextPix, pix+np) },
			func(off, n int) { got = append(got, fmt.Sprintf("pix %d: off %d n %d", nextPix, off, n)) })
		if !slices.Equal(got, want) {
			t.Errorf("%s: ahead calls\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestPrefetchRuns checks the prefetch wrapper on every path: runs of
// every length from empty to the whole slice at aligned and unaligned
// starts change nothing, and runs outside the slice panic before any
// assembly runs.
func TestPrefetchRuns(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		ks := activeRunKernels()
		x := make([]float32, 300)
		for i := range x {
			x[i] = float32(i)
		}
		for off := range 20 {
			for n := 0; off+n <= len(x); n += 1 + n/8 {
				ks.prefetchRuns(x, off, n)
			}
		}
		for i, v := range x {
			if v != float32(i) {
				t.Fatalf("x[%d] = %g after prefetching, want %d", i, v, i)
			}
		}
		for _, c := range []struct{ off, n int }{{-1, 2}, {0, len(x) + 1}, {len(x), 1}, {5, -1}, {len(x) + 1, 0}} {
			checkPrefetchRejects(t, ks, x, c.off, c.n)
		}
	})
}

// checkPrefetchRejects checks that prefetchRuns panics, with its own
// message, on a run of x that it must refuse.
func checkPrefetchRejects(t *testing.T, ks *runKernels, x []float32, off, n int) {
	t.Helper()
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "prefetchRuns") {
			t.Errorf("prefetchRuns(%d, %d): recovered %q, want the wrapper's panic", off, n, r)
		}
	}()
	ks.prefetchRuns(x, off, n)
}

// FuzzPrefetchRuns: on every path, a run inside the slice (any start, any
// length) leaves it as it was; one outside is refused.
func FuzzPrefetchRuns(f *testing.F) {
	f.Add(uint16(0), uint16(0), int16(0))
	f.Add(uint16(3), uint16(17), int16(0))
	f.Add(uint16(1), uint16(200), int16(5))
	f.Fuzz(func(t *testing.T, size, off uint16, n int16) {
		x := make([]float32, int(size%2048))
		for i := range x {
			x[i] = float32(i)
		}
		o := int(off) % (len(x) + 2)
		kerneltest.Run(t, func(t *testing.T) {
			ks := activeRunKernels()
			if o+int(n) > len(x) || n < 0 {
				checkPrefetchRejects(t, ks, x, o, int(n))
				return
			}
			ks.prefetchRuns(x, o, int(n))
			for i, v := range x {
				if v != float32(i) {
					t.Fatalf("x[%d] = %g after prefetching [%d, %d), want %d", i, v, o, o+int(n), i)
				}
			}
		})
	})
}
