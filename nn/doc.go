// Package nn is a small neural-network library on gokern's kernels: the
// layers, loss, optimiser and weight files needed to train the Keras
// CIFAR-10 DCGAN, with Keras' semantics and defaults so results and
// summaries can be compared line for line.
//
// Data are float32 tensors, batch first, images NHWC. Every layer owns the
// buffers for its output and its input gradient and reuses them, growing
// them only when a larger batch arrives: after the first step at a given
// batch size, a training step (Forward, loss, Backward, Adam.Step)
// allocates nothing.
//
// Layers: Dense, Conv2D and Conv2DTranspose (via package conv), LeakyReLU,
// Tanh, Sigmoid, Flatten, Reshape and Dropout. Dense and the convolutions
// take Keras' built-in activation (WithActivation(TanhActivation), ...), which
// shows no separate Summary row. A Sequential stacks layers and is a Layer
// itself, so models compose; NewSequential names layers as Keras does
// (conv2d_1, leaky_re_lu_1) and fuses a LeakyReLU into the bias pass of the
// layer before it.
//
// Freezing follows Keras' trainable flag: a frozen model's weights are not
// returned by TrainableParams and its Backward skips parameter gradients,
// yet still returns the input gradient, so a frozen discriminator inside a
// GAN passes gradients to the generator. As there is no compile step,
// unfreeze the discriminator for its own update and freeze it for the
// generator's (Adam.Step panics on a gradient a frozen Backward skipped).
//
// BackwardParams is Backward for a model whose input is data (images,
// latent vectors): it fills the same parameter gradients but skips the
// first layer's input gradient, which for a first Conv2D is its whole
// backward-data pass; a nested first model passes the saving on to its own
// first layer.
//
// Extending: a layer written outside nn implements Layer; one that holds
// other layers also implements Container, so Sequential finds its
// parameters and names them in weight files. A training loop can take any
// Optimizer (Adam is one). Fusing a LeakyReLU into the layer before it is
// an internal optimisation of nn's own layers. Sequential.SetProfiler
// attaches a Profiler
// that accumulates each layer's forward and backward time; a fused
// LeakyReLU's forward time is counted in the layer before it.
//
// Weights and Adam state are saved as safetensors files with Keras-like
// tensor names ("conv2d_1/kernel"), written atomically and validated
// strictly on load.
package nn
