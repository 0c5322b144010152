#!/usr/bin/env bash
# Compares the per-call cost of a silent token lookup served from the cache
# at 1 000 accounts: the engine's BenchmarkSilentFromCache/accounts=1000
# against MSAL Python 1.21's acquire_token_silent over a cache of the same
# shape (tests/bench/silent_msalpy.py). Prints both ns/op and the ratio.
#
# Usage, from the repository root: tests/bench/silent.sh
# Environment: PYTHON (default /usr/bin/python3), MSAL_BENCH_CALLS (2000).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -f go.mod ] || { echo "silent.sh: run it from the acctui repository" >&2; exit 1; }

python=${PYTHON:-/usr/bin/python3}
calls=${MSAL_BENCH_CALLS:-2000}

if ! "$python" -c 'import msal' 2>/dev/null; then
	echo "silent.sh: MSAL Python is not available to $python; install it with: apt-get install -y python3-msal" >&2
	exit 1
fi

# ns_per_op prints the figure before "ns/op" on the first benchmark line.
ns_per_op() {
	awk '/^Benchmark/ { for (i = 2; i <= NF; i++) if ($i == "ns/op") { print $(i-1); exit } }'
}

echo "== engine (Go): go test -run '^\$' -bench 'BenchmarkSilentFromCache/accounts=1000\$' -benchmem ./engine/"
if ! go_out=$(go test -run '^$' -bench 'BenchmarkSilentFromCache/accounts=1000$' -benchmem ./engine/ 2>&1); then
	echo "$go_out" >&2
	exit 1
fi
echo "$go_out"
go_ns=$(ns_per_op <<<"$go_out")

echo
echo "== MSAL Python: tests/bench/silent_msalpy.py --accounts 1000 --calls $calls"
if ! py_out=$("$python" tests/bench/silent_msalpy.py --accounts 1000 --calls "$calls" 2>&1); then
	echo "$py_out" >&2
	exit 1
fi
echo "$py_out"
py_ns=$(ns_per_op <<<"$py_out")

if [ -z "$go_ns" ] || [ -z "$py_ns" ]; then
	echo "silent.sh: could not read ns/op (engine: '${go_ns}', MSAL Python: '${py_ns}')" >&2
	exit 1
fi

echo
awk -v go="$go_ns" -v py="$py_ns" 'BEGIN {
	printf "silent lookup from cache, 1000 accounts\n"
	printf "  engine (Go)     %12.0f ns/op\n", go
	printf "  MSAL Python     %12.0f ns/op\n", py
	printf "  ratio MSAL Python / engine: %.1fx\n", py / go
}'
