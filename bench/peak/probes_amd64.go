//go:build !purego

package peak

import "golang.org/x/sys/cpu"

// probes lists the probes this CPU can run, keyed by kernel path name; the
// feature tests match the kernels package's dispatch.
func probes() map[string]probe {
	m := map[string]probe{"generic": {lanes: 1, run: fmaGeneric}}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		m["avx2"] = probe{lanes: 8, run: fmaAVX2}
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasFMA {
		m["avx512"] = probe{lanes: 16, run: fmaAVX512}
	}
	return m
}
