package bench

import (
	"reflect"
	"strings"
	"testing"
)

// comparedReports are a before and an after report with per-pass rows: the
// after one has a row the before one lacks and the other way round.
func comparedReports() (old, cur *Report) {
	sec := func(x float64) Stats { return Summarize([]float64{x}) }
	old, cur = fakeReport(), fakeReport()
	conv := "discriminator/conv2d_2 (Conv2D)"
	old.LayerPasses = []LayerPass{
		NewLayerPass(conv, KindForward, 3, sec(0.2), 2.6, 10e9, 0, 100),
		NewLayerPass(conv, KindBackwardBoth, 2, sec(0.4), 2.6, 20e9, 0, 100),
		NewLayerPass(conv, "gone", 1, sec(0.1), 2.6, 0, 0, 100),
	}
	cur.LayerPasses = []LayerPass{
		NewLayerPass(conv, KindForward, 3, sec(0.1), 1.3, 10e9, 0, 100),
		NewLayerPass(conv, KindBackwardBoth, 2, sec(0.5), 1.3, 20e9, 0, 100),
		NewLayerPass(conv, KindBackwardData, 1, sec(0.05), 1.3, 5e9, 0, 100),
	}
	old.Layers = append(old.Layers, LayerShare{Layer: otherLayer, Sec: sec(0.3)})
	cur.Layers = append(cur.Layers, LayerShare{Layer: otherLayer, Sec: sec(0.15)})
	cur.Iteration = []IterationPeak{{Path: "avx2", Threads: 1, SecPerIter: sec(1.3), GFLOPS: 100}}
	return old, cur
}

func TestCompareLayers(t *testing.T) {
	old, cur := comparedReports()
	conv := "discriminator/conv2d_2 (Conv2D)"
	got := CompareLayers(old, cur)
	sec := func(x float64) Stats { return Summarize([]float64{x}) }
	want := []LayerDelta{
		{Layer: conv, Pass: KindForward, Old: sec(0.2), New: sec(0.1), OldGFLOPS: 50, NewGFLOPS: 100},
		{Layer: conv, Pass: KindBackwardBoth, Old: sec(0.4), New: sec(0.5), OldGFLOPS: 50, NewGFLOPS: 40},
		{Layer: conv, Pass: KindBackwardData, New: sec(0.05), NewGFLOPS: 100},
		{Layer: otherLayer, Pass: PassTotal, Old: sec(0.3), New: sec(0.15)},
		{Layer: "whole iteration (avx2)", Pass: PassIteration, Old: old.Epoch[1].SecPerIter, New: sec(1.3), OldGFLOPS: old.Epoch[1].GFLOPS.Median, NewGFLOPS: 100},
		{Layer: conv, Pass: "gone", Old: sec(0.1)},
		{Layer: "whole iteration (generic)", Pass: PassIteration, Old: old.Epoch[0].SecPerIter, OldGFLOPS: old.Epoch[0].GFLOPS.Median},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CompareLayers:\n got %+v\nwant %+v", got, want)
	}
	if r := got[0].Ratio(); r != 0.5 {
		t.Errorf("ratio %v, want 0.5", r)
	}
	if r := got[2].Ratio(); r != 0 {
		t.Errorf("ratio of a one-sided row %v, want 0", r)
	}
}

// TestCompareLayersWithoutPasses compares against a report written before
// the per-pass rows existed: layer by layer.
func TestCompareLayersWithoutPasses(t *testing.T) {
	old, cur := comparedReports()
	old.LayerPasses = nil
	got := CompareLayers(old, cur)
	layer := "generator/conv2d_transpose_3 (Conv2DTranspose)"
	if s := Summarize([]float64{1.3}); got[0] != (LayerDelta{Layer: layer, Pass: PassTotal, Old: s, New: s}) {
		t.Errorf("first row %+v, want %s's whole time in both", got[0], layer)
	}
	for _, d := range got {
		if d.Pass != PassTotal && d.Pass != PassIteration {
			t.Errorf("row %+v compares a pass the old report lacks", d)
		}
	}
}

func TestWriteComparison(t *testing.T) {
	old, cur := comparedReports()
	var b strings.Builder
	if err := WriteComparison(&b, old, cur); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"- before: 2026-11-22 21:00 UTC, Test CPU, avx2 path, 1 threads, batch 128, 3 timed runs",
		"| discriminator/conv2d_2 (Conv2D) | forward | 200 ms | 100 ms | 0.50x | 50.0 | 100.0 |",
		"| discriminator/conv2d_2 (Conv2D) | backward-data | - | 50 ms | - | - | 100.0 |",
		"| discriminator/conv2d_2 (Conv2D) | gone | 100 ms | - | - | - | - |",
		"| whole iteration (avx2) | iteration | 2.6 (2.5..2.7) s | 1.3 s | 0.50x | 50.1 | 100.0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("comparison lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "warning") {
		t.Errorf("warned about reports measured alike:\n%s", md)
	}
	for _, change := range []func(r *Report){
		func(r *Report) { r.Config.Threads = 2 },
		func(r *Report) { r.Machine.Features = append(r.Machine.Features, "avx512f") },
		func(r *Report) { r.ProfilePath = "generic" },
	} {
		_, cur := comparedReports()
		change(cur)
		b.Reset()
		if err := WriteComparison(&b, old, cur); err != nil || !strings.Contains(b.String(), "**warning") {
			t.Errorf("no warning for reports measured differently:\n%s", b.String())
		}
	}
}
