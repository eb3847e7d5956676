package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokern/gokern/bench"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, sec float64) string {
		r := &bench.Report{Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), ProfilePath: "avx2",
			Config:      bench.Options{Threads: 1, Batch: 128, TrainTime: time.Second},
			LayerPasses: []bench.LayerPass{bench.NewLayerPass("discriminator/conv2d_1 (Conv2D)", bench.KindForward, 3, bench.Summarize([]float64{sec}), 1, 1e9, 0, 0)}}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := r.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
		return f.Name()
	}
	old, cur := write("old.json", 0.4), write("new.json", 0.1)
	var b strings.Builder
	if err := run([]string{old, cur}, &b); err != nil {
		t.Fatal(err)
	}
	if want := "| discriminator/conv2d_1 (Conv2D) | forward | 400 ms | 100 ms | 0.25x | 2.5 | 10.0 |"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	for _, args := range [][]string{{old}, {old, filepath.Join(dir, "missing.json")}} {
		if err := run(args, &b); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
