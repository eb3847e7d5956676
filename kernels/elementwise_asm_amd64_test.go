//go:build !purego

package kernels

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestElementwiseAVX2Registers scans the generated assembly: the AVX2
// functions must not use zmm, opmask or vector registers 16-31, which would
// need EVEX encodings an AVX2-only CPU cannot run (Avo's register allocator
// does not know which functions are meant for AVX2).
func TestElementwiseAVX2Registers(t *testing.T) {
	f, err := os.Open("elementwise_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bad := regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[0-7])\b`)
	var fn string
	funcs := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.Fields(line)[1]
			if strings.Contains(fn, "AVX2") {
				funcs++
			}
			continue
		}
		if strings.Contains(fn, "AVX2(SB)") && bad.MatchString(line) {
			t.Errorf("%s uses an AVX-512 register: %s", fn, strings.TrimSpace(line))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if funcs < 15 {
		t.Fatalf("found %d AVX2 functions, want 15", funcs)
	}
}
