// Package im2col lowers 2-D convolutions on NHWC tensors to matrix products.
//
// Im2col gathers, for every output pixel of a convolution, the KH x KW x C
// input values its kernel covers into one row of a matrix, in the order
// (kh, kw, c). That is the order of a Keras Conv2D kernel [KH, KW, C, F]
// flattened to [KH*KW*C, F], so a convolution becomes one GEMM:
//
//	y[N*OH*OW, F] = Im2col(x)[N*OH*OW, KH*KW*C] * W[KH*KW*C, F]
//
// Col2im is its exact adjoint: it scatter-adds such a matrix back onto the
// input grid, which gives the input gradient of a convolution and the
// forward pass of a transposed convolution.
//
// Padding follows Keras (and TensorFlow): Valid uses no padding; Same pads
// so that the output has ceil(in/stride) pixels, putting the odd padded
// pixel, if any, after the input (bottom/right). Padded taps read as zero.
package im2col
