package main

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/nn"
)

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	g, err := gan.NewGenerator(8)
	if err != nil {
		t.Fatal(err)
	}
	g.Init(1)
	model := filepath.Join(dir, "g.safetensors")
	if err := nn.SaveWeights(model, g); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args       []string
		w, h       int // grid size in images
		wantOutput string
	}{
		{[]string{"-n", "6"}, 3, 2, "6 images"},
		{[]string{"-n", "4", "-cols", "4", "-scale", "1"}, 4, 1, "4 images"},
		{[]string{"-interpolate", "-rows", "2", "-steps", "5"}, 5, 2, "10 images"},
	} {
		out := filepath.Join(dir, "out.png")
		var stdout bytes.Buffer
		if err := run(append([]string{"-model", model, "-out", out}, tc.args...), &stdout); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if !strings.Contains(stdout.String(), tc.wantOutput) || !strings.Contains(stdout.String(), "latent 8") {
			t.Errorf("%v: output %q", tc.args, stdout.String())
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		scale := 2
		if strings.Contains(strings.Join(tc.args, " "), "-scale 1") {
			scale = 1
		}
		cell := 32*scale + 1
		if b := img.Bounds(); b.Dx() != tc.w*cell+1 || b.Dy() != tc.h*cell+1 {
			t.Errorf("%v: image %v, want %dx%d cells", tc.args, b, tc.w, tc.h)
		}
	}
	// Batches of 2 draw the images one batch of all 5 gives for the seed.
	out := filepath.Join(dir, "batched.png")
	if err := run([]string{"-model", model, "-out", out, "-n", "5", "-seed", "5", "-batch", "2"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := gan.GridImage(gan.GenerateFrom(g, gan.LatentPoints(5, 8, 5)), 5, 3, 2)
	if img.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", img.Bounds(), want.Bounds())
	}
	for y := range want.Bounds().Dy() {
		for x := range want.Bounds().Dx() {
			if r, g, b, _ := img.At(x, y).RGBA(); color.RGBA64Model.Convert(want.At(x, y)) != (color.RGBA64{uint16(r), uint16(g), uint16(b), 0xffff}) {
				t.Fatalf("pixel (%d, %d) differs from one batch's", x, y)
			}
		}
	}

	// A generator with a NaN weight is refused.
	g.Params()[0].Value[0] = float32(math.NaN())
	bad := filepath.Join(dir, "bad.safetensors")
	if err := nn.SaveWeights(bad, g); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-model", bad, "-out", filepath.Join(dir, "nan.png")}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN generator: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nan.png")); err == nil {
		t.Error("an image was written from a NaN generator")
	}

	for _, args := range [][]string{
		{},
		{"-model", model, "-n", "1000000000"},
		{"-model", model, "-batch", "0"},
		{"-model", filepath.Join(dir, "missing.safetensors")},
		{"-model", model, "-n", "0"},
		{"-model", model, "-out", filepath.Join(dir, "no", "such", "dir.png")},
	} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
