// Command fmapeak generates bench/peak's FMA peak probe for amd64: one routine
// per vector width that issues Accumulators independent VFMADD231PS per loop
// trip and nothing else, so the measured rate is the core's FMA throughput.
//
// The accumulators are independent so the loop is bound by FMA throughput,
// not latency: Zen 4/5 and recent Intel cores have two FMA pipes with four
// cycles of latency, so at least eight chains are needed to keep both busy;
// twelve leaves headroom for cores with longer latency. The multiplicands
// and accumulators start at zero, which keeps every value a normal zero (no
// denormal slow paths) without any memory traffic.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Accumulators is the number of independent FMA chains per loop trip. It is
// exported to Go as fmaPerTrip so the caller can count FLOPs exactly.
const Accumulators = 12

func main() {
	ConstraintExpr("!purego")

	probe("fmaAVX2", func() reg.VecVirtual { return YMM() }, false)
	probe("fmaAVX512", func() reg.VecVirtual { return ZMM() }, true)
	Generate()
}

// probe emits func name(trips int): trips x Accumulators FMAs on vectors
// made by vec.
func probe(name string, vec func() reg.VecVirtual, zmm bool) {
	TEXT(name, NOSPLIT, "func(trips int)")
	Doc(fmt.Sprintf("%s issues trips x %d independent VFMADD231PS on %s registers.", name, Accumulators, map[bool]string{false: "ymm", true: "zmm"}[zmm]))
	n := Load(Param("trips"), GP64())

	a, b := vec(), vec()
	zero(a, zmm)
	zero(b, zmm)
	acc := make([]reg.VecVirtual, Accumulators)
	for i := range acc {
		acc[i] = vec()
		zero(acc[i], zmm)
	}

	TESTQ(n, n)
	JLE(LabelRef(name + "_done"))
	Label(name + "_loop")
	for i := range acc {
		VFMADD231PS(a, b, acc[i])
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func zero(v reg.VecVirtual, zmm bool) {
	if zmm {
		VPXORD(v, v, v)
		return
	}
	VXORPS(v, v, v)
}
