package main

import (
	"fmt"
	"strings"
)

// Kind is the Go type of one argument of a generated function.
type Kind int

// The argument types gokern's kernels take.
const (
	Slice Kind = iota // []float32
	F32               // float32
	Int               // int
)

// Param is one named argument or result.
type Param struct {
	Name string
	Kind Kind
}

func (k Kind) size() int  { return [...]int{24, 4, 8}[k] }
func (k Kind) align() int { return [...]int{8, 4, 8}[k] }
func (k Kind) goType() string {
	return [...]string{"[]float32", "float32", "int"}[k]
}

// Func accumulates the text of one assembly function. Its methods emit one
// instruction each; the arithmetic Go's assembler lacks goes through Enc.
type Func struct {
	Name    string
	Doc     string // Go doc comment for the declaration (without "// ")
	Params  []Param
	Results []Param

	offs    map[string]int // "x_base", "alpha", "ret" -> frame offset
	argSize int
	body    strings.Builder
}

// NewFunc lays out the ABI0 argument frame the way the Go compiler (and
// go vet's asmdecl check) does: each argument at its natural alignment,
// results starting at the next pointer-aligned offset; the size asmdecl
// expects ends at the last byte (it is not rounded up).
func NewFunc(name, doc string, params, results []Param) *Func {
	f := &Func{Name: name, Doc: doc, Params: params, Results: results, offs: map[string]int{}}
	off := 0
	place := func(p Param) {
		off = alignUp(off, p.Kind.align())
		if p.Kind == Slice {
			f.offs[p.Name+"_base"] = off
			f.offs[p.Name+"_len"] = off + 8
			f.offs[p.Name+"_cap"] = off + 16
		} else {
			f.offs[p.Name] = off
		}
		off += p.Kind.size()
	}
	for _, p := range params {
		place(p)
	}
	if len(results) > 0 {
		off = alignUp(off, 8)
	}
	for _, p := range results {
		place(p)
	}
	f.argSize = off
	return f
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// Arg returns the assembler operand for an argument slot, e.g. "x_len+16(FP)".
func (f *Func) Arg(slot string) string {
	off, ok := f.offs[slot]
	if !ok {
		panic(fmt.Sprintf("%s: no argument slot %q", f.Name, slot))
	}
	return fmt.Sprintf("%s+%d(FP)", slot, off)
}

// Op emits one instruction in Go assembler syntax.
func (f *Func) Op(format string, args ...any) {
	fmt.Fprintf(&f.body, "\t"+format+"\n", args...)
}

// Enc emits an instruction Go's assembler does not know as a WORD directive,
// with its real mnemonic as the comment.
func (f *Func) Enc(in Inst) {
	fmt.Fprintf(&f.body, "\tWORD $0x%08x // %s\n", in.Word, in.Asm)
}

// Label emits a branch target.
func (f *Func) Label(name string) { fmt.Fprintf(&f.body, "%s:\n", name) }

// Comment emits a comment line.
func (f *Func) Comment(format string, args ...any) {
	fmt.Fprintf(&f.body, "\t// "+format+"\n", args...)
}

// Text is the complete TEXT block. Every kernel is a leaf with no frame of
// its own, so NOSPLIT is safe.
func (f *Func) Text() string {
	return fmt.Sprintf("// func %s\nTEXT ·%s(SB), NOSPLIT, $0-%d\n%s\tRET\n", f.signature(), f.Name, f.argSize, f.body.String())
}

// Decl is the Go declaration for the stub file.
func (f *Func) Decl() string {
	var b strings.Builder
	for _, line := range strings.Split(f.Doc, "\n") {
		b.WriteString("// " + line + "\n")
	}
	b.WriteString("//\n//go:noescape\nfunc " + f.signature() + "\n")
	return b.String()
}

func (f *Func) signature() string {
	list := func(ps []Param) string {
		var parts []string
		for i, p := range ps {
			// Group consecutive parameters of one type, as gofmt'd Go does.
			if i+1 < len(ps) && ps[i+1].Kind == p.Kind {
				parts = append(parts, p.Name)
				continue
			}
			parts = append(parts, p.Name+" "+p.Kind.goType())
		}
		return strings.Join(parts, ", ")
	}
	s := f.Name + "(" + list(f.Params) + ")"
	switch len(f.Results) {
	case 0:
	case 1:
		if f.Results[0].Name == "ret" {
			s += " " + f.Results[0].Kind.goType()
		} else {
			s += " (" + list(f.Results) + ")"
		}
	default:
		s += " (" + list(f.Results) + ")"
	}
	return s
}

// Vector register helpers for Go's assembler syntax.

// s4 is the operand "Vn.S4".
func s4(v V) string { return fmt.Sprintf("V%d.S4", v) }

// list is a register list "[Va.S4, Va+1.S4, ...]" of n consecutive registers,
// which is what VLD1/VST1 require.
func list(first V, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s4(first + V(i))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// zero clears a vector register.
func (f *Func) zero(v V) { f.Op("VEOR V%d.B16, V%d.B16, V%d.B16", v, v, v) }

// broadcast loads a float32 argument into every lane of v.
func (f *Func) broadcast(v V, arg string) {
	f.Op("FMOVS %s, F%d", f.Arg(arg), v)
	f.Op("VDUP V%d.S[0], V%d.S4", v, v)
}
