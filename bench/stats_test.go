package bench

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		xs                       []float64
		median, min, max, q1, q3 float64
	}{
		{[]float64{3}, 3, 3, 3, 3, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4, 1.75, 3.25},
		{[]float64{5, 1, 9, 3, 7}, 5, 1, 9, 3, 7},
		{[]float64{10, 10, 10, 1000}, 10, 10, 1000, 10, 257.5},
	} {
		in := append([]float64(nil), tc.xs...)
		s := Summarize(tc.xs)
		if s.N != len(tc.xs) || s.Median != tc.median || s.Min != tc.min || s.Max != tc.max || s.Q1 != tc.q1 || s.Q3 != tc.q3 {
			t.Errorf("Summarize(%v) = %+v, want median %v min %v max %v q1 %v q3 %v", in, s, tc.median, tc.min, tc.max, tc.q1, tc.q3)
		}
		for i := range in {
			if in[i] != tc.xs[i] {
				t.Fatalf("Summarize modified its input: %v became %v", in, tc.xs)
			}
		}
	}
	if s := Summarize(nil); s != (Stats{}) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
}

func TestStatsMapDecreasing(t *testing.T) {
	// Seconds per iteration 1..4 turned into a rate: the fastest run (min
	// seconds) must become the max rate.
	s := Summarize([]float64{1, 2, 3, 4}).Map(func(x float64) float64 { return 12 / x })
	if s.Min != 3 || s.Max != 12 || s.Median != 12/2.5 || s.Q1 > s.Q3 {
		t.Errorf("Map(12/x) = %+v", s)
	}
}

func TestStatsSpreadFormat(t *testing.T) {
	s := Summarize([]float64{9, 10, 11})
	if got := s.Spread(); math.Abs(got-20) > 1e-9 {
		t.Errorf("Spread = %v, want 20", got)
	}
	if got := s.Format("%.1f"); got != "10.0 (9.0..11.0)" {
		t.Errorf("Format = %q", got)
	}
	if got := Summarize([]float64{2}).Format("%.1f"); got != "2.0" {
		t.Errorf("single-run Format = %q", got)
	}
}
