"""Prints an access token from a plain MSAL cache with MSAL Python, silently.

The MSAL Python counterpart of `acctui token --account USER`, one process
per call, for tests/bench/token.sh: it loads the cache file (an `acctui
export --msal`), finds the account and calls acquire_token_silent. It never
touches the network: the authority's OpenID configuration, which MSAL asks
for when the application is made, is answered in-process, and any other
request fails, so a token that is not in the cache is an error (exit 1),
never a refresh.

    token_msalpy.py --cache FILE --authority URL --username USER [--scope S]...
"""

import argparse
import sys

import msal

from msal_offline import OfflineHTTP

AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", required=True)
    p.add_argument("--authority", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--scope", action="append")
    args = p.parse_args(argv)
    scopes = args.scope or ["https://management.core.windows.net//.default"]

    cache = msal.SerializableTokenCache()
    with open(args.cache, encoding="utf-8") as f:
        cache.deserialize(f.read())
    app = msal.PublicClientApplication(
        AZURE_CLI, authority=args.authority, token_cache=cache,
        http_client=OfflineHTTP(args.authority), instance_discovery=False)
    accounts = app.get_accounts(username=args.username)
    if len(accounts) != 1:
        sys.exit("token_msalpy.py: %d cached accounts for %s, want 1" % (len(accounts), args.username))
    result = app.acquire_token_silent(scopes, accounts[0])
    if not result or "access_token" not in result:
        sys.exit("token_msalpy.py: no cached token: %r" % (result and result.get("error")))
    sys.stdout.write(result["access_token"] + "\n")


if __name__ == "__main__":
    main()
