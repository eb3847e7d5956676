package bench

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVHeader is the header of WriteCSV's long format: one row per figure.
var CSVHeader = []string{"section", "name", "path", "threads", "metric", "unit", "median", "min", "max", "q1", "q3", "n"}

// WriteCSV writes every figure of the report in long format, one row per
// (section, name, path, metric), so spreadsheets and scripts can pivot it.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	th := strconv.Itoa(r.Config.Threads)
	row := func(section, name, path, threads, metric, unit string, s Stats) {
		cw.Write([]string{section, name, path, threads, metric, unit,
			num(s.Median), num(s.Min), num(s.Max), num(s.Q1), num(s.Q3), strconv.Itoa(s.N)})
	}
	one := func(x float64) Stats { return Stats{N: 1, Median: x, Min: x, Max: x, Q1: x, Q3: x} }
	for _, p := range r.Peaks {
		row("peak", "fma", p.Path, "1", "gflops", "GFLOPS", one(p.Single))
		row("peak", "fma_concurrent", p.Path, strconv.Itoa(p.Threads), "gflops", "GFLOPS", one(p.Concurrent))
		row("peak", "fma_ceiling", p.Path, strconv.Itoa(p.Threads), "gflops", "GFLOPS", one(p.Ceiling))
	}
	for _, e := range r.Epoch {
		row("epoch", "dcgan", e.Path, th, "sec_per_iter", "s", e.SecPerIter)
		row("epoch", "dcgan", e.Path, th, "sec_per_epoch", "s", e.SecPerEpoch)
		row("epoch", "dcgan", e.Path, th, "images_per_sec", "images/s", e.ImagesPerSec)
		row("epoch", "dcgan", e.Path, th, "gflops", "GFLOPS", e.GFLOPS)
		row("epoch", "dcgan", e.Path, th, "pct_peak", "%", one(e.PctPeak))
		row("epoch", "dcgan", e.Path, th, "speedup", "x", one(e.Speedup))
		if e.CPUSecPerIter.N > 0 {
			row("epoch", "dcgan", e.Path, th, "cpu_sec_per_iter", "s", e.CPUSecPerIter)
		}
	}
	for _, k := range r.Kernels {
		row(k.Group, k.Name, k.Path, th, "sec", "s", k.Sec)
		if k.FLOPs > 0 {
			row(k.Group, k.Name, k.Path, th, "gflops", "GFLOPS", k.GFLOPS)
		}
		if k.Bytes > 0 {
			row(k.Group, k.Name, k.Path, th, "gbs", "GB/s", k.GBs)
		}
	}
	for _, l := range r.Layers {
		row("layers", l.Layer, r.ProfilePath, th, "sec", "s", l.Sec)
		row("layers", l.Layer, r.ProfilePath, th, "share", "%", one(l.Share))
	}
	for _, p := range r.LayerPasses {
		name := p.Layer + " " + p.Pass
		row("layer_passes", name, r.ProfilePath, th, "sec", "s", p.Sec)
		if p.FLOPs > 0 {
			row("layer_passes", name, r.ProfilePath, th, "gflops", "GFLOPS", one(p.GFLOPS))
			row("layer_passes", name, r.ProfilePath, th, "pct_peak", "%", one(p.PctPeak))
			row("layer_passes", name, r.ProfilePath, th, "min_bytes", "B", one(p.Bytes))
		}
	}
	for _, it := range r.Iteration {
		t := strconv.Itoa(it.Threads)
		row("iteration", "dcgan", it.Path, t, "sec_per_iter", "s", it.SecPerIter)
		row("iteration", "dcgan", it.Path, t, "pct_peak", "%", one(it.PctPeak))
	}
	for _, s := range r.Scaling {
		t := strconv.Itoa(s.Threads)
		row("scaling", "dcgan", r.ProfilePath, t, "sec_per_iter", "s", s.SecPerIter)
		row("scaling", "dcgan", r.ProfilePath, t, "speedup", "x", one(s.Speedup))
	}
	cw.Flush()
	return cw.Error()
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
