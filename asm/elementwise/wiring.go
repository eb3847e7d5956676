package main

import (
	"fmt"
	"slices"
)

// emitted lists the kernels text has emitted, in order, without the ISA
// suffix (each ISA emits the same list).
var emitted []string

// wrap is how a kernel fills its field of package kernels' impl.
type wrap int

const (
	direct     wrap = iota // the kernel itself
	replicated             // through replicateBias for rows narrower than wideBias
	adamBetas              // Adam: the kernel takes 1-beta1 and 1-beta2
)

// field is one field of package kernels' impl and the kernel that fills it.
type field struct {
	Name, Kernel string
	wrap         wrap
	// Params and Args are the wrapper's parameters and the kernel's
	// arguments after (x, bias), for replicated kernels.
	Params, Args string
}

// fields lists every field of package kernels' impl that this generator
// fills, in the struct's order.
var fields = []field{
	{Name: "axpy", Kernel: "axpy"},
	{Name: "scale", Kernel: "scale"},
	{Name: "dot", Kernel: "dot"},
	{Name: "sum", Kernel: "sum"},
	{Name: "mul", Kernel: "mul"},
	{Name: "addBias", Kernel: "addBias", wrap: replicated},
	{Name: "sumRows", Kernel: "sumRows"},
	{Name: "leakyReLU", Kernel: "leakyReLU"},
	{Name: "leakyReLUBackward", Kernel: "leakyReLUBackward"},
	{Name: "biasLeakyReLU", Kernel: "biasLeakyReLU", wrap: replicated, Params: ", alpha float32", Args: ", alpha"},
	{Name: "tanh", Kernel: "tanh"},
	{Name: "tanhBackward", Kernel: "tanhBackward"},
	{Name: "sigmoid", Kernel: "sigmoid"},
	{Name: "sigmoidBackward", Kernel: "sigmoidBackward"},
	{Name: "adam", Kernel: "adam", wrap: adamBetas},
}

// wiringISA is the template's view of one ISA.
type wiringISA struct {
	Suffix string
	Fields []wiredField
}

type wiredField struct {
	field
	Kernel, Value    string // the kernel's and the field value's names
	Replicated, Adam bool
}

// wiringData checks that fields and the emitted kernels match one to one,
// so a kernel added to the generator cannot be left unwired.
func wiringData() ([]wiringISA, error) {
	var wired []string
	for _, f := range fields {
		wired = append(wired, f.Kernel)
	}
	perISA := emitted[:len(emitted)/2]
	if a, b := slices.Sorted(slices.Values(wired)), slices.Sorted(slices.Values(perISA)); !slices.Equal(a, b) {
		return nil, fmt.Errorf("wiring: fields name kernels %v, the generator emits %v", a, b)
	}
	var out []wiringISA
	for _, s := range []isa{avx2, avx512} {
		w := wiringISA{Suffix: s.Suffix}
		for _, f := range fields {
			wf := wiredField{field: f, Kernel: s.name(f.Kernel), Value: s.name(f.Kernel)}
			switch f.wrap {
			case replicated:
				wf.Replicated, wf.Value = true, s.name(f.Kernel+"Replicated")
			case adamBetas:
				wf.Adam, wf.Value = true, s.name(f.Kernel+"Betas")
			}
			w.Fields = append(w.Fields, wf)
		}
		out = append(out, w)
	}
	return out, nil
}

// wiringTemplate is kernels/elementwise_amd64.go.
const wiringTemplate = `//go:build !purego

package kernels
{{range .}}
// setupElementwise{{.Suffix}} installs the {{.Suffix}} element-wise kernels of
// elementwise_amd64.s into im.
func setupElementwise{{.Suffix}}(im *impl) {
{{- range .Fields}}
	im.{{.Name}} = {{.Value}}
{{- end}}
}
{{$s := .Suffix}}{{range .Fields}}{{if .Replicated}}
// {{.Value}} runs {{.Kernel}},
// on a replicated bias when rows are narrower than wideBias (see
// replicateBias). It is written out per ISA rather than
// built from a shared helper taking the kernel as a function value: an
// indirect call would make the stack buffer escape to the heap.
func {{.Value}}(x, bias []float32{{.Params}}) {
	if len(bias) >= wideBias {
		{{.Kernel}}(x, bias{{.Args}})
		return
	}
	var buf [wideBiasMax]float32
	head, tail, wide := replicateBias(x, bias, &buf)
	{{.Kernel}}(head, wide{{.Args}})
	{{.Kernel}}(tail, bias{{.Args}})
}
{{end}}{{if .Adam}}
// {{.Value}} is Adam's step through {{.Kernel}}, which takes 1-beta1 and
// 1-beta2.
func {{.Value}}(p, g, m, v []float32, lrT, beta1, beta2, eps float32) {
	{{.Kernel}}(p, g, m, v, lrT, 1-beta1, 1-beta2, eps)
}
{{end}}{{end}}{{end}}`
