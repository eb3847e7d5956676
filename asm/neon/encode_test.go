package main

import (
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// decode disassembles one word the way `go tool objdump -gnu` would.
func decode(t *testing.T, w uint32) string {
	t.Helper()
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], w)
	inst, err := arm64asm.Decode(buf[:])
	if err != nil {
		t.Fatalf("%#08x: %v", w, err)
	}
	return arm64asm.GNUSyntax(inst)
}

// regTriples covers each register field at both ends of its range and with
// distinct values, so a field shifted to the wrong bits shows up.
var regTriples = [][3]V{{0, 0, 0}, {31, 31, 31}, {1, 2, 3}, {8, 17, 30}, {29, 0, 16}, {5, 31, 6}}

// every instruction constructor the generator uses, by name.
var (
	threeOps = map[string]func(d, n, m V) Inst{
		"FADD": FADD, "FSUB": FSUB, "FMUL": FMUL, "FDIV": FDIV, "FMAX": FMAX,
		"FMIN": FMIN, "FCMGT": FCMGT, "FADDP": FADDP, "ADD": ADD,
	}
	twoOps = map[string]func(d, n V) Inst{
		"FSQRT": FSQRT, "FNEG": FNEG,
		"SCVTF": SCVTF, "FCVTNS": FCVTNS, "FABS": FABS, "FCMGTZ": FCMGTZ, "FADDPS": FADDPS,
	}
	elemOps = map[string]func(d, n, m V, i int) Inst{"FMLAe": FMLAe, "FMULe": FMULe, "FMLSe": FMLSe}
)

func check(t *testing.T, name string, in Inst) {
	t.Helper()
	if got := decode(t, in.Word); got != in.Asm {
		t.Errorf("%s: %#08x decodes as %q, want %q", name, in.Word, got, in.Asm)
	}
}

func TestEncodeThreeSame(t *testing.T) {
	for name, op := range threeOps {
		for _, r := range regTriples {
			check(t, name, op(r[0], r[1], r[2]))
		}
	}
}

func TestEncodeTwoReg(t *testing.T) {
	for name, op := range twoOps {
		for _, r := range regTriples {
			check(t, name, op(r[0], r[1]))
		}
	}
}

func TestEncodeByElement(t *testing.T) {
	for name, op := range elemOps {
		for _, r := range regTriples {
			for lane := 0; lane < 4; lane++ {
				check(t, name, op(r[0], r[1], r[2], lane))
			}
		}
	}
}

func TestEncodeShift(t *testing.T) {
	for sh := uint(0); sh < 32; sh++ {
		for _, r := range regTriples {
			check(t, "SHL", SHL(r[0], r[1], sh))
		}
	}
}

// TestGeneratedWords decodes every WORD the generator actually writes and
// compares it with the mnemonic in its comment, so the output files are
// checked too, not only the encoder's constructors.
func TestGeneratedWords(t *testing.T) {
	funcs := append(append([]*Func{sgemmKernel()}, skinnyFuncs()...), elementwiseFuncs()...)
	n := 0
	for _, line := range strings.Split(string(asmFile(funcs)), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "WORD $0x") {
			continue
		}
		hex, asm, ok := strings.Cut(strings.TrimPrefix(line, "WORD $0x"), " // ")
		if !ok {
			t.Fatalf("WORD without mnemonic: %q", line)
		}
		var w uint32
		for _, c := range hex {
			w = w<<4 | uint32(strings.IndexRune("0123456789abcdef", c))
		}
		if got := decode(t, w); got != asm {
			t.Errorf("%s decodes as %q, comment says %q", line, got, asm)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d WORD directives found; the generator changed shape?", n)
	}
}

// TestDeterministic: go generate must write the same bytes every time.
func TestDeterministic(t *testing.T) {
	gen := func() string {
		funcs := append(append([]*Func{sgemmKernel()}, skinnyFuncs()...), elementwiseFuncs()...)
		return string(asmFile(funcs)) + string(stubFile(sgemmConsts(), funcs))
	}
	if first, second := gen(), gen(); first != second {
		t.Fatal("two runs of the generator differ")
	}
}

func TestFrameLayout(t *testing.T) {
	f := NewFunc("f", "", []Param{p("k", Int), p("a", Slice), p("alpha", F32), p("beta", F32), p("c", Slice)}, []Param{p("ret", F32)})
	want := map[string]int{"k": 0, "a_base": 8, "a_len": 16, "a_cap": 24, "alpha": 32, "beta": 36, "c_base": 40, "ret": 64}
	for slot, off := range want {
		if got := f.offs[slot]; got != off {
			t.Errorf("%s at %d, want %d", slot, got, off)
		}
	}
	if f.argSize != 68 {
		t.Errorf("frame size %d, want 68", f.argSize)
	}
}
