package bench

import (
	"bufio"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"
)

// Machine describes where a report was measured.
type Machine struct {
	CPU        string   `json:"cpu"`
	Features   []string `json:"features"`
	Cores      int      `json:"cores"` // logical CPUs the OS reports (runtime.NumCPU)
	GOMAXPROCS int      `json:"gomaxprocs"`
	GOOS       string   `json:"goos"`
	GOARCH     string   `json:"goarch"`
	Go         string   `json:"go"`
}

// ReadMachine gathers the CPU model (from /proc/cpuinfo where there is
// one), the SIMD features gokern dispatches on (from x/sys/cpu), the core
// count and GOMAXPROCS.
func ReadMachine() Machine {
	return Machine{
		CPU:        cpuModel("/proc/cpuinfo"),
		Features:   features(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		Go:         runtime.Version(),
	}
}

// cpuModel returns the first "model name" (x86) or "Model"/"CPU part"
// (arm64) line of a cpuinfo file, or "unknown".
func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	return parseCPUModel(bufio.NewScanner(f))
}

func parseCPUModel(sc *bufio.Scanner) string {
	fallback := ""
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "model name", "Model":
			if val != "" {
				return val
			}
		case "CPU part":
			if fallback == "" {
				fallback = "CPU part " + val
			}
		}
	}
	if fallback != "" {
		return fallback
	}
	return "unknown"
}

// features lists the SIMD features relevant to gokern's kernel paths.
func features() []string {
	var fs []string
	add := func(ok bool, name string) {
		if ok {
			fs = append(fs, name)
		}
	}
	switch runtime.GOARCH {
	case "amd64":
		add(cpu.X86.HasAVX, "avx")
		add(cpu.X86.HasAVX2, "avx2")
		add(cpu.X86.HasFMA, "fma")
		add(cpu.X86.HasAVX512F, "avx512f")
		add(cpu.X86.HasAVX512DQ, "avx512dq")
		add(cpu.X86.HasAVX512BW, "avx512bw")
		add(cpu.X86.HasAVX512VL, "avx512vl")
		add(cpu.X86.HasAVX512BF16, "avx512bf16")
		add(cpu.X86.HasAVX512VNNI, "avx512vnni")
	case "arm64":
		add(cpu.ARM64.HasASIMD, "asimd")
		add(cpu.ARM64.HasFPHP, "fphp")
		add(cpu.ARM64.HasASIMDHP, "asimdhp")
		add(cpu.ARM64.HasSVE, "sve")
	}
	return fs
}
