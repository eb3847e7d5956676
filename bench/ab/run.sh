#!/usr/bin/env bash
# `make bench-ab`: one Go benchmark of two builds, alternating, with paired
# ratios: the way to compare speeds on a shared, noisy machine, where only
# ratios measured side by side mean much (one absolute time against
# another measured minutes later does not).
#
# It builds the test binary of PKG twice, from a temporary worktree of BASE
# and from the working tree as it is (uncommitted changes included), then
# runs them in turn, ROUNDS times (base, new, base, new, ...), each run
# `-test.bench BENCH -test.benchtime BENCHTIME -test.cpu CPU` from its own
# tree's package directory. It prints every run's line, then for each
# benchmark the new/base ratios of the rounds' ns/op, sorted, and their
# median (below 1: the working tree is faster).
#
# Settings come from the environment:
#   BASE (required: a commit, branch or tag)  PKG (.)
#   BENCH ('Epoch/avx2$')  BENCHTIME (3x)  CPU (1)  ROUNDS (6)  GO (go)
#
# Example: BASE=HEAD~1 BENCH='Conv/D/conv2d_1/forward/avx2' BENCHTIME=150x CPU=2 make bench-ab
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE=${BASE:?"bench-ab: set BASE to the commit to compare the working tree against"}
PKG=${PKG:-.}
BENCH=${BENCH:-'Epoch/avx2$'}
BENCHTIME=${BENCHTIME:-3x}
CPU=${CPU:-1}
ROUNDS=${ROUNDS:-6}
GO=${GO:-go}

base=$(git rev-parse --short "$BASE^{commit}")
tmp=$(mktemp -d)
cleanup() {
	git worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach "$tmp/tree" "$base" >/dev/null 2>&1
(cd "$tmp/tree" && "$GO" test -c -o "$tmp/base.test" "$PKG")
"$GO" test -c -o "$tmp/new.test" "$PKG"

head=$(git rev-parse --short HEAD)
dirty=""
if ! git diff --quiet HEAD; then
	dirty=" with uncommitted changes"
fi
echo "# bench-ab: $BENCH, -test.benchtime $BENCHTIME, -test.cpu $CPU, $ROUNDS rounds; base $base against the working tree ($head$dirty)"

runs=$tmp/runs
: >"$runs"
for r in $(seq "$ROUNDS"); do
	for b in base new; do
		dir=$PKG
		if [ "$b" = base ]; then
			dir=$tmp/tree/$PKG
		fi
		out=$(cd "$dir" && "$tmp/$b.test" -test.run XXX -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.cpu "$CPU")
		if ! grep -q '^Benchmark' <<<"$out"; then
			echo "bench-ab: $b: no benchmark matched $BENCH" >&2
			echo "$out" >&2
			exit 1
		fi
		while read -r name _ ns _; do
			echo "round $r $b $name $ns ns/op"
			echo "$name $r $b $ns" >>"$runs"
		done < <(grep '^Benchmark' <<<"$out")
	done
done

# For each benchmark: the new/base ratio of each round, sorted, and the
# median.
awk '
	{ t[$1, $2, $3] = $4; if (!($1 in seen)) { seen[$1] = 1; names[++n] = $1 } if ($2 > rounds) rounds = $2 }
	END {
		for (i = 1; i <= n; i++) {
			name = names[i]; m = 0
			for (r = 1; r <= rounds; r++)
				if (((name, r, "base") in t) && ((name, r, "new") in t) && t[name, r, "base"] > 0)
					ratio[++m] = t[name, r, "new"] / t[name, r, "base"]
			for (a = 2; a <= m; a++) { v = ratio[a]; for (b = a - 1; b >= 1 && ratio[b] > v; b--) ratio[b + 1] = ratio[b]; ratio[b + 1] = v }
			line = ""
			for (a = 1; a <= m; a++) line = line sprintf(" %.3f", ratio[a])
			med = (m % 2) ? ratio[(m + 1) / 2] : (ratio[m / 2] + ratio[m / 2 + 1]) / 2
			printf "%s: new/base per round, sorted:%s; median %.3f (below 1: the working tree is faster)\n", name, line, med
		}
	}' "$runs"
