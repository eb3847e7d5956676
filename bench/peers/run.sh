#!/usr/bin/env bash
# `make bench-peers`: gokern (the kernel path it picks on this CPU) against
# PyTorch (Debian python3-torch, bench/peers/pytorch_dcgan.py) training the
# same DCGAN with the same batch and thread count. The two alternate, round
# by round (gokern, PyTorch, gokern, PyTorch, ...), so load from other work
# on the machine hits both alike; each round is one warm-up run and one
# timed run of ITERS iterations. It prints every round's line, then the
# medians and their ratio (below 1: gokern is faster).
#
# Settings come from the environment:
#   THREADS (1)  BATCH (128)  ITERS (2)  ROUNDS (3)
#   PYTHON (/usr/bin/python3, where Debian's torch lives)  GO (go)
set -euo pipefail
cd "$(dirname "$0")/../.."

THREADS=${THREADS:-1}
BATCH=${BATCH:-128}
ITERS=${ITERS:-2}
ROUNDS=${ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
GO=${GO:-go}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$GO build -o "$tmp/bench" ./bench/cmd/bench

echo "# same DCGAN, batch $BATCH, $THREADS thread(s), $ROUNDS alternating rounds of 1 warm-up + 1 timed run of $ITERS iterations"
for ((r = 1; r <= ROUNDS; r++)); do
	"$tmp/bench" -peer -threads "$THREADS" -batch "$BATCH" -iters "$ITERS" -runs 1 -warmup 1 | tee -a "$tmp/ours"
	# torch.set_num_threads covers PyTorch's own pool; Debian's torch also
	# calls OpenBLAS, whose pthread pool would otherwise use every core.
	OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" "$PYTHON" bench/peers/pytorch_dcgan.py --threads "$THREADS" --batch "$BATCH" --iters "$ITERS" --runs 1 --warmup 1 2>/dev/null | tee -a "$tmp/theirs"
done

# median KEY FILE: the median of KEY=value over the lines of FILE.
median() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2" | sort -g | awk '{ x[NR] = $1 } END { print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'; }
peer=$(sed -n 's/^peer=\([^ ]*\).*/\1/p' "$tmp/ours" | head -1)
for key in s_per_iter cpu_s_per_iter; do
	awk -v a="$(median $key "$tmp/ours")" -v b="$(median $key "$tmp/theirs")" -v k="$key" -v p="$peer" -v t="$THREADS" -v n="$BATCH" 'BEGIN {
		printf "ratio %s/pytorch %s=%.3f (%.4g / %.4g) threads=%d batch=%d: gokern %.2fx faster\n", p, k, a / b, a, b, t, n, b / a
	}'
done
