package gan

// IterationStats are the three losses of one training iteration, each the
// mean binary cross-entropy computed in the forward pass before the update
// (what Keras' train_on_batch returns).
type IterationStats struct {
	DLossReal float32 // discriminator on the real half batch, labels 1
	DLossFake float32 // discriminator on the generated half batch, labels 0
	GLoss     float32 // generator through the frozen discriminator, labels 1
}
