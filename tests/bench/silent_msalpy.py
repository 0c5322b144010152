"""Per-call cost of MSAL Python's acquire_token_silent served from its cache.

The counterpart of the engine's BenchmarkSilentFromCache/accounts=N
(engine/bench_test.go): an in-memory msal.SerializableTokenCache holding N
synthetic accounts of the same shape (one AccessToken, RefreshToken,
IdToken and Account each, for the Azure CLI's client id in
login.microsoftonline.com/organizations), a PublicClientApplication over it
that never touches the network, and acquire_token_silent timed for the
account in the middle.

Prints one line in the format of `go test -bench`:

    BenchmarkMSALPythonSilentFromCache/accounts=1000   2000   123456 ns/op

and, on stderr, details (MSAL version, repeats, calls sent to the canned
HTTP client). Needs MSAL Python (Debian: apt-get install python3-msal).
"""

import argparse
import base64
import json
import statistics
import sys
import time

import msal

from msal_offline import OfflineHTTP

CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ENVIRONMENT = "login.microsoftonline.com"
REALM = "organizations"
AUTHORITY = "https://%s/%s" % (ENVIRONMENT, REALM)
TARGET = "https://graph.microsoft.com/.default"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def b64url(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def synthetic_cache(n, now):
    """A cache that has seen n sign-ins, keyed by MSAL's own key makers."""
    cache = msal.SerializableTokenCache()
    ct = cache.CredentialType
    header = b64url({"alg": "RS256", "typ": "JWT"})
    accounts = []
    for i in range(n):
        oid = "00000000-0000-4000-8000-%012d" % i
        home = "%s.%s" % (oid, TENANT_ID)
        username = "user%d@contoso.example" % i
        claims = {"aud": CLIENT_ID, "oid": oid, "tid": TENANT_ID, "preferred_username": username, "exp": now + 3600}
        entries = [
            (ct.ACCESS_TOKEN, {
                "credential_type": ct.ACCESS_TOKEN, "secret": "at-%d" % i, "home_account_id": home,
                "environment": ENVIRONMENT, "client_id": CLIENT_ID, "realm": REALM, "target": TARGET,
                "token_type": "Bearer", "cached_at": str(now), "expires_on": str(now + 3600),
                "extended_expires_on": str(now + 3600)}),
            (ct.REFRESH_TOKEN, {
                "credential_type": ct.REFRESH_TOKEN, "secret": "rt-%d" % i, "home_account_id": home,
                "environment": ENVIRONMENT, "client_id": CLIENT_ID, "target": TARGET, "family_id": "1",
                "last_modification_time": str(now)}),
            (ct.ID_TOKEN, {
                "credential_type": ct.ID_TOKEN, "secret": "%s.%s.c2ln" % (header, b64url(claims)),
                "home_account_id": home, "environment": ENVIRONMENT, "realm": REALM, "client_id": CLIENT_ID}),
            (ct.ACCOUNT, {
                "home_account_id": home, "environment": ENVIRONMENT, "realm": REALM, "local_account_id": oid,
                "username": username, "authority_type": "MSSTS"}),
        ]
        for credential_type, entry in entries:
            cache.modify(credential_type, entry, entry)
        accounts.append(home)
    meta = {"client_id": CLIENT_ID, "environment": ENVIRONMENT, "family_id": "1"}
    cache.modify(ct.APP_METADATA, meta, meta)
    return cache, accounts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("-n", "--calls", type=int, default=2000, help="silent calls per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported")
    args = parser.parse_args(argv)

    cache, homes = synthetic_cache(args.accounts, int(time.time()))
    http = OfflineHTTP(AUTHORITY)
    app = msal.PublicClientApplication(
        CLIENT_ID, authority=AUTHORITY, http_client=http, token_cache=cache,
        instance_discovery=False)
    target_home = homes[args.accounts // 2]
    matches = [a for a in app.get_accounts() if a["home_account_id"] == target_home]
    if len(matches) != 1:
        sys.exit("the synthetic account %s is not in get_accounts()" % target_home)
    account = matches[0]
    scopes = [TARGET]
    want = "at-%d" % (args.accounts // 2)

    # Warm up, and make sure the answer really comes from the cache.
    for _ in range(min(args.calls, 200)):
        result = app.acquire_token_silent(scopes, account)
        if not result or result.get("access_token") != want:
            sys.exit("acquire_token_silent did not return the cached token: %r" % (result and sorted(result)))
    gets_before, posts_before = http.gets, http.posts

    per_op = []
    for _ in range(args.repeats):
        start = time.perf_counter_ns()
        for _ in range(args.calls):
            app.acquire_token_silent(scopes, account)
        per_op.append((time.perf_counter_ns() - start) / args.calls)
    if http.gets != gets_before or http.posts != posts_before:
        sys.exit("the timed calls used the network client (%d GET, %d POST)" % (http.gets - gets_before, http.posts - posts_before))

    ns = statistics.median(per_op)
    print("MSAL Python %s, %d accounts, %d calls x %d repeats; ns/op per repeat: %s; HTTP calls during timing: 0" % (
        msal.__version__, args.accounts, args.calls, args.repeats, ", ".join("%.0f" % v for v in per_op)), file=sys.stderr)
    print("BenchmarkMSALPythonSilentFromCache/accounts=%d\t%d\t%.0f ns/op" % (args.accounts, args.calls, ns))


if __name__ == "__main__":
    main()
