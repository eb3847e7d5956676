#!/usr/bin/env bash
# Runs every package's tests on arm64 under qemu-user: each package's test
# binary is cross-compiled (CGO_ENABLED=0, so it is static and needs no
# arm64 sysroot) and run with qemu-aarch64 in the package's directory, as
# `go test` would. The tests loop over every kernel path themselves
# (kernels.ForEach), so this covers the NEON kernels and the generic ones.
# Exits non-zero when any package fails to build or its tests fail.
set -uo pipefail
cd "$(dirname "$0")/.."

qemu=${QEMU_AARCH64:-qemu-aarch64}
if ! command -v "$qemu" >/dev/null; then
  echo "test-arm64: $qemu not found (Debian: apt-get install qemu-user)" >&2
  exit 1
fi
# The tests choose their kernel paths; a forced path would hide the others.
unset GOKERN_KERNELS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Packages with test files for arm64 (others are listed as skipped).
mapfile -t pkgs < <(GOARCH=arm64 go list -f '{{.ImportPath}} {{.Dir}} {{len .TestGoFiles}} {{len .XTestGoFiles}}' ./...)

failed=0
start=$SECONDS
for line in "${pkgs[@]}"; do
  read -r pkg dir nt nx <<<"$line"
  if [ "$nt" = 0 ] && [ "$nx" = 0 ]; then
    printf 'skip  %s (no test files)\n' "$pkg"
    continue
  fi
  bin="$tmp/$(echo "$pkg" | tr / _).test"
  t0=$SECONDS
  if ! CGO_ENABLED=0 GOARCH=arm64 go test -c -o "$bin" "$pkg" >"$tmp/build.log" 2>&1; then
    printf 'FAIL  %s (build)\n' "$pkg"
    cat "$tmp/build.log"
    failed=1
    continue
  fi
  # -test.short keeps the big tests small enough for emulation.
  if (cd "$dir" && "$qemu" "$bin" -test.short -test.timeout=5m) >"$tmp/run.log" 2>&1; then
    printf 'ok    %s (%ds under qemu)\n' "$pkg" $((SECONDS - t0))
  else
    printf 'FAIL  %s (%ds under qemu)\n' "$pkg" $((SECONDS - t0))
    cat "$tmp/run.log"
    failed=1
  fi
done
echo "test-arm64: $((SECONDS - start))s in all"
if [ "$failed" != 0 ]; then
  echo "test-arm64: FAILED" >&2
  exit 1
fi
echo "test-arm64: PASS"
