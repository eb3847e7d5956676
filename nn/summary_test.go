package nn

import (
	"os"
	"strings"
	"testing"
)

const wantDiscriminatorSummary = `
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
conv2d_1 (Conv2D)            (None, 32, 32, 64)        1792
_________________________________________________________________
leaky_re_lu_1 (LeakyReLU)    (None, 32, 32, 64)        0
_________________________________________________________________
conv2d_2 (Conv2D)            (None, 16, 16, 128)       73856
_________________________________________________________________
leaky_re_lu_2 (LeakyReLU)    (None, 16, 16, 128)       0
_________________________________________________________________
conv2d_3 (Conv2D)            (None, 8, 8, 128)         147584
_________________________________________________________________
leaky_re_lu_3 (LeakyReLU)    (None, 8, 8, 128)         0
_________________________________________________________________
conv2d_4 (Conv2D)            (None, 4, 4, 256)         295168
_________________________________________________________________
leaky_re_lu_4 (LeakyReLU)    (None, 4, 4, 256)         0
_________________________________________________________________
flatten_1 (Flatten)          (None, 4096)              0
_________________________________________________________________
dropout_1 (Dropout)          (None, 4096)              0
_________________________________________________________________
dense_1 (Dense)              (None, 1)                 4097
=================================================================
Total params: 522,497
Trainable params: 522,497
Non-trainable params: 0
_________________________________________________________________
`

const wantGeneratorSummary = `
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense_1 (Dense)              (None, 4096)              413696
_________________________________________________________________
leaky_re_lu_1 (LeakyReLU)    (None, 4096)              0
_________________________________________________________________
reshape_1 (Reshape)          (None, 4, 4, 256)         0
_________________________________________________________________
conv2d_transpose_1 (Conv2DTr (None, 8, 8, 128)         524416
_________________________________________________________________
leaky_re_lu_2 (LeakyReLU)    (None, 8, 8, 128)         0
_________________________________________________________________
conv2d_transpose_2 (Conv2DTr (None, 16, 16, 128)       262272
_________________________________________________________________
leaky_re_lu_3 (LeakyReLU)    (None, 16, 16, 128)       0
_________________________________________________________________
conv2d_transpose_3 (Conv2DTr (None, 32, 32, 128)       262272
_________________________________________________________________
leaky_re_lu_4 (LeakyReLU)    (None, 32, 32, 128)       0
_________________________________________________________________
conv2d_1 (Conv2D)            (None, 32, 32, 3)         3459
=================================================================
Total params: 1,466,115
Trainable params: 1,466,115
Non-trainable params: 0
_________________________________________________________________
`

func TestSummaryMatchesSeeds(t *testing.T) {
	d, g := newDiscriminator(t, false), newGenerator(t)
	for _, c := range []struct {
		name  string
		m     *Sequential
		want  string
		count int
	}{
		{"discriminator", d, wantDiscriminatorSummary, 522497},
		{"generator", g, wantGeneratorSummary, 1466115},
	} {
		if got := c.m.CountParams(); got != c.count {
			t.Errorf("%s: CountParams = %d, want %d", c.name, got, c.count)
		}
		compareLines(t, c.name, c.m.Summary(), strings.TrimPrefix(c.want, "\n"))
	}
}

// TestSummaryMatchesSeedFile compares against the tables in the seed
// document itself, when this checkout has it.
func TestSummaryMatchesSeedFile(t *testing.T) {
	const path = "/work/shared/seeds/keras-gan-cifar10-models.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("seed file absent: %v", err)
	}
	tables := seedTables(string(b))
	if len(tables) != 2 {
		t.Fatalf("found %d summary tables in %s, want 2", len(tables), path)
	}
	compareLines(t, "discriminator (seed file)", newDiscriminator(t, false).Summary(), tables[0])
	compareLines(t, "generator (seed file)", newGenerator(t).Summary(), tables[1])
}

// seedTables extracts the indented Keras tables: from a line of
// underscores followed by the "Layer (type)" header to the underscore line
// after "Non-trainable params".
func seedTables(doc string) []string {
	var tables []string
	var cur []string
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if cur == nil {
			if strings.HasPrefix(l, "_____") && i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "Layer (type)") {
				cur = []string{l}
			}
			continue
		}
		cur = append(cur, l)
		if strings.HasPrefix(l, "_____") && strings.HasPrefix(cur[len(cur)-2], "Non-trainable params") {
			tables = append(tables, strings.Join(cur, "\n")+"\n")
			cur = nil
		}
	}
	return tables
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
