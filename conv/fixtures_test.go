package conv

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gokern/gokern/im2col"
	"github.com/gokern/gokern/internal/kerneltest"
)

// fixture is one PyTorch reference case written by
// testdata/make_fixtures.py.
type fixture struct {
	meta    map[string]string
	tensors map[string][]float32
	shapes  map[string][]int
}

// readSafetensors reads a float32-only safetensors file: an 8-byte
// little-endian header length, a JSON header, then the raw data.
func readSafetensors(path string) (*fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < 8 {
		return nil, fmt.Errorf("%s: too short", path)
	}
	hlen := binary.LittleEndian.Uint64(data)
	if hlen > uint64(len(data)-8) {
		return nil, fmt.Errorf("%s: header length %d beyond file", path, hlen)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hlen], &header); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	body := data[8+hlen:]
	fx := &fixture{tensors: map[string][]float32{}, shapes: map[string][]int{}}
	for name, raw := range header {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw, &fx.meta); err != nil {
				return nil, fmt.Errorf("%s: metadata: %w", path, err)
			}
			continue
		}
		var t struct {
			Dtype   string `json:"dtype"`
			Shape   []int  `json:"shape"`
			Offsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %w", path, name, err)
		}
		lo, hi := t.Offsets[0], t.Offsets[1]
		if t.Dtype != "F32" || lo < 0 || hi > len(body) || lo > hi || (hi-lo)%4 != 0 {
			return nil, fmt.Errorf("%s: tensor %s: bad dtype %s or offsets %v", path, name, t.Dtype, t.Offsets)
		}
		v := make([]float32, (hi-lo)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[lo+4*i:]))
		}
		fx.tensors[name] = v
		fx.shapes[name] = t.Shape
	}
	return fx, nil
}

func (fx *fixture) int(t *testing.T, key string) int {
	v, err := strconv.Atoi(fx.meta[key])
	if err != nil {
		t.Fatalf("metadata %s: %v", key, err)
	}
	return v
}

// TestPyTorchFixtures compares both layers, every pass, with PyTorch on
// the DCGAN's kernel/stride/padding configurations.
func TestPyTorchFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.safetensors"))
	if err != nil || len(paths) < 7 {
		t.Fatalf("fixtures: %v, found %d files; regenerate with testdata/make_fixtures.py", err, len(paths))
	}
	kerneltest.Run(t, func(t *testing.T) {
		for _, p := range paths {
			fx, err := readSafetensors(p)
			if err != nil {
				t.Fatal(err)
			}
			s := Spec{
				H: fx.int(t, "H"), W: fx.int(t, "W"), C: fx.int(t, "C"), Filters: fx.int(t, "filters"),
				KH: fx.int(t, "k"), KW: fx.int(t, "k"), StrideH: fx.int(t, "stride"), StrideW: fx.int(t, "stride"),
				Padding: im2col.Valid,
			}
			if fx.meta["padding"] == "same" {
				s.Padding = im2col.Same
			}
			n := fx.int(t, "n")
			var ops []Op
			if fx.meta["transpose"] == "true" {
				op, err := NewConv2DTranspose(s)
				if err != nil {
					t.Fatal(err)
				}
				ops = append(ops, op)
			} else {
				for _, implicit := range []bool{false, true} {
					op, err := NewConv2D(s)
					if err != nil {
						t.Fatal(err)
					}
					op.implicit = implicit
					ops = append(ops, op)
				}
			}
			tn := fx.tensors
			for _, op := range ops {
				name := fmt.Sprintf("%s %T", filepath.Base(p), op)
				if c, ok := op.(*Conv2D); ok {
					name += fmt.Sprintf(" implicit=%v", c.implicit)
				}
				oh, ow, f := op.OutShape()
				if ys := fx.shapes["y"]; len(ys) != 4 || ys[0] != n || ys[1] != oh || ys[2] != ow || ys[3] != f {
					t.Fatalf("%s: output shape %v, PyTorch %v", name, []int{n, oh, ow, f}, ys)
				}
				y := make([]float32, len(tn["y"]))
				dx := make([]float32, len(tn["x"]))
				dw := make([]float32, len(tn["w"]))
				db := make([]float32, len(tn["b"]))
				op.Forward(n, tn["x"], tn["w"], tn["b"], y)
				op.BackwardData(n, tn["dy"], tn["w"], dx)
				op.BackwardWeights(n, tn["x"], tn["dy"], dw, db)
				for _, c := range []struct {
					name string
					got  []float32
				}{{"y", y}, {"dx", dx}, {"dw", dw}, {"db", db}} {
					if err := nearFixture(c.got, tn[c.name]); err != nil {
						t.Errorf("%s: %s: %v", name, c.name, err)
					}
				}
			}
		}
	})
}

// nearFixture compares with PyTorch's float64 result, rounded to float32,
// allowing float32 accumulation error relative to the largest value.
func nearFixture(got, want []float32) error {
	if len(got) != len(want) {
		return fmt.Errorf("len %d, PyTorch %d", len(got), len(want))
	}
	var scale float64
	for _, v := range want {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= 1e-5*scale+1e-6) {
			return fmt.Errorf("[%d] = %v, PyTorch %v", i, got[i], want[i])
		}
	}
	return nil
}
