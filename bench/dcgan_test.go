package bench

import (
	"math"
	"testing"

	"github.com/gokern/gokern/conv"
)

// TestLayerFLOPsByHand checks one layer against a count done on paper: the
// discriminator's conv2d_2 maps 32x32x64 to 16x16x128 with a 3x3 kernel.
// Each of the 16*16 = 256 output pixels of each of 128 filters is a dot
// product of 3*3*64 = 576 terms: 576 multiplies and 576 adds. Per sample:
// 256 * 128 * 576 * 2 = 37,748,736 FLOPs.
func TestLayerFLOPsByHand(t *testing.T) {
	l := Discriminator()[1]
	if l.Name != "conv2d_2" || l.OutH != 16 {
		t.Fatalf("layer 1 is %+v", l)
	}
	if got := l.ForwardFLOPs(1); got != 37748736 {
		t.Errorf("conv2d_2 forward FLOPs = %v, want 37748736", got)
	}
	m, n, k := l.GEMM(64)
	if m != 64*256 || n != 128 || k != 576 {
		t.Errorf("conv2d_2 GEMM at batch 64 = %d x %d x %d", m, n, k)
	}
	// A transposed conv: 4x4x256 to 8x8x128 with a 4x4 kernel: every input
	// pixel's 256 channels meet every one of the 4*4*128 kernel outputs.
	g := Generator(100)[1]
	if got, want := g.ForwardFLOPs(1), 2.0*16*256*4*4*128; got != want || g.OutH != 8 {
		t.Errorf("conv2d_transpose_1 FLOPs = %v (out %d), want %v (out 8)", got, g.OutH, want)
	}
}

// TestLayersMatchSeeds checks the layer table against the parameter counts
// in the seeds' model summaries (weights plus one bias per filter).
func TestLayersMatchSeeds(t *testing.T) {
	want := map[string]int{
		"D/conv2d_1": 1792, "D/conv2d_2": 73856, "D/conv2d_3": 147584, "D/conv2d_4": 295168, "D/dense_1": 4097,
		"G/dense_1": 413696, "G/conv2d_transpose_1": 524416, "G/conv2d_transpose_2": 262272,
		"G/conv2d_transpose_3": 262272, "G/conv2d_1": 3459,
	}
	for _, l := range append(Discriminator(), Generator(100)...) {
		params := l.K*l.K*l.C*l.Filters + l.Filters
		if w := want[l.Model+"/"+l.Name]; params != w {
			t.Errorf("%s/%s: %d params, seeds say %d", l.Model, l.Name, params, w)
		}
	}
}

// TestLayersMatchConvTable cross-checks the FLOPs against the conv
// package's own table of the same layers.
func TestLayersMatchConvTable(t *testing.T) {
	var ours []Layer
	for _, l := range append(Discriminator(), Generator(100)...) {
		if l.Type != "Dense" {
			ours = append(ours, l)
		}
	}
	theirs := conv.DCGANLayers()
	if len(ours) != len(theirs) {
		t.Fatalf("%d conv layers here, %d in conv.DCGANLayers", len(ours), len(theirs))
	}
	for i, l := range ours {
		if a, b := l.ForwardFLOPs(64), theirs[i].FLOPs(64); a != b {
			t.Errorf("%s/%s: %v FLOPs here, conv says %v for %s", l.Model, l.Name, a, b, theirs[i].Name)
		}
	}
}

// TestIterationFLOPs recomputes one iteration from per-sample forward
// counts by hand: D forward is 69,607,424 FLOPs per sample, of which
// conv2d_1 is 3,538,944; G forward is 192,446,464, of which dense_1 (on the
// latent input) is 819,200.
func TestIterationFLOPs(t *testing.T) {
	const dF, d1, gF, g1 = 69607424.0, 3538944.0, 192446464.0, 819200.0
	dStep := 64 * (dF + dF + (dF - d1))      // forward, weight grads, input grads but the first layer's
	gPredict := 64 * gF                      // inference
	gan := 128*(gF+gF+(gF-g1)) + 128*(dF+dF) // G trained; frozen D: forward and input grads only
	want := 2*dStep + gPredict + gan         // = 130,206,924,800
	if got := IterationFLOPs(128, 100); got != want || want != 130206924800 {
		t.Fatalf("IterationFLOPs(128, 100) = %v, want %v (130206924800)", got, want)
	}
	var sumD, sumG float64
	for _, l := range Discriminator() {
		sumD += l.ForwardFLOPs(1)
	}
	for _, l := range Generator(100) {
		sumG += l.ForwardFLOPs(1)
	}
	if sumD != dF || sumG != gF {
		t.Fatalf("per-sample forward D %v G %v, want %v %v", sumD, sumG, dF, gF)
	}
	if math.Abs(IterationFLOPs(64, 100)/IterationFLOPs(128, 100)-0.5) > 1e-12 {
		t.Error("IterationFLOPs is not linear in the batch")
	}
}

func TestParseShape(t *testing.T) {
	for in, want := range map[string]GemmShape{
		"8192,128,576":  {M: 8192, N: 128, K: 576},
		"m512n256k1152": {M: 512, N: 256, K: 1152},
	} {
		g, err := ParseShape(in)
		if err != nil || g.M != want.M || g.N != want.N || g.K != want.K || g.Name != g.String() {
			t.Errorf("ParseShape(%q) = %+v, %v", in, g, err)
		}
	}
	for _, bad := range []string{"", "1,2", "0,1,1", "m1n0k1", "a,b,c"} {
		if _, err := ParseShape(bad); err == nil {
			t.Errorf("ParseShape(%q) accepted", bad)
		}
	}
}
