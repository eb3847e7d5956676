#!/usr/bin/env bash
# Fails when the committed generated code differs from what `go generate ./asm`
# writes now: stale assembly, or a generator that is not deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Snapshot every generated file before and after regenerating.
snapshot() {
  git ls-files -co --exclude-standard | while read -r f; do
    if [ -f "$f" ] && head -c 300 "$f" | grep -q 'Code generated .* DO NOT EDIT'; then
      sha256sum "$f"
    fi
  done | sort
}
snapshot > "$tmp/before"
go generate ./asm
snapshot > "$tmp/after"
if ! diff -u "$tmp/before" "$tmp/after"; then
  echo "check-generated: go generate ./asm changed the files above; run 'make generate' and commit" >&2
  exit 1
fi
echo "check-generated: $(wc -l < "$tmp/after") generated files are up to date"
