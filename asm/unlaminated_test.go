package asm

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// indexedBroadcast matches an EVEX embedded-broadcast instruction whose
// memory operand has an index register, e.g.
// "VFMADD231PS.BCST (R10)(BX*1), Z24, Z2".
var indexedBroadcast = regexp.MustCompile(`^\s+V[A-Z0-9]+\.BCST[.A-Z]*\s+-?[0-9]*\([A-Z0-9]+\)\([A-Z0-9]+\*[1248]\),`)

// TestNoIndexedEmbeddedBroadcasts checks the generated amd64 kernels for
// embedded broadcasts from indexed addresses. An embedded broadcast is
// there to make the load and the arithmetic one fused uop; Intel cores
// split ("un-laminate") a three-operand instruction whose memory operand
// has an index register back into two, so the form then costs more than a
// VBROADCASTSS into a register shared by the row's FMAs. a303031 did this
// in the AVX-512 strided SGEMM kernels (42 uops a k step instead of 34,
// 1.06-1.14x the time on an Intel Xeon); the generators now broadcast
// from indexed addresses first.
func TestNoIndexedEmbeddedBroadcasts(t *testing.T) {
	var files []string
	for _, dir := range []string{"../kernels", "../conv"} {
		m, err := filepath.Glob(filepath.Join(dir, "*_amd64.s"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no generated amd64 assembly found")
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		fn := ""
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if len(text) > 5 && text[:5] == "TEXT " {
				fn = text
			}
			if indexedBroadcast.MatchString(text) {
				t.Errorf("%s:%d (%s): embedded broadcast from an indexed address: %s", name, line, fn, text)
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
