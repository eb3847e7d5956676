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
