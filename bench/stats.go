package bench

import (
	"fmt"
	"math"
	"slices"
)

// Stats condenses repeated measurements of one quantity: the median is the
// reported figure, Min..Max and Q1..Q3 its spread.
type Stats struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Q1     float64 `json:"q1"`
	Q3     float64 `json:"q3"`
}

// Summarize returns the median, extremes and quartiles of xs (linear
// interpolation between order statistics, as numpy's default). It does not
// modify xs. An empty xs gives the zero Stats.
func Summarize(xs []float64) Stats {
	if len(xs) == 0 {
		return Stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return Stats{
		N:      len(s),
		Median: quantile(s, 0.5),
		Min:    s[0],
		Max:    s[len(s)-1],
		Q1:     quantile(s, 0.25),
		Q3:     quantile(s, 0.75),
	}
}

// quantile of sorted s at q in [0,1].
func quantile(s []float64, q float64) float64 {
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	frac := pos - float64(lo)
	return s[lo] + frac*(s[hi]-s[lo])
}

// Map applies f to every statistic, for derived quantities. f must be
// monotonic; a decreasing f (such as 1/x, turning seconds into a rate) swaps
// the roles of Min and Max and of Q1 and Q3, which Map undoes.
func (s Stats) Map(f func(float64) float64) Stats {
	out := Stats{N: s.N, Median: f(s.Median), Min: f(s.Min), Max: f(s.Max), Q1: f(s.Q1), Q3: f(s.Q3)}
	if out.Min > out.Max {
		out.Min, out.Max = out.Max, out.Min
		out.Q1, out.Q3 = out.Q3, out.Q1
	}
	return out
}

// Spread is the relative width of the min..max range around the median, in
// percent: 2.5 means the runs were within about ±1.25% of each other.
func (s Stats) Spread() float64 {
	if s.Median == 0 {
		return 0
	}
	return 100 * (s.Max - s.Min) / math.Abs(s.Median)
}

// Format prints the median with its min..max range using format for each
// number, e.g. "12.3 (12.1..12.9)"; just the median when there is no range.
func (s Stats) Format(format string) string {
	if s.N <= 1 || s.Min == s.Max {
		return fmt.Sprintf(format, s.Median)
	}
	return fmt.Sprintf(format+" ("+format+".."+format+")", s.Median, s.Min, s.Max)
}
