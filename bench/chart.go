package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart file names WriteCharts creates.
const (
	EpochChart   = "epoch.png"
	KernelChart  = "sgemm.png"
	ConvChart    = "conv.png"
	ScalingChart = "scaling.png"
)

// WriteCharts draws the report's PNG charts into dir (created if missing):
// s/epoch per path, GEMM GFLOPS per shape and path, and the thread scaling
// curve. Sections the report lacks are skipped. It returns the files
// written.
func (r *Report) WriteCharts(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	save := func(p *plot.Plot, name string, w vg.Length) error {
		f := filepath.Join(dir, name)
		if err := p.Save(w, 4*vg.Inch, f); err != nil {
			return fmt.Errorf("bench: chart %s: %w", name, err)
		}
		files = append(files, f)
		return nil
	}
	if len(r.Epoch) > 0 {
		if err := save(r.epochChart(), EpochChart, 6*vg.Inch); err != nil {
			return files, err
		}
	}
	if p, w := r.kernelChart("sgemm", "SGEMM on the DCGAN's shapes"); p != nil {
		if err := save(p, KernelChart, w); err != nil {
			return files, err
		}
	}
	if p, w := r.kernelChart("conv", "DCGAN convolution layers"); p != nil {
		if err := save(p, ConvChart, w); err != nil {
			return files, err
		}
	}
	if len(r.Scaling) > 0 {
		p, err := r.scalingChart()
		if err != nil {
			return files, err
		}
		if err := save(p, ScalingChart, 6*vg.Inch); err != nil {
			return files, err
		}
	}
	return files, nil
}

// epochChart: one bar per path, the median s/epoch, with min..max whiskers.
func (r *Report) epochChart() *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("DCGAN training, batch %d, %d thread(s): s/epoch, median and min..max (lower is better)", r.Config.Batch, r.Config.Threads)
	p.Y.Label.Text = "s/epoch"
	vals := make(plotter.Values, len(r.Epoch))
	names := make([]string, len(r.Epoch))
	errs := make(plotter.XYs, len(r.Epoch))
	var lows, highs []float64
	for i, e := range r.Epoch {
		vals[i] = e.SecPerEpoch.Median
		names[i] = e.Path
		errs[i] = plotter.XY{X: float64(i), Y: e.SecPerEpoch.Median}
		lows = append(lows, e.SecPerEpoch.Median-e.SecPerEpoch.Min)
		highs = append(highs, e.SecPerEpoch.Max-e.SecPerEpoch.Median)
	}
	bars, _ := plotter.NewBarChart(vals, vg.Points(40)) // error only for negative widths or empty values
	bars.Color = plotutil.Color(0)
	p.Add(bars)
	if eb, err := plotter.NewYErrorBars(yErrs{errs, lows, highs}); err == nil {
		p.Add(eb)
	}
	labels := make([]string, len(r.Epoch))
	for i, e := range r.Epoch {
		labels[i] = fmt.Sprintf("%.0f s", e.SecPerEpoch.Median)
	}
	if l, err := plotter.NewLabels(plotter.XYLabels{XYs: errs, Labels: labels}); err == nil {
		l.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
		p.Add(l)
	}
	p.NominalX(names...)
	return p
}

// yErrs adapts asymmetric whiskers to plotter.YErrorer.
type yErrs struct {
	plotter.XYs
	low, high []float64
}

func (e yErrs) YError(i int) (float64, float64) { return e.low[i], e.high[i] }

// kernelChart: grouped bars of GFLOPS, one group per kernel of the group
// (SGEMM shapes, conv layers), one bar per path, and the width that fits
// them. Nil when there is none.
func (r *Report) kernelChart(group, title string) (*plot.Plot, vg.Length) {
	var names, paths []string
	gflops := map[[2]string]float64{}
	for _, k := range r.Kernels {
		if k.FLOPs <= 0 || k.Group != group {
			continue
		}
		name, _, _ := strings.Cut(k.Name, " (") // drop "(batch n)"
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		if !slices.Contains(paths, k.Path) {
			paths = append(paths, k.Path)
		}
		gflops[[2]string{name, k.Path}] = k.GFLOPS.Median
	}
	if len(names) == 0 {
		return nil, 0
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, %d thread(s): GFLOPS (higher is better)", title, r.Config.Threads)
	p.Y.Label.Text = "GFLOPS"
	w := vg.Points(7)
	for j, path := range paths {
		vals := make(plotter.Values, len(names))
		for i, n := range names {
			vals[i] = gflops[[2]string{n, path}]
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			continue
		}
		bars.Color = plotutil.Color(j)
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(float64(j)-float64(len(paths)-1)/2)
		p.Add(bars)
		p.Legend.Add(path, bars)
	}
	p.Legend.Top = true
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	return p, max(6*vg.Inch, vg.Length(len(names)*(len(paths)+1))*w+2*vg.Inch)
}

// scalingChart: speed-up over one thread against threads, with the ideal
// line.
func (r *Report) scalingChart() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Training iteration thread scaling (%s)", r.ProfilePath)
	p.X.Label.Text = "threads"
	p.Y.Label.Text = "speed-up over 1 thread"
	got := make(plotter.XYs, len(r.Scaling))
	ideal := make(plotter.XYs, len(r.Scaling))
	for i, s := range r.Scaling {
		got[i] = plotter.XY{X: float64(s.Threads), Y: s.Speedup}
		ideal[i] = plotter.XY{X: float64(s.Threads), Y: float64(s.Threads)}
	}
	if err := plotutil.AddLinePoints(p, "measured", got, "ideal", ideal); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}
