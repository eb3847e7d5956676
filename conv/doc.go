// Package conv computes Keras-style 2-D convolution layers on NHWC tensors:
// Conv2D and Conv2DTranspose, forward and both backward passes, with the
// weights in Keras's own layouts so trained Keras weights load unchanged.
//
// # Lowering
//
// Conv2D is lowered to GEMM through im2col: the input's kernel windows
// are the rows of a matrix cols [N*OH*OW, KH*KW*C] and
//
//	forward           y     = cols * W              W as [KH*KW*C, F]
//	backward-data     dx    = Col2im(dy * W^T)
//	backward-weights  dW    = cols^T * dy,   dbias = column sums of dy
//
// Conv2DTranspose is the adjoint of the Conv2D that maps its output back to
// its input with the same kernel (Keras stores it as [KH, KW, F, C], which
// is exactly that Conv2D's kernel), so its passes are the Conv2D's passes
// reversed:
//
//	forward           y     = Col2im(x * W^T)       W as [KH*KW*F, C]
//	backward-data     dx    = Im2col(dy) * W
//	backward-weights  dW    = Im2col(dy)^T * x
//
// The products with cols or Im2col(dy) (forward and backward-weights of
// Conv2D, both backward passes of Conv2DTranspose) are implicit GEMMs:
// the matrix is never written. Each is one kernels.Gemm whose cols operand
// (a window operand, window.go) packs the GEMM's blocks straight from the
// NHWC tensor, padding as zeros while packing: the windows of a run of
// output pixels along a row read each tap's channels at equally spaced
// places, so a micro-panel is packed straight from x (or dy), and only
// micro-panels at borders or across output rows are gathered, through a
// scratch block in L1. Conv2D's forward adds the bias and its fused
// LeakyReLU in the GEMM's epilogue, while each block of y is in cache.
// Conv2DTranspose.Backward is its two passes in turn, each packing dy
// itself.
//
// The two Col2im lines are one computation, the adjoint forward, and
// normally neither runs as written: Col2im(src * W^T) would write KH*KW
// values per source pixel and channel and then scatter them with
// overlapping adds. They use the sub-pixel decomposition instead
// (subpixel.go). With stride s, the destination pixels (r + s*i, q + s*j)
// of one phase (r, q) are reached only by the taps kh ≡ r + pad (mod s),
// kw ≡ q + pad (mod s), each from a source pixel at a fixed offset: the
// phase is a stride-1 convolution of the source with its share of the
// kernel (a quarter for a 4x4 kernel at stride 2). So each of the
// StrideH*StrideW phases is one implicit GEMM, its A the source's windows
// packed straight from the source, its B the phase's taps of W, its rows
// written straight to the phase's pixels of the destination: no cols
// matrix, no col2im, and, as every destination pixel belongs to one phase,
// no clearing and no adds. The transposed forward's bias and fused
// activation run in that GEMM's epilogue. A phase with no taps (a kernel
// smaller than its stride) is the bias and activation alone.
//
// The explicit paths (im2col.Im2col into a workspace, Sgemm, Col2im)
// remain as the tests' reference and where they measured faster: while a
// GEMM is set through internal/sgemmhook, which must see every product as
// a kernels.Sgemm call; for products with at most 4 rows or columns, where
// Sgemm's skinny kernels win; for weight gradients over output grids
// smaller than 16x16 (8x8 on the AVX-512 path; weightsMinPixels), where
// most pixels lie at a border; and, for the adjoint forward, unless every
// phase has the same taps (the kernel a multiple of the stride), the
// destination has at least 16 channels and the source is at least 8
// pixels wide (see adjointPath.subpixel for the measurements). The window
// operands give the explicit path's results bit for bit, as both pack the
// same values.
//
// Conv2Ds with few filters (at most 4, like an RGB output layer) take a
// path of their own (implicit.go): as a GEMM they have only F columns, too
// few for the blocked GEMM's register tile, so they take dot products
// straight from the input, whose kernel rows are contiguous runs of KW*C
// values in NHWC, in all three passes. A stride-1 Same Conv2D with odd
// kernel sizes whose input has few channels (the discriminator's first
// layer, 3 -> 64) has the same problem in its backward-data pass, which
// is then a few-filter Conv2D of dy with the kernel flipped (flipped.go)
// and takes that path; its weight gradient, a tiny dw over a huge depth,
// is summed over fixed chunks of samples (chunkgrad.go). Its forward pass
// (at most 4 input channels, stripMaxChannels) takes the strip path
// (strip.go): the input is first copied into strips, one per output row,
// in which every window is one contiguous run and neighbouring windows
// overlap, and the GEMM reads its A rows there in place (kernels' strided
// micro-kernel) instead of packing runs of 3 floats. Its depth runs in
// (kw, kh, c) order, so it matches the other paths to rounding, not bit
// for bit. On the amd64 SIMD paths, when the filters are a multiple of the
// vector width, its weight gradient uses the strips too, without a GEMM
// (stripgrad.go): per chunk, a kernel sums each output row's window x
// dy outer products in registers, one accumulator per tap and vector of
// filters.
//
// # Workspaces and threads
//
// Each layer owns its scratch matrices. They grow to the largest batch seen
// and are then reused, so a training loop allocates nothing per step. A
// layer is therefore not safe for concurrent use; give each goroutine its
// own.
//
// The GEMMs are threaded by kernels.Sgemm and kernels.Gemm; im2col,
// col2im and the implicit path are split over samples on up to
// kernels.Threads() goroutines of the one pool the kernels use too
// (internal/parallel), started once and sized by kernels.SetThreads at any
// time. Results do not depend on the thread count.
package conv
