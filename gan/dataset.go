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

// Identifier is implemented by data sets that can name their content, so
// that a checkpoint records what it was trained on and a resumed run can
// tell other data from the same. *cifar10.Set names its source and a
// SHA-256 of its images; *cifar10.Synthetic its size and seed.
type Identifier interface {
	Identity() string
}

// dataIdentity returns data's identity, or "" when it has none.
func dataIdentity(data Dataset) string {
	if id, ok := data.(Identifier); ok {
		return id.Identity()
	}
	return ""
}
