package gan

import (
	"os"
	"strings"
	"testing"
)

// summaryLines returns the non-blank lines of a Keras-style summary,
// trimmed: the seeds indent their tables.
func summaryLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestModelsMatchSeeds(t *testing.T) {
	d, err := NewDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(100)
	if err != nil {
		t.Fatal(err)
	}
	seeds, seedsErr := os.ReadFile("../../shared/seeds/keras-gan-cifar10-models.md")
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
			t.Errorf("%s summary:\n%s\nwant (seeds):\n%s", tc.name, tc.got, want)
		}
		// The testdata copy must be the seeds' table, line for line.
		if seedsErr == nil {
			sl := summaryLines(string(seeds))
			k := 0
			for _, l := range sl {
				if k < len(wl) && l == wl[k] {
					k++
				}
			}
			if k != len(wl) {
				t.Errorf("testdata/%s_summary.txt line %d (%q) is not in the seeds", tc.name, k+1, wl[k])
			}
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
