// Package gan trains the DCGAN of the Keras CIFAR-10 DCGAN tutorial on
// gokern's kernels.
//
// "The Keras CIFAR-10 DCGAN tutorial" (the tutorial, for short, everywhere
// in this package) is the Keras GAN for CIFAR-10 that gokern reproduces:
// its discriminator and generator, layer for layer (their summaries are in
// testdata/keras-gan-cifar10-models.md), its training schedule and its
// outputs, such as generated_plot_e010.png.
//
// The models are NewDiscriminator (522,497 parameters) and NewGenerator
// (1,466,115 for a 100-dimensional latent space); NewGAN chains them for
// the generator's updates. A Trainer runs the tutorial's schedule: each
// Iteration trains the discriminator on half a batch of real images
// labelled 1 and half a batch of generated ones labelled 0, then the
// generator through the frozen discriminator on a full batch labelled 1,
// each model with its own Adam(2e-4, 0.5) and binary cross-entropy.
// Trainer.Run adds the epochs, the periodic summary (accuracies, a 7x7
// grid of generated images, the generator's weights), a metrics CSV, a
// loss plot and checkpoints, each a Hook that the loop calls when due;
// RunOptions.Hooks adds others. Run stops on a non-finite loss
// (ErrNonFinite) and never saves non-finite weights.
//
// Checkpoints survive a crash at any instant, a save included, and record
// the data set's identity (Identifier), so ResumeTrainer refuses other
// data unless told otherwise.
//
// Every random choice comes from PCG generators derived from
// Config.Seed, and their states go into checkpoints: with the same seed,
// kernel path and thread count, two runs give the same losses bit for bit,
// and a run stopped and resumed from its checkpoint matches one that never
// stopped.
//
// The data come from package cifar10 (the official release, a download,
// or synthetic images); any Dataset will do.
//
// The commands are ./gan/cmd/train and ./gan/cmd/generate.
package gan
