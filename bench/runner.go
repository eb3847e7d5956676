package bench

import (
	"time"
)

// Case is one contender in an interleaved comparison: Setup makes it current
// (switch the kernel path, install a GEMM override...), Run does one timed
// unit of work, and Teardown, when set, undoes Setup.
type Case struct {
	Name     string
	Setup    func()
	Run      func()
	Teardown func()
}

// Sample is one timed run of one case.
type Sample struct {
	Case    string
	Round   int // 0-based; warm-up rounds are negative
	Elapsed time.Duration
	CPU     time.Duration // process CPU time (all threads) during the run; 0 where not measured
}

// Interleave runs the cases in rounds, A B C A B C ..., so slow drift of a
// shared machine (other jobs, thermal limits) spreads evenly over every case
// instead of favouring the one measured first. Each case first gets warmup
// untimed runs, also interleaved; then runs timed rounds. Setup runs before
// each run of a case, because the cases share process-wide state such as the
// active kernel path. It returns the timed samples in execution order.
func Interleave(cases []Case, warmup, runs int) []Sample {
	var out []Sample
	for round := -warmup; round < runs; round++ {
		for _, c := range cases {
			if c.Setup != nil {
				c.Setup()
			}
			cpu0, start := CPUTime(), time.Now()
			c.Run()
			el, cpu := time.Since(start), CPUTime()-cpu0
			if c.Teardown != nil {
				c.Teardown()
			}
			if round >= 0 {
				out = append(out, Sample{Case: c.Name, Round: round, Elapsed: el, CPU: cpu})
			}
		}
	}
	return out
}

// Seconds groups the samples' durations by case, in seconds, in the order
// they were taken.
func Seconds(samples []Sample) map[string][]float64 {
	m := map[string][]float64{}
	for _, s := range samples {
		m[s.Case] = append(m[s.Case], s.Elapsed.Seconds())
	}
	return m
}

// CPUSeconds groups the samples' CPU times by case, in seconds.
func CPUSeconds(samples []Sample) map[string][]float64 {
	m := map[string][]float64{}
	for _, s := range samples {
		m[s.Case] = append(m[s.Case], s.CPU.Seconds())
	}
	return m
}

// SummarizeCases summarises the seconds per run of every case, dividing each
// duration by per (the number of operations one run performs, 1 if <= 0) so
// the result is seconds per operation.
func SummarizeCases(samples []Sample, per int) map[string]Stats {
	if per <= 0 {
		per = 1
	}
	out := map[string]Stats{}
	for name, xs := range Seconds(samples) {
		for i := range xs {
			xs[i] /= float64(per)
		}
		out[name] = Summarize(xs)
	}
	return out
}
