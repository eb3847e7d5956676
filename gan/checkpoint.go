package gan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gokern/gokern/kernels"
	"github.com/gokern/gokern/nn"
)

// CheckpointDir is the folder, inside a run's output folder, that holds the
// latest checkpoint.
const CheckpointDir = "checkpoint"

const checkpointFormat = "gokern.gan.checkpoint/v1"

// Files in a checkpoint folder.
const (
	ckGenerator     = "generator.safetensors"
	ckDiscriminator = "discriminator.safetensors"
	ckAdamD         = "adam_discriminator.safetensors"
	ckAdamGAN       = "adam_gan.safetensors"
	ckState         = "state.json"
)

// checkpointState is what a checkpoint holds besides tensors: where
// training stands and every random generator's state.
type checkpointState struct {
	Format string `json:"format"`
	Config Config `json:"config"`
	Epoch  int    `json:"epoch"` // complete epochs
	// Step is the number of iterations into the next epoch; the file calls
	// it "batch", its name when the format was fixed.
	Step   int `json:"batch"`
	Iters  int `json:"iterations"`
	Images int `json:"images"` // the data set's size, to catch resuming on other data
	// The schedule of the Run that wrote the checkpoint, for resuming it.
	Epochs       int    `json:"epochs,omitempty"`
	SummaryEvery int    `json:"summary_every,omitempty"`
	RNG          []byte `json:"rng"`         // PCG state: real indices, latent points
	DropoutRNG   []byte `json:"dropout_rng"` // the discriminator's dropout masks
	// For the reader: bit-for-bit resumption needs the same kernel path
	// and thread count.
	Kernels string `json:"kernels"`
	Threads int    `json:"threads"`
}

// randStater is how the trainer reaches the dropout layer's generator.
type randStater interface {
	RandState() ([]byte, error)
	SetRandState([]byte) error
}

// SaveCheckpoint writes the complete training state (both models' weights,
// both optimisers' moments and step counts, position, random states) to
// outDir/checkpoint. It is atomic: the new checkpoint is written beside the
// old one and swapped in by renames, so a crash at any moment leaves a
// complete checkpoint, old or new.
func (t *Trainer) SaveCheckpoint(outDir string) error {
	st := checkpointState{
		Format: checkpointFormat, Config: t.cfg,
		Epoch: t.epoch, Step: t.step, Iters: t.iters, Images: t.data.Len(),
		Epochs: t.run.Epochs, SummaryEvery: t.run.SummaryEvery,
		Kernels: kernels.Active(), Threads: kernels.Threads(),
	}
	var err error
	if st.RNG, err = t.pcg.MarshalBinary(); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if t.dropout != nil {
		rs, ok := any(t.dropout).(randStater)
		if !ok {
			return errors.New("gan: checkpoint: nn.Dropout does not expose its random state (RandState)")
		}
		if st.DropoutRNG, err = rs.RandState(); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
	}
	final := filepath.Join(outDir, CheckpointDir)
	tmp := final + ".new"
	old := final + ".old"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	steps := []func() error{
		func() error { return nn.SaveWeights(filepath.Join(tmp, ckGenerator), t.G) },
		func() error { return nn.SaveWeights(filepath.Join(tmp, ckDiscriminator), t.D) },
		func() error { return nn.SaveAdam(filepath.Join(tmp, ckAdamD), t.optD, t.D) },
		func() error { return nn.SaveAdam(filepath.Join(tmp, ckAdamGAN), t.optGAN, t.GAN) },
		func() error {
			b, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			return writeFileAtomic(filepath.Join(tmp, ckState), func(f *os.File) error {
				_, err := f.Write(append(b, '\n'))
				return err
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
	}
	// Swap: final -> old, new -> final, drop old. Between the renames only
	// old exists, which LoadCheckpoint falls back to.
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := os.Rename(final, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	syncDir(outDir)
	return os.RemoveAll(old)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// checkpointPath returns the checkpoint folder in outDir, or the previous
// one when a save was cut off mid-swap.
func checkpointPath(outDir string) (string, error) {
	for _, name := range []string{CheckpointDir, CheckpointDir + ".old"} {
		p := filepath.Join(outDir, name)
		if _, err := os.Stat(filepath.Join(p, ckState)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("gan: no checkpoint in %s (want %s/%s)", outDir, CheckpointDir, ckState)
}

func readCheckpointState(dir string) (checkpointState, error) {
	var st checkpointState
	b, err := os.ReadFile(filepath.Join(dir, ckState))
	if err != nil {
		return st, fmt.Errorf("gan: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("gan: %s: %w", filepath.Join(dir, ckState), err)
	}
	if st.Format != checkpointFormat {
		return st, fmt.Errorf("gan: %s: format %q, want %q", filepath.Join(dir, ckState), st.Format, checkpointFormat)
	}
	return st, nil
}

// ResumeTrainer rebuilds the trainer saved in outDir's checkpoint, with its
// saved Config, on data, ready to continue exactly where it stopped.
func ResumeTrainer(outDir string, data Dataset) (*Trainer, error) {
	dir, err := checkpointPath(outDir)
	if err != nil {
		return nil, err
	}
	st, err := readCheckpointState(dir)
	if err != nil {
		return nil, err
	}
	if data != nil && st.Images != data.Len() {
		return nil, fmt.Errorf("gan: resume from %s: the run trained on %d images, this data set has %d: pass the same data", dir, st.Images, data.Len())
	}
	t, err := NewTrainer(st.Config, data)
	if err != nil {
		return nil, err
	}
	steps := []func() error{
		func() error { return nn.LoadWeights(filepath.Join(dir, ckGenerator), t.G) },
		func() error { return nn.LoadWeights(filepath.Join(dir, ckDiscriminator), t.D) },
		func() error { return nn.LoadAdam(filepath.Join(dir, ckAdamD), t.optD, t.D) },
		func() error { return nn.LoadAdam(filepath.Join(dir, ckAdamGAN), t.optGAN, t.GAN) },
		func() error { return t.pcg.UnmarshalBinary(st.RNG) },
		func() error {
			if t.dropout == nil {
				return nil
			}
			rs, ok := any(t.dropout).(randStater)
			if !ok {
				return errors.New("nn.Dropout does not expose its random state (SetRandState)")
			}
			return rs.SetRandState(st.DropoutRNG)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("gan: resume from %s: %w", dir, err)
		}
	}
	t.epoch, t.step, t.iters = st.Epoch, st.Step, st.Iters
	t.run = RunInfo{Epochs: st.Epochs, SummaryEvery: st.SummaryEvery, Kernels: st.Kernels, Threads: st.Threads}
	return t, nil
}

// RunInfo is what a checkpoint records about the Run that wrote it: its
// length and summary interval, and the kernel path and thread count it ran
// on (a resumed run repeats the original bit for bit only with the same).
type RunInfo struct {
	Epochs, SummaryEvery int // the Run's options; 0 when not written by Run
	Kernels              string
	Threads              int
}

// RunInfo returns what the checkpoint recorded about the run being
// resumed, or the settings of the last Run; zero for a new trainer.
func (t *Trainer) RunInfo() RunInfo { return t.run }
