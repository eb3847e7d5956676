package peak

// genericSink keeps the generic probe's result alive so the compiler cannot
// delete the loop.
var genericSink float32

// fmaGeneric is the pure-Go probe: fmaPerTrip independent multiply-add chains
// per trip, as the generic kernels compute them (a multiply and an add, which
// Go fuses on arm64 and not on amd64; either way two FLOPs per lane).
func fmaGeneric(trips int) {
	var a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 float32
	b, c := genericSink+1, float32(0.999)
	for range trips {
		a0 = a0*c + b
		a1 = a1*c + b
		a2 = a2*c + b
		a3 = a3*c + b
		a4 = a4*c + b
		a5 = a5*c + b
		a6 = a6*c + b
		a7 = a7*c + b
		a8 = a8*c + b
		a9 = a9*c + b
		a10 = a10*c + b
		a11 = a11*c + b
	}
	genericSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
}
