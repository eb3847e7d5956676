package nn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/gokern/gokern/internal/atomicfile"
)

// The safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length, a JSON header mapping each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into
// the data section) plus an optional "__metadata__" object of strings, then
// the raw little-endian data. gokern reads and writes it itself: the
// format is tiny, and github.com/nlpodyssey/safetensors serialises from
// byte views, which would mean copying every float32 tensor into a []byte
// first, and its reader does not report errors in the terms nn wants
// (which tensor, which shape). The tests cross-check files with that
// library.

// maxHeader bounds the JSON header, as the reference implementation does,
// so a corrupt length cannot make the loader allocate gigabytes.
const maxHeader = 100 << 20

type stTensor struct {
	name  string
	shape []int
	data  []float32
}

type stInfo struct {
	DType   string  `json:"dtype"`
	Shape   []int64 `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// writeSafetensors writes the tensors, in order, and the metadata to path
// atomically: into a temporary file in the same directory, synced, then
// renamed over path, so a crash leaves either the old file or the new one.
func writeSafetensors(path string, tensors []stTensor, meta map[string]string) (err error) {
	header := make(map[string]any, len(tensors)+1)
	var off int64
	for _, t := range tensors {
		if _, dup := header[t.name]; dup || t.name == "__metadata__" {
			return fmt.Errorf("nn: save %s: duplicate or reserved tensor name %q", path, t.name)
		}
		n := int64(len(t.data)) * 4
		shape := t.shape
		if shape == nil {
			shape = []int{}
		}
		header[t.name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": [2]int64{off, off + n}}
		off += n
	}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("nn: save %s: %w", path, err)
	}
	// Pad the header with spaces so the data section starts 8-byte
	// aligned, as the reference writer does.
	if r := len(hj) % 8; r != 0 {
		hj = append(hj, bytes.Repeat([]byte{' '}, 8-r)...)
	}

	err = atomicfile.Write(path, func(f *os.File) error {
		w := bufio.NewWriterSize(f, 1<<16)
		var lenBuf [8]byte
		binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hj)))
		w.Write(lenBuf[:])
		w.Write(hj)
		var buf [4]byte
		for _, t := range tensors {
			for _, v := range t.data {
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
				w.Write(buf[:])
			}
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// stFile is a parsed and validated safetensors file.
type stFile struct {
	tensors map[string]stEntry
	meta    map[string]string
}

type stEntry struct {
	shape []int
	data  []byte // len = 4 * prod(shape)
}

// parseSafetensors validates b as a safetensors file holding only F32
// tensors: header length, JSON, dtypes, shapes and offsets, and that the
// tensors tile the data section exactly. It never panics.
func parseSafetensors(b []byte) (*stFile, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length (truncated?)", len(b))
	}
	hlen := binary.LittleEndian.Uint64(b[:8])
	if hlen > maxHeader {
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit (corrupt file?)", hlen, maxHeader)
	}
	if hlen > uint64(len(b)-8) {
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated?)", hlen, len(b)-8)
	}
	hj := b[8 : 8+hlen]
	data := b[8+hlen:]
	if len(bytes.TrimSpace(hj)) == 0 || bytes.TrimSpace(hj)[0] != '{' {
		return nil, errors.New("header is not a JSON object (corrupt file?)")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hj, &raw); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	f := &stFile{tensors: make(map[string]stEntry, len(raw))}
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.meta); err != nil {
				return nil, fmt.Errorf("__metadata__ is not an object of strings: %v", err)
			}
			continue
		}
		var info stInfo
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&info); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %v", name, err)
		}
		if info.DType != "F32" {
			return nil, fmt.Errorf("tensor %q: dtype %q, want F32", name, info.DType)
		}
		if len(info.Offsets) != 2 {
			return nil, fmt.Errorf("tensor %q: data_offsets has %d values, want 2", name, len(info.Offsets))
		}
		begin, end := info.Offsets[0], info.Offsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] outside the %d-byte data section (truncated?)", name, begin, end, len(data))
		}
		shape := make([]int, len(info.Shape))
		elems := int64(1)
		for i, d := range info.Shape {
			if d < 0 || (d > 0 && elems > int64(len(data))/d) {
				return nil, fmt.Errorf("tensor %q: shape %v is negative or too large for the file", name, info.Shape)
			}
			elems *= d
			shape[i] = int(d)
		}
		if elems*4 != end-begin {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d bytes, data_offsets span %d", name, info.Shape, elems*4, end-begin)
		}
		f.tensors[name] = stEntry{shape: shape, data: data[begin:end]}
		spans = append(spans, span{name, begin, end})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var at int64
	for _, s := range spans {
		if s.begin != at {
			return nil, fmt.Errorf("tensor %q: data starts at %d, want %d (overlapping or gapped data)", s.name, s.begin, at)
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, fmt.Errorf("data section is %d bytes but tensors cover %d (trailing garbage?)", len(data), at)
	}
	return f, nil
}

// fill checks that f holds exactly the tensors named in want, with their
// shapes, and copies them in. Nothing is written unless everything checks.
func (f *stFile) fill(want []stTensor) error {
	names := make(map[string]bool, len(want))
	for _, t := range want {
		names[t.name] = true
		e, ok := f.tensors[t.name]
		if !ok {
			return fmt.Errorf("tensor %q is missing", t.name)
		}
		if !sameShape(e.shape, t.shape) {
			return fmt.Errorf("tensor %q has shape %v, the model wants %v", t.name, e.shape, t.shape)
		}
	}
	var extra []string
	for name := range f.tensors {
		if !names[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("file has tensors the model lacks: %q", extra)
	}
	for _, t := range want {
		e := f.tensors[t.name]
		for i := range t.data {
			t.data[i] = math.Float32frombits(binary.LittleEndian.Uint32(e.data[4*i:]))
		}
	}
	return nil
}
