package bench

import (
	"encoding/json"
	"io"
	"time"
)

// Options are the settings of a measurement run. A Report records them
// (Report.Config): in JSON, the fields that shape its figures (paths,
// threads, batch, iterations, training time, warm-up and timed runs).
type Options struct {
	Paths   []string // kernel paths to compare (default: every available path)
	Threads int      // threads for GEMM and GOMAXPROCS (the caller sets both)
	Batch   int      // training batch (the tutorial's 128)
	Iters   int      // training iterations per timed run; 0: as many as fill TrainTime
	// TrainTime is how long a timed training run lasts when Iters is 0.
	TrainTime time.Duration
	Warmup    int           // untimed runs per case before timing
	Runs      int           // timed runs per case
	MinTime   time.Duration // kernel benchmarks repeat calls until one run takes this long
	Shapes    []GemmShape   // SGEMM shapes (default SgemmShapes())
	Peers     bool          // add gonum (and OpenBLAS where built) to GEMM tables
	Log       io.Writer     // progress lines; nil for none
}

// optionsJSON is the part of Options a report's JSON records, with
// TrainTime as a duration string ("3s").
type optionsJSON struct {
	Paths     []string `json:"paths"`
	Threads   int      `json:"threads"`
	Batch     int      `json:"batch"`
	Iters     int      `json:"iters"`      // training iterations per timed run; 0: calibrated per path
	TrainTime string   `json:"train_time"` // target length of a training run when Iters is 0
	Warmup    int      `json:"warmup"`     // untimed runs per case before timing
	Runs      int      `json:"runs"`       // timed runs per case
}

// MarshalJSON writes the settings a report records.
func (o Options) MarshalJSON() ([]byte, error) {
	return json.Marshal(optionsJSON{Paths: o.Paths, Threads: o.Threads, Batch: o.Batch, Iters: o.Iters, TrainTime: o.TrainTime.String(), Warmup: o.Warmup, Runs: o.Runs})
}

// UnmarshalJSON reads what MarshalJSON writes; the other fields are left
// zero.
func (o *Options) UnmarshalJSON(b []byte) error {
	var j optionsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d, err := time.ParseDuration(j.TrainTime)
	if err != nil {
		return err
	}
	*o = Options{Paths: j.Paths, Threads: j.Threads, Batch: j.Batch, Iters: j.Iters, TrainTime: d, Warmup: j.Warmup, Runs: j.Runs}
	return nil
}

// recorded returns the options as a report records them.
func (o Options) recorded() Options {
	return Options{Paths: o.Paths, Threads: o.Threads, Batch: o.Batch, Iters: o.Iters, TrainTime: o.TrainTime, Warmup: o.Warmup, Runs: o.Runs}
}
