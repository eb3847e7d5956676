package main

import (
	"bytes"
	"image/png"
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
	for _, args := range [][]string{
		{},
		{"-model", filepath.Join(dir, "missing.safetensors")},
		{"-model", model, "-n", "0"},
		{"-model", model, "-out", filepath.Join(dir, "no", "such", "dir.png")},
	} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
