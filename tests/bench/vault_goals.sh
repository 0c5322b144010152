#!/usr/bin/env bash
# Measures issue 15's vault goals on this tree and on a base commit (BASE,
# default ef74c06: the vault before the realm groups and the listing), side
# by side, in one run (rounds alternate so machine load hits both alike):
#
#   BenchmarkGoals/accounts=N/token     open, resolve a username, hinted read
#   BenchmarkGoals/accounts=N/accounts  open and list every account summary
#   BenchmarkGoals/accounts=N/refresh   one hinted write of an access token;
#                                       written-B/op is what reached write(2)
#   BenchmarkGoalsTenants               token for 1 of 1 000 tenants of one account
#   BenchmarkGoalsImport                import of a 10 000-account MSAL file
#
# plus the peak RSS of an import of 10 000 accounts as its own process
# (/usr/bin/time). Each tree runs its own vault/goals_bench_test.go: the
# names match, but the base's accounts case lists summaries only (what its
# `acctui accounts` did not use: that read every token), so for the
# listing compare against tests/bench/token.sh's accounts timing instead.
#
#   tests/bench/vault_goals.sh [rounds]      (default 2; about 2 minutes each)
set -euo pipefail
rounds=${1:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work" "$here/internal/zzgoalsimport"' EXIT

base=${BASE:-ef74c06}
git -C "$here" archive "$base" | tar -x -C "$work" -f - || { echo "no commit $base to compare with" >&2; exit 1; }

# A tiny importer for the peak-RSS figure, built against each tree.
for t in main tree; do
  src=$here; [ "$t" = main ] && src=$work
  mkdir -p "$src/internal/zzgoalsimport"
  cat >"$src/internal/zzgoalsimport/main.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"os"

	"acctui/vault"
)

func main() {
	v, err := vault.Open(context.Background(), vault.Options{Dir: os.Args[2], Backend: vault.BackendFile,
		PassphraseEnv: "GOALS_PASSPHRASE",
		Getenv: func(k string) string {
			if k == "GOALS_PASSPHRASE" {
				return "correct horse battery staple"
			}
			return ""
		}})
	if err == nil {
		_, err = v.ImportMSAL(context.Background(), os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
GO
  (cd "$src" && go build -o "$work/import-$t" ./internal/zzgoalsimport)
  rm -rf "$src/internal/zzgoalsimport"
done

# The same 10 000-account MSAL file (indented, as MSAL Python writes it)
# for both.
python3 - "$work/msal.json" <<'PY'
import base64, json, os, sys
env, cid, ten = "login.microsoftonline.com", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "72f988bf-86f1-41af-91ab-2d7cd011db47"
d = {"AccessToken": {}, "RefreshToken": {}, "IdToken": {}, "Account": {}, "AppMetadata": {}}
sec = lambda p: p + base64.urlsafe_b64encode(os.urandom(1050)).decode().rstrip("=")
for i in range(10000):
    h = "%08x-1111-2222-3333-%012x.%s" % (i, i, ten)
    d["Account"][f"{h}-{env}-{ten}"] = {"home_account_id": h, "environment": env, "realm": ten, "local_account_id": h[:36], "username": "user%04d@contoso.example" % i, "authority_type": "MSSTS"}
    d["AccessToken"][f"{h}-{env}-accesstoken-{cid}-{ten}-https://graph.microsoft.com/.default"] = {"home_account_id": h, "environment": env, "client_id": cid, "realm": ten, "target": "https://graph.microsoft.com/.default", "secret": sec("AT."), "credential_type": "AccessToken", "cached_at": "1700000000", "expires_on": "4000000000", "extended_expires_on": "4000000000"}
    d["RefreshToken"][f"{h}-{env}-refreshtoken-{cid}--"] = {"home_account_id": h, "environment": env, "client_id": cid, "secret": sec("RT."), "credential_type": "RefreshToken", "family_id": "1"}
    d["IdToken"][f"{h}-{env}-idtoken-{cid}-{ten}-"] = {"home_account_id": h, "environment": env, "client_id": cid, "realm": ten, "secret": sec("ID."), "credential_type": "IdToken"}
json.dump(d, open(sys.argv[1], "w"), indent=4)
PY

for r in $(seq "$rounds"); do
  for t in main tree; do
    src=$here; [ "$t" = main ] && src=$work
    (cd "$src" && go test -count=1 -run '^$' -bench '^BenchmarkGoals(|Tenants|Import)$' -benchtime 5x ./vault) |
      awk -v t="$t" '/^Benchmark/ {print t, $0}' >>"$work/bench.txt"
    rm -rf "$work/vault-$t"
    /usr/bin/time -f "$t import-10000 maxrss-kB %M elapsed-s %e" "$work/import-$t" "$work/msal.json" "$work/vault-$t" 2>>"$work/rss.txt"
  done
done

echo "median ns/op (and other metrics) per benchmark, base $base ('main') vs this tree:"
python3 - "$work/bench.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    f = line.split()
    tree, name = f[0], f[1]
    vals = f[3:]
    for v, unit in zip(vals[::2], vals[1::2]):
        rows[(name, unit)][tree].append(float(v))
print("%-52s %-14s %14s %14s %8s" % ("benchmark", "unit", "main", "tree", "main/tree"))
for (name, unit), byt in sorted(rows.items()):
    m, t = statistics.median(byt["main"] or [0]), statistics.median(byt["tree"] or [0])
    print("%-52s %-14s %14.0f %14.0f %8.2f" % (name, unit, m, t, m / t if t else 0))
PY
echo
cat "$work/rss.txt"
