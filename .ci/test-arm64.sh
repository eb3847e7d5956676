#!/usr/bin/env bash
# Runs every package's tests on arm64 under qemu-user: each package's test
# binary is cross-compiled (CGO_ENABLED=0, so it is static and needs no
# arm64 sysroot) and run with qemu-aarch64 in the package's directory, as
# `go test` would. The tests run once per kernel path themselves
# (internal/kerneltest), so this covers the NEON kernels and the generic ones.
# Exits non-zero when any package fails to build or its tests fail.
#
# Every package runs, the training smoke tests included. The tests named in
# ARM64_SKIP (a -test.skip pattern) repeat many training iterations to check
# bookkeeping that does not depend on the architecture (gan's checkpoint,
# resume, NaN-guard and hook tests, the trainer command's data and resume
# flags) and take minutes under emulation; ARM64_ALL=1 runs them too.
#
# The generic kernel path runs here in package kernels, where its kernels
# are; the packages above it (conv, nn, gan) run their per-path subtests on
# NEON only (GOKERN_TEST_SKIP_PATHS=generic, a visible skip). On the
# generic path they are the same Go code that the amd64 and purego runs
# test, and emulated each generic subtest costs 20-40 times its native
# time: this step took 23 minutes of a 37-minute `make test` on an Intel
# Xeon VM before these cuts. ARM64_ALL=1 runs everything.
set -uo pipefail
cd "$(dirname "$0")/.."

qemu=${QEMU_AARCH64:-qemu-aarch64}
if ! command -v "$qemu" >/dev/null; then
  # CI installs qemu-user (.ci/run), so there a missing emulator is an error;
  # on a developer's machine the arm64 step is skipped, loudly.
  echo "test-arm64: $qemu not found (Debian: apt-get install qemu-user)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "test-arm64: WARNING: arm64 tests skipped" >&2
  exit 0
fi
# The tests choose their kernel paths; a forced path would hide the others.
unset GOKERN_KERNELS

skip_tests=${ARM64_SKIP:-^(TestShuffleWithoutReplacement|TestIterationSchedule|TestIterationAllocatesNothingThreaded|TestNaNStopsRun|TestSaveFailureLeavesNoPartial|TestRecoverCheckpoint|TestHooks|TestTimedCheckpoint|FuzzCheckpointState|TestResumeMatchesUninterrupted|TestResumeOnOtherData|TestResumeFlag|TestResumeRefusesIgnoredFlags|TestDownloadFlag|TestDataSources)$}
if [ "${ARM64_ALL:-0}" = 1 ]; then skip_tests='^$'; fi

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
  # The binary is started through a two-line wrapper that qemu reports as
  # argv[0] (-0), so tests that re-execute os.Args[0] (TestEnvVar) start
  # their children under qemu too: without binfmt_misc the kernel cannot
  # run an arm64 binary itself.
  bin="$tmp/$(echo "$pkg" | tr / _).test"
  printf '#!/bin/sh\nexec "%s" -0 "$0" "$0.bin" "$@"\n' "$(command -v "$qemu")" >"$bin"
  chmod +x "$bin"
  t0=$SECONDS
  if ! CGO_ENABLED=0 GOARCH=arm64 go test -c -o "$bin.bin" "$pkg" >"$tmp/build.log" 2>&1; then
    printf 'FAIL  %s (build)\n' "$pkg"
    cat "$tmp/build.log"
    failed=1
    continue
  fi
  # -test.short keeps the big tests small enough for emulation; gan takes
  # about 4 minutes emulated on a quiet 2-core machine, so the limit leaves room.
  skip_paths=generic
  case "$pkg" in
  */kernels | */kernels/* | */internal/*) skip_paths= ;;
  esac
  if [ "${ARM64_ALL:-0}" = 1 ]; then skip_paths=; fi
  if (cd "$dir" && GOKERN_TEST_SKIP_PATHS=$skip_paths "$bin" -test.short -test.timeout=10m -test.skip "$skip_tests") >"$tmp/run.log" 2>&1; then
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
