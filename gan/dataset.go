package gan

// Image geometry shared by every data set: the seeds' 32x32 RGB images.
const (
	ImageHeight   = 32
	ImageWidth    = 32
	ImageChannels = 3
	// ImageSize is the number of float32 values in one NHWC image.
	ImageSize = ImageHeight * ImageWidth * ImageChannels
)

// Dataset is a set of 32x32 RGB images the trainer draws real samples from.
type Dataset interface {
	// Len is the number of images.
	Len() int
	// Image writes image i into dst (len ImageSize), height-width-channel
	// order, pixel values scaled to [-1, 1] as the tutorial does.
	Image(i int, dst []float32)
}

// pixelScale maps a byte to (x-127.5)/127.5, the tutorial's scaling, by
// table so that conversion costs one load per value.
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = (float32(i) - 127.5) / 127.5
	}
	return t
}()
