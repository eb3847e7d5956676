package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeReport is a report with made-up measurements, so formatting can be
// checked without measuring anything.
func fakeReport() *Report {
	secs := func(xs ...float64) Stats { return Summarize(xs) }
	flops := IterationFLOPs(128, 100)
	r := &Report{
		Date:           time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC),
		Machine:        Machine{CPU: "Test CPU", Features: []string{"avx2", "fma"}, Cores: 2, GOMAXPROCS: 1, GOOS: "linux", GOARCH: "amd64", Go: "go1.26"},
		Config:         Options{Paths: []string{"generic", "avx2"}, Threads: 1, Batch: 128, Iters: 3, TrainTime: 3 * time.Second, Warmup: 1, Runs: 3},
		IterationFLOPs: flops,
		ProfilePath:    "avx2",
		Peaks:          []Peak{{Path: "generic", Single: 10, Threads: 1, Concurrent: 10, Ceiling: 10}, {Path: "avx2", Single: 100, Threads: 1, Concurrent: 100, Ceiling: 100}},
	}
	gen := secs(20, 26, 21)
	r.Epoch = []EpochResult{
		NewEpochResult("generic", gen, 128, flops, 10, gen.Median),
		NewEpochResult("avx2", secs(2.5, 2.6, 2.7), 128, flops, 100, gen.Median),
	}
	r.Kernels = []KernelResult{
		NewKernelResult("sgemm", "m512n256k1152", "avx2", secs(0.004, 0.005, 0.006), 2*512*256*1152, 0),
		NewKernelResult("elementwise", "LeakyReLU", "avx2", secs(1e-4, 1e-4), 0, 8e6),
	}
	r.Layers = []LayerShare{{Layer: "generator/conv2d_transpose_3 (Conv2DTranspose)", Sec: secs(1.3), Share: 50}}
	r.Scaling = []ScalePoint{{Threads: 1, SecPerIter: secs(2.6), Speedup: 1, Efficiency: 100}, {Threads: 2, SecPerIter: secs(1.4), Speedup: 2.6 / 1.4, Efficiency: 100 * 2.6 / 1.4 / 2}}
	return r
}

func TestNewEpochResult(t *testing.T) {
	e := NewEpochResult("avx2", Summarize([]float64{1, 2, 4}), 128, 100e9, 200, 10)
	if e.SecPerEpoch.Median != 2*ItersPerEpoch || e.ImagesPerSec.Median != 64 || e.GFLOPS.Median != 50 {
		t.Errorf("derived figures %+v", e)
	}
	// The fastest run gives the highest rate.
	if e.ImagesPerSec.Max != 128 || e.ImagesPerSec.Min != 32 {
		t.Errorf("images/s range %v..%v, want 32..128", e.ImagesPerSec.Min, e.ImagesPerSec.Max)
	}
	if e.PctPeak != 25 || e.Speedup != 5 {
		t.Errorf("%% of peak %v, speed-up %v; want 25, 5", e.PctPeak, e.Speedup)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := fakeReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"- CPU: Test CPU (2 logical cores, GOMAXPROCS 1, linux/amd64, go1.26)",
		"One training iteration = 130.2 GFLOP",
		"| avx2 | 100.0 | 100.0 | 100.0 |",
		// 2.6 s/iteration: 1014 s/epoch, 49.23 images/s, 50.1 GFLOPS,
		// 50.1% of a 100 GFLOPS peak, 21/2.6 = 8.08x over generic.
		"| avx2 | 2.6 (2.5..2.7) | 1014 (975..1053) | 49.23 (47.41..51.2) | 50.1 (48.2..52.1) | 50.1% | 8.08x | - | - |",
		"| generic | 21 (20..26) |",
		"| m512n256k1152 | avx2 | 5 (4..6) ms | 60.4 (50.3..75.5) | - |",
		"| LeakyReLU | avx2 | 100 µs | - | 80.0 |",
		"| generator/conv2d_transpose_3 (Conv2DTranspose) | 1.3 s | 50.0% |",
		"| 2 | 1.4 | 1.86x | 93% |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	// Every table row has as many cells as its header.
	cols := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(line, "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("row %q has %d cells, header %d", line, n-1, cols-1)
		}
	}
}

func TestWriteCSVAndJSON(t *testing.T) {
	r := fakeReport()
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	found := false
	for _, row := range rows[1:] {
		if len(row) != len(CSVHeader) {
			t.Fatalf("row %v has %d fields", row, len(row))
		}
		if row[0] == "epoch" && row[2] == "avx2" && row[4] == "sec_per_epoch" {
			found = row[6] == "1014" && row[7] == "975" && row[8] == "1053"
		}
	}
	if !found {
		t.Errorf("no avx2 sec_per_epoch row 1014 (975..1053) in\n%v", rows)
	}

	b.Reset()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Epoch[1].SecPerIter != r.Epoch[1].SecPerIter || back.Machine.CPU != "Test CPU" || back.Kernels[0].GFLOPS != r.Kernels[0].GFLOPS ||
		!reflect.DeepEqual(back.Config, r.Config) {
		t.Errorf("JSON round trip lost data: %+v", back)
	}
}

func TestWriteCharts(t *testing.T) {
	dir := t.TempDir()
	files, err := fakeReport().WriteCharts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 { // epoch, sgemm, scaling (no conv rows)
		t.Fatalf("wrote %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG")) || len(data) < 1000 {
			t.Errorf("%s is not a PNG chart (%d bytes)", filepath.Base(f), len(data))
		}
	}
}

func TestPeerLineRoundTrip(t *testing.T) {
	l := PeerLine{Peer: "gokern/avx512", Threads: 1, Batch: 128, SecPerIt: Summarize([]float64{0.5, 0.25, 1}), CPUPerIt: 0.375}
	var b bytes.Buffer
	if err := l.Write(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "peer=gokern/avx512 threads=1 batch=128 s_per_iter=0.5 runs=3 min=0.25 max=1 cpu_s_per_iter=0.375\n" {
		t.Fatalf("line %q", got)
	}
	back, err := ParsePeerLine(b.String())
	if err != nil || back.Peer != l.Peer || back.Threads != 1 || back.Batch != 128 || back.SecPerIt.Median != 0.5 || back.SecPerIt.Max != 1 || back.CPUPerIt != 0.375 {
		t.Fatalf("ParsePeerLine = %+v, %v", back, err)
	}
	for _, bad := range []string{"", "peer=x threads=one", "threads=1 batch=2 s_per_iter=1 runs=1 min=1 max=1", "peer x"} {
		if _, err := ParsePeerLine(bad); err == nil {
			t.Errorf("ParsePeerLine(%q) accepted", bad)
		}
	}
}

// TestReadStoredReport reads the report kept in results/: the settings a
// report records keep their JSON layout now that Options holds them.
func TestReadStoredReport(t *testing.T) {
	b, err := os.ReadFile("results/report-2threads.json")
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if c := r.Config; c.Batch != 128 || c.Threads != 2 || c.TrainTime != 3*time.Second || len(c.Paths) == 0 {
		t.Errorf("stored report's settings read as %+v", c)
	}
}
