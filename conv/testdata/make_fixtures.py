#!/usr/bin/python3
"""Writes the conv package's PyTorch reference fixtures.

Each case is one Keras layer configuration (kernel, stride and padding
exactly as in the CIFAR-10 DCGAN, channels reduced to keep files small)
computed by PyTorch 1.13 in float64 from float32 inputs:

    x, w, b, dy              inputs (NHWC, Keras kernel layouts)
    y                        layer output
    dx, dw, db               gradients of sum(y * dy)

Files are safetensors (an 8-byte little-endian header length, a JSON
header, raw little-endian float32 data), readable without PyTorch; the
layer configuration is in the header's __metadata__. Run from anywhere:

    /usr/bin/python3 conv/testdata/make_fixtures.py

Keras -> PyTorch mapping, made explicit here:
  * activations NHWC <-> NCHW;
  * Conv2D kernel [KH, KW, C, F] -> weight [F, C, KH, KW];
  * Conv2DTranspose kernel [KH, KW, F, C] -> weight [C, F, KH, KW]
    (PyTorch's transposed weight is [in, out, KH, KW]);
  * "same" conv padding as TensorFlow pads it: total = max((out-1)*s + k -
    in, 0), total//2 before and the rest after, applied with F.pad because
    PyTorch's own padding argument is symmetric;
  * "same"/"valid" transposed conv: the full transposed convolution (output
    (in-1)*s + k) cropped from max(k-s, 0)//2 (same) or 0 (valid) to Keras's
    output length, padded at the end via output_padding when shorter.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# name, transpose, n, H, W, C, filters, k, stride, padding
CASES = [
    ("conv_k3s1_same_d1", False, 2, 16, 16, 3, 8, 3, 1, "same"),
    ("conv_k3s2_same_d2", False, 2, 16, 16, 8, 8, 3, 2, "same"),
    ("conv_k3s1_same_g4_rgb", False, 2, 16, 16, 8, 3, 3, 1, "same"),
    ("deconv_k4s2_same_g1", True, 2, 4, 4, 16, 8, 4, 2, "same"),
    ("deconv_k4s2_same_g2", True, 2, 8, 8, 8, 6, 4, 2, "same"),
    ("deconv_k3s2_valid", True, 1, 3, 4, 2, 3, 3, 2, "valid"),
    ("conv_k3s2_valid_odd", False, 1, 7, 9, 3, 5, 3, 2, "valid"),
]


def conv_out(i, k, s, padding):
    """Keras conv output length and TensorFlow's leading padding."""
    if padding == "valid":
        return (i - k) // s + 1, 0, 0
    out = -(-i // s)
    total = max((out - 1) * s + k - i, 0)
    return out, total // 2, total - total // 2


def deconv_out(i, k, s, padding):
    """Keras deconv_output_length (no output_padding) and the crop start."""
    if padding == "same":
        return i * s, max(k - s, 0) // 2
    return i * s + max(k - s, 0), 0


def conv2d(x, w, s, padding):
    """Keras Conv2D on NHWC x with kernel [KH, KW, C, F]."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[0], w.shape[1]
    _, top, bottom = conv_out(h, kh, s, padding)
    _, left, right = conv_out(wd, kw, s, padding)
    xt = F.pad(x.permute(0, 3, 1, 2), (left, right, top, bottom))
    y = F.conv2d(xt, w.permute(3, 2, 0, 1), stride=s)
    return y.permute(0, 2, 3, 1)


def conv2d_transpose(x, w, s, padding):
    """Keras Conv2DTranspose on NHWC x with kernel [KH, KW, F, C]."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[0], w.shape[1]
    oh, top = deconv_out(h, kh, s, padding)
    ow, left = deconv_out(wd, kw, s, padding)
    full_h, full_w = (h - 1) * s + kh, (wd - 1) * s + kw
    pad_h, pad_w = max(0, top + oh - full_h), max(0, left + ow - full_w)
    # output_padding must be below the stride: true for these shapes.
    y = F.conv_transpose2d(x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1), stride=s,
                           output_padding=(pad_h, pad_w))
    y = y[:, :, top:top + oh, left:left + ow]
    return y.permute(0, 2, 3, 1)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the format pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def main():
    rng = np.random.default_rng(20261122)
    for name, transpose, n, h, w, c, filters, k, s, padding in CASES:
        x32 = rng.uniform(-1, 1, (n, h, w, c)).astype(np.float32)
        wshape = (k, k, filters, c) if transpose else (k, k, c, filters)
        w32 = rng.uniform(-1, 1, wshape).astype(np.float32)
        b32 = rng.uniform(-1, 1, (filters,)).astype(np.float32)
        xt = torch.tensor(x32, dtype=torch.float64, requires_grad=True)
        wt = torch.tensor(w32, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(b32, dtype=torch.float64, requires_grad=True)
        layer = conv2d_transpose if transpose else conv2d
        y = layer(xt, wt, s, padding) + bt
        dy32 = rng.uniform(-1, 1, tuple(y.shape)).astype(np.float32)
        (y * torch.tensor(dy32, dtype=torch.float64)).sum().backward()
        tensors = {
            "x": x32, "w": w32, "b": b32, "dy": dy32,
            "y": y.detach().numpy(), "dx": xt.grad.numpy(), "dw": wt.grad.numpy(), "db": bt.grad.numpy(),
        }
        meta = {"transpose": str(transpose).lower(), "n": str(n), "H": str(h), "W": str(w), "C": str(c),
                "filters": str(filters), "k": str(k), "stride": str(s), "padding": padding,
                "generator": "make_fixtures.py, PyTorch " + torch.__version__}
        path = os.path.join(HERE, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{path}: y {tuple(y.shape)}, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
