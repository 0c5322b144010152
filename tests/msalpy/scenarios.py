"""MSAL Python scenarios against the acctui identity provider emulator.

Run by tests/idp_msal_python_test.go, one scenario per subcommand:

    scenarios.py --idp '<first line of acctui idp serve --tls>' SCENARIO [options]

Every scenario prints one JSON object on stdout (the device scenario prints
two lines, see below). Tokens are never printed: a scenario reports claims,
booleans and SHA-256 digests of tokens, which are enough to compare them.
An MSAL error result is data, not a failure: it is printed and the exit
status is 0. Anything unexpected raises, which exits non-zero with a
traceback on stderr.

Needs MSAL Python (Debian: apt-get install python3-msal); written against
MSAL 1.21.
"""

import argparse
import base64
import hashlib
import html
import json
import os
import re
import sys
import urllib.parse

import msal
import requests

AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ARM_SCOPES = ["https://management.azure.com/.default"]


class EmulatorSession(requests.Session):
    """The http_client handed to MSAL and used as the test's browser.

    Two MSAL 1.21 quirks are handled here rather than in the emulator:

    * MSAL builds its user-realm URL (asked before the password grant) from
      the authority's host name without the port, so it would call
      https://127.0.0.1/common/userrealm/... on port 443. request() puts the
      emulator's port back into any URL for the emulator's host that lacks
      one.
    * The environment may set REQUESTS_CA_BUNDLE, which requests prefers over
      Session.verify; request() therefore passes verify=<the emulator's CA>
      explicitly on every call.
    """

    def __init__(self, base_url, ca_file):
        super().__init__()
        base = urllib.parse.urlsplit(base_url)
        self._scheme, self._host, self._port = base.scheme, base.hostname, base.port
        self._ca_file = ca_file

    def _fix_port(self, url):
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme == self._scheme and parts.hostname == self._host
                and parts.port is None and self._port is not None):
            netloc = "%s:%d" % (self._host, self._port)
            return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        return url

    def request(self, method, url, *args, **kwargs):
        kwargs["verify"] = self._ca_file
        kwargs.setdefault("timeout", 30)
        return super().request(method, self._fix_port(url), *args, **kwargs)


def digest(token):
    """A stable, non-reversible handle on a token for comparisons."""
    if not token:
        return None
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_cache(path):
    cache = msal.SerializableTokenCache()
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            cache.deserialize(f.read())
    return cache


def save_cache(cache, path):
    if path and cache.has_state_changed:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(cache.serialize())


def cache_summary(cache):
    """What the cache holds, without any secret."""
    data = json.loads(cache.serialize() or "{}")
    accounts = [
        {k: a.get(k) for k in ("home_account_id", "environment", "realm", "username", "local_account_id")}
        for a in data.get("Account", {}).values()
    ]
    return {
        "accounts": accounts,
        "access_tokens": len(data.get("AccessToken", {})),
        "refresh_tokens": len(data.get("RefreshToken", {})),
        "id_tokens": len(data.get("IdToken", {})),
        "refresh_token_families": sorted({rt.get("family_id") or "" for rt in data.get("RefreshToken", {}).values()}),
    }


def summarize(result):
    """The parts of an MSAL result a test asserts on; tokens become digests."""
    if result is None:
        return {"ok": False, "error": None}
    if "error" in result:
        return {
            "ok": False,
            "error": result.get("error"),
            "error_codes": result.get("error_codes") or [],
            "suberror": result.get("suberror"),
            "claims": result.get("claims"),
            "error_description": result.get("error_description"),
        }
    claims = result.get("id_token_claims") or {}
    return {
        "ok": "access_token" in result,
        "token_type": result.get("token_type"),
        "expires_in": result.get("expires_in"),
        "scope": result.get("scope"),
        "has_refresh_token": bool(result.get("refresh_token")),
        "has_id_token": bool(result.get("id_token")),
        "access_token_sha256": digest(result.get("access_token")),
        "id_token_claims": {k: claims.get(k) for k in ("oid", "tid", "preferred_username", "aud", "iss", "nonce") if k in claims},
    }


def make_app(idp, http, cache, authority=None):
    return msal.PublicClientApplication(
        AZURE_CLI,
        authority=authority or idp["authority"],
        http_client=http,
        token_cache=cache,
        # Otherwise MSAL asks the real login.microsoftonline.com whether
        # the emulator's host is a known cloud.
        instance_discovery=False,
    )


def scenario_ropc(idp, http, args):
    cache = load_cache(args.cache)
    app = make_app(idp, http, cache, authority=args.authority)
    result = app.acquire_token_by_username_password(args.username, args.password, scopes=ARM_SCOPES)
    save_cache(cache, args.cache)
    out = summarize(result)
    out["msal_accounts"] = [
        {"home_account_id": a.get("home_account_id"), "environment": a.get("environment"), "username": a.get("username")}
        for a in app.get_accounts()
    ]
    out["cache"] = cache_summary(cache)
    return out


def scenario_silent(idp, http, args):
    cache = load_cache(args.cache)
    app = make_app(idp, http, cache)
    accounts = app.get_accounts(username=args.username)
    if len(accounts) != 1:
        return {"ok": False, "error": "want exactly one cached account for %s, got %d" % (args.username, len(accounts))}
    result = app.acquire_token_silent_with_error(ARM_SCOPES, accounts[0], force_refresh=args.force_refresh)
    save_cache(cache, args.cache)
    out = summarize(result)
    out["home_account_id"] = accounts[0].get("home_account_id")
    out["cache"] = cache_summary(cache)
    return out


def scenario_device(idp, http, args):
    """Two lines: the flow (user code) once initiated, then the result.

    Between them the script waits for one line on stdin, which the test
    sends after approving the user code, so the first poll succeeds.
    """
    cache = load_cache(args.cache)
    app = make_app(idp, http, cache)
    flow = app.initiate_device_flow(scopes=ARM_SCOPES)
    if "user_code" not in flow:
        return summarize(flow)
    emit({"user_code": flow["user_code"], "verification_uri": flow.get("verification_uri"),
          "interval": flow.get("interval"), "expires_in": flow.get("expires_in")})
    if not sys.stdin.readline():
        return {"ok": False, "error": "stdin closed before the approval"}
    result = app.acquire_token_by_device_flow(flow)
    save_cache(cache, args.cache)
    out = summarize(result)
    out["cache"] = cache_summary(cache)
    return out


FORM_RE = re.compile(r'<form id="idp-form" method="post" action="([^"]*)"')
HIDDEN_RE = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
BUTTON_RE = re.compile(r'name="action" value="([^"]+)"')


def browser_sign_in(http, auth_uri, username, password):
    """Signs in on the emulator's HTML pages as a person in a browser would.

    Returns the query parameters of the redirect back to the app and the
    list of pages' actions pressed.
    """
    resp = http.get(auth_uri, allow_redirects=False)
    pressed = []
    for _ in range(6):
        if resp.status_code in (302, 303):
            location = resp.headers["Location"]
            query = urllib.parse.urlsplit(location).query
            return dict(urllib.parse.parse_qsl(query)), pressed, location
        if resp.status_code != 200:
            raise RuntimeError("sign-in page: HTTP %d: %s" % (resp.status_code, resp.text[:500]))
        page = resp.text
        form = FORM_RE.search(page)
        if not form:
            raise RuntimeError("sign-in page without the idp form: %s" % page[:500])
        fields = {html.unescape(k): html.unescape(v) for k, v in HIDDEN_RE.findall(page)}
        actions = [html.unescape(a) for a in BUTTON_RE.findall(page)]
        action = next((a for a in ("signin", "mfa", "consent", "confirm") if a in actions), None)
        if action is None:
            raise RuntimeError("no known action on the page: %r" % actions)
        if action == "signin":
            fields.update(login=username, passwd=password)
        fields["action"] = action
        pressed.append(action)
        target = urllib.parse.urljoin(resp.url, html.unescape(form.group(1)))
        resp = http.post(target, data=fields, allow_redirects=False)
    raise RuntimeError("too many sign-in pages")


def scenario_authcode(idp, http, args):
    cache = load_cache(args.cache)
    app = make_app(idp, http, cache)
    redirect_uri = "http://localhost:%d" % args.port
    flow = app.initiate_auth_code_flow(ARM_SCOPES, redirect_uri=redirect_uri, login_hint=args.username)
    auth_query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(flow["auth_uri"]).query))
    params, pressed, location = browser_sign_in(http, flow["auth_uri"], args.username, args.password)
    # MSAL checks the state, redeems the code with the PKCE verifier and,
    # since the scopes include openid, checks the id_token's nonce against
    # the hash it sent; a mismatch raises.
    result = app.acquire_token_by_auth_code_flow(flow, params)
    save_cache(cache, args.cache)
    out = summarize(result)
    out["pages"] = pressed
    out["redirect_target"] = location.split("?", 1)[0]
    out["redirect_params"] = sorted(params)
    out["state_echoed"] = params.get("state") == flow["state"]
    out["pkce_sent"] = auth_query.get("code_challenge_method") == "S256" and bool(auth_query.get("code_challenge"))
    out["nonce_sent_is_hash"] = auth_query.get("nonce") == hashlib.sha256(flow["nonce"].encode("ascii")).hexdigest()
    out["id_token_nonce_matches"] = (result.get("id_token_claims") or {}).get("nonce") == auth_query.get("nonce")
    out["cache"] = cache_summary(cache)
    return out


def scenario_client(idp, http, args):
    """ConfidentialClientApplication.acquire_token_for_client with a secret,
    a certificate (MSAL 1.21 signs RS256 with the SHA-1 x5t) or a federated
    token as the client assertion."""
    if args.secret_file:
        with open(args.secret_file, encoding="utf-8") as f:
            credential = f.read().strip()
    elif args.assertion_file:
        with open(args.assertion_file, encoding="utf-8") as f:
            credential = {"client_assertion": f.read().strip()}
    else:
        with open(args.key_file, encoding="utf-8") as f:
            key = f.read()
        with open(args.cert_file, encoding="utf-8") as f:
            cert_pem = f.read()
        der = ssl_der(cert_pem)
        credential = {"private_key": key, "thumbprint": hashlib.sha1(der).hexdigest()}
        if args.x5c:
            credential["public_certificate"] = cert_pem
    cache = load_cache(args.cache)
    app = msal.ConfidentialClientApplication(
        args.client_id, client_credential=credential, authority=args.authority,
        http_client=http, token_cache=cache, instance_discovery=False)
    result = app.acquire_token_for_client(ARM_SCOPES)
    out = summarize(result)
    if out["ok"]:
        out["app_token_claims"] = app_claims(result["access_token"])
    out["cache"] = cache_summary(cache)
    save_cache(cache, args.cache)
    return out


def ssl_der(pem):
    import ssl
    return ssl.PEM_cert_to_DER_cert(pem)


def app_claims(token):
    """The app token's identifying claims (not a secret)."""
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    claims = json.loads(base64.urlsafe_b64decode(payload))
    return {k: str(claims.get(k)) for k in ("azp", "azpacr", "idtyp", "tid") if k in claims}


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idp", required=True, help="the JSON first line of acctui idp serve --tls")
    parser.add_argument("--ca-file", help="CA certificate to trust (default: ca_file of --idp)")
    parser.add_argument("--cache", help="token cache file, read if present and written back")
    sub = parser.add_subparsers(dest="scenario", required=True)

    p = sub.add_parser("ropc", help="username/password grant")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--authority", help="authority URL (default: the emulator's default tenant)")
    p.set_defaults(run=scenario_ropc)

    p = sub.add_parser("silent", help="acquire_token_silent for the cached account")
    p.add_argument("--username", required=True)
    p.add_argument("--force-refresh", action="store_true")
    p.set_defaults(run=scenario_silent)

    p = sub.add_parser("device", help="device code flow; waits for a stdin line before polling")
    p.set_defaults(run=scenario_device)

    p = sub.add_parser("authcode", help="auth code flow with PKCE, signed in through the HTML pages")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--port", type=int, default=8400, help="port of the http://localhost redirect URI")
    p.set_defaults(run=scenario_authcode)

    p = sub.add_parser("client", help="acquire_token_for_client with a secret or a certificate")
    p.add_argument("--client-id", required=True)
    p.add_argument("--authority", required=True)
    p.add_argument("--secret-file", help="file holding the client secret")
    p.add_argument("--cert-file", help="PEM certificate registered on the app")
    p.add_argument("--key-file", help="its PEM private key")
    p.add_argument("--x5c", action="store_true", help="send the certificate (subject name/issuer)")
    p.add_argument("--assertion-file", help="file holding a federated token to present as the client assertion")
    p.set_defaults(run=scenario_client)

    args = parser.parse_args(argv)
    idp = json.loads(args.idp)
    http = EmulatorSession(idp["url"], args.ca_file or idp["ca_file"])
    emit(args.run(idp, http, args))


if __name__ == "__main__":
    main()
