"""MSAL Python's reading code paths over an exported acctui cache.

Run by tests/engine_cache_msal_read_test.go:

    cache_read_paths.py --url URL --ca-file CA --authority AUTHORITY --cache FILE --scope S [--scope S ...]

It loads the file into msal.SerializableTokenCache and runs what MSAL does
with a cache: every section through find()/search(), get_accounts() with
and without a username, acquire_token_silent_with_error for every account
and scope (the access-token path reads int(entry["expires_on"]) and
refresh_on, the refresh-token path sorts by int(last_modification_time) and
refreshes against the emulator), serialize/deserialize, and remove_account
for every account. Any KeyError, ValueError or TypeError from MSAL fails the
script. It prints one JSON object; tokens are never printed.
"""

import argparse
import json

import msal

import scenarios  # tests/msalpy/scenarios.py

SECTIONS = ("AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata")


def entries(cache, section):
    search = getattr(cache, "search", None)  # MSAL 1.27+
    return list(search(section)) if search else cache.find(section)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--authority", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--scope", dest="scopes", action="append", required=True)
    args = parser.parse_args()

    http = scenarios.EmulatorSession(args.url, args.ca_file)
    with open(args.cache, encoding="utf-8") as f:
        cache = msal.SerializableTokenCache()
        cache.deserialize(f.read())
    app = scenarios.make_app({"authority": args.authority}, http, cache)

    counts = {s: len(entries(cache, s)) for s in SECTIONS}
    # MSAL 1.31's search() reads int(entry["expires_on"]) of every access
    # token it walks; 1.21 (Debian's) only of those a silent call matches.
    # The same expression over all of them stands in for the newer reader.
    for at in cache.find("AccessToken"):
        int(at["expires_on"])

    accounts = app.get_accounts()
    by_name = {a["username"]: len(app.get_accounts(username=a["username"])) for a in accounts}

    silent = []
    for account in accounts:
        for scope in args.scopes:
            result = app.acquire_token_silent_with_error([scope], account)
            if result is None:
                outcome = "none"
            elif "access_token" in result:
                outcome = "token"
            else:
                outcome = "error:" + str(result.get("error"))
            silent.append({"username": account["username"], "scope": scope, "outcome": outcome})

    again = msal.SerializableTokenCache()
    again.deserialize(cache.serialize())
    reloaded = {s: len(entries(again, s)) for s in SECTIONS}

    for account in accounts:
        app.remove_account(account)
    left = {s: len(entries(cache, s)) for s in SECTIONS}

    scenarios.emit({
        "ok": True,
        "counts": counts,
        "accounts": [a["username"] for a in accounts],
        "by_username": by_name,
        "silent": silent,
        "reloaded": reloaded,
        "left_after_removal": left,
    })


if __name__ == "__main__":
    main()
