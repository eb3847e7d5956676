package bench

import (
	"math"
	"slices"
	"testing"

	"github.com/gokern/gokern/gan"
)

func layers(t *testing.T) (d, g []Layer) {
	t.Helper()
	d, g, err := Layers(100)
	if err != nil {
		t.Fatal(err)
	}
	return d, g
}

// TestLayerFLOPsByHand checks one layer against a count done on paper: the
// discriminator's conv2d_2 maps 32x32x64 to 16x16x128 with a 3x3 kernel.
// Each of the 16*16 = 256 output pixels of each of 128 filters is a dot
// product of 3*3*64 = 576 terms: 576 multiplies and 576 adds. Per sample:
// 256 * 128 * 576 * 2 = 37,748,736 FLOPs.
func TestLayerFLOPsByHand(t *testing.T) {
	d, g := layers(t)
	l := d[1]
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
	tc := g[1]
	if got, want := tc.ForwardFLOPs(1), 2.0*16*256*4*4*128; got != want || tc.OutH != 8 || tc.Name != "conv2d_transpose_1" {
		t.Errorf("%s FLOPs = %v (out %d), want conv2d_transpose_1 %v (out 8)", tc.Name, got, tc.OutH, want)
	}
}

// TestLayersMatchKeras checks the layers read from gan's models against
// the parameter counts of the Keras tutorial's model summaries (weights
// plus one bias per filter), layer by layer and in order.
func TestLayersMatchKeras(t *testing.T) {
	want := []struct {
		name   string
		params int
	}{
		{"D/conv2d_1", 1792}, {"D/conv2d_2", 73856}, {"D/conv2d_3", 147584}, {"D/conv2d_4", 295168}, {"D/dense_1", 4097},
		{"G/dense_1", 413696}, {"G/conv2d_transpose_1", 524416}, {"G/conv2d_transpose_2", 262272},
		{"G/conv2d_transpose_3", 262272}, {"G/conv2d_1", 3459},
	}
	d, g := layers(t)
	all := append(d, g...)
	if len(all) != len(want) {
		t.Fatalf("%d GEMM layers, want %d", len(all), len(want))
	}
	for i, l := range all {
		if l.String() != want[i].name || l.Params() != want[i].params {
			t.Errorf("layer %d: %s with %d params, Keras has %s with %d", i, l, l.Params(), want[i].name, want[i].params)
		}
	}
}

// TestLayersDescendNestedModels walks the combined GAN model, which nests
// the generator and the discriminator, and finds both models' layers.
func TestLayersDescendNestedModels(t *testing.T) {
	gm, err := gan.NewGenerator(100)
	if err != nil {
		t.Fatal(err)
	}
	dm, err := gan.NewDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	combined, err := gan.NewGAN(gm, dm)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gemmLayers("GAN", combined, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, g := layers(t)
	if len(got) != len(g)+len(d) {
		t.Fatalf("%d layers in the GAN model, want %d", len(got), len(g)+len(d))
	}
	for i, l := range append(g, d...) {
		if got[i].Name != l.Name || got[i].Spec != l.Spec {
			t.Errorf("GAN layer %d: %s %v, want %s %v", i, got[i].Name, got[i].Spec, l.Name, l.Spec)
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
	d, g := layers(t)
	var sumD, sumG float64
	for _, l := range d {
		sumD += l.ForwardFLOPs(1)
	}
	for _, l := range g {
		sumG += l.ForwardFLOPs(1)
	}
	if sumD != dF || sumG != gF || d[0].ForwardFLOPs(1) != d1 || g[0].ForwardFLOPs(1) != g1 {
		t.Fatalf("per-sample forward D %v G %v, want %v %v", sumD, sumG, dF, gF)
	}
	if math.Abs(IterationFLOPs(64, 100)/IterationFLOPs(128, 100)-0.5) > 1e-12 {
		t.Error("IterationFLOPs is not linear in the batch")
	}
}

// TestSgemmShapes checks the shapes derived from the models against the
// GEMMs worked out by hand (M x N x K, im2col form for convolutions).
func TestSgemmShapes(t *testing.T) {
	want := []GemmShape{
		{Name: "D conv2d_1 fwd (batch 32)", M: 32768, N: 64, K: 27},
		{Name: "D conv2d_2 fwd (batch 32)", M: 8192, N: 128, K: 576},
		{Name: "D conv2d_3 fwd (batch 32)", M: 2048, N: 128, K: 1152},
		{Name: "D conv2d_4 fwd (batch 32)", M: 512, N: 256, K: 1152},
		{Name: "G conv2d_transpose_1 fwd (batch 64)", M: 1024, N: 2048, K: 256, TransB: true},
		{Name: "G conv2d_transpose_2 fwd (batch 64)", M: 4096, N: 2048, K: 128, TransB: true},
		{Name: "G conv2d_transpose_3 fwd (batch 64)", M: 16384, N: 2048, K: 128, TransB: true},
		{Name: "G conv2d_1 fwd (batch 64)", M: 65536, N: 3, K: 1152},
		{Name: "G conv2d_1 dW (batch 64)", M: 1152, N: 3, K: 65536, TransA: true},
		{Name: "G conv2d_1 dX (batch 64)", M: 65536, N: 1152, K: 3, TransB: true},
	}
	if got := SgemmShapes(); !slices.Equal(got, want) {
		t.Errorf("SgemmShapes:\n got %v\nwant %v", got, want)
	}
}

func TestGemmShapeOperands(t *testing.T) {
	for _, c := range []struct {
		s             GemmShape
		lda, ldb, ldc int
		name          string
	}{
		{GemmShape{M: 5, N: 3, K: 7}, 7, 3, 3, "m5n3k7"},
		{GemmShape{M: 5, N: 3, K: 7, TransA: true}, 5, 3, 3, "m5n3k7tA"},
		{GemmShape{M: 5, N: 3, K: 7, TransB: true}, 7, 7, 3, "m5n3k7tB"},
	} {
		lda, ldb, ldc := c.s.Operands()
		if lda != c.lda || ldb != c.ldb || ldc != c.ldc || c.s.String() != c.name {
			t.Errorf("%+v: %s, ld %d %d %d, want %s, %d %d %d", c.s, c.s, lda, ldb, ldc, c.name, c.lda, c.ldb, c.ldc)
		}
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
