package gan

import "github.com/gokern/gokern/cifar10"

// Image geometry shared by every data set: the tutorial's 32x32 RGB images,
// as package cifar10 defines them.
const (
	ImageHeight   = cifar10.ImageHeight
	ImageWidth    = cifar10.ImageWidth
	ImageChannels = cifar10.ImageChannels
	// ImageSize is the number of float32 values in one NHWC image.
	ImageSize = cifar10.ImageSize
)

// Dataset is a set of 32x32 RGB images the trainer draws real samples from;
// *cifar10.Set and *cifar10.Synthetic are two.
type Dataset interface {
	// Len is the number of images.
	Len() int
	// Image writes image i into dst (len ImageSize), height-width-channel
	// order, pixel values scaled to [-1, 1] as the tutorial does.
	Image(i int, dst []float32)
}
