package cifar10

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// CIFAR-10 binary layout: each record is one label byte (0-9) followed by
// 1,024 red, 1,024 green and 1,024 blue bytes, each plane 32x32 row-major.
const (
	RecordSize      = 1 + ImageSize
	Classes         = 10
	TrainingBatches = 5 // data_batch_1.bin .. data_batch_5.bin
	planeSize       = ImageHeight * ImageWidth
)

// Names of the official release's folder and archive.
const (
	FolderName  = "cifar-10-batches-bin"
	ArchiveName = "cifar-10-binary.tar.gz"
)

// Set holds CIFAR-10 training images as the release stores them (bytes,
// one colour plane after another) and converts on demand: a quarter of the
// memory of float32 copies, and Image is cheap next to a training step.
type Set struct {
	pixels []byte // Len()*ImageSize bytes, planar R, G, B per image
	labels []byte
	// Source says where the images came from, for messages.
	Source string
	// Batches lists the batch files read, in order.
	Batches []string
}

// Len returns the number of images.
func (c *Set) Len() int { return len(c.labels) }

// Label returns the class (0-9) of image i.
func (c *Set) Label(i int) int { return int(c.labels[i]) }

// Image writes image i into dst as NHWC float32 scaled to [-1, 1].
func (c *Set) Image(i int, dst []float32) {
	src := c.pixels[i*ImageSize : (i+1)*ImageSize]
	r, g, b := src[:planeSize], src[planeSize:2*planeSize], src[2*planeSize:]
	dst = dst[:ImageSize]
	for p := range planeSize {
		dst[3*p] = pixelScale[r[p]]
		dst[3*p+1] = pixelScale[g[p]]
		dst[3*p+2] = pixelScale[b[p]]
	}
}

func batchName(n int) string { return "data_batch_" + strconv.Itoa(n) + ".bin" }

// batchNumber returns n for a base name data_batch_n.bin with n in 1..5, and
// 0 for any other name.
func batchNumber(name string) int {
	s, ok := strings.CutPrefix(name, "data_batch_")
	if !ok {
		return 0
	}
	s, ok = strings.CutSuffix(s, ".bin")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > TrainingBatches {
		return 0
	}
	return n
}

// Load reads the CIFAR-10 training images from path, which is one of:
//   - a folder in the official binary layout holding some or all of
//     data_batch_1.bin .. data_batch_5.bin (test_batch.bin is ignored: the
//     tutorial trains on the training set);
//   - the official cifar-10-binary.tar.gz, read as it is, without unpacking;
//   - a folder that holds either of those (such as the cache folder).
//
// Errors name the file and, for bad contents, the byte offset.
func Load(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %w", err)
	}
	if !st.IsDir() {
		return loadArchive(path)
	}
	c, err := loadFolder(path)
	if !errors.Is(err, errNoBatches) {
		return c, err
	}
	// Perhaps the folder that holds the release: look one level down.
	if st, e := os.Stat(filepath.Join(path, FolderName)); e == nil && st.IsDir() {
		return loadFolder(filepath.Join(path, FolderName))
	}
	if _, e := os.Stat(filepath.Join(path, ArchiveName)); e == nil {
		return loadArchive(filepath.Join(path, ArchiveName))
	}
	return nil, err
}

var errNoBatches = errors.New("no CIFAR-10 training batches")

func loadFolder(dir string) (*Set, error) {
	c := &Set{Source: dir}
	for n := 1; n <= TrainingBatches; n++ {
		name := filepath.Join(dir, batchName(n))
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a partial copy of the release is fine
		}
		if err != nil {
			return nil, fmt.Errorf("cifar-10: %w", err)
		}
		st, err := f.Stat()
		if err == nil {
			err = c.readBatch(name, bufio.NewReaderSize(f, 1<<20), st.Size())
		}
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if c.Len() == 0 {
		return nil, fmt.Errorf("cifar-10: %w (%s .. %s) in folder %s", errNoBatches, batchName(1), batchName(TrainingBatches), dir)
	}
	return c, nil
}

func loadArchive(name string) (*Set, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %s: not a gzip archive (%v); want the official %s or a folder", name, err, ArchiveName)
	}
	defer zr.Close()
	// Keep batches by number so that the order of entries in the archive
	// does not change the order of images.
	var found [TrainingBatches + 1]*Set
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("cifar-10: %s: reading archive: %w", name, err)
		}
		n := batchNumber(path.Base(hdr.Name))
		if n == 0 || hdr.Typeflag != tar.TypeReg {
			continue
		}
		b := &Set{}
		if err := b.readBatch(name+":"+hdr.Name, tr, hdr.Size); err != nil {
			return nil, err
		}
		found[n] = b
	}
	c := &Set{Source: name}
	for _, b := range found {
		if b != nil {
			c.pixels = append(c.pixels, b.pixels...)
			c.labels = append(c.labels, b.labels...)
			c.Batches = append(c.Batches, b.Batches...)
		}
	}
	if c.Len() == 0 {
		return nil, fmt.Errorf("cifar-10: %s: %w (%s .. %s) in the archive", name, errNoBatches, batchName(1), batchName(TrainingBatches))
	}
	return c, nil
}

// readBatch appends the size bytes of batch file name, read from r, to c,
// checking the record layout and every label.
func (c *Set) readBatch(name string, r io.Reader, size int64) error {
	if size == 0 {
		return fmt.Errorf("cifar-10: %s: empty file, want records of %d bytes", name, RecordSize)
	}
	if rem := size % RecordSize; rem != 0 {
		hint := ""
		switch {
		case size%ImageSize == 0:
			hint = fmt.Sprintf("; the size is a multiple of %d: records without the label byte?", ImageSize)
		case size%(RecordSize+1) == 0:
			hint = fmt.Sprintf("; the size is a multiple of %d: CIFAR-100 records (two label bytes)?", RecordSize+1)
		}
		return fmt.Errorf("cifar-10: %s: size %d bytes is not a whole number of %d-byte records: the record at byte offset %d is truncated (%d of %d bytes)%s",
			name, size, RecordSize, size-rem, rem, RecordSize, hint)
	}
	n := int(size / RecordSize)
	buf := make([]byte, size)
	if got, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("cifar-10: %s: truncated at byte offset %d of %d: %w", name, got, size, err)
	}
	pixels := make([]byte, 0, n*ImageSize)
	labels := make([]byte, n)
	for i := range n {
		rec := buf[i*RecordSize : (i+1)*RecordSize]
		if rec[0] >= Classes {
			return fmt.Errorf("cifar-10: %s: label %d above 9 at byte offset %d (record %d)", name, rec[0], i*RecordSize, i)
		}
		labels[i] = rec[0]
		pixels = append(pixels, rec[1:]...)
	}
	c.pixels = append(c.pixels, pixels...)
	c.labels = append(c.labels, labels...)
	c.Batches = append(c.Batches, name)
	return nil
}

// WriteBatch writes images in the official record layout: for each, the
// label byte then the red, green and blue planes. pixels holds len(labels)
// images of ImageSize bytes in that planar order. Tests and tools use it to
// make fixtures.
func WriteBatch(w io.Writer, labels []byte, pixels []byte) error {
	if len(pixels) != len(labels)*ImageSize {
		return fmt.Errorf("cifar-10: %d pixel bytes for %d labels, want %d", len(pixels), len(labels), len(labels)*ImageSize)
	}
	var rec bytes.Buffer
	for i, l := range labels {
		rec.Reset()
		rec.WriteByte(l)
		rec.Write(pixels[i*ImageSize : (i+1)*ImageSize])
		if _, err := w.Write(rec.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
