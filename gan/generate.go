package gan

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/gokern/gokern/nn"
)

// LatentPoints returns n points of a latentDim-dimensional standard normal,
// drawn from a PCG seeded with seed: the same seed gives the same points.
func LatentPoints(n, latentDim int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, mix(seed, 6)))
	z := make([]float32, n*latentDim)
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	return z
}

// Interpolate returns steps points on the straight line from a to b, both
// ends included, as the tutorial's latent-space walk.
func Interpolate(a, b []float32, steps int) []float32 {
	out := make([]float32, 0, steps*len(a))
	for s := range steps {
		f := float32(0)
		if steps > 1 {
			f = float32(s) / float32(steps-1)
		}
		for i := range a {
			out = append(out, (1-f)*a[i]+f*b[i])
		}
	}
	return out
}

// GenerateFrom runs the generator in inference mode on latent points
// (len a multiple of its input size) and returns a copy of the images.
func GenerateFrom(g *nn.Sequential, latent []float32) []float32 {
	d := g.InShape()[0]
	x := &nn.Tensor{Shape: []int{len(latent) / d, d}, Data: latent}
	return append([]float32(nil), g.Forward(x, false).Data...)
}

// GenerateBatch is how many images GenerateBatches runs through the
// generator at once: its activations take some 3.4 MB per image, so 64
// keep generation near 220 MB however many images are asked for.
const GenerateBatch = 64

// GenerateBatches runs the generator in inference mode on latent points
// (len a multiple of its input size), at most batch points at a time
// (GenerateBatch when batch <= 0), and calls emit with the index of each
// chunk's first image and the chunk's images, which emit must not keep.
// The images are those GenerateFrom returns for the same points. A NaN or
// an infinity in an image stops it with an error wrapping ErrNonFinite.
func GenerateBatches(g *nn.Sequential, latent []float32, batch int, emit func(first int, images []float32) error) error {
	if batch <= 0 {
		batch = GenerateBatch
	}
	d := g.InShape()[0]
	n := len(latent) / d
	for first := 0; first < n; first += batch {
		k := min(batch, n-first)
		x := &nn.Tensor{Shape: []int{k, d}, Data: latent[first*d : (first+k)*d]}
		imgs := g.Forward(x, false).Data
		for i, v := range imgs {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("gan: image %d: %w %v in the generator's output", first+i/ImageSize, ErrNonFinite, v)
			}
		}
		if err := emit(first, imgs); err != nil {
			return err
		}
	}
	return nil
}

// Generate returns n images from the generator for latent points drawn
// with LatentPoints(n, latent size, seed).
func Generate(g *nn.Sequential, n int, seed uint64) []float32 {
	return GenerateFrom(g, LatentPoints(n, g.InShape()[0], seed))
}

// LoadGenerator reads a generator saved with nn.SaveWeights (the
// generator_model_eNNN.safetensors files a run writes), taking the latent
// size from the file's first Dense kernel. It refuses weights that are not
// finite, naming the tensor (an error wrapping ErrNonFinite).
func LoadGenerator(path string) (*nn.Sequential, error) {
	latent, err := generatorLatentDim(path)
	if err != nil {
		return nil, err
	}
	g, err := NewGenerator(latent)
	if err != nil {
		return nil, err
	}
	if err := nn.LoadWeights(path, g); err != nil {
		return nil, err
	}
	if err := checkFinite("generator", g); err != nil {
		return nil, fmt.Errorf("gan: %s: %w", path, err)
	}
	return g, nil
}

// generatorLatentDim reads the shape of dense_1/kernel from the
// safetensors header: 8 bytes of little-endian length, then JSON.
func generatorLatentDim(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("gan: %w", err)
	}
	defer f.Close()
	var n uint64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil {
		return 0, fmt.Errorf("gan: %s: not a safetensors file: %w", path, err)
	}
	if n > 1<<24 {
		return 0, fmt.Errorf("gan: %s: not a safetensors file (header length %d)", path, n)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return 0, fmt.Errorf("gan: %s: truncated safetensors header: %w", path, err)
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &entries); err != nil {
		return 0, fmt.Errorf("gan: %s: safetensors header: %w", path, err)
	}
	var kernel struct {
		Shape []int `json:"shape"`
	}
	raw, ok := entries["dense_1/kernel"]
	if !ok {
		return 0, fmt.Errorf("gan: %s: no dense_1/kernel tensor: not a generator saved by gokern", path)
	}
	if err := json.Unmarshal(raw, &kernel); err != nil || len(kernel.Shape) != 2 || kernel.Shape[0] < 1 || kernel.Shape[1] != 4*4*256 {
		return 0, fmt.Errorf("gan: %s: dense_1/kernel has shape %v, want [latent, 4096]: not a generator", path, kernel.Shape)
	}
	return kernel.Shape[0], nil
}
