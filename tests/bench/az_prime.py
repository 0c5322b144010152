"""Primes the Azure CLI's MSAL HTTP cache so that `az` runs offline.

For tests/bench/token.sh. The Azure CLI makes one MSAL application per call;
MSAL then validates the authority: for a host it does not know (the
emulator's 127.0.0.1) it asks login.microsoftonline.com's instance discovery,
then fetches the tenant's OpenID configuration. Both answers are kept for
24 hours in $AZURE_CONFIG_DIR/msal_http_cache.bin, the CLI's own HTTP cache.

This script builds the same MSAL application the CLI builds, with the CLI's
BinaryCache as its HTTP cache, over an HTTP client that sends every request
to the emulator instead (instance discovery included: the emulator serves
/common/discovery/instance), trusting the emulator's CA. The answers land in
the cache under the keys the CLI will look up, so the timed `az` calls
find them there and send nothing: the benchmark checks the emulator's
request log for that.

    az_prime.py --emulator https://127.0.0.1:PORT --ca-file CA --tenant TID
                --cache-file $AZURE_CONFIG_DIR/msal_http_cache.bin

Run it with the Python that runs az (/usr/bin/python3 on Debian).
"""

import argparse
import sys
import urllib.parse

import msal
import requests
from azure.cli.core.auth.binary_cache import BinaryCache

AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


class ToEmulator:
    """A requests-like client that sends everything to the emulator."""

    def __init__(self, emulator, ca_file):
        u = urllib.parse.urlsplit(emulator)
        self.netloc = u.netloc
        self.host = u.hostname
        self.ca_file = ca_file
        self.session = requests.Session()
        self.sent = []

    def _fix(self, value):
        # MSAL drops the port from the authority in the authorization
        # endpoint it asks about; the emulator knows itself by host:port.
        return value.replace("https://%s/" % self.host, "https://%s/" % self.netloc)

    def get(self, url, params=None, **kwargs):
        u = urllib.parse.urlsplit(url)
        target = urllib.parse.urlunsplit(u._replace(scheme="https", netloc=self.netloc))
        if params:
            params = {k: self._fix(v) for k, v in params.items()}
        self.sent.append(target)
        kwargs.pop("verify", None)
        return self.session.get(target, params=params, verify=self.ca_file, timeout=30, **kwargs)

    def post(self, url, **kwargs):
        raise RuntimeError("az_prime.py: unexpected POST %s" % url)

    def close(self):
        self.session.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--emulator", required=True, help="the emulator's base URL")
    p.add_argument("--ca-file", required=True)
    p.add_argument("--tenant", required=True, help="tenant id of the subscriptions")
    p.add_argument("--cache-file", required=True, help="$AZURE_CONFIG_DIR/msal_http_cache.bin")
    args = p.parse_args(argv)

    # The authority as the CLI spells it: the cloud's AD endpoint, lower
    # case without a trailing slash, then the tenant.
    authority = "%s/%s" % (args.emulator.rstrip("/").lower(), args.tenant)
    http = ToEmulator(args.emulator, args.ca_file)
    cache = BinaryCache(args.cache_file)
    app = msal.PublicClientApplication(AZURE_CLI, authority=authority, http_client=http, http_cache=cache)
    cache.save()
    print("az_prime.py: cached %d answers for %s (token endpoint %s): %s" % (
        len(http.sent), authority, app.authority.token_endpoint, ", ".join(http.sent)), file=sys.stderr)


if __name__ == "__main__":
    main()
