package gan

import (
	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/nn"
)

// LeakyAlpha is the negative slope of every LeakyReLU in the tutorial's models.
const LeakyAlpha = 0.2

// DropoutRate is the discriminator's dropout before its output layer.
const DropoutRate = 0.4

// NewDiscriminator returns the tutorial's discriminator for 32x32x3 images:
// four 3x3 "same" convolutions (64, then 128, 128 and 256 filters with
// stride 2) each followed by LeakyReLU(0.2), then Flatten, Dropout(0.4) and
// Dense(1, sigmoid): 522,497 parameters. Its dropout masks come from a
// fixed seed; NewTrainer seeds them from its Config instead.
func NewDiscriminator() (*nn.Sequential, error) { return newDiscriminator(0) }

func newDiscriminator(dropoutSeed uint64) (*nn.Sequential, error) {
	return nn.NewSequential("discriminator", []int{ImageHeight, ImageWidth, ImageChannels},
		nn.NewConv2D(64, 3, 1, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2D(128, 3, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2D(128, 3, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2D(256, 3, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewFlatten(),
		nn.NewDropout(DropoutRate, dropoutSeed),
		nn.NewDense(1).WithActivation(nn.SigmoidActivation),
	)
}

// NewGenerator returns the tutorial's generator: latentDim inputs, Dense(4096)
// and LeakyReLU(0.2), reshaped to 4x4x256, three 4x4 stride-2 "same"
// transposed convolutions of 128 filters with LeakyReLU(0.2) up to 32x32,
// and a 3x3 convolution to 3 channels with tanh: 1,466,115 parameters for
// latentDim 100.
func NewGenerator(latentDim int) (*nn.Sequential, error) {
	return nn.NewSequential("generator", []int{latentDim},
		nn.NewDense(4*4*256),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewReshape(4, 4, 256),
		nn.NewConv2DTranspose(128, 4, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2DTranspose(128, 4, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2DTranspose(128, 4, 2, im2col.Same),
		nn.NewLeakyReLU(LeakyAlpha),
		nn.NewConv2D(3, 3, 1, im2col.Same).WithActivation(nn.TanhActivation),
	)
}

// NewGAN returns the combined model the generator trains through: the
// generator followed by the discriminator, the same objects (not copies), so
// the GAN's updates move the generator's weights.
func NewGAN(g, d *nn.Sequential) (*nn.Sequential, error) {
	return nn.NewSequential("gan", g.InShape(), g, d)
}
