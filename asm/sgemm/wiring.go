package main

import "fmt"

// wiringTemplate is kernels/sgemm_amd64.go: one setup function per ISA
// that installs its generated kernels, behind the bounds-checking wrappers
// of kernels/sgemm_checked.go, with the cache blocking kept by hand in
// kernels/sgemm_blocking_amd64.go.
const wiringTemplate = `//go:build !purego

package kernels
{{range .}}
// setupSgemm{{.Suffix}} installs the generated {{.Suffix}} SGEMM kernels: the {{.MR}}x{{.NR}}
// micro-kernel and its column-of-tiles form, its packers, and the skinny
// kernels for n <= 4.{{if .Strided}}
// Its micro-kernel has a strided twin, which reads A unpacked, also in a
// row-of-tiles form.{{end}}{{if .Indirect}}
// Its indirect kernel reads A's rows through a table of offsets.{{end}}
func setupSgemm{{.Suffix}}(im *impl) {
	im.gemm = gemmConfig{
		MR: {{.MR}}, NR: {{.NR}}, KC: kc{{.Suffix}}, MC: mc{{.Suffix}}, NC: nc{{.Suffix}}, NCShared: ncShared{{.Suffix}},
		kernel: checkedKernel({{.MR}}, {{.NR}}, {{.Kernel}}),
		rows:   checkedRows({{.MR}}, {{.NR}}, {{.RowsKernel}}),{{if .Strided}}
		strided:      checkedStrided({{.MR}}, {{.NR}}, {{.StridedKernel}}),
		stridedPanels: checkedStridedPanels({{.MR}}, {{.NR}}, {{.StridedPanelsKernel}}),
		stridedPanel: stridedPanel{{.Suffix}},{{end}}{{if .Indirect}}
		indirectPanels: checkedIndirectPanels({{.MR}}, {{.NR}}, {{.IndirectPanelsKernel}}),{{end}}
		packAT: checkedPacker({{.MR}}, sgemmPackT{{.MR}}),
		packATGroups: checkedGroupPacker({{.MR}}, sgemmPackT{{.MR}}Groups),
		packBT: checkedPacker({{.NR}}, sgemmPackT{{.NR}}),
		packAN: checkedCopier({{.MR}}, sgemmPackN{{.MR}}),
		packBN: checkedCopier({{.NR}}, sgemmPackN{{.NR}}),
		skinny: skinnyConfig{
			width: {{.Lanes}},
			rows:  {{.DotsRows}},
			block: [5]dotsKernel{nil,{{range .DotsBlock}}
				{{.}},{{end}}
			},
			single: [5]dotsKernel{nil,{{range .DotsSingle}}
				{{.}},{{end}}
			},
			vecs: {{.AxpysVecs}},
			axpysBlock: [5]axpysKernel{nil,{{range .AxpysBlock}}
				{{.}},{{end}}
			},
			axpysSingle: [5]axpysKernel{nil,{{range .AxpysSingle}}
				{{.}},{{end}}
			},
		},
	}
}
{{end}}`

// The template's view of a tile.

func (t tile) Suffix() string { return t.is.Suffix }
func (t tile) Lanes() int     { return t.is.Lanes }
func (t tile) MR() int        { return t.mr }
func (t tile) NR() int        { return t.nr() }
func (t tile) DotsRows() int  { return t.dotsRows }
func (t tile) AxpysVecs() int { return t.axpysVecs }

// Kernel is the micro-kernel's name, as microKernel emits it.
func (t tile) Kernel() string { return fmt.Sprintf("sgemmKernel%dx%d%s", t.mr, t.nr(), t.is.Suffix) }

// RowsKernel is the column-of-tiles kernel's name, as rowsKernel emits it.
func (t tile) RowsKernel() string {
	return fmt.Sprintf("sgemmKernelRows%dx%d%s", t.mr, t.nr(), t.is.Suffix)
}

// Strided says whether the tile has a strided micro-kernel;
// StridedKernel is its name, as stridedKernel emits it.
func (t tile) Strided() bool { return t.strided }
func (t tile) StridedPanelsKernel() string {
	return fmt.Sprintf("sgemmKernelStridedPanels%dx%d%s", t.mr, t.nr(), t.is.Suffix)
}
func (t tile) StridedKernel() string {
	return fmt.Sprintf("sgemmKernelStrided%dx%d%s", t.mr, t.nr(), t.is.Suffix)
}

func (t tile) DotsBlock() []string  { return t.dots(t.dotsRows) }
func (t tile) DotsSingle() []string { return t.dots(1) }

// dots lists the checked dots kernels of rows rows for n = 1..4, named as
// dots emits them.
func (t tile) dots(rows int) []string {
	var out []string
	for n := 1; n <= 4; n++ {
		out = append(out, fmt.Sprintf("checkedDots(%d, %d, sgemmDots%dx%d%s)", rows, n, rows, n, t.is.Suffix))
	}
	return out
}

func (t tile) AxpysBlock() []string  { return t.axpys(t.axpysVecs) }
func (t tile) AxpysSingle() []string { return t.axpys(1) }

// axpys lists the checked axpys kernels of v vectors (v*Lanes rows of C)
// for n = 1..4, named as axpys emits them.
func (t tile) axpys(v int) []string {
	var out []string
	for n := 1; n <= 4; n++ {
		out = append(out, fmt.Sprintf("checkedAxpys(%d, %d, sgemmAxpys%dx%d%s)", v*t.is.Lanes, n, v, n, t.is.Suffix))
	}
	return out
}

// Indirect says whether the tile has an indirect kernel;
// IndirectPanelsKernel is its name, as indirectPanelsKernel emits it.
func (t tile) Indirect() bool { return t.indirect }
func (t tile) IndirectPanelsKernel() string {
	return fmt.Sprintf("sgemmKernelIndirectPanels%dx%d%s", t.mr, t.nr(), t.is.Suffix)
}
