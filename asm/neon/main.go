package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"

	"github.com/gokern/gokern/asm/internal/gen"
)

// header opens every file this generator writes.
var header = gen.Header("neon") + "\n//go:build !purego\n\n"

func main() {
	out := flag.String("out", "../kernels", "directory to write the kernels package's arm64 files into")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("neon: ")

	sgemm := append([]*Func{sgemmKernel()}, skinnyFuncs()...)
	elem := elementwiseFuncs()
	// Each family gets <family>_arm64.s, <family>_stub_arm64.go and the
	// wiring <family>_arm64.go, as the amd64 generators write them.
	files := []struct {
		name string
		src  []byte
	}{
		{"sgemm_arm64.s", asmFile(sgemm)},
		{"sgemm_stub_arm64.go", stubFile(sgemmConsts(), sgemm)},
		{"elementwise_arm64.s", asmFile(elem)},
		{"elementwise_stub_arm64.go", stubFile("", elem)},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*out, f.name), f.src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := gen.WriteGo(filepath.Join(*out, "sgemm_arm64.go"), "neon", sgemmWiring, sgemmWiringData()); err != nil {
		log.Fatal(err)
	}
	if err := gen.WriteGo(filepath.Join(*out, "elementwise_arm64.go"), "neon", elementwiseWiring, elementwiseWiringData(elem)); err != nil {
		log.Fatal(err)
	}
}

// sgemmConsts declares the register tile and the skinny kernels' shapes.
func sgemmConsts() string {
	return fmt.Sprintf("// The register tile of sgemmKernel8x12NEON and the shapes of the skinny kernels.\nconst (\n\tneonMR = %d\n\tneonNR = %d\n\tneonSkinnyWidth = %d\n\tneonDotsRows = %d\n\tneonAxpysVecs = %d\n)\n", mr, nr, skinnyWidth, dotsRows, axpysVecs)
}

func asmFile(funcs []*Func) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("#include \"textflag.h\"\n")
	for _, f := range funcs {
		b.WriteString("\n")
		b.WriteString(f.Text())
	}
	return b.Bytes()
}

func stubFile(consts string, funcs []*Func) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("package kernels\n\n")
	b.WriteString(consts)
	for _, f := range funcs {
		b.WriteString("\n")
		b.WriteString(f.Decl())
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("formatting the stubs: %v\n%s", err, b.Bytes())
	}
	return src
}
