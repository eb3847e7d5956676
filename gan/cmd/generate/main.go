// Command generate is the tutorial's "final results" step: it loads a
// generator saved by ./gan/cmd/train and writes a grid of generated images,
// or with -interpolate a latent-space walk: each row moves in a straight
// line between two random latent points.
//
//	go run ./gan/cmd/generate -model gan-out/generator_model_e200.safetensors
//	go run ./gan/cmd/generate -model gan-out/generator_model_e200.safetensors -interpolate -out walk.png
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/gokern/gokern/gan"
	"github.com/gokern/gokern/kernels"
)

// maxImages bounds the grid: 100,000 images at -scale 2 are a 1.7 GB
// picture already.
const maxImages = 100_000

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// run generates as the command line args say and reports to stdout.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	model := fs.String("model", "", "generator weights (`FILE`, e.g. gan-out/generator_model_e200.safetensors)")
	n := fs.Int("n", 49, "images in the grid")
	cols := fs.Int("cols", 0, "images per row (0: a square grid)")
	seed := fs.Uint64("seed", 1, "seed of the latent points")
	out := fs.String("out", "generated.png", "output PNG")
	scale := fs.Int("scale", 2, "pixel size of each image pixel")
	interp := fs.Bool("interpolate", false, "latent-space interpolation: -rows walks of -steps images")
	rows := fs.Int("rows", 7, "with -interpolate: number of walks")
	steps := fs.Int("steps", 10, "with -interpolate: images per walk, both ends included")
	batch := fs.Int("batch", gan.GenerateBatch, "images run through the generator at once (memory, not the images, depends on it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := kernels.EnvError(); err != nil {
		return err
	}
	if *model == "" || fs.NArg() > 0 {
		return errors.New("usage: generate -model FILE [flags]; -h lists the flags")
	}
	if *n < 1 || *rows < 1 || *steps < 1 || *scale < 1 || *batch < 1 {
		return errors.New("-n, -rows, -steps, -scale and -batch must be positive")
	}
	if *n > maxImages || *rows > maxImages || *steps > maxImages || *rows**steps > maxImages || *scale > 16 {
		return fmt.Errorf("at most %d images and -scale 16", maxImages)
	}
	g, err := gan.LoadGenerator(*model)
	if err != nil {
		return err
	}
	latent := g.InShape()[0]
	var z []float32
	count, width := *n, *cols
	if *interp {
		ends := gan.LatentPoints(2**rows, latent, *seed)
		for r := range *rows {
			a := ends[2*r*latent : (2*r+1)*latent]
			b := ends[(2*r+1)*latent : (2*r+2)*latent]
			z = append(z, gan.Interpolate(a, b, *steps)...)
		}
		count, width = *rows**steps, *steps
	} else {
		z = gan.LatentPoints(count, latent, *seed)
		if width <= 0 {
			width = int(math.Ceil(math.Sqrt(float64(count))))
		}
	}
	// The images go into the grid batch by batch: memory for the
	// generator's activations does not grow with -n.
	grid := gan.NewGrid(count, width, *scale)
	err = gan.GenerateBatches(g, z, *batch, func(first int, imgs []float32) error {
		for i := range len(imgs) / gan.ImageSize {
			gan.DrawCell(grid, first+i, width, *scale, imgs[i*gan.ImageSize:(i+1)*gan.ImageSize])
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := gan.WritePNG(*out, grid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images from %s (latent %d, seed %d)\n", *out, count, *model, latent, *seed)
	return nil
}
