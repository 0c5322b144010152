#!/usr/bin/env bash
# Runs every top-level test and every subtest on its own, to prove none
# depends on another having run first. Usage:
#
#   tests/run_each.sh [PACKAGE...]      (default: ./...)
#   FILTER=TestCLI tests/run_each.sh ./tests   (only names matching FILTER)
#
# For each package it builds the test binary once, runs it once with -v to
# learn every subtest's name (subtests are made at run time, so `go test
# -list` alone names only the top-level tests), then runs each name alone
# with an anchored -run pattern. A test that fails alone, or that skips
# alone although it ran in the whole package, counts as a failure. Set
# RACE=1 to build with the race detector.
set -uo pipefail
cd "$(dirname "$0")/.."
packages=("$@")
[ ${#packages[@]} -eq 0 ] && packages=(./...)
filter="${FILTER:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
race=()
[ "${RACE:-}" = 1 ] && race=(-race)

# pattern turns a test name (Top/sub/sub) into an anchored -run pattern:
# each level quoted for Go's regexp syntax.
pattern() {
  local IFS=/ out=() part
  for part in $1; do
    out+=("^$(printf '%s' "$part" | sed 's/[][\\.*+?(){}|^$]/\\&/g')\$")
  done
  printf '%s' "${out[*]}"
}

pass=0 fail=0 failed=()
for pkg in $(go list "${packages[@]}"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  bin="$work/$(echo "$pkg" | tr / _).test"
  go test "${race[@]}" -c -o "$bin" "$pkg" >/dev/null || { failed+=("$pkg (build)"); fail=$((fail+1)); continue; }
  [ -x "$bin" ] || continue # no test files
  # The whole package once: the names of all tests and subtests, and which
  # of them skipped there.
  (cd "$dir" && "$bin" -test.v -test.count=1 -test.run "$filter" >"$work/all.out" 2>&1)
  grep -oE '^=== RUN   \S+' "$work/all.out" | sed 's/^=== RUN   //' | awk '!seen[$0]++' >"$work/names"
  grep -oE -- '--- SKIP: \S+' "$work/all.out" | sed 's/^--- SKIP: //' >"$work/skipped"
  while read -r name; do
    out=$(cd "$dir" && "$bin" -test.v -test.count=1 -test.run "$(pattern "$name")" 2>&1)
    status=$?
    if [ $status -ne 0 ]; then
      why="fails alone"
    elif ! grep -qF -- "--- PASS: $name " <<<"$out" && ! grep -qxF -- "$name" "$work/skipped"; then
      why="does not pass alone (skipped or not run)"
    else
      pass=$((pass+1))
      continue
    fi
    fail=$((fail+1))
    failed+=("$pkg $name: $why")
    printf 'FAIL %s %s: %s\n%s\n' "$pkg" "$name" "$why" "$(tail -20 <<<"$out")"
  done <"$work/names"
done
echo "$pass passed alone, $fail did not"
for f in "${failed[@]}"; do echo "  $f"; done
[ $fail -eq 0 ]
