#!/usr/bin/env bash
# `make bench-peers`: gokern (the kernel path it picks on this CPU) against
# PyTorch (Debian python3-torch, bench/peers/pytorch_dcgan.py) training the
# same DCGAN (the Keras CIFAR-10 tutorial's models and schedule) with the
# same batch and thread count. PyTorch runs two ways:
#
#   tuned    as a careful user runs it: jemalloc preloaded with its decay
#            off (MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1, so freed
#            tensors' pages stay mapped), OPENBLAS_CORETYPE and
#            OPENBLAS_L2_SIZE unset (OpenBLAS picks its kernel for this CPU
#            itself), OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(T)
#            (torch's own pool does the threading). This is "the peer".
#   default  plain: torch.set_num_threads(T) and the environment as it is.
#
# The three alternate, round by round (gokern, tuned, default, gokern, ...),
# so load from other work on the machine hits them alike; each round is one
# warm-up run and one timed run of ITERS iterations. For each thread count
# it prints every round's line, then the medians and both ratios (below 1:
# gokern is faster). It stops with an error when torch or jemalloc is
# missing, or when a run fails.
#
# Settings come from the environment:
#   THREADS ("1 2": thread counts, each measured in turn)  BATCH (128)
#   ITERS (2)  ROUNDS (3)
#   PYTHON (/usr/bin/python3, where Debian's torch lives)  GO (go)
#   JEMALLOC (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2, Debian's libjemalloc2)
set -euo pipefail
cd "$(dirname "$0")/../.."

THREADS=${THREADS:-1 2}
BATCH=${BATCH:-128}
ITERS=${ITERS:-2}
ROUNDS=${ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
GO=${GO:-go}
JEMALLOC=${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}

die() {
	echo "bench-peers: $*" >&2
	exit 1
}

tuned() {
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
		LD_PRELOAD="$JEMALLOC" MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 OPENBLAS_NUM_THREADS=1 \
		"$PYTHON" bench/peers/pytorch_dcgan.py --label pytorch-tuned --require-jemalloc --require-openblas "$@"
}

plain() {
	"$PYTHON" bench/peers/pytorch_dcgan.py --label pytorch-default "$@"
}

command -v "$PYTHON" >/dev/null || die "no Python at $PYTHON (set PYTHON)"
"$PYTHON" -c 'import torch' 2>/dev/null ||
	die "$PYTHON cannot import torch: install Debian's PyTorch (apt-get install -y python3-torch) or set PYTHON to an interpreter that has it"
[[ -r $JEMALLOC ]] ||
	die "jemalloc not found at $JEMALLOC, which the tuned PyTorch run preloads: install it (apt-get install -y libjemalloc2) or set JEMALLOC"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! tuned --check 2>"$tmp/err"; then
	cat "$tmp/err" >&2
	die "the tuned PyTorch run cannot start"
fi
$GO build -o "$tmp/bench" ./bench/cmd/bench

# The machine: CPU model, logical CPUs and the SIMD flags the kernels care
# about.
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1 | tr ' ' '\n' |
	grep -E '^(sse4_2|avx|avx2|fma|f16c|avx512[a-z0-9_]*|amx[a-z0-9_]*)$' | tr '\n' ' ' || true)
echo "# machine: ${model:-unknown CPU}, $(nproc) logical CPUs, flags: ${flags:-unknown}"
echo "# same DCGAN (Keras CIFAR-10 tutorial), batch $BATCH, $ROUNDS alternating rounds of gokern, PyTorch tuned, PyTorch default; each 1 warm-up + 1 timed run of $ITERS iterations"

# one NAME OUT CMD...: runs CMD, appends its peer line to OUT and prints it;
# on failure prints CMD's stderr and stops. The "#" lines CMD prints on
# stderr (PyTorch's settings) are shown in the first round only.
one() {
	local name=$1 out=$2
	shift 2
	if ! "$@" >"$tmp/line" 2>"$tmp/err"; then
		cat "$tmp/err" >&2
		die "$name run failed: $*"
	fi
	grep -q '^peer=' "$tmp/line" || { cat "$tmp/line" "$tmp/err" >&2; die "$name printed no peer line"; }
	((round > 1)) || grep '^#' "$tmp/err" || true
	grep '^peer=' "$tmp/line" | tee -a "$out"
}

# median KEY FILE: the median of KEY=value over the lines of FILE.
median() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2" | sort -g | awk '{ x[NR] = $1 } END { print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'; }

for t in $THREADS; do
	echo
	echo "## threads=$t"
	ours=$tmp/ours-$t theirs=$tmp/tuned-$t default=$tmp/default-$t
	: >"$ours"
	: >"$theirs"
	: >"$default"
	args=(--threads "$t" --batch "$BATCH" --iters "$ITERS" --runs 1 --warmup 1)
	for ((round = 1; round <= ROUNDS; round++)); do
		one gokern "$ours" "$tmp/bench" -peer -threads "$t" -batch "$BATCH" -iters "$ITERS" -runs 1 -warmup 1
		one "PyTorch tuned" "$theirs" tuned "${args[@]}"
		one "PyTorch default" "$default" plain "${args[@]}"
	done
	peer=$(sed -n 's/^peer=\([^ ]*\).*/\1/p' "$ours" | head -1)
	for key in s_per_iter cpu_s_per_iter; do
		a=$(median $key "$ours")
		for f in "$theirs:pytorch-tuned (the peer)" "$default:pytorch-default"; do
			awk -v a="$a" -v b="$(median $key "${f%%:*}")" -v k="$key" -v p="$peer" -v q="${f#*:}" -v t="$t" -v n="$BATCH" -v r="$ROUNDS" 'BEGIN {
				printf "ratio %s / %s %s=%.3f (%.4g / %.4g, medians of %d) threads=%d batch=%d: gokern %.2fx faster\n", p, q, k, a / b, a, b, r, t, n, b / a
			}'
		done
	done
done
