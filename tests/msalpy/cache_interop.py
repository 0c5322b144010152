"""MSAL Python's side of the engine <-> MSAL Python token-cache interop tests.

Run by tests/engine_msal_interop_test.go against an in-process emulator
(engine/idptest), one step per subcommand:

    cache_interop.py --url URL --ca-file CA --authority AUTHORITY --cache FILE STEP [options]

Each step loads the shared cache file into msal.SerializableTokenCache,
does one thing with MSAL 1.21 and prints one JSON object on stdout. Tokens
are never printed, only SHA-256 digests. An MSAL error result is data (the
step prints it and exits 0); anything unexpected raises.

The HTTP session, the result summaries and the cache load/save helpers are
those of scenarios.py, imported from the same directory.
"""

import argparse
import json
import os
import sys

import msal

import scenarios  # tests/msalpy/scenarios.py; this script's directory is on sys.path


SECTIONS = ("AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata")


def section_counts(state):
    """Entries per unified-cache section of a deserialized cache state."""
    return {s: len(state.get(s) or {}) for s in SECTIONS}


def accounts_of(app):
    return [
        {k: a.get(k) for k in ("home_account_id", "environment", "realm", "username", "local_account_id", "authority_type")}
        for a in app.get_accounts()
    ]


def find_account(app, username):
    matches = app.get_accounts(username=username)
    if len(matches) != 1:
        raise RuntimeError("want exactly one cached account for %s, got %d" % (username, len(matches)))
    return matches[0]


def step_ropc(http, args):
    cache = scenarios.load_cache(args.cache)
    app = scenarios.make_app({"authority": args.authority}, http, cache)
    result = app.acquire_token_by_username_password(args.username, args.password, scopes=args.scopes)
    saved = cache.has_state_changed
    scenarios.save_cache(cache, args.cache)
    out = scenarios.summarize(result)
    out["saved"] = bool(saved)
    out["msal_accounts"] = accounts_of(app)
    out["cache"] = scenarios.cache_summary(cache)
    return out


def step_silent(http, args):
    cache = scenarios.load_cache(args.cache)
    app = scenarios.make_app({"authority": args.authority}, http, cache)
    accounts = accounts_of(app)
    account = find_account(app, args.username)
    result = app.acquire_token_silent_with_error(args.scopes, account)
    saved = cache.has_state_changed
    scenarios.save_cache(cache, args.cache)
    out = scenarios.summarize(result)
    out["saved"] = bool(saved)
    out["home_account_id"] = account.get("home_account_id")
    out["msal_accounts"] = accounts
    out["cache"] = scenarios.cache_summary(cache)
    return out


def step_roundtrip(http, args):
    """Reads the file, serves the --silent-for accounts, writes it back out.

    Silent calls go to the app's authority, so name only accounts of its
    tenant. The cache is re-serialized to --out (not the input file), deserialized
    again, and the section counts of each stage are reported, so the test
    can tell whether MSAL would collapse, drop or add entries.
    """
    with open(args.cache, encoding="utf-8") as f:
        raw = f.read()
    cache = msal.SerializableTokenCache()
    cache.deserialize(raw)
    loaded = section_counts(json.loads(raw))
    app = scenarios.make_app({"authority": args.authority}, http, cache)
    silent = {}
    for username in args.silent_for or []:
        result = app.acquire_token_silent_with_error(args.scopes, find_account(app, username))
        silent[username] = scenarios.summarize(result)
    serialized = cache.serialize()
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(serialized)
    again = msal.SerializableTokenCache()
    again.deserialize(serialized)
    return {
        "ok": True,
        "loaded": loaded,
        "serialized": section_counts(json.loads(serialized)),
        "reloaded": section_counts(json.loads(again.serialize())),
        "msal_accounts": accounts_of(app),
        "silent": silent,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the emulator's base URL, https://127.0.0.1:PORT")
    parser.add_argument("--ca-file", required=True, help="PEM of the emulator's certificate authority")
    parser.add_argument("--authority", required=True, help="authority URL, the same the engine uses")
    parser.add_argument("--cache", required=True, help="the shared token cache file")
    parser.add_argument("--scope", dest="scopes", action="append", help="scope to ask for (repeatable)")
    sub = parser.add_subparsers(dest="step", required=True)

    p = sub.add_parser("ropc", help="sign in by username and password; save the cache")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.set_defaults(run=step_ropc)

    p = sub.add_parser("silent", help="acquire_token_silent for one cached account; save if changed")
    p.add_argument("--username", required=True)
    p.set_defaults(run=step_silent)

    p = sub.add_parser("roundtrip", help="silent for some accounts, re-serialize to --out, count entries")
    p.add_argument("--out", required=True)
    p.add_argument("--silent-for", action="append", metavar="USERNAME", help="account to serve silently (repeatable)")
    p.set_defaults(run=step_roundtrip)

    args = parser.parse_args(argv)
    args.scopes = args.scopes or list(scenarios.ARM_SCOPES)
    http = scenarios.EmulatorSession(args.url, args.ca_file)
    scenarios.emit(args.run(http, args))


if __name__ == "__main__":
    main()
