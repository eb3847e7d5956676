package gan

import (
	"bufio"
	"image"
	"image/color"
	"image/png"
	"os"

	"github.com/gokern/gokern/internal/atomicfile"
)

// GridImage lays out n NHWC images (values in [-1, 1], ImageSize floats
// each) in a grid cols wide, each pixel drawn as a scale x scale block and a
// one-pixel white gap around every image, as the tutorial's plot does with
// its axes turned off. Pixels map from [-1, 1] to [0, 255] as (x+1)/2*255.
func GridImage(images []float32, n, cols, scale int) *image.RGBA {
	img := NewGrid(n, cols, scale)
	for k := range n {
		DrawCell(img, k, cols, scale, images[k*ImageSize:(k+1)*ImageSize])
	}
	return img
}

// NewGrid returns GridImage's white canvas for n images, for DrawCell to
// fill one image at a time (so that the images need not all be in memory
// at once).
func NewGrid(n, cols, scale int) *image.RGBA {
	cols, scale = max(cols, 1), max(scale, 1)
	rows := (n + cols - 1) / cols
	cell := ImageWidth*scale + 1
	img := image.NewRGBA(image.Rect(0, 0, cols*cell+1, rows*cell+1))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}

// DrawCell draws image src (NHWC, ImageSize floats) into cell k of a grid
// made by NewGrid with the same cols and scale.
func DrawCell(img *image.RGBA, k, cols, scale int, src []float32) {
	cols, scale = max(cols, 1), max(scale, 1)
	cell := ImageWidth*scale + 1
	x0, y0 := 1+(k%cols)*cell, 1+(k/cols)*cell
	for y := range ImageHeight {
		for x := range ImageWidth {
			o := (y*ImageWidth + x) * ImageChannels
			c := color.RGBA{toByte(src[o]), toByte(src[o+1]), toByte(src[o+2]), 255}
			for sy := range scale {
				for sx := range scale {
					img.SetRGBA(x0+x*scale+sx, y0+y*scale+sy, c)
				}
			}
		}
	}
}

// toByte maps [-1, 1] to [0, 255], clamping, rounding to nearest.
func toByte(v float32) uint8 {
	f := (v + 1) * 127.5
	switch {
	case f != f || f <= 0: // NaN too: a diverged generator draws black
		return 0
	case f >= 255:
		return 255
	}
	return uint8(f + 0.5)
}

// WritePNG writes img to path atomically: readers see the old file or the
// new one, never half of one.
func WritePNG(path string, img image.Image) error {
	return writeFileAtomic(path, func(f *os.File) error {
		w := bufio.NewWriter(f)
		if err := png.Encode(w, img); err != nil {
			return err
		}
		return w.Flush()
	})
}

// writeFileAtomic writes a file through fill so that a crash leaves the old
// file or the whole new one (see internal/atomicfile).
func writeFileAtomic(path string, fill func(*os.File) error) error {
	return atomicfile.Write(path, fill)
}
