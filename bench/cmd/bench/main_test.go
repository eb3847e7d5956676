package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokern/gokern/bench"
	"github.com/gokern/gokern/kernels"
)

// TestQuickReport runs the whole report at -quick settings and checks every
// output: Markdown sections, CSV, JSON and the PNG charts.
func TestQuickReport(t *testing.T) {
	if testing.Short() {
		t.Skip("measures every kernel on every path: skipped with -short")
	}
	dir := t.TempDir()
	csvFile, jsonFile, out := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.json"), filepath.Join(dir, "charts")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-quick", "-csv", csvFile, "-json", jsonFile, "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	md := stdout.String()
	for _, want := range []string{"## FMA peak", "## Training throughput per kernel path", "### sgemm", "### conv",
		"### im2col", "### col2im", "### elementwise", "### adam", "## Where one training iteration's time goes", "## Per layer and pass", "## Whole iteration against each kernel path's peak",
		"## Thread scaling", "## Serial fraction"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, p := range append(kernels.Available(), "gonum") {
		if !strings.Contains(md, "\n| "+p+" | ") {
			t.Errorf("training table lacks path %s", p)
		}
	}

	f, err := os.Open(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 50 {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}

	data, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if r.Config.Batch != 8 || len(r.Epoch) != len(kernels.Available())+1 || len(r.Layers) == 0 || len(r.Scaling) == 0 ||
		len(r.LayerPasses) <= len(r.Layers) || len(r.Iteration) != len(kernels.Available()) {
		t.Errorf("JSON report incomplete: config %+v, %d epoch rows, %d layers, %d layer passes, %d iteration rows, %d scaling",
			r.Config, len(r.Epoch), len(r.Layers), len(r.LayerPasses), len(r.Iteration), len(r.Scaling))
	}
	for _, e := range r.Epoch {
		if !(e.SecPerIter.Median > 0) || !(e.GFLOPS.Median > 0) {
			t.Errorf("%s: non-positive figures %+v", e.Path, e)
		}
	}

	for _, name := range []string{bench.EpochChart, bench.KernelChart, bench.ConvChart, bench.ScalingChart} {
		png, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("chart %s: %v", name, err)
		}
	}
}

// TestPeerLine checks -peer prints one parseable line per path.
func TestPeerLine(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the DCGAN: skipped with -short")
	}
	best := kernels.Best()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-quick", "-peer", "-paths", best, "-threads", "1"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	l, err := bench.ParsePeerLine(strings.TrimSpace(stdout.String()))
	if err != nil || l.Peer != "gokern/"+best || l.Threads != 1 || l.Batch != 8 || !(l.SecPerIt.Median > 0) {
		t.Fatalf("peer line %q: %+v, %v", stdout.String(), l, err)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-paths", "sse9"}, {"-paths", "generic,generic"}, {"-shapes", "1,2"}, {"-sections", "nope"}, {"extra"}, {"-batch", "7", "-sections", "training"}} {
		var stdout, stderr bytes.Buffer
		if err := run(args, &stdout, &stderr); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
