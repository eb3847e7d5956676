package gan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokern/gokern/cifar10"
)

// checkpointFiles returns the checkpoint folder's files by name.
func checkpointFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	es, err := os.ReadDir(filepath.Join(dir, CheckpointDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, CheckpointDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameFiles(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d files, want %d", len(b), len(a))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s changed", k)
		}
	}
}

// TestNaNStopsRun: a generator with a non-finite weight makes the next
// loss NaN; Run stops there with ErrNonFinite naming the loss, and the
// last good checkpoint stays as it was. SaveCheckpoint itself refuses
// non-finite weights, naming the tensor.
func TestNaNStopsRun(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	cfg.ItersPerEpoch = 1
	tr := newTiny(t, cfg)
	if err := tr.Run(context.Background(), RunOptions{Epochs: 1, SummaryEvery: 1, OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	good := checkpointFiles(t, dir)
	p := tr.G.Params()[0]
	p.Value[3] = float32(math.NaN())
	err := tr.Run(context.Background(), RunOptions{Epochs: 3, SummaryEvery: 1, OutDir: dir})
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "d_loss_fake") || !strings.Contains(err.Error(), "iteration 2") {
		t.Fatalf("err = %v, want a non-finite d_loss_fake at iteration 2", err)
	}
	sameFiles(t, good, checkpointFiles(t, dir))
	err = tr.SaveCheckpoint(dir)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "generator's "+p.Name+" at index") {
		t.Fatalf("SaveCheckpoint: err = %v, want the tensor named", err)
	}
	sameFiles(t, good, checkpointFiles(t, dir))
	if _, err := os.Stat(filepath.Join(dir, GeneratorFile(2))); err == nil {
		t.Error("a generator file was written for the NaN epoch")
	}
}

// TestSaveFailureLeavesNoPartial: a save that fails (a full disk) removes
// its checkpoint.new and leaves the previous checkpoint whole.
func TestSaveFailureLeavesNoPartial(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, tinyConfig())
	if err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	good := checkpointFiles(t, dir)
	tr.Iteration()
	for _, point := range []string{"generator", "adam_gan", "state"} {
		saveFault = func(p string) error {
			if p == point {
				return syscall.ENOSPC
			}
			return nil
		}
		err := tr.SaveCheckpoint(dir)
		saveFault = nil
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("%s: err = %v, want ENOSPC", point, err)
		}
		if _, err := os.Stat(filepath.Join(dir, CheckpointDir+".new")); !os.IsNotExist(err) {
			t.Errorf("%s: checkpoint.new left behind (%v)", point, err)
		}
		sameFiles(t, good, checkpointFiles(t, dir))
	}
}

// TestRecoverCheckpoint: a set left only as checkpoint.new (a crash after
// the old set was removed) is found by ResumeTrainer and put back by the
// next save; an incomplete .new (no state.json) is not used.
func TestRecoverCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, tinyConfig())
	tr.Iteration()
	if err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(dir, CheckpointDir)
	os.Rename(final, final+".new")
	r, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, n := r.Position(); n != 1 {
		t.Fatalf("resumed at %d iterations, want 1", n)
	}
	if err := r.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{CheckpointDir: true, CheckpointDir + ".new": false, CheckpointDir + ".old": false} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
	// An incomplete .new beside nothing else is no checkpoint.
	os.Rename(final, final+".new")
	os.Remove(filepath.Join(final+".new", ckState))
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{}); err == nil || !strings.Contains(err.Error(), "no checkpoint") {
		t.Errorf("incomplete checkpoint.new: err = %v", err)
	}
}

// editState rewrites the checkpoint's state.json through edit.
func editState(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, CheckpointDir, ckState)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b, 0o644)
}

// TestCheckpointCounters: negative or inconsistent counters in state.json
// are refused, naming the field; so is other data of the same size.
func TestCheckpointCounters(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, tinyConfig())
	if err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, CheckpointDir, ckState)
	orig, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		value any
		want  string
	}{
		{"epoch", -1, "epoch is -1"},
		{"batch", -3, "batch is -3"},
		{"iterations", -1, "iterations is -1"},
		{"images", -64, "images is -64"},
		{"threads", -1, "threads is -1"},
		{"iterations", 7, "do not agree"},
		{"batch", 5, "do not agree"},
		{"batch", 1, "do not agree"}, // at iteration 0
	} {
		os.WriteFile(state, orig, 0o644)
		editState(t, dir, func(m map[string]any) { m[tc.field] = tc.value })
		_, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 1), ResumeOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s = %v: err = %v, want %q", tc.field, tc.value, err, tc.want)
		}
	}
	os.WriteFile(state, orig, 0o644)
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 2), ResumeOptions{}); !errors.Is(err, ErrOtherData) {
		t.Errorf("other synthetic seed: err = %v, want ErrOtherData", err)
	}
	if _, err := ResumeTrainer(dir, cifar10.NewSynthetic(64, 2), ResumeOptions{OtherData: true}); err != nil {
		t.Errorf("OtherData: %v", err)
	}
}

// FuzzCheckpointState feeds arbitrary state.json files, beside valid
// tensors, to ResumeTrainer: an error or a trainer whose position agrees
// with its schedule, never a panic.
func FuzzCheckpointState(f *testing.F) {
	dir := f.TempDir()
	tr, err := NewTrainer(tinyConfig(), cifar10.NewSynthetic(64, 1))
	if err != nil {
		f.Fatal(err)
	}
	tr.Iteration()
	if err := tr.SaveCheckpoint(dir); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, CheckpointDir, ckState))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`"iterations": 1`), []byte(`"iterations": -1`), 1))
	f.Add(bytes.Replace(good, []byte(`"batch": 1`), []byte(`"batch": 1e9`), 1))
	f.Add([]byte(`{"format":"gokern.gan.checkpoint/v1","config":{"Batch":1000000000}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseCheckpointState(b)
		if err != nil {
			return
		}
		// Only sizes a test can afford are built.
		if st.Config.Batch > 16 || st.Config.LatentDim > 64 || st.Config.SummarySamples > 16 {
			return
		}
		d := t.TempDir()
		os.Mkdir(filepath.Join(d, CheckpointDir), 0o755)
		for _, name := range []string{ckGenerator, ckDiscriminator, ckAdamD, ckAdamGAN} {
			src, _ := os.ReadFile(filepath.Join(dir, CheckpointDir, name))
			os.WriteFile(filepath.Join(d, CheckpointDir, name), src, 0o644)
		}
		os.WriteFile(filepath.Join(d, CheckpointDir, ckState), b, 0o644)
		r, err := ResumeTrainer(d, cifar10.NewSynthetic(64, 1), ResumeOptions{OtherData: true})
		if err != nil {
			return
		}
		e, s, n := r.Position()
		if per := r.ItersPerEpoch(); e < 0 || s < 0 || s >= per || n != e*per+s {
			t.Fatalf("resumed at epoch %d, step %d, %d iterations with %d per epoch", e, s, n, per)
		}
	})
}

// TestTornMetricsRow: a last row cut off by a crash is dropped with a
// notice on resume, rows after the checkpoint go, earlier rows stay.
func TestTornMetricsRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), MetricsFile)
	content := "iteration,epoch,step,d_loss_real,d_loss_fake,g_loss,images_per_s,acc_real,acc_fake\n" +
		"1,1,1,0.5,0.6,0.7,10.0,,\n" +
		"2,1,2,0.5,0.6,0.7,10.0,,\n" +
		"3,1,3,0.5,0.6,0.7,10.0,,\n" +
		"4,2,1,0.5,0.6" // torn
	os.WriteFile(path, []byte(content), 0o644)
	var log bytes.Buffer
	m, err := openMetrics(path, 2, &log)
	if err != nil {
		t.Fatal(err)
	}
	m.close()
	if !strings.Contains(log.String(), "dropped its last row") {
		t.Errorf("no notice: %q", log.String())
	}
	f, _ := os.Open(path)
	recs, err := ReadMetrics(f)
	f.Close()
	if err != nil || len(recs) != 2 || recs[1].Iter != 2 {
		t.Fatalf("after resume at 2: %+v, %v", recs, err)
	}
}

// TestIterationTicks: the loss plot's iteration axis has integer labels.
func TestIterationTicks(t *testing.T) {
	for _, tk := range (iterationTicks{}).Ticks(0, 1000) {
		if strings.Contains(tk.Label, ".") {
			t.Errorf("tick label %q", tk.Label)
		}
	}
	labelled := 0
	for _, tk := range (iterationTicks{}).Ticks(1, 9) {
		if tk.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		t.Errorf("%d labelled ticks on 1..9", labelled)
	}
}

// TestHooks: a user hook runs every N iterations and at the end, after
// the built-in ones (the row it sees has the summary's accuracies), and
// its error stops the run; an Interval hook runs when time has passed.
func TestHooks(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	cfg.ItersPerEpoch = 1
	tr := newTiny(t, cfg)
	var every2, atEnd []int
	var accs int
	var timed int
	err := tr.Run(context.Background(), RunOptions{Epochs: 5, SummaryEvery: 2, OutDir: dir, MaxIters: 4, CheckpointEvery: time.Hour, Hooks: []Hook{
		{Name: "every 2", EveryIters: 2, Func: func(e *Event) error {
			every2 = append(every2, e.Iter)
			if !math.IsNaN(e.Record.AccReal) {
				accs++
			}
			return nil
		}},
		{Name: "end", AtEnd: true, Func: func(e *Event) error { atEnd = append(atEnd, e.Iter); return nil }},
		{Name: "timed", Interval: time.Nanosecond, Func: func(e *Event) error { timed++; return nil }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(every2) != 2 || every2[0] != 2 || every2[1] != 4 || accs != 2 {
		t.Errorf("every-2 hook at %v, %d with the summary's accuracies", every2, accs)
	}
	if len(atEnd) != 1 || atEnd[0] != 4 {
		t.Errorf("end hook at %v, want [4]", atEnd)
	}
	if timed != 4 {
		t.Errorf("1ns-interval hook ran %d times in 4 iterations", timed)
	}
	// A run that finishes its epochs calls AtEnd hooks once too.
	atEnd = nil
	if err := newTiny(t, cfg).Run(context.Background(), RunOptions{Epochs: 1, SummaryEvery: 1, OutDir: t.TempDir(),
		Hooks: []Hook{{AtEnd: true, Func: func(e *Event) error { atEnd = append(atEnd, e.Iter); return nil }}}}); err != nil {
		t.Fatal(err)
	}
	if len(atEnd) != 1 || atEnd[0] != 1 {
		t.Errorf("end hook of a finished run at %v, want [1]", atEnd)
	}
	stop := errors.New("stop")
	err = tr.Run(context.Background(), RunOptions{Epochs: 5, SummaryEvery: 2, OutDir: dir, Hooks: []Hook{
		{EveryIters: 1, Func: func(e *Event) error { return stop }},
	}})
	if !errors.Is(err, stop) {
		t.Errorf("err = %v, want the hook's", err)
	}
}

// TestTimedCheckpoint: with CheckpointEvery set, checkpoints come between
// summary epochs too.
func TestTimedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, tinyConfig())
	var saved []int
	err := tr.Run(context.Background(), RunOptions{Epochs: 2, SummaryEvery: 10, OutDir: dir, MaxIters: 2, CheckpointEvery: time.Nanosecond,
		Hooks: []Hook{{EveryIters: 1, Func: func(e *Event) error {
			_, _, n, err := readPosition(dir)
			if err != nil {
				return err
			}
			saved = append(saved, n)
			return nil
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	// Iteration 1 is no summary epoch's end nor the run's: its checkpoint
	// is the timed one.
	if len(saved) != 2 || saved[0] != 1 || saved[1] != 2 {
		t.Errorf("checkpoint positions after each iteration: %v, want [1 2]", saved)
	}
}

func readPosition(dir string) (epoch, step, iters int, err error) {
	st, err := readCheckpointState(filepath.Join(dir, CheckpointDir))
	return st.Epoch, st.Step, st.Iters, err
}
