package cifar10

// Image geometry of CIFAR-10, and of every image set the DCGAN trains on:
// 32x32 RGB.
const (
	ImageHeight   = 32
	ImageWidth    = 32
	ImageChannels = 3
	// ImageSize is the number of float32 values in one NHWC image (and the
	// number of pixel bytes in one record).
	ImageSize = ImageHeight * ImageWidth * ImageChannels
)

// pixelScale maps a byte to (x-127.5)/127.5, the scaling of the Keras
// CIFAR-10 DCGAN tutorial, by table so that conversion costs one load per
// value.
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = (float32(i) - 127.5) / 127.5
	}
	return t
}()
