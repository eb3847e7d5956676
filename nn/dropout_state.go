package nn

// RandState returns the state of the generator behind the layer's dropout
// masks, for checkpoints: after SetRandState with it, the layer draws the
// same masks it would have drawn next. (Added for gan's bit-for-bit resume.)
func (l *Dropout) RandState() ([]byte, error) { return l.pcg.MarshalBinary() }

// SetRandState restores a state returned by RandState.
func (l *Dropout) SetRandState(b []byte) error { return l.pcg.UnmarshalBinary(b) }
