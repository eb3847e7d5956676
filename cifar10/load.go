package cifar10

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// BatchRecords is the number of records in each of the official release's
// batch files.
const BatchRecords = 10_000

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
	// Warnings lists what was skipped on the way (archive entries with
	// unsafe names or of other types), for the caller to show.
	Warnings []string

	hashOnce sync.Once
	hash     string
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

// Identity names the content: "CIFAR-10 sha256:" and the SHA-256 of every
// record (label and pixels) in order, so that the same images read from
// the folder or the archive, anywhere, have the same identity and any
// other set another. It is computed once, on the first call.
func (c *Set) Identity() string {
	c.hashOnce.Do(func() {
		h := sha256.New()
		for i := range c.labels {
			h.Write(c.labels[i : i+1])
			h.Write(c.pixels[i*ImageSize : (i+1)*ImageSize])
		}
		c.hash = "CIFAR-10 sha256:" + hex.EncodeToString(h.Sum(nil))
	})
	return c.hash
}

// Missing returns the names of the training batches (data_batch_1.bin ..
// data_batch_5.bin) the set lacks: empty for the whole release.
func (c *Set) Missing() []string {
	var out []string
	for n := 1; n <= TrainingBatches; n++ {
		found := false
		for _, b := range c.Batches {
			found = found || batchNumber(path.Base(filepath.ToSlash(b))) == n
		}
		if !found {
			out = append(out, batchName(n))
		}
	}
	return out
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

// Load reads the official release from path with the default Loader.
func Load(path string) (*Set, error) {
	return Loader{}.Load(context.Background(), path)
}

// Loader reads CIFAR-10 training images. The zero value reads the
// official release.
type Loader struct {
	// BatchRecords is the number of records every batch file must hold,
	// checked from its size before anything is read or allocated: 0 means
	// BatchRecords (10,000). Tests and cut-down copies set another.
	BatchRecords int
}

// Load reads the CIFAR-10 training images from path, which is one of:
//   - a folder in the official binary layout holding some or all of
//     data_batch_1.bin .. data_batch_5.bin (test_batch.bin is ignored: the
//     tutorial trains on the training set); Set.Missing names those absent;
//   - the official cifar-10-binary.tar.gz, read as it is, without unpacking,
//     its gzip checksum verified;
//   - a folder that holds either of those (such as the cache folder).
//
// Every batch must be a regular file of exactly BatchRecords records.
// Errors name the file and, for bad contents, the byte offset. Cancelling
// ctx stops the reading.
func (l Loader) Load(ctx context.Context, path string) (*Set, error) {
	if l.BatchRecords <= 0 {
		l.BatchRecords = BatchRecords
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %w", err)
	}
	if !st.IsDir() {
		return l.loadArchive(ctx, path)
	}
	c, err := l.loadFolder(ctx, path)
	if !errors.Is(err, errNoBatches) {
		return c, err
	}
	// Perhaps the folder that holds the release: look one level down.
	if st, e := os.Stat(filepath.Join(path, FolderName)); e == nil && st.IsDir() {
		return l.loadFolder(ctx, filepath.Join(path, FolderName))
	}
	if _, e := os.Stat(filepath.Join(path, ArchiveName)); e == nil {
		return l.loadArchive(ctx, filepath.Join(path, ArchiveName))
	}
	return nil, err
}

var errNoBatches = errors.New("no CIFAR-10 training batches")

// regular returns an error unless st is a regular file: a FIFO would block
// the reading for ever, and a folder or a device is no batch.
func regular(name string, st fs.FileInfo) error {
	switch m := st.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("cifar-10: %s: is a directory, want a batch file", name)
	default:
		return fmt.Errorf("cifar-10: %s: not a regular file (%s), want a batch file", name, m.Type())
	}
}

func (l Loader) loadFolder(ctx context.Context, dir string) (*Set, error) {
	c := &Set{Source: dir}
	for n := 1; n <= TrainingBatches; n++ {
		name := filepath.Join(dir, batchName(n))
		st, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a partial copy of the release is fine
		}
		if err != nil {
			return nil, fmt.Errorf("cifar-10: %w", err)
		}
		if err := regular(name, st); err != nil {
			return nil, err
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cifar-10: %w", err)
		}
		err = l.readBatch(ctx, c, name, ctxReader{ctx, f}, st.Size())
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

// ctxReader stops reading once ctx is done, so that a load is cancellable.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

func (l Loader) loadArchive(ctx context.Context, name string) (*Set, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %w", err)
	}
	if st.Mode().IsDir() || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cifar-10: %s: not a regular file (%s), want the official %s or a folder", name, st.Mode().Type(), ArchiveName)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cifar-10: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(ctxReader{ctx, f}, 1<<20))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cifar-10: %s: %w", name, ctx.Err())
		}
		return nil, fmt.Errorf("cifar-10: %s: not a gzip archive (%v); want the official %s or a folder", name, err, ArchiveName)
	}
	defer zr.Close()
	// Keep batches by number so that the order of entries in the archive
	// does not change the order of images.
	var found [TrainingBatches + 1]*Set
	var warnings []string
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
		if !filepath.IsLocal(filepath.FromSlash(hdr.Name)) || strings.Contains(hdr.Name, `\`) {
			warnings = append(warnings, fmt.Sprintf("%s: skipped the entry %q: its name leads out of the archive's folder", name, hdr.Name))
			continue
		}
		if n == 0 {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			warnings = append(warnings, fmt.Sprintf("%s: skipped the entry %q: not a regular file (tar type %q)", name, hdr.Name, hdr.Typeflag))
			continue
		}
		b := &Set{}
		if err := l.readBatch(ctx, b, name+":"+hdr.Name, tr, hdr.Size); err != nil {
			return nil, err
		}
		found[n] = b
	}
	// The tar reader stops at the end-of-archive blocks; read on to the
	// end of the gzip stream, where its CRC-32 and size are checked.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("cifar-10: %s: %w (a damaged archive: download it again)", name, err)
	}
	c := &Set{Source: name, Warnings: warnings}
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
// checking the size first (before anything is allocated, so a header that
// claims gigabytes costs nothing), then the record layout and every label.
func (l Loader) readBatch(ctx context.Context, c *Set, name string, r io.Reader, size int64) error {
	want := int64(l.BatchRecords) * RecordSize
	if size == 0 {
		return fmt.Errorf("cifar-10: %s: empty file, want %d records of %d bytes", name, l.BatchRecords, RecordSize)
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
	if size != want {
		return fmt.Errorf("cifar-10: %s: %d records (%d bytes), want exactly %d (%d bytes) as in the official release",
			name, size/RecordSize, size, l.BatchRecords, want)
	}
	n := int(size / RecordSize)
	c.pixels = slices.Grow(c.pixels, n*ImageSize)
	c.labels = slices.Grow(c.labels, n)
	// Read a few hundred records at a time, so that the batch is not held
	// twice and a cancelled load stops soon.
	const chunk = 256
	buf := make([]byte, chunk*RecordSize)
	for i := 0; i < n; i += chunk {
		k := min(chunk, n-i)
		if got, err := io.ReadFull(r, buf[:k*RecordSize]); err != nil {
			if e := ctx.Err(); e != nil {
				return fmt.Errorf("cifar-10: %s: %w", name, e)
			}
			return fmt.Errorf("cifar-10: %s: truncated at byte offset %d of %d: %w", name, int64(i)*RecordSize+int64(got), size, err)
		}
		for j := range k {
			rec := buf[j*RecordSize : (j+1)*RecordSize]
			if rec[0] >= Classes {
				return fmt.Errorf("cifar-10: %s: label %d above 9 at byte offset %d (record %d)", name, rec[0], (i+j)*RecordSize, i+j)
			}
			c.labels = append(c.labels, rec[0])
			c.pixels = append(c.pixels, rec[1:]...)
		}
	}
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
