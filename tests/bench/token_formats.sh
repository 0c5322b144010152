#!/usr/bin/env bash
# What token's output formats cost a script, as a whole process, at 1 000
# cached accounts: `acctui token` plain against `-o json`, `-o az` and
# `-o exec-credential` (with KUBERNETES_EXEC_INFO set as client-go sets
# it), all for the same account, key from the kernel keyring (the
# default). The runs alternate (tests/bench/timeit.go); prints medians and
# each format's ratio to the plain token. The formatting alone is
# BenchmarkWriteToken (go test -bench WriteToken .).
#
# Setup as tests/bench/token.sh: alice signs in once against
# `acctui idp serve --tls`, tests/bench/synth_cache.py grows her export into
# 1 000 accounts, `acctui import --msal` makes the vault.
#
# Usage, from the repository root: tests/bench/token_formats.sh
# Environment: BENCH_ROUNDS (default 30), BENCH_ACCOUNTS (default 1000).
# Needs: go, python3, curl, keyctl (keyutils) for the cleanup. Not run by go test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -f go.mod ] && [ -f tests/bench/timeit.go ] || { echo "token_formats.sh: run it from the acctui repository" >&2; exit 1; }

python=${PYTHON:-/usr/bin/python3}
rounds=${BENCH_ROUNDS:-30}
n=${BENCH_ACCOUNTS:-1000}
passphrase="bench passphrase, not a secret"

work=$(mktemp -d "${TMPDIR:-/tmp}/acctui-formats-XXXXXX")
idp_pid=""
kernel_key=""
cleanup() {
	local status=$?
	if [ -n "$idp_pid" ]; then
		kill -INT "$idp_pid" 2>/dev/null || true
		wait "$idp_pid" 2>/dev/null || true
	fi
	if [ -n "$kernel_key" ] && command -v keyctl >/dev/null; then
		id=$(keyctl search @u user "$kernel_key" 2>/dev/null) && keyctl unlink "$id" @u >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
mkdir -p "$HOME"
unset ACCTUI_CONFIG ACCTUI_DEBUG ACCTUI_VAULT_DIR KUBERNETES_EXEC_INFO

echo "load average $(cut -d" " -f1-3 /proc/loadavg); $(nproc) cores; $(go version)"
acctui="$work/acctui"
CGO_ENABLED=0 go build -o "$acctui" .
go build -o "$work/timeit" tests/bench/timeit.go

"$acctui" idp serve --tls >"$work/idp.out" 2>"$work/idp.err" &
idp_pid=$!
for _ in $(seq 200); do
	[ -s "$work/idp.out" ] && break
	kill -0 "$idp_pid" 2>/dev/null || { cat "$work/idp.err" >&2; exit 1; }
	sleep 0.1
done
read -r authority ca_file < <(head -1 "$work/idp.out" | "$python" -c '
import json, sys
a = json.loads(sys.stdin.readline())
print(a["authority"], a["ca_file"])')

export ACCTUI_AUTHORITY="$authority" ACCTUI_VAULT_BACKEND=file ACCTUI_VAULT_PASSPHRASE="$passphrase"
"$acctui" --vault-dir "$work/seed" --ca-file "$ca_file" --keyctl-cache 0 login --method password --username alice@contoso.example --password-stdin <<<"demo-alice" 2>&1 | tail -1
"$acctui" --vault-dir "$work/seed" --keyctl-cache 0 export --msal "$work/template.json" 2>/dev/null
"$python" tests/bench/synth_cache.py --template "$work/template.json" --accounts "$n" --out "$work/synthetic.json" --list "$work/accounts.tsv"
"$acctui" --vault-dir "$work/vault" --keyctl-cache 0 import --msal "$work/synthetic.json"
read -r user _ < <(sed -n "$(( (n + 1) / 2 ))p" "$work/accounts.tsv")
key_id=$("$acctui" --vault-dir "$work/vault" --keyctl-cache 10m vault status --json | "$python" -c 'import json, sys; print(json.load(sys.stdin)["key_id"])')
kernel_key="acctui:vault-key-$key_id"
unset ACCTUI_VAULT_PASSPHRASE

base="$acctui --vault-dir $work/vault --keyctl-cache 10m token --account $user"
info='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
# timeit splits a command on spaces: the exec info goes through a file
printf '%s' "$info" >"$work/info.json"
cat >"$work/exec.sh" <<SH
#!/bin/sh
KUBERNETES_EXEC_INFO=\$(cat "$work/info.json") exec $base -o exec-credential
SH
chmod +x "$work/exec.sh"
cat >"$work/plain.sh" <<SH
#!/bin/sh
KUBERNETES_EXEC_INFO=\$(cat "$work/info.json") exec $base
SH
chmod +x "$work/plain.sh"
"$work/exec.sh" | grep -q '"status"' || { echo "token_formats.sh: no ExecCredential" >&2; exit 1; }

echo "== $n accounts, $rounds alternating rounds, account $user"
"$work/timeit" -rounds "$rounds" -warmup 3 \
	"default::$base" \
	"json::$base -o json" \
	"az::$base -o az" \
	"sh+default::$work/plain.sh" \
	"sh+exec-credential::$work/exec.sh" | tee "$work/timeit.out" | grep -v '^RESULT'
declare -A median cpu
while read -r _ name med _ _ _ c _; do median[$name]=$med; cpu[$name]=$c; done < <(grep '^RESULT' "$work/timeit.out")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
echo "== ratios to the plain token (wall-clock medians; CPU medians, steadier on a busy machine)"
echo "json/default             $(ratio "${median[json]}" "${median[default]}")  cpu $(ratio "${cpu[json]}" "${cpu[default]}")"
echo "az/default               $(ratio "${median[az]}" "${median[default]}")  cpu $(ratio "${cpu[az]}" "${cpu[default]}")"
echo "exec-credential/default  $(ratio "${median[sh+exec-credential]}" "${median[sh+default]}")  cpu $(ratio "${cpu[sh+exec-credential]}" "${cpu[sh+default]}")  (both through the sh wrapper that sets KUBERNETES_EXEC_INFO)"
