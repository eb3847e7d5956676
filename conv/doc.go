// Package conv computes Keras-style 2-D convolution layers on NHWC tensors:
// Conv2D and Conv2DTranspose, forward and both backward passes, with the
// weights in Keras's own layouts so trained Keras weights load unchanged.
//
// # Lowering
//
// Conv2D is lowered to GEMM through im2col: the input's kernel windows
// become the rows of a matrix cols [N*OH*OW, KH*KW*C] and
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
// Both backward passes read the same Im2col(dy), so Backward, which a
// layer calls when it needs both gradients, lowers dy once and runs both
// GEMMs from it; Conv2D.Backward is its two passes in turn, as they lower
// different operands.
//
// Convolutions with few filters (at most 4, like an RGB output layer) skip
// the im2col matrix: as a GEMM they have only F columns, so materialising
// cols would cost far more memory traffic than arithmetic. They run as an
// implicit GEMM instead, taking dot products straight from the input,
// whose kernel rows are contiguous runs of KW*C values in NHWC.
//
// # Workspaces and threads
//
// Each layer owns its scratch matrices. They grow to the largest batch seen
// and are then reused, so a training loop allocates nothing per step. A
// layer is therefore not safe for concurrent use; give each goroutine its
// own.
//
// The GEMMs are threaded by kernels.Sgemm; im2col, col2im and the implicit
// path are split over samples on up to kernels.Threads() goroutines of the
// one pool the kernels use too (internal/parallel), started once and sized
// by kernels.SetThreads at any time. Results do not depend on the thread
// count.
package conv
