// An independent OpenID Connect provider for acctui's end-to-end test:
// panva's oidc-provider (an OpenID-certified OP) with one native public
// client, device flow and refresh tokens. The "user" is automatic: an
// interaction signs in as the login_hint (default alice) and consents to
// what was asked, so a test drives the sign-in with plain HTTP.
//
// Prints one JSON line {"issuer": ...} once it listens; runs until killed.
// Test-only: development signing keys and cookie key, http on loopback.
import http from 'node:http';
import Provider from 'oidc-provider';

const clientID = process.env.OIDC_CLIENT_ID || 'acctui-e2e';
const accounts = {
  alice: { sub: 'alice', preferred_username: 'alice@oidc.example', name: 'Alice Example' },
  bob: { sub: 'bob', preferred_username: 'bob@oidc.example', name: 'Bob Example' },
};

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientID,
    application_type: 'native', // RFC 8252: any loopback port matches
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
  }],
  features: { deviceFlow: { enabled: true }, devInteractions: { enabled: false } },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
  scopes: ['openid', 'profile', 'offline_access'],
  // The ID token carries the profile claims, so the account has a name.
  conformIdTokenClaims: false,
  cookies: { keys: ['acctui-e2e-only'] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return accounts[id]; } };
  },
});

// The automatic user: log in as the hinted account, consent to every scope
// and claim asked for.
async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    const who = accounts[params.login_hint] ? params.login_hint : 'alice';
    result = { login: { accountId: who } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(req.url.split('?')[0])) {
    interact(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err && err.message));
    });
    return;
  }
  callback(req, res);
});

process.stdout.write(JSON.stringify({ issuer, client_id: clientID }) + '\n');
