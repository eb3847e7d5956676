package gan

import (
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestGridImage(t *testing.T) {
	imgs := make([]float32, 3*ImageSize)
	for i := range imgs {
		imgs[i] = float32(i%3) - 1 // R=-1, G=0, B=1
	}
	imgs[ImageSize] = float32(math.NaN())
	g := GridImage(imgs, 3, 2, 2)
	if g.Bounds().Dx() != 2*65+1 || g.Bounds().Dy() != 2*65+1 {
		t.Fatalf("bounds %v", g.Bounds())
	}
	c := g.RGBAAt(1+3, 1+5)
	if c.R != 0 || c.G != 128 || c.B != 255 {
		t.Errorf("pixel = %v, want {0 128 255}", c)
	}
	if c := g.RGBAAt(0, 0); c.R != 255 {
		t.Errorf("border = %v, want white", c)
	}
	if c := g.RGBAAt(66, 1); c.R != 0 { // NaN draws black
		t.Errorf("NaN pixel = %v", c)
	}
	if c := g.RGBAAt(66+5, 66+5); c.R != 255 || c.G != 255 { // the unused cell stays white
		t.Errorf("empty cell = %v", c)
	}
	path := filepath.Join(t.TempDir(), "g.png")
	if err := WritePNG(path, g); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != g.Bounds() {
		t.Errorf("decoded bounds %v", back.Bounds())
	}
	leftovers(t, filepath.Dir(path), 1)
}

func TestMetricsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.csv")
	m, err := openMetrics(path, 0, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	for i := 1; i <= 5; i++ {
		r := Record{Iter: i, Epoch: 1, Step: i, IterationStats: IterationStats{0.1 * float32(i), 0.7, 1.5}, ImagesPerSec: 100, AccReal: nan, AccFake: nan}
		if i == 5 {
			r.AccReal, r.AccFake = 0.5, 0.25
		}
		m.add(r)
	}
	if err := m.close(); err != nil {
		t.Fatal(err)
	}
	// Resume after iteration 3: rows 4 and 5 go.
	m, err = openMetrics(path, 3, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m.add(Record{Iter: 4, Epoch: 1, Step: 4, AccReal: nan, AccFake: nan})
	m.close()
	f, _ := os.Open(path)
	recs, err := ReadMetrics(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[3].Iter != 4 || recs[2].DLossReal != float32(0.1*3) || !math.IsNaN(recs[3].AccReal) {
		t.Fatalf("records after resume: %+v", recs)
	}
	plot := filepath.Join(dir, "loss.png")
	if err := WriteLossPlot(plot, recs); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(plot); err != nil || st.Size() < 1000 {
		t.Fatalf("loss plot: %v", err)
	}
}

// leftovers fails unless dir holds exactly want files: no temporary
// files may remain.
func leftovers(t *testing.T, dir string, want int) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	if len(es) != want {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want %d files", dir, names, want)
	}
}
