package nn

import (
	"os"
	"strings"
	"testing"
)

// TestSummaryMatchesKeras compares Summary, line by line, with the tables
// Keras' model.summary() printed for the Keras CIFAR-10 DCGAN tutorial's
// models, copied from the tutorial into testdata.
func TestSummaryMatchesKeras(t *testing.T) {
	d, g := newDiscriminator(t, false), newGenerator(t)
	for _, c := range []struct {
		name  string
		m     *Sequential
		count int
	}{
		{"discriminator", d, 522497},
		{"generator", g, 1466115},
	} {
		if got := c.m.CountParams(); got != c.count {
			t.Errorf("%s: CountParams = %d, want %d", c.name, got, c.count)
		}
		want, err := os.ReadFile("testdata/" + c.name + "_summary.txt")
		if err != nil {
			t.Fatal(err)
		}
		compareLines(t, c.name, c.m.Summary(), string(want))
	}
}

func compareLines(t *testing.T, name, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s: line %d:\n got %q\nwant %q", name, i+1, gl, wl)
		}
	}
}

func TestSummaryNestedAndFrozen(t *testing.T) {
	d, g := newDiscriminator(t, false), newGenerator(t)
	d.SetTrainable(false)
	gan, err := NewSequential("gan", []int{100}, g, d)
	if err != nil {
		t.Fatal(err)
	}
	s := gan.Summary()
	for _, want := range []string{
		"generator (Sequential)       (None, 32, 32, 3)         1466115",
		"discriminator (Sequential)   (None, 1)                 522497",
		"Total params: 1,988,612",
		"Trainable params: 1,466,115",
		"Non-trainable params: 522,497",
	} {
		if !strings.Contains(s, want+"\n") {
			t.Errorf("gan summary lacks %q:\n%s", want, s)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 522497: "522,497", 1466115: "1,466,115", -1234: "-1,234", 1000000: "1,000,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
