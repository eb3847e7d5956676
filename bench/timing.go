package bench

import (
	"fmt"
	"math"
	"time"
)

// contender is one way to run a kernel: a kernel path or a peer library.
// setup makes it current (and teardown undoes it); call runs the kernel
// once.
type contender struct {
	name     string
	setup    func()
	teardown func()
	call     func()
}

// timeContenders measures seconds per call of each contender: every call
// is first run once untimed (first touch of its buffers) and timed once to
// choose a repeat count that makes one run last at least o.MinTime; then
// the contenders run interleaved, o.Warmup untimed rounds and o.Runs timed
// ones. It returns one Stats per contender, in order.
func (o Options) timeContenders(cs []contender) []Stats {
	reps := make([]int, len(cs))
	cases := make([]Case, len(cs))
	for i, c := range cs {
		if c.setup != nil {
			c.setup()
		}
		c.call()
		start := time.Now()
		c.call()
		one := time.Since(start)
		if c.teardown != nil {
			c.teardown()
		}
		reps[i] = max(1, int(math.Ceil(float64(o.MinTime)/float64(max(one, time.Nanosecond)))))
		n := reps[i]
		call := c.call
		cases[i] = Case{
			Name:     fmt.Sprint(i),
			Setup:    c.setup,
			Teardown: c.teardown,
			Run: func() {
				for range n {
					call()
				}
			},
		}
	}
	secs := Seconds(Interleave(cases, o.Warmup, max(1, o.Runs)))
	out := make([]Stats, len(cs))
	for i := range cs {
		xs := secs[fmt.Sprint(i)]
		for j := range xs {
			xs[j] /= float64(reps[i])
		}
		out[i] = Summarize(xs)
	}
	return out
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}
