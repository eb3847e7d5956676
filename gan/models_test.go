package gan

import (
	"os"
	"strings"
	"testing"
)

// summaryLines returns the non-blank lines of a Keras-style summary,
// trimmed: the tutorial's write-up indents its tables.
func summaryLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestModelsMatchTutorial checks both models' summaries against the
// tables of the Keras CIFAR-10 DCGAN tutorial's write-up, kept in
// testdata/keras-gan-cifar10-models.md, through the trimmed copies
// testdata/*_summary.txt.
func TestModelsMatchTutorial(t *testing.T) {
	d, err := NewDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(100)
	if err != nil {
		t.Fatal(err)
	}
	tutorial, err := os.ReadFile("testdata/keras-gan-cifar10-models.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		params int
		got    string
	}{
		{"discriminator", 522_497, d.Summary()},
		{"generator", 1_466_115, g.Summary()},
	} {
		want, err := os.ReadFile("testdata/" + tc.name + "_summary.txt")
		if err != nil {
			t.Fatal(err)
		}
		wl, gl := summaryLines(string(want)), summaryLines(tc.got)
		if strings.Join(wl, "\n") != strings.Join(gl, "\n") {
			t.Errorf("%s summary:\n%s\nwant (the tutorial):\n%s", tc.name, tc.got, want)
		}
		// The trimmed copy must be the write-up's table, line for line.
		k := 0
		for _, l := range summaryLines(string(tutorial)) {
			if k < len(wl) && l == wl[k] {
				k++
			}
		}
		if k != len(wl) {
			t.Errorf("testdata/%s_summary.txt line %d (%q) is not in the tutorial's write-up", tc.name, k+1, wl[k])
		}
	}
	if n := d.CountParams(); n != 522_497 {
		t.Errorf("discriminator has %d parameters, want 522,497", n)
	}
	if n := g.CountParams(); n != 1_466_115 {
		t.Errorf("generator has %d parameters, want 1,466,115", n)
	}

	// The combined model: the discriminator frozen inside it.
	gan, err := NewGAN(g, d)
	if err != nil {
		t.Fatal(err)
	}
	d.SetTrainable(false)
	s := gan.Summary()
	for _, want := range []string{"Total params: 1,988,612", "Trainable params: 1,466,115", "Non-trainable params: 522,497"} {
		if !strings.Contains(s, want) {
			t.Errorf("GAN summary lacks %q:\n%s", want, s)
		}
	}
	if got := len(gan.TrainableParams()); got != len(g.Params()) {
		t.Errorf("GAN with frozen discriminator trains %d parameters, want the generator's %d", got, len(g.Params()))
	}
}

func TestGeneratorLatentSize(t *testing.T) {
	g, err := NewGenerator(7)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.CountParams(), 1_466_115-93*4096; got != want {
		t.Errorf("latent 7: %d parameters, want %d", got, want)
	}
	if _, err := NewGenerator(0); err == nil {
		t.Error("NewGenerator(0) succeeded")
	}
}
