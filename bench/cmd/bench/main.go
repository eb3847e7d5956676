// Command bench measures gokern on this machine and prints a Markdown
// report: the machine, the FMA peak of each kernel path, DCGAN training
// throughput per path (with gonum's, and OpenBLAS's when built with
// -tags openblas, SGEMM swapped in for comparison), every kernel on the
// DCGAN's real shapes, where one training iteration's time goes, and thread
// scaling. Every figure is the median of several interleaved runs after
// warm-up, with min..max.
//
// Usage:
//
//	go run ./bench/cmd/bench [flags]                    # full report, several minutes
//	go run ./bench/cmd/bench -quick -out /tmp/b         # seconds; a smoke test
//	go run ./bench/cmd/bench -peer -threads 1           # one line to compare with bench/peers
//	go run ./bench/cmd/bench -sections layers -json f   # per layer and pass, and the iteration's
//	                                                    # % of peak per path; compare two builds'
//	                                                    # files with bench/cmd/benchcmp
//
// Flags:
//
//	-paths avx2,avx512   kernel paths (default: all available here)
//	-threads N           threads (GOMAXPROCS and kernels.SetThreads; default GOMAXPROCS)
//	-iters N             training iterations per timed run (default 0: as many as fill -traintime)
//	-traintime D         length of a timed training run when -iters is 0 (default 3s)
//	-warmup N            untimed runs per case before timing (default 1)
//	-runs N              timed runs per case (default 3)
//	-mintime D           kernel benchmarks repeat calls until a run lasts D (default 50ms)
//	-shapes LIST         SGEMM shapes, "m,n,k;m,n,k" or "m8192n128k576;..." (default: the DCGAN's)
//	-sections LIST       some of peak,training,kernels,layers,scaling (default all)
//	-batch N             training batch (default 128, the Keras tutorial's)
//	-csv FILE, -json FILE, -out DIR (PNG charts)
//	-quick               tiny settings for tests: batch 8, 1 iteration, 1 run, 1ms kernel runs
//	-peer                print only the training s/iteration as a bench/peers line
//	                     (default path: the active one, as kernels picks it)
//	-v                   progress on stderr
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gokern/gokern/bench"
	"github.com/gokern/gokern/kernels"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		paths    = fs.String("paths", "", "comma-separated kernel paths (default: all available)")
		threads  = fs.Int("threads", 0, "threads (default GOMAXPROCS)")
		iters    = fs.Int("iters", 0, "training iterations per timed run (default: as many as fill -traintime)")
		trainT   = fs.Duration("traintime", 0, "length of a timed training run when -iters is 0 (default 3s)")
		warmup   = fs.Int("warmup", 1, "untimed runs per case before timing")
		runs     = fs.Int("runs", 0, "timed runs per case (default 3)")
		minTime  = fs.Duration("mintime", 0, "minimum duration of one kernel run (default 50ms)")
		shapes   = fs.String("shapes", "", "SGEMM shapes, m,n,k separated by ';' (default: the DCGAN's)")
		sections = fs.String("sections", "", "comma-separated sections: "+strings.Join(bench.AllSections, ","))
		batch    = fs.Int("batch", 0, "training batch (default 128)")
		csvFile  = fs.String("csv", "", "also write the figures as CSV to FILE")
		jsonFile = fs.String("json", "", "also write the report as JSON to FILE")
		outDir   = fs.String("out", "", "write PNG charts to DIR")
		quick    = fs.Bool("quick", false, "tiny settings, for tests")
		peer     = fs.Bool("peer", false, "print only the training time as a bench/peers line")
		verbose  = fs.Bool("v", false, "progress on stderr")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o := bench.Options{
		Threads: *threads, Iters: *iters, TrainTime: *trainT, Warmup: *warmup, Runs: *runs, MinTime: *minTime,
		Batch: *batch, Peers: !*peer,
	}
	if *quick {
		o.Batch, o.Iters, o.Runs, o.Warmup, o.MinTime = 8, 1, 1, 0, time.Millisecond
		o.Shapes = []bench.GemmShape{{Name: "quick", M: 64, N: 32, K: 48}}
	}
	if *batch > 0 {
		o.Batch = *batch
	}
	if *paths != "" {
		o.Paths = strings.Split(*paths, ",")
	} else if *peer {
		o.Paths = []string{kernels.Active()} // the path a user gets
	}
	if *shapes != "" {
		o.Shapes = nil
		for _, s := range strings.Split(*shapes, ";") {
			g, err := bench.ParseShape(strings.TrimSpace(s))
			if err != nil {
				return err
			}
			o.Shapes = append(o.Shapes, g)
		}
	}
	if *verbose {
		o.Log = stderr
	}
	var secs []string
	if *sections != "" {
		secs = strings.Split(*sections, ",")
	}
	if *peer {
		secs = []string{bench.SectionTraining}
	}

	r, err := bench.Build(o, secs)
	if err != nil {
		return err
	}
	if *peer {
		for _, e := range r.Epoch {
			l := bench.PeerLine{Peer: "gokern/" + e.Path, Threads: r.Config.Threads, Batch: r.Config.Batch, SecPerIt: e.SecPerIter, CPUPerIt: e.CPUSecPerIter.Median}
			if err := l.Write(stdout); err != nil {
				return err
			}
		}
		return nil
	}
	if err := r.WriteMarkdown(stdout); err != nil {
		return err
	}
	write := func(name string, f func(io.Writer) error) error {
		if name == "" {
			return nil
		}
		w, err := os.Create(name)
		if err != nil {
			return err
		}
		if err := f(w); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	}
	if err := write(*csvFile, r.WriteCSV); err != nil {
		return err
	}
	if err := write(*jsonFile, r.WriteJSON); err != nil {
		return err
	}
	if *outDir != "" {
		files, err := r.WriteCharts(*outDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nCharts: %s\n", strings.Join(files, ", "))
	}
	return nil
}
