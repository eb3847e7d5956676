package main

import (
	"fmt"
	"strings"
)

// sgemmWiring is kernels/sgemm_arm64.go: it installs the micro-kernel and
// the skinny kernels behind the bounds-checking wrappers of
// kernels/sgemm_checked.go, with the cache blocking kept by hand in
// kernels/sgemm_blocking_arm64.go.
const sgemmWiring = `//go:build !purego

package kernels

// setupSgemmNEON installs the generated {{.MR}}x{{.NR}} NEON micro-kernel (see
// asm/neon for the choice of tile) and, for C with at most four columns
// (or rows), the skinny kernels: dots of {{.DotsRows}} rows x n, and axpys of
// {{.AxpysRows}} rows x n for a transposed A.
func setupSgemmNEON(im *impl) {
	im.gemm = gemmConfig{
		MR: neonMR, NR: neonNR, KC: kcNEON, MC: mcNEON, NC: ncNEON,
		kernel: checkedKernel(neonMR, neonNR, {{.Kernel}}),
		skinny: skinnyConfig{
			width: neonSkinnyWidth,
			rows:  neonDotsRows,
			block: [5]dotsKernel{nil,{{range .DotsBlock}}
				{{.}},{{end}}
			},
			single: [5]dotsKernel{nil,{{range .DotsSingle}}
				{{.}},{{end}}
			},
			vecs: neonAxpysVecs,
			axpysBlock: [5]axpysKernel{nil,{{range .AxpysBlock}}
				{{.}},{{end}}
			},
			axpysSingle: [5]axpysKernel{nil,{{range .AxpysSingle}}
				{{.}},{{end}}
			},
		},
	}
}
`

type sgemmWiringView struct {
	MR, NR, DotsRows, AxpysRows                    int
	Kernel                                         string
	DotsBlock, DotsSingle, AxpysBlock, AxpysSingle []string
}

func sgemmWiringData() sgemmWiringView {
	v := sgemmWiringView{MR: mr, NR: nr, DotsRows: dotsRows, AxpysRows: 4 * axpysVecs, Kernel: sgemmKernel().Name}
	for n := 1; n <= 4; n++ {
		v.DotsBlock = append(v.DotsBlock, fmt.Sprintf("checkedDots(%d, %d, %s)", dotsRows, n, dotsName(dotsRows, n)))
		v.DotsSingle = append(v.DotsSingle, fmt.Sprintf("checkedDots(1, %d, %s)", n, dotsName(1, n)))
		v.AxpysBlock = append(v.AxpysBlock, fmt.Sprintf("checkedAxpys(%d, %d, %s)", 4*axpysVecs, n, axpysName(4*axpysVecs, n)))
		v.AxpysSingle = append(v.AxpysSingle, fmt.Sprintf("checkedAxpys(4, %d, %s)", n, axpysName(4, n)))
	}
	return v
}

// elementwiseWiring is kernels/elementwise_arm64.go. Every NEON kernel
// has its field's signature, so each is installed directly.
const elementwiseWiring = `//go:build !purego

package kernels

// setupElementwiseNEON installs the generated element-wise NEON kernels,
// Tanh and Sigmoid included (the amd64 kernels' Cephes-based algorithm).
func setupElementwiseNEON(im *impl) {
{{- range .}}
	im.{{.Field}} = {{.Kernel}}
{{- end}}
}
`

type elementwiseField struct{ Field, Kernel string }

// elementwiseWiringData fills field f of package kernels' impl with the
// kernel fNEON.
func elementwiseWiringData(funcs []*Func) []elementwiseField {
	var out []elementwiseField
	for _, f := range funcs {
		field, ok := strings.CutSuffix(f.Name, "NEON")
		if !ok {
			panic("neon: kernel " + f.Name + " lacks the NEON suffix")
		}
		out = append(out, elementwiseField{field, f.Name})
	}
	return out
}
