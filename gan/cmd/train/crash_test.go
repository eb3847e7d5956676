package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokern/gokern/gan"
)

// childEnv makes the test binary run the command itself (see TestMain).
const childEnv = "GOKERN_TRAIN_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tinyArgs is a run of 3 epochs of 2 iterations, small enough that a
// child process trains it in about a second.
func tinyArgs(out string, extra ...string) []string {
	return append([]string{"-batch", "2", "-latent", "8", "-iters-per-epoch", "2", "-epochs", "3",
		"-summary-every", "1", "-samples", "2", "-quiet", "-threads", "1", "-out", out}, extra...)
}

// child starts the command in a child process with the given environment
// additions; HOME and the cache point at an empty folder, so it trains on
// the synthetic set.
func child(t *testing.T, home string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "GOKERN_KERNELS=")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// exitCode runs cmd to its end and returns its exit status and output.
func exitCode(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatal(err)
	return -1, ""
}

// killAt runs the command until it pauses at the save point (see
// gan.PauseEnv), or for delay when point is "", and kills it with SIGKILL.
// It reports whether the child was killed (false: it finished first).
func killAt(t *testing.T, home, point string, delay time.Duration, args []string) bool {
	t.Helper()
	var env []string
	if point != "" {
		env = []string{gan.PauseEnv + "=" + point}
	}
	cmd := child(t, home, env, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paused := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "gokern: paused at ") {
				paused <- true
			}
		}
		paused <- false
	}()
	var timer <-chan time.Time
	if point == "" {
		timer = time.After(delay)
	}
	select {
	case ok := <-paused:
		if !ok { // stderr closed: the child finished or failed
			cmd.Wait()
			if point != "" {
				t.Fatalf("child never reached %s; output:\n%s", point, stdout.String())
			}
			return false
		}
	case <-timer:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("child did not reach %s in 30s", point)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	return true
}

// TestKillAnywhereThenResume kills a child training process with SIGKILL
// at many points, inside checkpoint saves (between every two of their
// files and renames), between iterations and at a few moments, sometimes
// twice in a row, resumes it each time, and requires the finished run to
// equal one never killed: the same losses, weights, optimiser states and
// outputs, bit for bit.
func TestKillAnywhereThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs some 30 child training processes")
	}
	home := t.TempDir()
	want := filepath.Join(t.TempDir(), "want")
	if code, out := exitCode(t, child(t, home, nil, tinyArgs(want)...)); code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, out)
	}
	// Each case is the kills of successive runs: a save point POINT#N or,
	// with "@", a delay; the run after the last kill goes to the end. The
	// first save happens after iteration 1 (-checkpoint-every 1ns) or 2 (0).
	cases := []struct {
		every string
		kills []string
	}{
		{"1ns", []string{"iteration#3"}},
		{"0", []string{"iteration#3"}}, // rows 3 written after the checkpoint at 2
		{"1ns", []string{"begin#2"}},
		{"1ns", []string{"generator#2"}},
		{"1ns", []string{"discriminator#3"}},
		{"1ns", []string{"adam_discriminator#2"}},
		{"1ns", []string{"adam_gan#2"}},
		{"1ns", []string{"state#2"}},
		{"1ns", []string{"old removed#2"}},
		{"1ns", []string{"checkpoint to old#2"}},
		{"1ns", []string{"new to checkpoint#2"}},
		// The double crash: killed mid-swap, then again in the next save.
		{"1ns", []string{"checkpoint to old#2", "old removed#1"}},
		{"1ns", []string{"checkpoint to old#3", "begin#1", "state#1", "checkpoint to old#1"}},
		{"0", []string{"new to checkpoint#1", "generator#1"}},
		{"1ns", []string{"@700ms", "@900ms"}},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d:%s/%s", i, strings.Join(tc.kills, ","), tc.every), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			args := tinyArgs(dir, "-checkpoint-every", tc.every)
			for k, kill := range tc.kills {
				point, delay := kill, time.Duration(0)
				if d, ok := strings.CutPrefix(kill, "@"); ok {
					point = ""
					delay, _ = time.ParseDuration(d)
				}
				if !killAt(t, home, point, delay, args) {
					break // finished before the kill
				}
				if k == 0 {
					args = []string{"-resume", dir, "-quiet", "-threads", "1", "-checkpoint-every", tc.every}
				}
			}
			code, out := exitCode(t, child(t, home, nil, args...))
			if code != 0 && strings.Contains(out, "no checkpoint") && strings.HasPrefix(tc.kills[0], "@") {
				t.Skip("the first kill came before the first checkpoint")
			}
			if code != 0 {
				t.Fatalf("resumed run: exit %d\n%s", code, out)
			}
			sameRun(t, want, dir)
		})
	}
}

// sameRun requires the run in dir to have the losses and files of want.
func sameRun(t *testing.T, want, dir string) {
	t.Helper()
	read := func(p string) []gan.Record {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := gan.ReadMetrics(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return r
	}
	ra, rb := read(filepath.Join(want, gan.MetricsFile)), read(filepath.Join(dir, gan.MetricsFile))
	if len(ra) != len(rb) {
		t.Fatalf("%d metrics rows, want %d", len(rb), len(ra))
	}
	for i := range ra {
		x, y := ra[i], rb[i]
		if x.Iter != y.Iter || x.Step != y.Step || x.IterationStats != y.IterationStats ||
			fmt.Sprint(x.AccReal, x.AccFake) != fmt.Sprint(y.AccReal, y.AccFake) {
			t.Errorf("row %d: %+v, want %+v", i, y, x)
		}
	}
	for _, f := range []string{
		gan.GeneratorFile(1), gan.GeneratorFile(3), gan.PlotFile(3),
		"checkpoint/generator.safetensors", "checkpoint/discriminator.safetensors",
		"checkpoint/adam_discriminator.safetensors", "checkpoint/adam_gan.safetensors",
	} {
		a, errA := os.ReadFile(filepath.Join(want, f))
		b, errB := os.ReadFile(filepath.Join(dir, f))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's (%v, %v)", f, errA, errB)
		}
	}
	for _, leftover := range []string{"checkpoint.new", "checkpoint.old"} {
		if _, err := os.Stat(filepath.Join(dir, leftover)); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
}
