package asm

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestSgemmLoadBudget checks the unrolled k loop ("loop4") of every AVX-512
// SGEMM micro-kernel against a load budget of at most 5 loads per 6 FMAs,
// 5/3 loads per cycle at two FMAs a cycle, which embedding broadcasts in
// the FMAs (see kLoop in asm/sgemm) would break. Every embedded broadcast
// counts as a load (its FMA reads memory), as does every VMOVUPS and
// VBROADCASTSS from memory. With all rows embedded the 12x32 kernels
// loaded 26 values per 24 FMAs and ran at 90% of the FMA peak on an Intel
// Xeon, against 95% with 6 (20 loads); they now embed none (14 loads).
func TestSgemmLoadBudget(t *testing.T) {
	f, err := os.Open("../kernels/sgemm_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	fn, inLoop, checked := "", false, 0
	loads, fmas := 0, 0
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(text, "TEXT "):
			fn, inLoop = text, false
		case !strings.Contains(fn, "AVX512"):
		case text == "loop4:":
			inLoop, loads, fmas = true, 0, 0
		case inLoop && strings.HasPrefix(text, "JMP") && strings.HasSuffix(text, "loop4"):
			inLoop = false
			checked++
			if fmas == 0 {
				t.Errorf("%s: no FMAs in its k loop", fn)
			} else if 6*loads > 5*fmas {
				t.Errorf("%s: %d loads for %d FMAs per unrolled k loop, more than 5 per 6", fn, loads, fmas)
			}
		case inLoop:
			op, args, _ := strings.Cut(text, " ")
			args = strings.TrimSpace(args)
			src, _, _ := strings.Cut(args, ",")
			fromMemory := strings.Contains(src, "(")
			switch {
			case strings.HasPrefix(op, "VFMADD"):
				fmas++
				if fromMemory {
					loads++
				}
			case (op == "VMOVUPS" || op == "VBROADCASTSS") && fromMemory:
				loads++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no AVX-512 k loops found in sgemm_amd64.s")
	}
	t.Logf("%d AVX-512 k loops checked", checked)
}
