package gan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
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
	// Data is the data set's identity (see Identifier): its source and a
	// hash of its content; empty when it has none or in older files.
	Data string `json:"data,omitempty"`
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
// both optimiser moments and step counts, position, random states) to
// outDir/checkpoint. It refuses, with an error wrapping ErrNonFinite and
// before writing anything, parameters that hold a NaN or an infinity, so
// that a good checkpoint is never replaced by a bad one.
//
// It is atomic: the new checkpoint is written to checkpoint.new (its
// state.json last, so a set with a state.json is complete) and swapped in
// by renames, checkpoint -> checkpoint.old, checkpoint.new -> checkpoint,
// after which checkpoint.old goes. A save first puts back a complete set
// a crash left only under .new or .old, so at every instant, across any
// number of crashes, one complete set exists for ResumeTrainer to find.
// A save that fails (a full disk) removes what it wrote.
func (t *Trainer) SaveCheckpoint(outDir string) (err error) {
	for _, m := range []struct {
		name string
		s    *nn.Sequential
	}{{"generator", t.G}, {"discriminator", t.D}} {
		if err := checkFinite(m.name, m.s); err != nil {
			return fmt.Errorf("gan: checkpoint at iteration %d not written: %w", t.iters, err)
		}
	}
	st := checkpointState{
		Format: checkpointFormat, Config: t.cfg,
		Epoch: t.epoch, Step: t.step, Iters: t.iters, Images: t.data.Len(), Data: dataIdentity(t.data),
		Epochs: t.run.Epochs, SummaryEvery: t.run.SummaryEvery,
		Kernels: kernels.Active(), Threads: kernels.Threads(),
	}
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
	if err := recoverCheckpoint(outDir); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := savePoint("begin"); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	defer func() {
		if err != nil { // a partial set helps no one and takes space
			os.RemoveAll(tmp)
		}
	}()
	steps := []struct {
		name string
		save func() error
	}{
		{"generator", func() error { return saveWeights(filepath.Join(tmp, ckGenerator), t.G) }},
		{"discriminator", func() error { return saveWeights(filepath.Join(tmp, ckDiscriminator), t.D) }},
		{"adam_discriminator", func() error { return nn.SaveAdam(filepath.Join(tmp, ckAdamD), t.optD, t.D) }},
		{"adam_gan", func() error { return nn.SaveAdam(filepath.Join(tmp, ckAdamGAN), t.optGAN, t.GAN) }},
		{"state", func() error {
			b, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			return writeFileAtomic(filepath.Join(tmp, ckState), func(f *os.File) error {
				_, err := f.Write(append(b, '\n'))
				return err
			})
		}},
	}
	for _, step := range steps {
		if err := step.save(); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
		if err := savePoint(step.name); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
	}
	syncDir(tmp)
	// Swap. recoverCheckpoint left final complete (or absent on the first
	// save), so removing old loses nothing; between the two renames old
	// and tmp are both complete.
	swap := []struct {
		name string
		do   func() error
	}{
		{"old removed", func() error { return os.RemoveAll(old) }},
		{"checkpoint to old", func() error {
			if err := os.Rename(final, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}},
		{"new to checkpoint", func() error { return os.Rename(tmp, final) }},
	}
	for _, s := range swap {
		if err := s.do(); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
		syncDir(outDir)
		if err := savePoint(s.name); err != nil {
			return fmt.Errorf("gan: checkpoint: %w", err)
		}
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("gan: checkpoint: %w", err)
	}
	syncDir(outDir)
	return nil
}

// saveWeights is nn.SaveWeights; a variable so that tests can make it fail.
var saveWeights = nn.SaveWeights

// recoverCheckpoint makes outDir/checkpoint the newest complete set when a
// crash left it only as checkpoint.new or checkpoint.old.
func recoverCheckpoint(outDir string) error {
	final := filepath.Join(outDir, CheckpointDir)
	if complete(final) {
		return nil
	}
	for _, name := range []string{CheckpointDir + ".new", CheckpointDir + ".old"} {
		p := filepath.Join(outDir, name)
		if !complete(p) {
			continue
		}
		if err := os.RemoveAll(final); err != nil {
			return err
		}
		if err := os.Rename(p, final); err != nil {
			return err
		}
		syncDir(outDir)
		return nil
	}
	return nil
}

// complete reports whether dir holds a whole checkpoint: state.json is
// written last, after every tensor file is synced.
func complete(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ckState))
	return err == nil && st.Mode().IsRegular()
}

// checkFinite returns an error wrapping ErrNonFinite that names the first
// parameter of m (called name) holding a NaN or an infinity.
func checkFinite(name string, m *nn.Sequential) error {
	for _, p := range m.Params() {
		for i, v := range p.Value {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%w %v in the %s's %s at index %d", ErrNonFinite, v, name, p.Name, i)
			}
		}
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// checkpointPath returns the newest complete checkpoint folder in outDir:
// checkpoint, or when a save was cut off mid-swap checkpoint.new (complete
// only once its state.json is written), else checkpoint.old.
func checkpointPath(outDir string) (string, error) {
	for _, name := range []string{CheckpointDir, CheckpointDir + ".new", CheckpointDir + ".old"} {
		if p := filepath.Join(outDir, name); complete(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("gan: no checkpoint in %s (want %s/%s)", outDir, CheckpointDir, ckState)
}

func readCheckpointState(dir string) (checkpointState, error) {
	var st checkpointState
	name := filepath.Join(dir, ckState)
	b, err := os.ReadFile(name)
	if err != nil {
		return st, fmt.Errorf("gan: %w", err)
	}
	if st, err = parseCheckpointState(b); err != nil {
		return st, fmt.Errorf("gan: %s: %w", name, err)
	}
	return st, nil
}

// parseCheckpointState decodes and checks a state.json: the format, the
// Config, and counters that no run can have written.
func parseCheckpointState(b []byte) (checkpointState, error) {
	var st checkpointState
	if err := json.Unmarshal(b, &st); err != nil {
		return st, err
	}
	if st.Format != checkpointFormat {
		return st, fmt.Errorf("format %q, want %q", st.Format, checkpointFormat)
	}
	if err := st.Config.Validate(); err != nil {
		return st, err
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"epoch", st.Epoch}, {"batch", st.Step}, {"iterations", st.Iters}, {"images", st.Images},
		{"epochs", st.Epochs}, {"summary_every", st.SummaryEvery}, {"threads", st.Threads}} {
		if c.v < 0 {
			return st, fmt.Errorf("%s is %d: a corrupt or hand-edited file", c.name, c.v)
		}
	}
	if st.Images == 0 {
		return st, errors.New("images is 0: a corrupt or hand-edited file")
	}
	return st, nil
}

// ReadCheckpoint returns the Config and RunInfo saved in outDir's
// checkpoint without loading its tensors, so that a command can check its
// flags against them before it loads any data.
func ReadCheckpoint(outDir string) (Config, RunInfo, error) {
	dir, err := checkpointPath(outDir)
	if err != nil {
		return Config{}, RunInfo{}, err
	}
	st, err := readCheckpointState(dir)
	if err != nil {
		return Config{}, RunInfo{}, err
	}
	return st.Config, st.runInfo(), nil
}

func (st checkpointState) runInfo() RunInfo {
	return RunInfo{Epochs: st.Epochs, SummaryEvery: st.SummaryEvery, Kernels: st.Kernels, Threads: st.Threads, Data: st.Data}
}

// ResumeOptions relax ResumeTrainer's checks.
type ResumeOptions struct {
	// OtherData resumes on a data set whose identity differs from the
	// checkpoint's; the image count must still match.
	OtherData bool
}

// ErrOtherData is wrapped by ResumeTrainer's error when the data set is
// not the one the checkpoint was trained on.
var ErrOtherData = errors.New("not the data set the run trained on")

// ResumeTrainer rebuilds the trainer saved in outDir's checkpoint, with its
// saved Config, on data, ready to continue exactly where it stopped. It
// refuses data with another image count and, unless opt.OtherData, data
// whose identity (see Identifier) differs from the checkpoint's, and a
// checkpoint whose weights are not finite.
func ResumeTrainer(outDir string, data Dataset, opt ResumeOptions) (*Trainer, error) {
	dir, err := checkpointPath(outDir)
	if err != nil {
		return nil, err
	}
	st, err := readCheckpointState(dir)
	if err != nil {
		return nil, err
	}
	if data != nil && st.Images != data.Len() {
		return nil, fmt.Errorf("gan: resume from %s: %w: the run trained on %d images, this data set has %d: pass the same data", dir, ErrOtherData, st.Images, data.Len())
	}
	if id := dataIdentity(data); data != nil && st.Data != "" && id != st.Data && !opt.OtherData {
		if id == "" {
			id = "unknown"
		}
		return nil, fmt.Errorf("gan: resume from %s: %w: it trained on %s, this is %s: pass the same data", dir, ErrOtherData, st.Data, id)
	}
	t, err := NewTrainer(st.Config, data)
	if err != nil {
		return nil, err
	}
	if per := t.ItersPerEpoch(); st.Step >= per || st.Epoch > st.Iters || st.Iters != st.Epoch*per+st.Step {
		return nil, fmt.Errorf("gan: resume from %s: epoch %d, batch %d and iterations %d do not agree with %d iterations per epoch: a corrupt or hand-edited %s",
			dir, st.Epoch, st.Step, st.Iters, per, ckState)
	}
	steps := []func() error{
		func() error { return nn.LoadWeights(filepath.Join(dir, ckGenerator), t.G) },
		func() error { return nn.LoadWeights(filepath.Join(dir, ckDiscriminator), t.D) },
		func() error { return checkFinite("generator", t.G) },
		func() error { return checkFinite("discriminator", t.D) },
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
	t.run = st.runInfo()
	return t, nil
}

// RunInfo is what a checkpoint records about the Run that wrote it: its
// length and summary interval, the kernel path and thread count it ran on
// (a resumed run repeats the original bit for bit only with the same), and
// its data set's identity.
type RunInfo struct {
	Epochs, SummaryEvery int // the Run's options; 0 when not written by Run
	Kernels              string
	Threads              int
	Data                 string // empty when unknown
}

// RunInfo returns what the checkpoint recorded about the run being
// resumed, or the settings of the last Run; zero for a new trainer.
func (t *Trainer) RunInfo() RunInfo { return t.run }
