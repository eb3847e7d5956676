package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// LayerDelta is one row of a before/after comparison of two reports: a
// layer's pass (or a layer's whole time, or the whole iteration on a path)
// in both.
type LayerDelta struct {
	Layer string
	Pass  string
	// Old and New are the seconds per iteration over the timed runs
	// (median and range); zero (N 0) where that report lacks the row.
	Old, New             Stats
	OldGFLOPS, NewGFLOPS float64
}

// Ratio is New over Old (below 1: the new build is faster), 0 when either
// is missing.
func (d LayerDelta) Ratio() float64 {
	if d.Old.Median <= 0 || d.New.Median <= 0 {
		return 0
	}
	return d.New.Median / d.Old.Median
}

// PassTotal names the row of a layer's forward and backward time together,
// which CompareLayers uses when a report has no per-pass rows (one written
// before they existed).
const PassTotal = "forward+backward"

// PassIteration names the rows of the whole iteration, one per kernel path.
const PassIteration = "iteration"

// CompareLayers matches the per-layer rows of two reports of the layers
// section: by layer and pass when both have LayerPasses, by layer
// (PassTotal, from Layers) otherwise; then the whole iteration per path
// (Iteration, or the training section's rows). Rows come in the new
// report's order, then those only the old one has.
func CompareLayers(old, new *Report) []LayerDelta {
	var out []LayerDelta
	index := map[[2]string]int{}
	add := func(layer, pass string, sec Stats, gflops float64, isNew bool) {
		k := [2]string{layer, pass}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, LayerDelta{Layer: layer, Pass: pass})
		}
		if isNew {
			out[i].New, out[i].NewGFLOPS = sec, gflops
		} else {
			out[i].Old, out[i].OldGFLOPS = sec, gflops
		}
	}
	perPass := len(old.LayerPasses) > 0 && len(new.LayerPasses) > 0
	for _, side := range []struct {
		r     *Report
		isNew bool
	}{{new, true}, {old, false}} {
		r := side.r
		if perPass {
			for _, p := range r.LayerPasses {
				add(p.Layer, p.Pass, p.Sec, p.GFLOPS, side.isNew)
			}
			for _, l := range r.Layers {
				if l.Layer == otherLayer {
					add(l.Layer, PassTotal, l.Sec, 0, side.isNew)
				}
			}
		} else {
			for _, l := range r.Layers {
				add(l.Layer, PassTotal, l.Sec, 0, side.isNew)
			}
		}
		for _, it := range r.iterationRows() {
			add("whole iteration ("+it.Path+")", PassIteration, it.SecPerIter, it.GFLOPS, side.isNew)
		}
	}
	return out
}

// iterationRows is Iteration, or for a report without it the training
// section's kernel-path rows.
func (r *Report) iterationRows() []IterationPeak {
	if len(r.Iteration) > 0 {
		return r.Iteration
	}
	return iterationPeaks(r.Epoch, r.Config.Paths, r.Config.Threads, nil)
}

// WriteComparison prints CompareLayers as a Markdown table, after a line
// per report saying where and how it was measured, and a warning when the
// two differ in machine (CPU model or features), threads, batch or profiled path (their ratios
// then mix two changes).
func WriteComparison(w io.Writer, old, new *Report) error {
	b := &strings.Builder{}
	b.WriteString("# Before / after, per layer and pass\n\n")
	for _, s := range []struct {
		name string
		r    *Report
	}{{"before", old}, {"after", new}} {
		fmt.Fprintf(b, "- %s: %s\n", s.name, s.r.describe())
	}
	if old.Machine.CPU != new.Machine.CPU || !slices.Equal(old.Machine.Features, new.Machine.Features) || old.Config.Threads != new.Config.Threads || old.Config.Batch != new.Config.Batch || old.ProfilePath != new.ProfilePath {
		b.WriteString("- **warning: the two reports differ in machine, threads, batch or path; the ratios are not of the builds alone**\n")
	}
	b.WriteString("\n| layer | pass | before | after | after / before (below 1: faster) | before GFLOPS | after GFLOPS |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, d := range CompareLayers(old, new) {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", d.Layer, d.Pass,
			orDash(d.Old.N > 0, duration(d.Old)), orDash(d.New.N > 0, duration(d.New)), ratio(d.Ratio()),
			orDash(d.OldGFLOPS > 0, fmt.Sprintf("%.1f", d.OldGFLOPS)), orDash(d.NewGFLOPS > 0, fmt.Sprintf("%.1f", d.NewGFLOPS)))
	}
	b.WriteString("\nTimes are per training iteration, the median of each report's timed runs with (min..max): " +
		"a ratio within the two ranges' overlap is noise. \"-\": that report has no such row.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// describe says in one line where and how the report was measured.
func (r *Report) describe() string {
	c := r.Config
	return fmt.Sprintf("%s, %s, %s path, %d threads, batch %d, %d timed runs", r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Machine.CPU, orDash(r.ProfilePath != "", r.ProfilePath), c.Threads, c.Batch, c.Runs)
}

// ReadReport reads a report WriteJSON wrote.
func ReadReport(name string) (*Report, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	return &r, nil
}
