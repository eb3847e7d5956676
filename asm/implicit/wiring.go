package main

import "fmt"

// wiringTemplate is conv/implicit_amd64.go: it registers each ISA's kernels
// for the kernel path of the same instruction set. The field names are
// those of conv's runKernels.
const wiringTemplate = `//go:build !purego

package conv

import "github.com/gokern/gokern/internal/paths"

// The generated AVX2 and AVX-512 run kernels (implicit_amd64.s), registered
// for their kernel paths: they run whenever that path is active, which it
// only ever is on CPUs that support it.
func init() {
{{- range .}}
	runFamily.Register(paths.{{.Path}}, &runKernels{
		dot:    [...]runFunc{nil{{range .Dot}}, {{.}}{{end}}},
		axpy:   [...]runFunc{nil{{range .Axpy}}, {{.}}{{end}}},
		ger:    [...]runFunc{nil{{range .Ger}}, {{.}}{{end}}},
		dotRowFn: [...]runFuncRow{nil{{range .DotRow}}, {{.}}{{end}}},
		gerRowFn: [...]runFuncRow{nil{{range .GerRow}}, {{.}}{{end}}},
		gather: {{.Gather}},
		prefetch: prefetchRun,
		dotRowPixels: [...]int{0{{range .DotRowPixels}}, {{.}}{{end}}},
		stripGrad: []stripGradKernel{ {{- range $i, $k := .StripGrad}}{{if $i}}, {{end}}{ {{- $k.Taps}}, {{$k.Lanes}}, {{$k.Name -}} }{{end -}} },
	})
{{- end}}
}
`

// isaKernels names one ISA's kernels, indexed by filter count - 1.
type isaKernels struct {
	Path                           string
	Dot, Axpy, Ger, DotRow, GerRow []string
	Gather                         string
	DotRowPixels                   []int
	StripGrad                      []stripGradData
}

// stripGradData names one stripGrad kernel.
type stripGradData struct {
	Taps, Lanes int
	Name        string
}

func wiringData() []isaKernels {
	var out []isaKernels
	for _, s := range []isa{avx2, avx512} {
		k := isaKernels{Path: s.Suffix, Gather: "gatherRuns" + s.Suffix}
		for f := 1; f <= maxFilters; f++ {
			k.Dot = append(k.Dot, kernelName("dotRuns", f, s))
			k.Axpy = append(k.Axpy, kernelName("axpyRuns", f, s))
			k.Ger = append(k.Ger, kernelName("gerRuns", f, s))
			k.DotRow = append(k.DotRow, kernelName("dotRow", f, s))
			k.DotRowPixels = append(k.DotRowPixels, dotRowPixels(s, f))
			k.GerRow = append(k.GerRow, kernelName("gerRow", f, s))
		}
		for _, t := range s.stripGradTaps() {
			k.StripGrad = append(k.StripGrad, stripGradData{Taps: t, Lanes: s.Lanes, Name: fmt.Sprintf("stripGrad%d%s", t, s.Suffix)})
		}
		out = append(out, k)
	}
	return out
}
