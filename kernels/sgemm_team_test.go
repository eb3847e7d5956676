package kernels

import (
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// TestSgemmTeamPlan checks that the shapes TestSgemmThreadsBitwise uses
// for the team path take it at 7 threads, and that large one-dimensional
// splits keep the old path, so the bitwise test covers both.
func TestSgemmTeamPlan(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		im := cur()
		cases := []struct {
			m, n, k int
			team    bool
		}{
			{61, 51, 20001, true},   // too few MR-row bands for 7 threads
			{31, 71, 20001, true},   // too few NR-column bands
			{401, 300, 301, true},   // row bands would each repack op(B)
			{8192, 128, 576, false}, // a DCGAN conv: plenty of row bands, small B
		}
		for _, c := range cases {
			j := gemmJob{cfg: &im.gemm, m: c.m, n: c.n, k: c.k}
			j.plan(7)
			if j.team != c.team {
				t.Errorf("%dx%dx%d at 7 threads: team=%v, want %v", c.m, c.n, c.k, j.team, c.team)
			}
			if j.team && j.tm.bandsM*j.tm.bandsN < 7 {
				t.Errorf("%dx%dx%d: grid %dx%d gives fewer tiles than threads", c.m, c.n, c.k, j.tm.bandsM, j.tm.bandsN)
			}
		}
	})
}

// TestSgemmBalanceParts checks that the one-dimensional split goes past one
// part per thread only where every part keeps minPartRows of the split
// dimension (each part repacks the other operand), and never past
// balanceParts per thread.
func TestSgemmBalanceParts(t *testing.T) {
	kerneltest.Run(t, func(t *testing.T) {
		im := cur()
		g := &im.gemm
		cases := []struct {
			m, n, k, threads int
			want             int
		}{
			{32768, 128, 512, 2, 2 * balanceParts},                  // a sub-pixel phase: plenty of rows
			{8192, 128, 576, 3, 8192 / (minPartRows / g.MR * g.MR)}, // rows bound the parts
			{1152, 128, 32768, 2, 2},                                // a weight gradient: one band per thread
			{64, 8192, 576, 3, 8192 / (minPartRows / g.NR * g.NR)},  // bands of columns
			{32768, 128, 512, 1, 1},
		}
		for _, c := range cases {
			j := gemmJob{cfg: g, m: c.m, n: c.n, k: c.k}
			j.plan(c.threads)
			want := min(c.want, balanceParts*c.threads)
			if j.team || j.parts != want {
				t.Errorf("%dx%dx%d at %d threads: %d parts (team %v), want %d", c.m, c.n, c.k, c.threads, j.parts, j.team, want)
			}
		}
	})
}
