package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// PeerLine is the one-line result both gokern (bench -peer) and the
// reference scripts in bench/peers print, so `make bench-peers` can put
// them side by side:
//
//	peer=pytorch threads=1 batch=128 s_per_iter=0.812 runs=5 min=0.801 max=0.830 cpu_s_per_iter=0.809
//
// s_per_iter is the median wall-clock seconds per training iteration over
// runs timed runs, min and max its range; cpu_s_per_iter the median
// process CPU seconds (all threads) per iteration, steadier than wall time
// when other work shares the machine.
type PeerLine struct {
	Peer     string // "gokern/avx512", "pytorch"
	Threads  int
	Batch    int
	SecPerIt Stats
	CPUPerIt float64
}

// Write prints the line.
func (p PeerLine) Write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "peer=%s threads=%d batch=%d s_per_iter=%.6g runs=%d min=%.6g max=%.6g cpu_s_per_iter=%.6g\n",
		p.Peer, p.Threads, p.Batch, p.SecPerIt.Median, p.SecPerIt.N, p.SecPerIt.Min, p.SecPerIt.Max, p.CPUPerIt)
	return err
}

// ParsePeerLine reads a line written by Write (or the Python peer).
func ParsePeerLine(line string) (PeerLine, error) {
	var p PeerLine
	fields := map[string]string{}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return p, fmt.Errorf("bench: peer line field %q is not key=value", f)
		}
		fields[k] = v
	}
	var err error
	num := func(k string) float64 {
		x, e := strconv.ParseFloat(fields[k], 64)
		if e != nil && err == nil {
			err = fmt.Errorf("bench: peer line %q: %s: %w", line, k, e)
		}
		return x
	}
	p.Peer = fields["peer"]
	p.Threads = int(num("threads"))
	p.Batch = int(num("batch"))
	p.SecPerIt = Stats{Median: num("s_per_iter"), N: int(num("runs")), Min: num("min"), Max: num("max")}
	if _, ok := fields["cpu_s_per_iter"]; ok {
		p.CPUPerIt = num("cpu_s_per_iter")
	}
	if p.Peer == "" && err == nil {
		err = fmt.Errorf("bench: peer line %q has no peer", line)
	}
	return p, err
}
