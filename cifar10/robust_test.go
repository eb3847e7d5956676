package cifar10

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// TestBatchSizeExact: a batch must hold exactly the release's 10,000
// records (or the Loader's count), in a folder as in an archive.
func TestBatchSizeExact(t *testing.T) {
	l, p := fixture(4, 0)
	dir := t.TempDir()
	writeFolder(t, dir, map[int][]byte{1: batchBytes(t, l, p)})
	_, err := load3(dir)
	wantErr(t, err, "data_batch_1.bin", "4 records", "want exactly 3")
	_, err = Load(dir)
	wantErr(t, err, "data_batch_1.bin", "want exactly 10000", "30730000 bytes")
	if c, err := (Loader{BatchRecords: 4}).Load(context.Background(), dir); err != nil || c.Len() != 4 {
		t.Fatalf("4-record loader: %v", err)
	}
}

// bombArchive writes a tar.gz whose data_batch_1.bin header claims size
// bytes but holds only a few.
func bombArchive(t *testing.T, size int64) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-bin/data_batch_1.bin", Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write(make([]byte, 100)) // and no Close: the member is cut short
	zw.Close()
	path := filepath.Join(t.TempDir(), "bomb.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestArchiveBomb: headers that claim far more records than a batch holds
// are refused from the header alone, allocating nothing like their size.
func TestArchiveBomb(t *testing.T) {
	for _, records := range []int64{350_000, 1 << 32} {
		path := bombArchive(t, RecordSize*records)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(path)
		runtime.ReadMemStats(&after)
		wantErr(t, err, "data_batch_1.bin", "want exactly 10000")
		if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
			t.Errorf("%d records claimed: %d bytes allocated", records, got)
		}
	}
}

// TestGzipChecksum: an archive whose only damage is its CRC-32 trailer is
// refused.
func TestGzipChecksum(t *testing.T) {
	l, p := fixture(3, 1)
	path := filepath.Join(t.TempDir(), ArchiveName)
	writeArchive(t, path, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", batchBytes(t, l, p)}})
	if _, err := load3(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b[len(b)-8] ^= 0xff // the CRC-32, before the 4-byte size
	os.WriteFile(path, b, 0o644)
	_, err := load3(path)
	wantErr(t, err, ArchiveName, "checksum")
}

// TestNotAFile: a folder named as a batch is "a directory", not a record
// size problem.
func TestNotAFile(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, batchName(2)), 0o755)
	_, err := load3(dir)
	wantErr(t, err, "data_batch_2.bin", "is a directory")
}

// TestLoadCancelled: a load stops when its context is cancelled.
func TestLoadCancelled(t *testing.T) {
	l, p := fixture(3, 1)
	dir := t.TempDir()
	writeFolder(t, dir, map[int][]byte{1: batchBytes(t, l, p)})
	archive := filepath.Join(t.TempDir(), ArchiveName)
	writeArchive(t, archive, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", batchBytes(t, l, p)}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{dir, archive} {
		if _, err := (Loader{BatchRecords: 3}).Load(ctx, path); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", path, err)
		}
	}
}

// TestArchiveUnsafeNames: entries whose names lead out of the archive are
// skipped with a warning that names them.
func TestArchiveUnsafeNames(t *testing.T) {
	l, p := fixture(3, 1)
	good := batchBytes(t, l, p)
	path := filepath.Join(t.TempDir(), ArchiveName)
	writeArchive(t, path, []tarEntry{
		{"../data_batch_1.bin", good},
		{"/etc/data_batch_2.bin", good},
		{"cifar-10-batches-bin/data_batch_3.bin", good},
	})
	c, err := load3(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 || len(c.Batches) != 1 || !strings.HasSuffix(c.Batches[0], "data_batch_3.bin") {
		t.Fatalf("loaded %d images from %v, want batch 3 only", c.Len(), c.Batches)
	}
	w := strings.Join(c.Warnings, "\n")
	for _, name := range []string{`"../data_batch_1.bin"`, `"/etc/data_batch_2.bin"`} {
		if !strings.Contains(w, name) {
			t.Errorf("warnings %q do not name %s", w, name)
		}
	}
	if m := c.Missing(); len(m) != 4 || m[0] != batchName(1) {
		t.Errorf("Missing = %v", m)
	}
}

// TestIdentity: the same images have the same identity from a folder or
// the archive; other images, another.
func TestIdentity(t *testing.T) {
	l, p := fixture(3, 1)
	dir := t.TempDir()
	writeFolder(t, dir, map[int][]byte{1: batchBytes(t, l, p)})
	archive := filepath.Join(t.TempDir(), ArchiveName)
	writeArchive(t, archive, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", batchBytes(t, l, p)}})
	a, err := load3(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := load3(archive)
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity() != b.Identity() || !strings.HasPrefix(a.Identity(), "CIFAR-10 sha256:") {
		t.Errorf("identities %q and %q", a.Identity(), b.Identity())
	}
	p[5]++
	other := t.TempDir()
	writeFolder(t, other, map[int][]byte{1: batchBytes(t, l, p)})
	c, err := load3(other)
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity() == a.Identity() {
		t.Error("one changed pixel keeps the identity")
	}
	if NewSynthetic(10, 1).Identity() == NewSynthetic(10, 2).Identity() {
		t.Error("synthetic sets of two seeds have one identity")
	}
}

// FuzzArchive feeds arbitrary bytes to the archive reader: it must return
// an error or a set whose size agrees with its batches, never panic, hang
// or allocate what a header claims.
func FuzzArchive(f *testing.F) {
	l, p := fixture(2, 0)
	good := batchBytes(f, l, p)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "cifar-10-batches-bin/data_batch_1.bin", Mode: 0o644, Size: int64(len(good)), Typeflag: tar.TypeReg})
	tw.Write(good)
	tw.WriteHeader(&tar.Header{Name: "../data_batch_2.bin", Mode: 0o644, Size: int64(len(good)), Typeflag: tar.TypeReg})
	tw.Write(good)
	tw.Close()
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "a.tar.gz")
		os.WriteFile(path, b, 0o644)
		c, err := Loader{BatchRecords: 2}.Load(context.Background(), path)
		if err == nil && c.Len() != 2*len(c.Batches) {
			t.Fatalf("%d images from %d batches of 2", c.Len(), len(c.Batches))
		}
	})
}
