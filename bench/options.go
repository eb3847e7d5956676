package bench

import (
	"io"
	"time"
)

// Options are the settings of a measurement run.
type Options struct {
	Paths   []string // kernel paths to compare (default: every available path)
	Threads int      // threads for GEMM and GOMAXPROCS (the caller sets both)
	Batch   int      // training batch (the seeds' 128)
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
