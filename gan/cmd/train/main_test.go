package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokern/gokern/cifar10"
	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/kernels"
)

// emptyCache points the user cache folder at an empty temporary folder.
func emptyCache(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("HOME", home)
	return home
}

// train runs the command with a tiny schedule plus args and returns its
// standard output.
func train(t *testing.T, args ...string) (string, error) {
	t.Helper()
	base := []string{"-batch", "2", "-latent", "8", "-iters-per-epoch", "1", "-epochs", "1", "-samples", "2",
		"-quiet", "-out", t.TempDir()}
	o, err := parseFlags(append(base, args...), flag.ContinueOnError)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), o, &stdout, &stderr)
	return stdout.String(), err
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestSyntheticSaysSoFirst(t *testing.T) {
	emptyCache(t)
	out, err := train(t)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(firstLine(out), "NOT CIFAR-10: training on 50000 built-in synthetic images") {
		t.Errorf("first line %q does not say the data is synthetic", firstLine(out))
	}
	if !strings.Contains(out, "done: outputs in") {
		t.Errorf("output:\n%s", out)
	}
}

// writeFixture writes a data_batch_1.bin of n records into dir and makes
// the command's loader expect batches of n records, for the rest of the
// test.
func writeFixture(t *testing.T, dir string, n int) {
	t.Helper()
	prev := loader
	loader.BatchRecords = n
	t.Cleanup(func() { loader = prev })
	labels := make([]byte, n)
	pixels := make([]byte, n*cifar10.ImageSize)
	for i := range pixels {
		pixels[i] = byte(i)
	}
	var b bytes.Buffer
	if err := cifar10.WriteBatch(&b, labels, pixels); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data_batch_1.bin"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDataSources(t *testing.T) {
	home := emptyCache(t)
	dir := t.TempDir()
	writeFixture(t, dir, 4)
	out, err := train(t, "-data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "data: CIFAR-10, 4 training images from " + dir; firstLine(out) != want {
		t.Errorf("first line %q, want %q", firstLine(out), want)
	}
	// A partial set says which batches it has, and warns.
	for _, want := range []string{"batches: data_batch_1.bin\n", "warning: a partial set: data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := train(t, "-data", filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing -data: err = %v", err)
	}

	// The cache is used without -data.
	cache, _ := cifar10.CacheDir()
	if !strings.HasPrefix(cache, home) {
		t.Skipf("cache folder %s is not under the test's HOME", cache)
	}
	os.MkdirAll(filepath.Join(cache, cifar10.FolderName), 0o755)
	writeFixture(t, filepath.Join(cache, cifar10.FolderName), 6)
	out, err = train(t)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(firstLine(out), "data: CIFAR-10, 6 training images from "+cache) {
		t.Errorf("first line %q, want the cached copy", firstLine(out))
	}
}

func TestDownloadFlag(t *testing.T) {
	emptyCache(t)
	src := t.TempDir()
	writeFixture(t, src, 3)
	batch, _ := os.ReadFile(filepath.Join(src, "data_batch_1.bin"))
	// Serve the batch inside an archive the way the official one is laid out.
	archive := filepath.Join(src, "a.tar.gz")
	if err := makeArchive(archive, "cifar-10-batches-bin/data_batch_1.bin", batch); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(archive)
	sum := md5.Sum(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	defer func(o cifar10.DownloadOptions) { downloadOptions = o }(downloadOptions)

	downloadOptions = cifar10.DownloadOptions{URL: srv.URL, MD5: "00000000000000000000000000000000"}
	if _, err := train(t, "-download"); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("bad checksum: err = %v", err)
	}
	downloadOptions = cifar10.DownloadOptions{URL: "http://127.0.0.1:1/none", MD5: hex.EncodeToString(sum[:])}
	// A failed download is an error that says what to do, not a silent
	// fall back to synthetic images.
	out, err := train(t, "-download")
	if err == nil || !strings.Contains(err.Error(), "-download") || !strings.Contains(err.Error(), "-data") || strings.Contains(out, "NOT CIFAR-10") {
		t.Errorf("no network: err %v, output %q", err, out)
	}
	downloadOptions.URL = srv.URL
	out, err = train(t, "-download")
	if err != nil || !strings.HasPrefix(firstLine(out), "data: CIFAR-10, 3 training images downloaded to") {
		t.Errorf("download: err %v, first line %q", err, firstLine(out))
	}
}

func TestKernelFlag(t *testing.T) {
	emptyCache(t)
	if _, err := train(t, "-kernels", "bogus"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("-kernels bogus: err = %v", err)
	}
	prev := kernels.Active()
	defer kernels.Use(prev)
	out, err := train(t, "-kernels", "generic")
	if err != nil || !strings.Contains(out, "kernels generic") {
		t.Errorf("-kernels generic: err %v, output:\n%s", err, out)
	}
}

func TestResumeFlag(t *testing.T) {
	emptyCache(t)
	dir := t.TempDir()
	out, err := train(t, "-out", dir, "-epochs", "3", "-max-iters", "1")
	if err != nil || !strings.Contains(out, "stopped at -max-iters 1") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
	// Resume without -epochs: the run's own 3 epochs, not the default 200.
	o, err := parseFlags([]string{"-resume", dir, "-quiet"}, flag.ContinueOnError)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), o, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	out = stdout.String()
	for _, want := range []string{"resuming " + dir + " at epoch 2, iteration 0", "schedule: 3 epochs of 1 iterations", "2 iterations in", "done"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, gan.PlotFile(3))); err != nil {
		t.Error(err)
	}
}
