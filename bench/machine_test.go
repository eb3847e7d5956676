package bench

import (
	"bufio"
	"runtime"
	"strings"
	"testing"
)

func TestParseCPUModel(t *testing.T) {
	for in, want := range map[string]string{
		"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9755 128-Core Processor\nflags\t\t: fpu\n": "AMD EPYC 9755 128-Core Processor",
		"processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n":                                                      "CPU part 0xd0c",
		"nothing useful\n": "unknown",
	} {
		if got := parseCPUModel(bufio.NewScanner(strings.NewReader(in))); got != want {
			t.Errorf("parseCPUModel = %q, want %q", got, want)
		}
	}
}

func TestReadMachine(t *testing.T) {
	m := ReadMachine()
	if m.Cores != runtime.NumCPU() || m.GOMAXPROCS < 1 || m.GOARCH != runtime.GOARCH || m.CPU == "" {
		t.Errorf("ReadMachine = %+v", m)
	}
}
