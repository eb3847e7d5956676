package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/nn"
)

// TestBadFlags: values no run can use are refused by parseFlags, before
// any data is looked for, with a message that names the flag; none is
// replaced by a default.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-epochs", "0"}, "-epochs 0"},
		{[]string{"-epochs", "-1"}, "-epochs -1"},
		{[]string{"-epochs", "9000000000000000000"}, "-epochs 9000000000000000000"},
		{[]string{"-summary-every", "0"}, "-summary-every 0"},
		{[]string{"-threads", "-2"}, "-threads -2"},
		{[]string{"-max-iters", "-5"}, "-max-iters -5"},
		{[]string{"-iters-per-epoch", "-1"}, "-iters-per-epoch -1"},
		{[]string{"-samples", "0"}, "-samples 0"},
		{[]string{"-checkpoint-every", "-1s"}, "-checkpoint-every"},
		{[]string{"-batch", "3"}, "batch 3"},
		{[]string{"-batch", "1000000000"}, "batch 1000000000"},
		{[]string{"-latent", "1000000000"}, "latent size 1000000000"},
		{[]string{"-samples", "1000000000"}, "summary samples"},
		{[]string{"-allow-other-data"}, "needs -resume"},
		{[]string{"-resume", "a", "-out", "b"}, "drop -out"},
	} {
		_, err := parseFlags(tc.args, flag.ContinueOnError)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want a usage error mentioning %q", tc.args, err, tc.want)
		}
	}
}

// TestResumeRefusesIgnoredFlags: flags a resumed run keeps from its
// checkpoint are refused when they differ, before any data is loaded;
// the same value is accepted.
func TestResumeRefusesIgnoredFlags(t *testing.T) {
	emptyCache(t)
	dir := t.TempDir()
	if _, err := train(t, "-out", dir, "-epochs", "2", "-max-iters", "1"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-batch", "4"}, {"-latent", "9"}, {"-seed", "2"}, {"-shuffle"}, {"-samples", "3"}} {
		o, err := parseFlags(append([]string{"-resume", dir, "-quiet"}, args...), flag.ContinueOnError)
		if err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		err = run(context.Background(), o, &stdout, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), args[0]+" ") || !strings.Contains(err.Error(), "-resume") {
			t.Errorf("%q: err = %v, want it refused", args, err)
		}
		if strings.Contains(stdout.String(), "data:") || strings.Contains(stdout.String(), "NOT CIFAR-10") {
			t.Errorf("%q: data loaded before the flags were checked:\n%s", args, stdout.String())
		}
	}
	o, err := parseFlags([]string{"-resume", dir, "-quiet", "-batch", "2", "-latent", "8", "-max-iters", "1"}, flag.ContinueOnError)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), o, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("the run's own -batch and -latent: %v", err)
	}
}

// TestResumeOnOtherData: a run trained on CIFAR-10 does not continue on
// the synthetic set (the cache emptied) or on other images of the same
// count, unless -allow-other-data says so.
func TestResumeOnOtherData(t *testing.T) {
	emptyCache(t)
	data := t.TempDir()
	writeFixture(t, data, 4)
	dir := t.TempDir()
	if _, err := train(t, "-out", dir, "-data", data, "-epochs", "2", "-max-iters", "1"); err != nil {
		t.Fatal(err)
	}
	resume := func(args ...string) (string, error) {
		o, err := parseFlags(append([]string{"-resume", dir, "-quiet"}, args...), flag.ContinueOnError)
		if err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		err = run(context.Background(), o, &stdout, &bytes.Buffer{})
		return stdout.String(), err
	}
	// Without -data: the synthetic set (50,000 images) is refused.
	if _, err := resume(); !errors.Is(err, gan.ErrOtherData) {
		t.Errorf("resumed on the synthetic set: err = %v", err)
	}
	// Other images, same count.
	other := t.TempDir()
	writeFixture(t, other, 4)
	b, _ := os.ReadFile(filepath.Join(other, "data_batch_1.bin"))
	b[1] ^= 1
	os.WriteFile(filepath.Join(other, "data_batch_1.bin"), b, 0o644)
	if _, err := resume("-data", other); !errors.Is(err, gan.ErrOtherData) || !strings.Contains(err.Error(), "-allow-other-data") {
		t.Errorf("resumed on other images: err = %v", err)
	}
	if _, err := resume("-data", data, "-max-iters", "1"); err != nil {
		t.Errorf("the same data: %v", err)
	}
	out, err := resume("-data", other, "-allow-other-data", "-max-iters", "2")
	if err != nil || !strings.Contains(out, "note: -allow-other-data") {
		t.Errorf("-allow-other-data: err %v, output:\n%s", err, out)
	}
}

// TestExitStatus: bad flags exit 2; SIGHUP (as SIGINT and SIGTERM) stops
// the run with a checkpoint and exit 3; a checkpoint with a NaN weight is
// refused with exit 4, naming the tensor.
func TestExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	home := t.TempDir()
	if code, out := exitCode(t, child(t, home, nil, "-epochs", "0")); code != exitUsage || !strings.Contains(out, "-epochs 0") {
		t.Errorf("-epochs 0: exit %d, output %q", code, out)
	}

	dir := filepath.Join(t.TempDir(), "run")
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		args := tinyArgs(dir, "-epochs", "1000", "-checkpoint-every", "0")
		if sig != syscall.SIGHUP {
			args = []string{"-resume", dir, "-quiet", "-threads", "1"}
		}
		cmd := child(t, home, nil, args...)
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		var out strings.Builder
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "schedule:") {
				time.Sleep(500 * time.Millisecond) // into the training loop
				cmd.Process.Signal(sig)
			}
		}
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(out.String(), "interrupted: checkpoint written") {
			t.Fatalf("%v: exit %d (%v), output:\n%s%s", sig, code, err, out.String(), stderr.String())
		}
		if _, _, err := gan.ReadCheckpoint(dir); err != nil {
			t.Fatalf("%v: %v", sig, err)
		}
	}

	// A NaN in the checkpoint's generator.
	g, err := gan.NewGenerator(8)
	if err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(dir, gan.CheckpointDir, "generator.safetensors")
	if err := nn.LoadWeights(ck, g); err != nil {
		t.Fatal(err)
	}
	g.Params()[2].Value[7] = float32(math.NaN())
	if err := nn.SaveWeights(ck, g); err != nil {
		t.Fatal(err)
	}
	code, out := exitCode(t, child(t, home, nil, "-resume", dir, "-quiet", "-threads", "1"))
	if code != exitNonFinite || !strings.Contains(out, g.Params()[2].Name) {
		t.Errorf("NaN checkpoint: exit %d, output %q", code, out)
	}
}
