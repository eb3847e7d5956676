package gan

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokern/gokern/nn"
)

func TestInterpolate(t *testing.T) {
	a, b := []float32{0, 1}, []float32{2, -1}
	got := Interpolate(a, b, 3)
	if want := []float32{0, 1, 1, 0, 2, -1}; !slices.Equal(got, want) {
		t.Errorf("Interpolate = %v, want %v", got, want)
	}
	if got := Interpolate(a, b, 1); !slices.Equal(got, a) {
		t.Errorf("one step = %v, want a", got)
	}
	if !slices.Equal(LatentPoints(3, 4, 5), LatentPoints(3, 4, 5)) || slices.Equal(LatentPoints(3, 4, 5), LatentPoints(3, 4, 6)) {
		t.Error("LatentPoints is not a function of its seed")
	}
}

func TestLoadGenerator(t *testing.T) {
	dir := t.TempDir()
	g, err := NewGenerator(5)
	if err != nil {
		t.Fatal(err)
	}
	g.Init(9)
	path := filepath.Join(dir, "g.safetensors")
	if err := nn.SaveWeights(path, g); err != nil {
		t.Fatal(err)
	}
	back, err := LoadGenerator(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.InShape()[0] != 5 || !slices.Equal(Generate(back, 2, 1), Generate(g, 2, 1)) {
		t.Error("the reloaded generator differs")
	}

	d, _ := NewDiscriminator()
	dpath := filepath.Join(dir, "d.safetensors")
	nn.SaveWeights(dpath, d)
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not safetensors at all"), 0o644)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte{1, 2}, 0o644)
	for _, tc := range []struct{ path, want string }{
		{dpath, "not a generator"},
		{junk, "not a safetensors file"},
		{short, "not a safetensors file"},
		{filepath.Join(dir, "missing"), "missing"},
	} {
		if _, err := LoadGenerator(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadGenerator(%s): err = %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}

// TestGenerateBatches: generating in batches gives the images one batch
// gives, bit for bit, never more than the batch at once; a non-finite
// weight is refused on loading and a non-finite output on generating.
func TestGenerateBatches(t *testing.T) {
	g, err := NewGenerator(8)
	if err != nil {
		t.Fatal(err)
	}
	g.Init(4)
	z := LatentPoints(5, 8, 3)
	want := GenerateFrom(g, z)
	var got []float32
	err = GenerateBatches(g, z, 2, func(first int, imgs []float32) error {
		if first != len(got)/ImageSize || len(imgs) > 2*ImageSize {
			t.Fatalf("chunk at %d of %d images", first, len(imgs)/ImageSize)
		}
		got = append(got, imgs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("batched images differ from one batch's")
	}

	path := filepath.Join(t.TempDir(), "g.safetensors")
	p := g.Params()[1]
	p.Value[0] = float32(math.Inf(1))
	if err := nn.SaveWeights(path, g); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGenerator(path); !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), p.Name) {
		t.Errorf("LoadGenerator with an infinite weight: err = %v", err)
	}
	p.Value[0] = float32(math.NaN())
	err = GenerateBatches(g, z[:8], 2, func(int, []float32) error { return nil })
	if !errors.Is(err, ErrNonFinite) {
		t.Errorf("GenerateBatches with a NaN weight: err = %v", err)
	}
}
