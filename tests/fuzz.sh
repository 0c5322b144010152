#!/usr/bin/env bash
# Runs every fuzz target for a while (default 30 s each; FUZZTIME=2m for
# longer) and prints the executions each reached. The seed corpora also run
# as plain tests in `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-30s}"
targets=(
  "./engine FuzzDecodeClaimsUnverified"
  "./engine FuzzParseAuthority"
  "./engine FuzzTokenResponse"
  "./engine FuzzDeviceCodeResponse"
  "./engine FuzzAuthorizationResponse"
  "./engine/cache FuzzParse"
  "./vault FuzzOpenDamagedVault"
  "./vault FuzzSplitMerge"
  ". FuzzCommandNameAgreesWithCobra"
)
for t in "${targets[@]}"; do
  pkg=${t% *}
  name=${t#* }
  out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1) || { echo "$out"; echo "FAIL $pkg $name"; exit 1; }
  execs=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -1)
  echo "ok   $pkg $name ($execs in $fuzztime)"
done
