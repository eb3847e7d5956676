package gan

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Record is one row of the metrics CSV: one training iteration, and on the
// last iteration of a summary epoch the discriminator's accuracies.
type Record struct {
	Iter  int // global iteration, from 1
	Epoch int // from 1
	Step  int // iteration within the epoch, from 1
	IterationStats
	ImagesPerSec float64 // Config.Batch images over this iteration's wall time
	// AccReal and AccFake are the summary's accuracies, NaN on rows
	// without a summary.
	AccReal, AccFake float64
}

var metricsHeader = []string{"iteration", "epoch", "step", "d_loss_real", "d_loss_fake", "g_loss", "images_per_s", "acc_real", "acc_fake"}

func (r Record) fields() []string {
	f32 := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	opt := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	return []string{
		strconv.Itoa(r.Iter), strconv.Itoa(r.Epoch), strconv.Itoa(r.Step),
		f32(r.DLossReal), f32(r.DLossFake), f32(r.GLoss),
		strconv.FormatFloat(r.ImagesPerSec, 'f', 1, 64), opt(r.AccReal), opt(r.AccFake),
	}
}

// ReadMetrics parses a metrics CSV written by a training run. A last row
// cut short by a crash (no newline at the end of the file) is dropped.
func ReadMetrics(r io.Reader) ([]Record, error) {
	recs, _, err := readMetrics(r)
	return recs, err
}

// readMetrics parses a metrics CSV and also reports whether its last row
// was torn: cut off without its newline, as a crash in the middle of a
// row's write could leave it. A torn row is dropped, not an error.
func readMetrics(r io.Reader) (recs []Record, torn bool, err error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, false, err
	}
	if n := len(b); n > 0 && b[n-1] != '\n' {
		torn = true
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, torn, err
	}
	if len(rows) == 0 {
		return nil, torn, nil
	}
	for i, row := range rows[1:] {
		rec, err := parseRecord(row)
		if err != nil {
			return nil, torn, fmt.Errorf("line %d%w", i+2, err)
		}
		recs = append(recs, rec)
	}
	return recs, torn, nil
}

func parseRecord(row []string) (Record, error) {
	var rec Record
	if len(row) != len(metricsHeader) {
		return rec, fmt.Errorf(": %d fields, want %d", len(row), len(metricsHeader))
	}
	var errs [9]error
	rec.Iter, errs[0] = strconv.Atoi(row[0])
	rec.Epoch, errs[1] = strconv.Atoi(row[1])
	rec.Step, errs[2] = strconv.Atoi(row[2])
	var v float64
	v, errs[3] = strconv.ParseFloat(row[3], 32)
	rec.DLossReal = float32(v)
	v, errs[4] = strconv.ParseFloat(row[4], 32)
	rec.DLossFake = float32(v)
	v, errs[5] = strconv.ParseFloat(row[5], 32)
	rec.GLoss = float32(v)
	rec.ImagesPerSec, errs[6] = strconv.ParseFloat(row[6], 64)
	rec.AccReal, rec.AccFake = math.NaN(), math.NaN()
	if row[7] != "" {
		rec.AccReal, errs[7] = strconv.ParseFloat(row[7], 64)
	}
	if row[8] != "" {
		rec.AccFake, errs[8] = strconv.ParseFloat(row[8], 64)
	}
	for k, e := range errs {
		if e != nil {
			return rec, fmt.Errorf(", %s: %w", metricsHeader[k], e)
		}
	}
	return rec, nil
}

// metricsLog appends records to the CSV file and keeps them for the plot.
type metricsLog struct {
	path string
	f    *os.File
	buf  bytes.Buffer
	w    *csv.Writer // into buf
	recs []Record
}

// openMetrics starts the CSV at path. When keepUpTo > 0 (a resumed run) it
// keeps the rows of the earlier run up to that iteration, dropping any
// written after the checkpoint, so the file reads as one run; a last row
// torn by a crash is dropped with a notice to log.
func openMetrics(path string, keepUpTo int, log io.Writer) (*metricsLog, error) {
	m := &metricsLog{path: path}
	m.w = csv.NewWriter(&m.buf)
	if keepUpTo > 0 {
		if f, err := os.Open(path); err == nil {
			recs, torn, err := readMetrics(bufio.NewReader(f))
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if torn {
				fmt.Fprintf(log, "note: %s: dropped its last row, cut off by a crash\n", path)
			}
			for _, r := range recs {
				if r.Iter <= keepUpTo {
					m.recs = append(m.recs, r)
				}
			}
		}
	}
	err := writeFileAtomic(path, func(f *os.File) error {
		w := csv.NewWriter(f)
		w.Write(metricsHeader)
		for _, r := range m.recs {
			w.Write(r.fields())
		}
		w.Flush()
		return w.Error()
	})
	if err != nil {
		return nil, err
	}
	if m.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return nil, err
	}
	return m, nil
}

// add writes a record's row with one write, so that a crash leaves whole
// rows (or, at worst, a last row without its newline, which resuming
// drops), and keeps the record for the plot.
func (m *metricsLog) add(r Record) error {
	m.buf.Reset()
	m.w.Write(r.fields())
	m.w.Flush()
	if err := m.w.Error(); err != nil {
		return err
	}
	if _, err := m.f.Write(m.buf.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", m.path, err)
	}
	m.recs = append(m.recs, r)
	return nil
}

func (m *metricsLog) close() error {
	return m.f.Close()
}

// WriteLossPlot draws the three losses against the iteration number, each
// averaged over windows so that a long run stays readable, as a PNG.
func WriteLossPlot(path string, recs []Record) error {
	p := plot.New()
	p.Title.Text = "DCGAN losses"
	p.X.Label.Text = "iteration"
	p.X.Tick.Marker = iterationTicks{}
	p.Y.Label.Text = "binary cross-entropy"
	p.Legend.Top = true
	const maxPoints = 1000
	win := max(1, (len(recs)+maxPoints-1)/maxPoints)
	series := []struct {
		name string
		get  func(Record) float32
		col  color.RGBA
	}{
		{"D loss (real)", func(r Record) float32 { return r.DLossReal }, color.RGBA{31, 119, 180, 255}},
		{"D loss (fake)", func(r Record) float32 { return r.DLossFake }, color.RGBA{255, 127, 14, 255}},
		{"G loss", func(r Record) float32 { return r.GLoss }, color.RGBA{44, 160, 44, 255}},
	}
	for _, s := range series {
		var xys plotter.XYs
		for i := 0; i < len(recs); i += win {
			end := min(len(recs), i+win)
			var sum float64
			for _, r := range recs[i:end] {
				sum += float64(s.get(r))
			}
			v := sum / float64(end-i)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: float64(recs[end-1].Iter), Y: v})
		}
		if len(xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = s.col
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	wt, err := p.WriterTo(8*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(f *os.File) error {
		_, err := wt.WriteTo(f)
		return err
	})
}

// iterationTicks are gonum's default ticks labelled as integers: the axis
// counts iterations, and "250.00" reads as a fraction of one.
type iterationTicks struct{}

func (iterationTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(math.Round(ts[i].Value), 'f', 0, 64)
		}
	}
	return ts
}
