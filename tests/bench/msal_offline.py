"""An http_client for MSAL Python with no network, shared by the bench
scripts: GET answers one authority's OpenID configuration (MSAL's tenant
discovery at construction); anything else raises, so a silent call that
tried to reach the network fails loudly instead of being timed."""

import json
from urllib.parse import urlsplit


class CannedResponse:
    def __init__(self, status_code, payload):
        self.status_code = status_code
        self.text = json.dumps(payload)
        self.headers = {"Content-Type": "application/json"}

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError("HTTP %d" % self.status_code)


class OfflineHTTP:
    def __init__(self, authority):
        self.authority = authority.rstrip("/")
        self.gets = 0
        self.posts = 0

    def get(self, url, **kwargs):
        self.gets += 1
        if same_endpoint(url, self.authority + "/v2.0/.well-known/openid-configuration"):
            base = self.authority
            return CannedResponse(200, {
                "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                "token_endpoint": base + "/oauth2/v2.0/token",
                "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
                "issuer": base + "/v2.0",
                "jwks_uri": base + "/discovery/v2.0/keys",
            })
        raise RuntimeError("unexpected GET %s" % url)

    def post(self, url, **kwargs):
        self.posts += 1
        raise RuntimeError("unexpected POST %s: the token must come from the cache" % url)

    def close(self):
        pass


def same_endpoint(url, want):
    """Compares URLs by host and path: MSAL writes the default port (:443)
    into some of them."""
    a, b = urlsplit(url), urlsplit(want)
    return (a.hostname, a.port or 443, a.path) == (b.hostname, b.port or 443, b.path)
