#!/usr/bin/env python3
"""The seeds' Keras CIFAR-10 DCGAN and training schedule in PyTorch, on the
CPU, timed the way gokern's harness times itself, for `make bench-peers`.

Same models (shapes, activations, Keras "same" padding mapped explicitly),
same schedule per iteration (D on a real half batch labelled 1, G predicts a
half batch, D on it labelled 0, G through the frozen D on a full batch
labelled 1), Adam(2e-4, beta1 0.5, beta2 0.999, eps 1e-7) and binary
cross-entropy. Data is synthetic (uniform in [-1, 1]): the work per
iteration does not depend on it.

It prints one line in the format bench.PeerLine reads (wall-clock seconds
per iteration, median and range, and the median process CPU seconds per
iteration, all threads), named by --label:

    peer=pytorch threads=1 batch=128 s_per_iter=0.81 runs=5 min=0.80 max=0.83 cpu_s_per_iter=0.80

and on stderr a "#" line with the settings it ran under (torch version,
intra-op threads, OpenBLAS threads, allocator).

Usage: python3 bench/peers/pytorch_dcgan.py [--threads 1] [--batch 128]
       [--iters 3] [--warmup 1] [--runs 5] [--label pytorch]
       [--require-jemalloc]

--threads sets torch.set_num_threads; Debian's torch also calls OpenBLAS,
whose own thread pool only OPENBLAS_NUM_THREADS limits. run.sh runs it
twice: tuned (jemalloc preloaded, OPENBLAS_NUM_THREADS=1) and plain.
--require-jemalloc exits with an error unless jemalloc is loaded in the
process, so a failed LD_PRELOAD (which ld.so only warns about) cannot pass
for a tuned run; --require-openblas unless the libblas.so.3 torch loaded is
OpenBLAS. Debian's torch links libblas.so.3, which update-alternatives
points at the reference (netlib) BLAS unless an optimised one is installed:
on that, PyTorch's transposed convolutions and convolution backward passes
(im2col + GEMM) run about 10x slower, no fair peer.
"""

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SamePad(nn.Module):
    """Keras "same" padding for a k x k convolution with stride s on an
    n x n input: out = ceil(n/s), total = max((out-1)*s + k - n, 0), with
    the odd pixel after (right/bottom), as TensorFlow pads. For stride 2 and
    an even input that is (0, 1): asymmetric, which Conv2d's own padding
    argument cannot express."""

    def __init__(self, n, k, s):
        super().__init__()
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        before = total // 2
        self.pad = (before, total - before, before, total - before)  # left, right, top, bottom

    def forward(self, x):
        return F.pad(x, self.pad) if any(self.pad) else x


def conv_same(n, cin, cout, k, s):
    return nn.Sequential(SamePad(n, k, s), nn.Conv2d(cin, cout, k, stride=s))


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def discriminator():
    # Keras: Conv2D(64,3,same) LReLU, 3x [Conv2D(128|128|256,3,s2,same) LReLU],
    # Flatten, Dropout(0.4), Dense(1, sigmoid). 522,497 parameters.
    return nn.Sequential(
        conv_same(32, 3, 64, 3, 1), nn.LeakyReLU(0.2),
        conv_same(32, 64, 128, 3, 2), nn.LeakyReLU(0.2),
        conv_same(16, 128, 128, 3, 2), nn.LeakyReLU(0.2),
        conv_same(8, 128, 256, 3, 2), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Dropout(0.4), nn.Linear(4 * 4 * 256, 1), nn.Sigmoid(),
    )


def generator(latent=100):
    # Keras: Dense(4096) LReLU Reshape(4,4,256), 3x [Conv2DTranspose(128,4,s2,same)
    # LReLU], Conv2D(3,3,same,tanh). 1,466,115 parameters. For k4 s2 "same"
    # Keras pads 1 on each side (total k - s = 2), which is exactly
    # ConvTranspose2d(padding=1): out = 2n.
    return nn.Sequential(
        nn.Linear(latent, 4 * 4 * 256), nn.LeakyReLU(0.2), Reshape(256, 4, 4),
        nn.ConvTranspose2d(256, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        conv_same(32, 128, 3, 3, 1), nn.Tanh(),
    )


def count(m):
    return sum(p.numel() for p in m.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--iters", type=int, default=3, help="iterations per timed run")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    ap.add_argument("--runs", type=int, default=5, help="timed runs")
    ap.add_argument("--latent", type=int, default=100)
    ap.add_argument("--nchw", action="store_true",
                    help="keep PyTorch's default NCHW layout (default: channels_last, which is NHWC like "
                         "gokern and measured faster here)")
    ap.add_argument("--label", default="pytorch", help="the peer= name of the output line")
    ap.add_argument("--require-jemalloc", action="store_true",
                    help="fail unless jemalloc is loaded (LD_PRELOAD took effect)")
    ap.add_argument("--require-openblas", action="store_true",
                    help="fail unless torch's BLAS (libblas.so.3) is OpenBLAS")
    ap.add_argument("--check", action="store_true",
                    help="only check the --require-* conditions and print the settings line")
    a = ap.parse_args()
    maps = mapped_libraries()
    allocator = "jemalloc" if any("libjemalloc" in m for m in maps) else "glibc malloc"
    if a.require_jemalloc and allocator != "jemalloc":
        sys.exit("pytorch_dcgan.py: jemalloc is not loaded (LD_PRELOAD=%r): the tuned run needs it"
                 % os.environ.get("LD_PRELOAD", ""))
    blas = blas_library(maps)
    if a.require_openblas and "openblas" not in blas:
        sys.exit("pytorch_dcgan.py: torch's BLAS is %s, not OpenBLAS: install it (apt-get install -y "
                 "libopenblas0-pthread; update-alternatives then points libblas.so.3 at it)" % blas)
    if a.check:
        torch.set_num_threads(a.threads)
        print(settings(a, blas, allocator), file=sys.stderr)
        return

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    D, G = discriminator(), generator(a.latent)
    assert count(D) == 522497 and count(G) == 1466115, (count(D), count(G))
    if not a.nchw:
        D, G = D.to(memory_format=torch.channels_last), G.to(memory_format=torch.channels_last)
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    half = a.batch // 2
    data = torch.rand(512, 3, 32, 32) * 2 - 1
    if not a.nchw:
        data = data.contiguous(memory_format=torch.channels_last)
    ones_half, zeros_half, ones = torch.ones(half, 1), torch.zeros(half, 1), torch.ones(a.batch, 1)

    def train_d(x, y):
        for p in D.parameters():
            p.requires_grad_(True)
        optD.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy(D(x), y)
        loss.backward()
        optD.step()

    def iteration():
        D.train()
        idx = torch.randint(0, data.shape[0], (half,))
        train_d(data[idx], ones_half)                      # D on real
        with torch.no_grad():                              # g_model.predict
            fake = G(torch.randn(half, a.latent))
        train_d(fake, zeros_half)                          # D on fake
        for p in D.parameters():                           # frozen D inside the GAN
            p.requires_grad_(False)
        optG.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy(D(G(torch.randn(a.batch, a.latent))), ones)
        loss.backward()
        optG.step()

    iteration()  # first touch of every buffer
    times, cpus = [], []
    for r in range(a.warmup + a.runs):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(a.iters):
            iteration()
        dt, dc = (time.perf_counter() - t0) / a.iters, (time.process_time() - c0) / a.iters
        if r >= a.warmup:
            times.append(dt)
            cpus.append(dc)
    print("peer=%s threads=%d batch=%d s_per_iter=%.6g runs=%d min=%.6g max=%.6g cpu_s_per_iter=%.6g"
          % (a.label, a.threads, a.batch, statistics.median(times), len(times), min(times), max(times),
             statistics.median(cpus)), flush=True)
    print(settings(a, blas, allocator), file=sys.stderr)


def settings(a, blas, allocator):
    """The "#" line saying what the run ran under."""
    env = os.environ.get
    return ("# %s: torch %s (%s), %d intra-op threads, BLAS %s, OPENBLAS_NUM_THREADS=%s, OPENBLAS_CORETYPE=%s, "
            "OPENBLAS_L2_SIZE=%s, %s%s, mkldnn %s, %s"
            % (a.label, torch.__version__, cpu_capability(), torch.get_num_threads(), blas,
               env("OPENBLAS_NUM_THREADS", "unset"), env("OPENBLAS_CORETYPE", "unset"), env("OPENBLAS_L2_SIZE", "unset"),
               allocator, " MALLOC_CONF=" + env("MALLOC_CONF") if env("MALLOC_CONF") else "",
               torch.backends.mkldnn.is_available(), "NCHW" if a.nchw else "channels_last"))


def mapped_libraries():
    """The shared libraries mapped into this process, by resolved path
    (Linux; empty elsewhere)."""
    try:
        with open("/proc/self/maps") as f:
            paths = (line.split()[-1] for line in f if len(line.split()) >= 6)
            return {os.path.realpath(p) for p in paths if p.startswith("/") and ".so" in p}
    except OSError:
        return set()


def blas_library(maps):
    """Which BLAS torch's GEMM calls reach: the resolved path of the
    libblas.so.3 it loaded (OpenBLAS's lives under openblas*/), else of a
    libopenblas linked directly, else "unknown". OpenBLAS's liblapack
    mapped beside the reference libblas does not make the GEMMs OpenBLAS's:
    libblas comes first in torch's link order."""
    for m in sorted(maps):
        if os.path.basename(m).startswith("libblas."):
            return m if "openblas" in m else m + " (reference BLAS)"
    for m in sorted(maps):
        if os.path.basename(m).startswith("libopenblas"):
            return m
    return "unknown"


def cpu_capability():
    """The SIMD level torch's kernels dispatch to, from its build summary."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "CPU capability unknown"


if __name__ == "__main__":
    main()
