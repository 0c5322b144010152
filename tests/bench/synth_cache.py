"""Grows a one-account MSAL token cache into a synthetic one of N accounts.

Used by tests/bench/token.sh. The template is `acctui export --msal` of a
vault where one real user signed in against `acctui idp serve`; every
synthetic account is a copy of that account's entries (Account, AccessToken,
RefreshToken, IdToken) under a new object id and username, with tokens made
up to look like Entra's: JWTs of about 1.5 KB (access), 1.1 KB (id) and
opaque refresh tokens of about 1.2 KB. Keys are rebuilt as MSAL Python
builds them, so acctui, MSAL Python and the Azure CLI all find them.

Also writes, on request, the Azure CLI's azureProfile.json with one
subscription per account, and a tab-separated list of
username, home account id and subscription id.

    synth_cache.py --template T.json --accounts N --out CACHE.json
                   [--az-profile azureProfile.json --az-cloud NAME] [--list FILE]
                   [--parts-of K] [--tenants T --tenant-list FILE]

--parts-of K also writes the cache as CACHE.partNNN.json files of at most K
accounts each (acctui import reads files of at most 64 MiB). --tenants T
signs the template's account in to T tenants in all (a partner
administrator's cache): one Account entry, access token and ID token per
tenant, the tenants' ids written to --tenant-list.
"""

import argparse
import base64
import copy
import json
import os
import random
import sys
import time
import uuid

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64url(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def noise(rng, n):
    # base64url of random bytes: what the alphabet gives, quickly enough
    # for 50 000 accounts
    return base64.urlsafe_b64encode(rng.randbytes(n * 3 // 4 + 3)).decode("ascii")[:n]


def guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def jwt(rng, header, claims, target_len):
    """A JWT with an RS256-sized signature, padded with groups to target_len."""
    sig = noise(rng, 342)  # 256 bytes of signature, base64url
    claims = dict(claims)
    groups = []
    while True:
        token = "%s.%s.%s" % (b64url(header), b64url(claims), sig)
        if len(token) >= target_len:
            return token
        groups.append(guid(rng))
        claims["groups"] = groups


def make_tokens(rng, tid, oid, username, name, client_id, now, expires_on):
    kid = noise(rng, 27)
    header = {"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid}
    given, _, family = name.partition(" ")
    common = {
        "iat": now, "nbf": now, "exp": expires_on, "name": name, "oid": oid, "tid": tid,
        "sub": noise(rng, 43), "uti": noise(rng, 22),
    }
    access = dict(common, **{
        "aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/%s/" % tid,
        "acr": "1", "aio": noise(rng, 64), "amr": ["pwd", "mfa"], "appid": client_id, "appidacr": "0",
        "family_name": family or "User", "given_name": given, "idtyp": "user", "ipaddr": "203.0.113.%d" % rng.randint(1, 254),
        "rh": "0.%s." % noise(rng, 44), "scp": "user_impersonation",
        "unique_name": username, "upn": username, "ver": "1.0", "wids": [guid(rng)], "xms_cc": ["CP1"],
        "xms_tcdt": 1600000000,
    })
    ident = dict(common, **{
        "aud": client_id, "iss": "https://login.microsoftonline.com/%s/v2.0" % tid, "preferred_username": username,
        "rh": "0.%s." % noise(rng, 44), "ver": "2.0", "aio": noise(rng, 64),
    })
    return (jwt(rng, header, access, 1500), jwt(rng, header, ident, 1100),
            "0.A%s" % noise(rng, 1200))


def write_json(path, doc):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)


def msal_key(*parts):
    return "-".join(p or "" for p in parts).lower()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--template", required=True, help="acctui export of a vault holding exactly one account")
    p.add_argument("--accounts", type=int, required=True, help="accounts in the result, the template's included")
    p.add_argument("--out", required=True)
    p.add_argument("--az-profile", help="write an Azure CLI azureProfile.json here")
    p.add_argument("--az-cloud", default="AzureCloud", help="environmentName of the subscriptions")
    p.add_argument("--list", help="write 'username<TAB>home_account_id<TAB>subscription_id' lines here")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--parts-of", type=int, default=0, help="also write parts of at most this many accounts")
    p.add_argument("--tenants", type=int, default=1, help="tenants the template's account is signed in to")
    p.add_argument("--tenant-list", help="write the tenants' ids here, one a line")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)

    with open(args.template, encoding="utf-8") as f:
        tpl = json.load(f)
    accounts = list(tpl.get("Account", {}).values())
    if len(accounts) != 1:
        sys.exit("synth_cache.py: the template must hold exactly one account, it holds %d" % len(accounts))
    t_acct = accounts[0]
    t_home = t_acct["home_account_id"]
    tid = t_home.split(".", 1)[1]
    entries = {s: [e for e in (tpl.get(s) or {}).values() if e.get("home_account_id") == t_home]
               for s in ("AccessToken", "RefreshToken", "IdToken")}
    if not all(entries.values()):
        sys.exit("synth_cache.py: the template lacks an access, refresh or id token: %s" % {s: len(v) for s, v in entries.items()})

    out = copy.deepcopy(tpl)
    now = int(time.time())
    listing = [(t_acct["username"], t_home)]
    for i in range(1, args.accounts):
        oid = guid(rng)
        home = "%s.%s" % (oid, tid)
        username = "user%04d@%s" % (i, t_acct["username"].split("@", 1)[1])
        name = "User %04d" % i
        acct = dict(t_acct, home_account_id=home, local_account_id=oid, username=username)
        out["Account"][msal_key(home, acct["environment"], acct["realm"])] = acct
        for at in entries["AccessToken"]:
            expires_on = now + 3600
            access, ident, refresh = make_tokens(rng, tid, oid, username, name, at["client_id"], now, expires_on)
            e = dict(at, home_account_id=home, secret=access, cached_at=str(now),
                     expires_on=str(expires_on), extended_expires_on=str(expires_on))
            out["AccessToken"][msal_key(home, e["environment"], "accesstoken", e["client_id"], e["realm"], e["target"])] = e
        for rt in entries["RefreshToken"]:
            e = dict(rt, home_account_id=home, secret=refresh, last_modification_time=str(now))
            out["RefreshToken"][msal_key(home, e["environment"], "refreshtoken", e["client_id"], "", e.get("target"))] = e
        for it in entries["IdToken"]:
            e = dict(it, home_account_id=home, secret=ident)
            out["IdToken"][msal_key(home, e["environment"], "idtoken", e["client_id"], e["realm"], "")] = e
        listing.append((username, home))

    tenants = [tid]
    for _ in range(1, args.tenants):
        t = guid(rng)
        tenants.append(t)
        oid = guid(rng)
        acct = dict(t_acct, realm=t, local_account_id=oid)
        out["Account"][msal_key(t_home, acct["environment"], t)] = acct
        for at in entries["AccessToken"]:
            expires_on = now + 3600
            access, ident, _ = make_tokens(rng, t, oid, t_acct["username"], "Tenant Guest", at["client_id"], now, expires_on)
            e = dict(at, realm=t, secret=access, cached_at=str(now), expires_on=str(expires_on), extended_expires_on=str(expires_on))
            out["AccessToken"][msal_key(t_home, e["environment"], "accesstoken", e["client_id"], t, e["target"])] = e
        for it in entries["IdToken"]:
            e = dict(it, realm=t, secret=ident)
            out["IdToken"][msal_key(t_home, e["environment"], "idtoken", e["client_id"], t, "")] = e
    if args.tenant_list:
        with open(args.tenant_list, "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in tenants)

    write_json(args.out, out)
    if args.parts_of:
        homes = [h for _, h in listing]
        for n, start in enumerate(range(0, len(homes), args.parts_of)):
            keep = set(homes[start:start + args.parts_of])
            part = {s: ({k: e for k, e in v.items() if e.get("home_account_id") in keep} if s in ("Account", "AccessToken", "RefreshToken", "IdToken") else v)
                    for s, v in out.items()}
            write_json("%s.part%03d.json" % (args.out[:-5] if args.out.endswith(".json") else args.out, n), part)

    subs = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in listing]
    if args.az_profile:
        profile = {
            "installationId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "subscriptions": [{
                "id": sub, "name": "Subscription of %s" % username, "state": "Enabled",
                "user": {"name": username, "type": "user"}, "isDefault": i == 0,
                "tenantId": tid, "environmentName": args.az_cloud, "homeTenantId": tid,
                "managedByTenants": [],
            } for i, ((username, _), sub) in enumerate(zip(listing, subs))],
        }
        with open(args.az_profile, "w", encoding="utf-8") as f:
            json.dump(profile, f, indent=1)
    if args.list:
        with open(args.list, "w", encoding="utf-8") as f:
            for (username, home), sub in zip(listing, subs):
                f.write("%s\t%s\t%s\n" % (username, home, sub))
    sizes = {s: len(out.get(s) or {}) for s in ("Account", "AccessToken", "RefreshToken", "IdToken")}
    at_len = [len(e["secret"]) for e in out["AccessToken"].values()]
    print("synth_cache.py: %s: %s, access tokens %d..%d bytes, file %d bytes" % (
        args.out, sizes, min(at_len), max(at_len), os.path.getsize(args.out)), file=sys.stderr)


if __name__ == "__main__":
    main()
