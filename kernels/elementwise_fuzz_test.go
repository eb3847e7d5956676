package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gokern/gokern/internal/kerneltest"
)

// ewDecode turns fuzz bytes into k slices of one length: consecutive
// little-endian float32s, dealt round-robin.
func ewDecode(data []byte, k int) [][]float32 {
	n := len(data) / 4 / k
	s := make([][]float32, k)
	for j := range s {
		s[j] = make([]float32, n)
	}
	for i := 0; i < n*k; i++ {
		s[i%k][i/k] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return s
}

// ewSeed encodes floats as fuzz bytes.
func ewSeed(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// ewSeeds is the seed corpus shared by the fuzz targets: empty, tails,
// specials and a few full vectors.
func ewSeeds(f *testing.F, extra func(data []byte)) {
	ramp := make([]float32, 150)
	for i := range ramp {
		ramp[i] = float32(i-75) * 0.37
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, d := range [][]byte{
		nil,
		ewSeed(1, 2, 3),
		ewSeed(-1, 0.5, 0, 2, 3, -4, 5, 6, 7, 8, 9, 10),
		ewSeed(inf, -inf, nan, 0, float32(math.Copysign(0, -1)), 1e-40, math.MaxFloat32, -88.9, 88.9, 9.5, -20, 0.625),
		ewSeed(ramp...),
	} {
		extra(d)
	}
}

// FuzzElementwise compares every element-wise kernel on every path with
// its generic reference on arbitrary inputs.
func FuzzElementwise(f *testing.F) {
	ewSeeds(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range mapCases {
			in := ewDecode(data, c.nin)
			ref := make([][]float32, c.nin)
			for j := range in {
				ref[j] = append([]float32(nil), in[j]...)
			}
			c.ref(ref)
			kerneltest.Run(t, func(t *testing.T) {
				got := make([][]float32, c.nin)
				for j := range in {
					got[j] = append([]float32(nil), in[j]...)
				}
				c.call(got)
				for _, o := range c.outs {
					for i := range got[o] {
						g, w := got[o][i], ref[o][i]
						if !ewSame(g, w) && (c.cmp == nil || !c.cmp(g, w, in, i)) {
							t.Fatalf("%s: output %d [%d] = %v, want %v (inputs %v)", c.name, o, i, g, w, ewColumn(in, i))
						}
					}
				}
			})
		}
	})
}

func ewColumn(in [][]float32, i int) []float32 {
	var c []float32
	for _, s := range in {
		c = append(c, s[i])
	}
	return c
}

// FuzzReductions compares Dot and Sum on every path with the reference,
// within the error bound of two summation orders.
func FuzzReductions(f *testing.F) {
	ewSeeds(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		s := ewDecode(data, 2)
		x, y := s[0], s[1]
		var abs, absDot float64
		for i := range x {
			abs += math.Abs(float64(x[i]))
			absDot += math.Abs(float64(x[i]) * float64(y[i]))
		}
		if math.IsInf(abs, 0) || math.IsNaN(abs) || math.IsInf(absDot, 0) || math.IsNaN(absDot) || abs > math.MaxFloat32/4 || absDot > math.MaxFloat32/4 {
			t.Skip("sums near overflow or NaN depend on the order")
		}
		ws, wd := sumGeneric(x), dotGeneric(x, y)
		kerneltest.Run(t, func(t *testing.T) {
			if got := Sum(x); !ewClose(got, ws, ewReduceTol(len(x), abs), 1) {
				t.Fatalf("Sum = %v, want %v", got, ws)
			}
			if got := Dot(x, y); !ewClose(got, wd, ewReduceTol(len(x), absDot), 1) {
				t.Fatalf("Dot = %v, want %v", got, wd)
			}
		})
	})
}

// FuzzRows compares AddBias, SumRows and BiasLeakyReLU on every path with
// the reference for rows of any width; all three are bit-exact.
func FuzzRows(f *testing.F) {
	ewSeeds(f, func(d []byte) {
		for _, w := range []uint8{1, 3, 8, 17, 64} {
			f.Add(d, w)
		}
	})
	f.Fuzz(func(t *testing.T, data []byte, width uint8) {
		n := int(width)
		all := ewDecode(data, 1)[0]
		if n == 0 || len(all) < n {
			return
		}
		bias := all[:n]
		x := all[n : n+(len(all)-n)/n*n]
		type op struct {
			name    string
			call    func(x, b []float32)
			ref     func(x, b []float32)
			biasOut bool
		}
		for _, o := range []op{
			{"AddBias", AddBias, addBiasGeneric, false},
			{"SumRows", func(x, b []float32) { SumRows(b, x) }, func(x, b []float32) { sumRowsReference(b, x) }, true},
			{"BiasLeakyReLU", func(x, b []float32) { BiasLeakyReLU(x, b, ewAlpha) }, func(x, b []float32) { biasLeakyReLUGeneric(x, b, ewAlpha) }, false},
		} {
			wx, wb := append([]float32(nil), x...), append([]float32(nil), bias...)
			o.ref(wx, wb)
			kerneltest.Run(t, func(t *testing.T) {
				gx, gb := append([]float32(nil), x...), append([]float32(nil), bias...)
				o.call(gx, gb)
				for i := range gx {
					if !ewSame(gx[i], wx[i]) {
						t.Fatalf("%s width %d: x[%d] = %v, want %v", o.name, n, i, gx[i], wx[i])
					}
				}
				for i := range gb {
					if !ewSame(gb[i], wb[i]) {
						t.Fatalf("%s width %d: bias[%d] = %v, want %v", o.name, n, i, gb[i], wb[i])
					}
				}
			})
		}
	})
}

// FuzzAdam compares one Adam step on every path with the reference.
func FuzzAdam(f *testing.F) {
	ewSeeds(f, func(d []byte) { f.Add(d, uint16(1)); f.Add(d, uint16(500)) })
	f.Fuzz(func(t *testing.T, data []byte, step uint16) {
		s := ewDecode(data, 4)
		for i, v := range s[3] {
			s[3][i] = float32(math.Abs(float64(v))) // v is a second moment
		}
		const lr, b1, b2, eps float32 = 1e-3, 0.9, 0.999, 1e-7
		t0 := int(step) + 1
		lrT := float32(float64(lr) * math.Sqrt(1-math.Pow(float64(b2), float64(t0))) / (1 - math.Pow(float64(b1), float64(t0))))
		var ref [4][]float32
		for j := range ref {
			ref[j] = append([]float32(nil), s[j]...)
		}
		adamGeneric(ref[0], ref[1], ref[2], ref[3], lrT, b1, b2, eps)
		kerneltest.Run(t, func(t *testing.T) {
			var got [4][]float32
			for j := range got {
				got[j] = append([]float32(nil), s[j]...)
			}
			Adam(got[0], got[1], got[2], got[3], lr, b1, b2, eps, t0)
			for _, j := range []int{0, 2, 3} {
				for i := range got[j] {
					g, w := got[j][i], ref[j][i]
					if !ewSame(g, w) && !ewClose(g, w, 8*ewEps, math.Abs(float64(w))+math.Abs(float64(ref[2][i]))*float64(lrT)/float64(eps)) {
						t.Fatalf("slice %d [%d] = %v, want %v (p g m v = %v)", j, i, g, w, ewColumn(s, i))
					}
				}
			}
		})
	})
}
