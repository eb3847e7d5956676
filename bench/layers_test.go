package bench

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gokern/gokern/nn"
)

// TestIterationWorkMatchesIterationFLOPs checks the per-layer split adds up
// to the iteration's count: one source of truth for the FLOPs.
func TestIterationWorkMatchesIterationFLOPs(t *testing.T) {
	var sum float64
	calls := 0
	for _, kinds := range IterationWork(128, 100) {
		for _, w := range kinds {
			sum += w.FLOPs
			calls += w.Calls
		}
	}
	if want := IterationFLOPs(128, 100); sum != want {
		t.Fatalf("IterationWork sums to %v FLOPs, IterationFLOPs says %v", sum, want)
	}
	d, g := layers(t)
	// D: 3 forward and 3 backward calls per layer; G: 2 forward, 1 backward.
	if want := 6*len(d) + 3*len(g); calls != want {
		t.Errorf("%d calls per iteration, want %d", calls, want)
	}
	w := IterationWork(128, 100)
	want := map[string]LayerWork{
		KindForward:         {Calls: 3, FLOPs: 2*64*d[0].ForwardFLOPs(1) + d[0].ForwardFLOPs(128)},
		KindBackwardWeights: {Calls: 2, FLOPs: 2 * d[0].ForwardFLOPs(64)},
		KindBackwardData:    {Calls: 1, FLOPs: d[0].ForwardFLOPs(128)},
	}
	got := w["D/conv2d_1"]
	for k := range got {
		got[k] = LayerWork{Calls: got[k].Calls, FLOPs: got[k].FLOPs}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("D/conv2d_1 work %+v, want %+v", got, want)
	}
	if _, ok := w["G/dense_1"][KindBackwardWeights]; !ok || len(w["G/dense_1"]) != 2 {
		t.Errorf("G/dense_1 (fed the latent vector) work %+v, want forward and backward-weights", w["G/dense_1"])
	}
}

func TestPassKinds(t *testing.T) {
	ps := IterationPasses(128)
	for _, c := range []struct {
		pass, layer int
		want        []string
	}{
		{0, 0, []string{KindForward, KindBackwardWeights}}, // D real, first layer
		{0, 1, []string{KindForward, KindBackwardBoth}},
		{1, 3, []string{KindForward}},                   // G predict
		{4, 0, []string{KindForward, KindBackwardData}}, // frozen D in the GAN step
	} {
		if got := ps[c.pass].Kinds(c.layer); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s layer %d: %v, want %v", ps[c.pass].Step, c.layer, got, c.want)
		}
	}
}

// TestKindBytesByHand works out D/conv2d_2 (32x32x64 in, 3x3 stride 2,
// 128 filters, 16x16x128 out) by hand for a batch of 64.
func TestKindBytesByHand(t *testing.T) {
	d, _ := layers(t)
	l := d[1]
	const x, w, b, y = 64 * 32 * 32 * 64, 3 * 3 * 64 * 128, 128, 64 * 16 * 16 * 128
	for kind, floats := range map[string]float64{
		KindForward:         x + w + b + y,
		KindBackwardData:    y + w + x,
		KindBackwardWeights: x + y + w + b,
		KindBackwardBoth:    x + y + w + x + w + b,
		"unknown":           0,
	} {
		if got := l.KindBytes(kind, 64); got != 4*floats {
			t.Errorf("%s %s: %v bytes, want %v", l, kind, got, 4*floats)
		}
	}
	if l.KindFLOPs(KindBackwardBoth, 64) != 2*l.ForwardFLOPs(64) || l.KindFLOPs("unknown", 64) != 0 {
		t.Error("KindFLOPs: both gradients should count twice the forward product")
	}
}

func TestProfileBuckets(t *testing.T) {
	w := IterationWork(128, 100)
	row := nn.LayerTime{Forward: 3, Backward: 10, FrozenBackward: 4, ForwardCalls: 3, BackwardCalls: 3, FrozenCalls: 1}
	got := profileBuckets(row, w["D/conv2d_2"])
	want := []bucket{{KindForward, 3, 3}, {KindBackwardData, 4, 1}, {KindBackwardBoth, 6, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("D/conv2d_2 buckets %v, want %v", got, want)
	}
	// No frozen calls: no backward-data row; no GEMM: one backward row.
	got = profileBuckets(nn.LayerTime{Forward: 1, Backward: 2, ForwardCalls: 2, BackwardCalls: 1}, nil)
	want = []bucket{{KindForward, 1, 2}, {"backward", 2, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("element-wise buckets %v, want %v", got, want)
	}
	// A layer that both does and does not skip its input gradient.
	both := map[string]LayerWork{KindBackwardWeights: {Calls: 1, FLOPs: 1}, KindBackwardBoth: {Calls: 1, FLOPs: 2}}
	got = profileBuckets(nn.LayerTime{Backward: 2, BackwardCalls: 2}, both)
	if len(got) != 1 || got[0].pass != "backward-weights and backward-data+weights" {
		t.Errorf("mixed buckets %v", got)
	}
	if pw := passWork(both, got[0].pass); pw.Calls != 2 || pw.FLOPs != 3 {
		t.Errorf("passWork of the joined pass = %+v", pw)
	}
}

func TestBenchLayerName(t *testing.T) {
	for in, want := range map[string]string{"discriminator/conv2d_1": "D/conv2d_1", "generator/dense_1": "G/dense_1", "other/x": "other/x", "plain": "plain"} {
		if got := benchLayerName(in); got != want {
			t.Errorf("benchLayerName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewLayerPass(t *testing.T) {
	p := NewLayerPass("L", KindForward, 2, Summarize([]float64{0.5}), 2, 50e9, 1e9, 200)
	if p.GFLOPS != 100 || p.PctPeak != 50 || p.Share != 25 || p.Calls != 2 || p.Bytes != 1e9 {
		t.Errorf("NewLayerPass = %+v", p)
	}
	if p := NewLayerPass("L", "backward", 1, Summarize([]float64{0.5}), 2, 0, 0, 200); p.GFLOPS != 0 || p.PctPeak != 0 {
		t.Errorf("an element-wise pass got rates: %+v", p)
	}
}

func TestByteSize(t *testing.T) {
	for x, want := range map[float64]string{12: "12 B", 1500: "1.5 kB", 2.5e6: "2.5 MB", 1.234e9: "1.23 GB"} {
		if got := byteSize(x); got != want {
			t.Errorf("byteSize(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestWriteLayerPasses(t *testing.T) {
	r := fakeReport()
	r.LayerPasses = []LayerPass{
		NewLayerPass("discriminator/conv2d_2 (Conv2D)", KindForward, 3, Summarize([]float64{0.1}), 2.6, 10e9, 2e7, 100),
		NewLayerPass("discriminator/leaky_re_lu_1 (LeakyReLU)", "backward", 3, Summarize([]float64{0.001}), 2.6, 0, 0, 100),
	}
	r.Iteration = iterationPeaks(r.Epoch, r.Config.Paths, 1, map[string]Peak{"avx2": r.Peaks[1], "generic": r.Peaks[0]})
	var b strings.Builder
	r.writeLayerPasses(&b)
	md := b.String()
	for _, want := range []string{
		"## Per layer and pass (avx2 path, 1 threads, ceiling 100.0 GFLOPS)",
		"minimum bytes/iteration (analytical, not measured)",
		"| discriminator/conv2d_2 (Conv2D) | forward | 3 | 100 ms | 3.8% | 100.0 | 100.0% | 20 MB | 0.20 |",
		"| discriminator/leaky_re_lu_1 (LeakyReLU) | backward | 3 | 1 ms | 0.0% | - | - | - | - |",
		"## Whole iteration against each kernel path's peak (1 threads)",
		"| avx2 | 1 | 2.6 (2.5..2.7) | 50.1 | 100.0 | 50.1% | - |",
		"| generic | 1 | 21 (20..26) | 6.2 | 10.0 | 62.0% | - |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("tables lack %q:\n%s", want, md)
		}
	}
}

// TestLayerResults profiles a few iterations at a tiny batch and checks
// the per-pass rows against the analytical call counts and the per-layer
// totals.
func TestLayerResults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a few DCGAN iterations")
	}
	o := Options{Batch: 4, Iters: 1, Runs: 1, MinTime: time.Millisecond}.Defaults()
	shares, passes, err := o.LayerResults(o.Paths[len(o.Paths)-1], 100)
	if err != nil {
		t.Fatal(err)
	}
	work := IterationWork(4, 100)
	perLayer := map[string]float64{}
	var flops float64
	for _, p := range passes {
		perLayer[p.Layer] += p.Sec.Median
		flops += p.FLOPs
		name := benchLayerName(strings.SplitN(p.Layer, " ", 2)[0])
		if w, ok := work[name]; ok && w[p.Pass].Calls != p.Calls {
			t.Errorf("%s %s: %d calls per iteration, IterationWork says %d", p.Layer, p.Pass, p.Calls, w[p.Pass].Calls)
		}
	}
	if want := IterationFLOPs(4, 100); math.Abs(flops-want) > 1e-6*want {
		t.Errorf("passes add up to %v FLOPs, want %v", flops, want)
	}
	for _, s := range shares {
		if s.Layer == otherLayer {
			continue
		}
		if got := perLayer[s.Layer]; math.Abs(got-s.Sec.Median) > 1e-9+1e-6*s.Sec.Median {
			t.Errorf("%s: passes add up to %v s, the layer took %v s", s.Layer, got, s.Sec.Median)
		}
	}
}

func TestWriteCSVLayerPasses(t *testing.T) {
	r := fakeReport()
	r.LayerPasses = []LayerPass{NewLayerPass("discriminator/conv2d_2 (Conv2D)", KindForward, 3, Summarize([]float64{0.1}), 2.6, 10e9, 2e7, 100)}
	r.Iteration = []IterationPeak{{Path: "avx2", Threads: 2, SecPerIter: Summarize([]float64{2.6}), PctPeak: 50}}
	var b strings.Builder
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"layer_passes,discriminator/conv2d_2 (Conv2D) forward,avx2,1,gflops,GFLOPS,100,100,100,100,100,1",
		"layer_passes,discriminator/conv2d_2 (Conv2D) forward,avx2,1,min_bytes,B,2e+07,",
		"iteration,dcgan,avx2,2,pct_peak,%,50,",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, b.String())
		}
	}
}
