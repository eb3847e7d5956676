package conv

import "github.com/gokern/gokern/kernels"

// The im2col path works through a batch in chunks of samples rather than
// all at once. The cols matrix is written by one step (im2col, or a GEMM)
// and read by the next (a GEMM, or col2im); for a whole batch of 128 it is
// up to 268 MB (the generator's third Conv2DTranspose), so every pass
// over it goes to DRAM. A chunk's block of a few MiB stays in the cache
// between the two steps, and the GEMMs on a chunk are still large enough
// (hundreds of rows) to run at full speed. Only the forward and
// backward-data passes are chunked: each output row there depends on one
// sample alone, so chunking changes no result, and results stay bitwise
// identical whatever the thread count. The weight gradient sums over the
// whole batch and stays one GEMM. Conv2D's col2im backward-data chunks on
// every thread count, a chunk to a thread (col2imdata.go); the other
// chunked passes chunk on one thread only (samplesPerChunk).

// colsChunkFloats is the target size of one chunk's cols block: 4 MiB, a
// share of Zen 5's 32 MiB L3 that leaves room for the packed GEMM panels
// and the other core's working set.
const colsChunkFloats = 1 << 20

// samplesPerChunk returns how many samples of perSample cols values make a
// chunk, at least 1 and at most n.
//
// Chunking is used on one thread only. With more, every chunk adds a
// barrier after its im2col and its GEMM and makes each thread repack the
// weights. In interleaved runs of BenchmarkIteration/avx512/batch=128
// (./gan) on 2 threads, chunks never won: level in two runs, and in one
// 600-718 ms against 533-551 ms unchunked. On one thread, 4 MiB chunks
// saved 6-8% every time.
func samplesPerChunk(perSample, n int) int {
	if perSample <= 0 || kernels.Threads() > 1 {
		return max(n, 1)
	}
	return cacheChunk(perSample, n)
}

// cacheChunk returns how many samples of perSample (> 0) cols values fit
// one colsChunkFloats block, at least 1 and at most n.
func cacheChunk(perSample, n int) int {
	return max(1, min(n, colsChunkFloats/perSample))
}
