// Package bench is gokern's benchmark harness: it measures the DCGAN's
// training throughput on each kernel path, every kernel on the DCGAN's real
// shapes, where an iteration's time goes and how it scales with threads,
// and writes the results as Markdown, CSV, JSON and PNG charts. The report
// command is bench/cmd/bench; the root package's benchmarks
// (go test -bench . at the repository root) use the same shapes and FLOP
// counts.
//
// # One description of the model
//
// The shapes are never written out here: Layers walks the models package
// gan builds and reads each layer's geometry, and the GEMM shapes
// (Layer.ForwardGemm, SgemmShapes) and FLOP counts (IterationFLOPs over
// IterationPasses) follow from it. Options holds a run's settings, and a
// Report records them.
//
// # Honest numbers
//
//   - Every figure is the median of several timed runs after warm-up, shown
//     with its min..max range (Stats).
//   - Contenders run interleaved, A B C A B C (Interleave), with their setup
//     (kernel path, GEMM override) redone before every run, so slow drift of
//     a shared machine spreads over all of them instead of favouring one.
//   - GFLOPS count useful work only, from the layer shapes (IterationFLOPs):
//     2*m*n*k per GEMM, forward and each gradient that is needed. One
//     iteration of the Keras tutorial's schedule at batch 128 is 130.2 GFLOP.
//   - The per-layer table splits each layer's time by pass (forward,
//     backward-data, backward-weights or both in one call; IterationWork
//     gives each pass's FLOPs, summing to IterationFLOPs, and the least
//     bytes it could move, an analytical floor, not a measurement).
//     bench/cmd/benchcmp compares two builds' tables from their -json.
//   - "% of peak" divides by the FMA peak measured on this machine by
//     bench/peak (a tight loop of independent FMAs per vector width), not by
//     a datasheet figure.
//   - Peers run the same work: gonum's Sgemm (and OpenBLAS with the openblas
//     build tag) swapped in for every GEMM, and PyTorch on the same model and
//     schedule (bench/peers, `make bench-peers`).
package bench
