package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
	"github.com/nlpodyssey/safetensors"
)

func newGAN(t testing.TB) (g, d, gan *Sequential) {
	g, d = newGenerator(t), newDiscriminator(t, false)
	gan, err := NewSequential("gan", []int{100}, g, d)
	if err != nil {
		t.Fatal(err)
	}
	return g, d, gan
}

func TestSaveLoadWeights(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "d.safetensors")
		d := newDiscriminator(t, false)
		d.Init(1)
		if err := SaveWeights(file, d); err != nil {
			t.Fatal(err)
		}
		d2 := newDiscriminator(t, false)
		d2.Init(2)
		if err := LoadWeights(file, d2); err != nil {
			t.Fatal(err)
		}
		if !equalSnapshot(snapshot(d.Params()), d2.Params()) {
			t.Fatal("loaded weights differ from saved ones")
		}
		// Same outputs, bit for bit.
		x := NewTensor(2, 32, 32, 3)
		randomize(rand.New(rand.NewPCG(1, 1)), x.Data, 1)
		a := append([]float32(nil), d.Forward(x, false).Data...)
		b := d2.Forward(x, false).Data
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatal("outputs differ after load")
			}
		}
		// No temporary files are left behind.
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("directory holds %d entries after save, want 1", len(ents))
		}
	})
}

func TestSaveLoadNestedNames(t *testing.T) {
	_, _, gan := newGAN(t)
	gan.Init(5)
	file := filepath.Join(t.TempDir(), "gan.safetensors")
	if err := SaveWeights(file, gan); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	st, err := safetensors.Deserialize(b) // the Go reference reader accepts it
	if err != nil {
		t.Fatalf("nlpodyssey/safetensors rejects our file: %v", err)
	}
	names := st.Names()
	for _, want := range []string{"generator/dense_1/kernel", "generator/conv2d_1/bias", "discriminator/dense_1/kernel", "discriminator/conv2d_4/kernel"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("file lacks tensor %q (has %v)", want, names)
		}
	}
	tv, _ := st.Tensor("generator/conv2d_transpose_1/kernel")
	if got := tv.Shape(); len(got) != 4 || got[0] != 4 || got[2] != 128 || got[3] != 256 {
		t.Errorf("conv2d_transpose_1 kernel shape %v, want [4 4 128 256]", got)
	}
	_, hdr, _ := safetensors.ReadMetadata(b)
	if md := hdr.Metadata(); md["format"] != formatName || !strings.Contains(md["layout"], "conv2d_transpose_1 (Conv2DTranspose) [8 8 128]") {
		t.Errorf("metadata %v lacks the layout", md)
	}
	_, _, gan2 := newGAN(t)
	if err := LoadWeights(file, gan2); err != nil {
		t.Fatal(err)
	}
	if !equalSnapshot(snapshot(gan.Params()), gan2.Params()) {
		t.Fatal("nested weights differ after load")
	}
}

// TestLoadErrors checks that wrong files give errors naming the problem
// and leave the model unchanged.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	d := newDiscriminator(t, false)
	d.Init(1)
	good := filepath.Join(dir, "d.safetensors")
	if err := SaveWeights(good, d); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	hlen := binary.LittleEndian.Uint64(b)
	g := newGenerator(t)
	gFile := filepath.Join(dir, "g.safetensors")
	if err := SaveWeights(gFile, g); err != nil {
		t.Fatal(err)
	}
	other, _ := NewSequential("other", []int{32, 32, 3}, NewConv2D(64, 3, 1, im2col.Same), NewFlatten(), NewDense(1))
	oFile := filepath.Join(dir, "o.safetensors")
	SaveWeights(oFile, other)
	opt := NewAdam(0.001, 0.5)
	aFile := filepath.Join(dir, "adam.safetensors")
	if err := SaveAdam(aFile, opt, d); err != nil {
		t.Fatal(err)
	}
	bf16 := bytes.Replace(b, []byte(`"dtype":"F32"`), []byte(`"dtype":"F16"`), 1)
	cases := []struct {
		name string
		data []byte
		path string
		want string
	}{
		{"truncated data", b[:len(b)-10], "", "truncated"},
		{"truncated header", b[:20], "", "truncated"},
		{"tiny", b[:3], "", "too short"},
		{"huge header length", append(binary.LittleEndian.AppendUint64(nil, 1<<40), b[8:]...), "", "limit"},
		{"not json", append(binary.LittleEndian.AppendUint64(nil, hlen), append(bytes.Repeat([]byte("x"), int(hlen)), b[8+hlen:]...)...), "", "JSON"},
		{"dtype", bf16, "", `dtype "F16"`},
		{"trailing garbage", append(append([]byte(nil), b...), 1, 2, 3, 4), "", "trailing"},
		{"missing file", nil, filepath.Join(dir, "nope"), "no such file"},
		{"other model", nil, gFile, `"conv2d_1/kernel" has shape [3 3 128 3], the model wants [3 3 3 64]`},
		{"missing tensor", nil, oFile, `"conv2d_2/kernel" is missing`},
		{"optimiser state", nil, aFile, `holds "adam"`},
	}
	want := snapshot(d.Params())
	for _, c := range cases {
		p := c.path
		if c.data != nil {
			p = filepath.Join(dir, "bad.safetensors")
			os.WriteFile(p, c.data, 0o644)
		}
		err := LoadWeights(p, d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
		if !equalSnapshot(want, d.Params()) {
			t.Fatalf("%s: a failed load changed the model", c.name)
		}
	}
}

// TestSaveLoadAdam saves optimiser state mid-training and checks that a
// resumed run continues bit for bit like the uninterrupted one.
func TestSaveLoadAdam(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		dir := t.TempDir()
		newModel := func() *Sequential {
			m, err := NewSequential("toy", []int{2}, NewDense(8), NewLeakyReLU(0.2), NewDense(1).WithActivation(SigmoidActivation))
			if err != nil {
				t.Fatal(err)
			}
			m.Init(1)
			return m
		}
		x, y := blobs(rand.New(rand.NewPCG(3, 3)), 32)
		dp := NewTensor(32, 1)
		step := func(m *Sequential, o *Adam) {
			p := m.Forward(x, true)
			BinaryCrossEntropy(p.Data, y, dp.Data)
			m.Backward(dp)
			o.Step(m.TrainableParams())
		}
		a, oa := newModel(), NewAdam(0.01, 0.5)
		for range 3 {
			step(a, oa)
		}
		wf, sf := filepath.Join(dir, "w.safetensors"), filepath.Join(dir, "adam.safetensors")
		if err := SaveWeights(wf, a); err != nil {
			t.Fatal(err)
		}
		if err := SaveAdam(sf, oa, a); err != nil {
			t.Fatal(err)
		}
		b, ob := newModel(), NewAdam(0.5, 0.9)
		if err := LoadWeights(wf, b); err != nil {
			t.Fatal(err)
		}
		if err := LoadAdam(sf, ob, b); err != nil {
			t.Fatal(err)
		}
		if ob.LR != 0.01 || ob.Beta1 != 0.5 || ob.Steps(b.Params()[0]) != 3 {
			t.Fatalf("restored lr %v beta1 %v steps %d, want 0.01 0.5 3", ob.LR, ob.Beta1, ob.Steps(b.Params()[0]))
		}
		for range 2 {
			step(a, oa)
			step(b, ob)
		}
		if !equalSnapshot(snapshot(a.Params()), b.Params()) {
			t.Error("resumed training diverged from uninterrupted training")
		}
		if err := LoadAdam(wf, ob, b); err == nil || !strings.Contains(err.Error(), "not a gokern Adam state") {
			t.Errorf("loading weights as Adam state: %v", err)
		}
	})
}

// TestPythonReadsWeights reads a saved file with testdata/check_safetensors.py
// (plain json+struct, plus torch.frombuffer when PyTorch is installed) and
// compares shapes and values.
func TestPythonReadsWeights(t *testing.T) {
	py, err := exec.LookPath("python3")
	if _, e := os.Stat("/usr/bin/python3"); e == nil {
		py, err = "/usr/bin/python3", nil // Debian's, which has torch
	}
	if err != nil {
		t.Skip("python3 not installed")
	}
	d := newDiscriminator(t, false)
	d.Init(7)
	file := filepath.Join(t.TempDir(), "d.safetensors")
	if err := SaveWeights(file, d); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/check_safetensors.py", file).Output()
	if err != nil {
		t.Fatalf("python check failed: %v\n%s", err, out)
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	var withTorch bool
	json.Unmarshal(res["__torch__"], &withTorch)
	t.Logf("python read %d tensors (torch: %v)", len(res)-2, withTorch)
	for _, p := range d.Params() {
		var got struct {
			Shape []int
			Sum   float64
			First []float64
		}
		if err := json.Unmarshal(res[p.Name], &got); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		var sum float64
		for _, v := range p.Value {
			sum += float64(v)
		}
		if !sameShape(got.Shape, p.Shape) || math.Abs(got.Sum-sum) > 1e-9*float64(len(p.Value)) {
			t.Errorf("%s: python sees shape %v sum %v, want %v sum %v", p.Name, got.Shape, got.Sum, p.Shape, sum)
		}
		for i, v := range got.First {
			if float32(v) != p.Value[i] {
				t.Errorf("%s[%d]: python %v, want %v", p.Name, i, v, p.Value[i])
			}
		}
	}
}

// FuzzLoad feeds corrupted files to the loaders: they must return errors,
// never panic, and never change the model on error.
func FuzzLoad(f *testing.F) {
	m, err := NewSequential("toy", []int{3, 3, 2}, NewConv2D(2, 2, 1, im2col.Valid), NewFlatten(), NewDense(2))
	if err != nil {
		f.Fatal(err)
	}
	m.Init(1)
	dir := f.TempDir()
	wf := filepath.Join(dir, "w.safetensors")
	af := filepath.Join(dir, "a.safetensors")
	SaveWeights(wf, m)
	o := NewAdam(0.1, 0.5)
	for _, p := range m.Params() {
		p.Grad[0] = 1
	}
	o.Step(m.Params())
	SaveAdam(af, o, m)
	w, _ := os.ReadFile(wf)
	a, _ := os.ReadFile(af)
	f.Add(w)
	f.Add(a)
	f.Add(w[:len(w)/2])
	f.Add([]byte{})
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 2), "{}"...))
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 60), `{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}    `...))
	f.Add(append(binary.LittleEndian.AppendUint64(nil, 64), `{"a":{"dtype":"F32","shape":[9999999999,9999999999],"data_offsets":[0,0]}}`[:64]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		before := snapshot(m.Params())
		if err := loadWeights(b, m); err != nil && !equalSnapshot(before, m.Params()) {
			t.Fatal("failed load changed the weights")
		}
		loadAdam(b, NewAdam(0.1, 0.5), m)
	})
}
