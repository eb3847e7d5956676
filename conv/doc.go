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
// itself. The products through Col2im still write their matrix (dcols or
// cols) and scatter it, chunk by chunk (chunk.go).
//
// The explicit im2col path (im2col.Im2col into a workspace, then Sgemm)
// remains as the fallback: while a GEMM is set through internal/sgemmhook,
// which must see every GEMM, and for products with at most 4 rows or
// columns, where Sgemm's skinny kernels win. It gives the window
// operands' results bit for bit, as both pack the same values.
//
// Conv2Ds with few filters (at most 4, like an RGB output layer) take a
// path of their own (implicit.go): as a GEMM they have only F columns, too
// few for the blocked GEMM's register tile, so they take dot products
// straight from the input, whose kernel rows are contiguous runs of KW*C
// values in NHWC, in all three passes.
//
// # Workspaces and threads
//
// Each layer owns its scratch matrices. They grow to the largest batch seen
// and are then reused, so a training loop allocates nothing per step. A
// layer is therefore not safe for concurrent use; give each goroutine its
// own.
//
// The GEMMs are threaded by kernels.Gemm and kernels.Sgemm; im2col, col2im and the implicit
// path are split over samples on up to kernels.Threads() goroutines of the
// one pool the kernels use too (internal/parallel), started once and sized
// by kernels.SetThreads at any time. Results do not depend on the thread
// count.
package conv
