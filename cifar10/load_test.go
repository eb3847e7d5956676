package cifar10

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// load3 loads path with batches of 3 records, the size of the fixtures.
func load3(path string) (*Set, error) {
	return Loader{BatchRecords: 3}.Load(context.Background(), path)
}

// fixture returns n records' labels and planar pixels with values that
// identify image, channel and position.
func fixture(n int, seed byte) (labels, pixels []byte) {
	labels = make([]byte, n)
	pixels = make([]byte, n*ImageSize)
	for i := range n {
		labels[i] = byte(i+int(seed)) % 10
		for j := range ImageSize {
			pixels[i*ImageSize+j] = byte(i*7 + j*13 + int(seed))
		}
	}
	return labels, pixels
}

func batchBytes(t testing.TB, labels, pixels []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteBatch(&b, labels, pixels); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeFolder writes batches numbered 1.. into dir in the official layout.
func writeFolder(t testing.TB, dir string, batches map[int][]byte) {
	t.Helper()
	for n, b := range batches {
		if err := os.WriteFile(filepath.Join(dir, batchName(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type tarEntry struct {
	name string
	data []byte
}

func writeArchive(t testing.TB, path string, entries []tarEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkImages verifies that c holds exactly the given records in order,
// converted to NHWC [-1, 1].
func checkImages(t *testing.T, c *Set, labels, pixels []byte) {
	t.Helper()
	if c.Len() != len(labels) {
		t.Fatalf("Len = %d, want %d", c.Len(), len(labels))
	}
	img := make([]float32, ImageSize)
	for i := range labels {
		if c.Label(i) != int(labels[i]) {
			t.Fatalf("Label(%d) = %d, want %d", i, c.Label(i), labels[i])
		}
		c.Image(i, img)
		for y := range 32 {
			for x := range 32 {
				for ch := range 3 {
					raw := pixels[i*ImageSize+ch*1024+y*32+x]
					want := (float32(raw) - 127.5) / 127.5
					if got := img[(y*32+x)*3+ch]; got != want {
						t.Fatalf("image %d (%d,%d,%d) = %v, want %v", i, y, x, ch, got, want)
					}
				}
			}
		}
	}
}

func TestLoadCIFAR10Folder(t *testing.T) {
	dir := t.TempDir()
	l1, p1 := fixture(3, 0)
	l3, p3 := fixture(3, 5)
	writeFolder(t, dir, map[int][]byte{1: batchBytes(t, l1, p1), 3: batchBytes(t, l3, p3)})
	// test_batch.bin is not training data and must be ignored.
	lt, pt := fixture(4, 9)
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), batchBytes(t, lt, pt), 0o644)
	c, err := load3(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, c, append(l1, l3...), append(p1, p3...))
	if len(c.Batches) != 2 {
		t.Errorf("Batches = %v", c.Batches)
	}
	// The parent folder of the release works too.
	parent := t.TempDir()
	sub := filepath.Join(parent, FolderName)
	os.Mkdir(sub, 0o755)
	writeFolder(t, sub, map[int][]byte{2: batchBytes(t, l1, p1)})
	c, err = load3(parent)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, c, l1, p1)
}

func TestLoadCIFAR10Archive(t *testing.T) {
	dir := t.TempDir()
	l1, p1 := fixture(3, 1)
	l2, p2 := fixture(3, 2)
	lt, pt := fixture(2, 3)
	path := filepath.Join(dir, ArchiveName)
	// Entries out of order and with the other files of the release: the
	// images still come in batch order.
	writeArchive(t, path, []tarEntry{
		{"cifar-10-batches-bin/batches.meta.txt", []byte("airplane\n")},
		{"cifar-10-batches-bin/data_batch_2.bin", batchBytes(t, l2, p2)},
		{"cifar-10-batches-bin/test_batch.bin", batchBytes(t, lt, pt)},
		{"cifar-10-batches-bin/data_batch_1.bin", batchBytes(t, l1, p1)},
	})
	c, err := load3(path)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, c, append(l1, l2...), append(p1, p2...))
	// A folder holding only the archive (the cache) works too.
	c, err = load3(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, c, append(l1, l2...), append(p1, p2...))
}

func TestLoadCIFAR10Errors(t *testing.T) {
	l, p := fixture(3, 0)
	good := batchBytes(t, l, p)
	badLabel := bytes.Clone(good)
	badLabel[2*RecordSize] = 12
	noLabels := bytes.Clone(p) // 3 records of 3072 bytes
	cifar100 := make([]byte, 3*(RecordSize+1))

	tests := []struct {
		name  string
		setup func(dir string) string // returns the path to load
		want  []string                // substrings of the error
	}{
		{"missing path", func(dir string) string { return filepath.Join(dir, "nope") }, []string{"nope", "no such file"}},
		{"empty folder", func(dir string) string { return dir }, []string{"no CIFAR-10 training batches", "in folder"}},
		{"truncated", func(dir string) string {
			writeFolder(t, dir, map[int][]byte{1: good[:len(good)-100]})
			return dir
		}, []string{"data_batch_1.bin", "byte offset 6146", "truncated"}},
		{"empty file", func(dir string) string {
			writeFolder(t, dir, map[int][]byte{2: nil})
			return dir
		}, []string{"data_batch_2.bin", "empty"}},
		{"label above 9", func(dir string) string {
			writeFolder(t, dir, map[int][]byte{1: good, 4: badLabel})
			return dir
		}, []string{"data_batch_4.bin", "label 12 above 9", "byte offset 6146", "record 2"}},
		{"records without labels", func(dir string) string {
			writeFolder(t, dir, map[int][]byte{1: noLabels})
			return dir
		}, []string{"data_batch_1.bin", "3072", "without the label byte"}},
		{"cifar-100 records", func(dir string) string {
			writeFolder(t, dir, map[int][]byte{1: cifar100})
			return dir
		}, []string{"data_batch_1.bin", "CIFAR-100"}},
		{"not gzip", func(dir string) string {
			path := filepath.Join(dir, "x.tar.gz")
			os.WriteFile(path, good, 0o644)
			return path
		}, []string{"x.tar.gz", "not a gzip archive"}},
		{"archive without batches", func(dir string) string {
			path := filepath.Join(dir, "a.tar.gz")
			writeArchive(t, path, []tarEntry{{"cifar-10-batches-bin/test_batch.bin", good}})
			return path
		}, []string{"a.tar.gz", "no CIFAR-10 training batches"}},
		{"archive with bad label", func(dir string) string {
			path := filepath.Join(dir, "a.tar.gz")
			writeArchive(t, path, []tarEntry{{"cifar-10-batches-bin/data_batch_3.bin", badLabel}})
			return path
		}, []string{"a.tar.gz:cifar-10-batches-bin/data_batch_3.bin", "label 12", "byte offset 6146"}},
		{"archive truncated", func(dir string) string {
			path := filepath.Join(dir, "a.tar.gz")
			writeArchive(t, path, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", good}})
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)/2], 0o644)
			return path
		}, []string{"a.tar.gz"}},
		{"archive with truncated batch", func(dir string) string {
			path := filepath.Join(dir, "a.tar.gz")
			writeArchive(t, path, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", good[:RecordSize+10]}})
			return path
		}, []string{"data_batch_1.bin", "byte offset 3073", "truncated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t.TempDir())
			c, err := load3(path)
			if err == nil {
				t.Fatalf("Load = %d images, want an error", c.Len())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func FuzzLoadCIFAR10(f *testing.F) {
	l, p := fixture(2, 0)
	good := batchBytes(f, l, p)
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte{})
	// A valid archive, so that mutations explore the gzip and tar readers.
	archive := filepath.Join(f.TempDir(), "seed.tar.gz")
	writeArchive(f, archive, []tarEntry{{"cifar-10-batches-bin/data_batch_1.bin", good}})
	seed, err := os.ReadFile(archive)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		writeFolder(t, dir, map[int][]byte{1: b})
		c, err := Loader{BatchRecords: 2}.Load(context.Background(), dir)
		if err == nil && c.Len()*RecordSize != len(b) {
			t.Fatalf("%d images from %d bytes", c.Len(), len(b))
		}
		path := filepath.Join(dir, "a.tar.gz")
		os.WriteFile(path, b, 0o644)
		Loader{BatchRecords: 2}.Load(context.Background(), path) // must not panic
	})
}

// TestSharedCIFAR10 reads the real batch in ../shared when present.
func TestSharedCIFAR10(t *testing.T) {
	c, err := Load(sharedCIFAR)
	if os.IsNotExist(err) || (err != nil && strings.Contains(err.Error(), "no such file")) {
		t.Skip("no shared CIFAR-10 copy at", sharedCIFAR)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 10000 {
		t.Fatalf("Len = %d, want 10000", c.Len())
	}
	var counts [10]int
	for i := range c.Len() {
		counts[c.Label(i)]++
	}
	for k, n := range counts {
		if n < 900 || n > 1100 {
			t.Errorf("class %d has %d images", k, n)
		}
	}
}

// sharedCIFAR is the development copy of one CIFAR-10 batch, relative to
// this package's folder.
const sharedCIFAR = "../../shared/data/cifar-10-batches-bin"
