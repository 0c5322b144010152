package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"time"
)

// ClientCredential is how a confidential client (a service principal)
// proves who it is on each token request: a secret, a certificate, or a
// federated assertion issued by another identity provider.
type ClientCredential interface {
	// Kind names the credential for people: "secret", "certificate" or
	// "federated".
	Kind() string
	// authenticate returns the form fields that prove the client's
	// identity to tokenEndpoint for one request.
	authenticate(ctx context.Context, tokenEndpoint, clientID string, now time.Time) (url.Values, error)
	// fingerprint tells credentials apart in throttle keys without
	// revealing them.
	fingerprint() string
}

// credentialKeyField carries the credential's fingerprint in the form the
// throttle keys are made from; it is never sent.
const credentialKeyField = "acctui_credential"

// withFields is form plus fields, without the throttle-only field.
func withFields(form url.Values, fields url.Values) url.Values {
	out := make(url.Values, len(form)+len(fields))
	for k, v := range form {
		if k != credentialKeyField {
			out[k] = v
		}
	}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// secretCredential is a client secret sent in the request body, as MSAL
// Python's ConfidentialClientApplication sends it.
type secretCredential struct{ secret Secret }

// NewSecretCredential returns a credential that sends secret.
func NewSecretCredential(secret Secret) (ClientCredential, error) {
	if secret.IsZero() {
		return nil, errors.New("engine: the client secret is empty")
	}
	return secretCredential{secret: secret}, nil
}

func (secretCredential) Kind() string { return "secret" }

func (s secretCredential) authenticate(context.Context, string, string, time.Time) (url.Values, error) {
	return url.Values{"client_secret": {s.secret.Reveal()}}, nil
}

func (s secretCredential) fingerprint() string {
	sum := sha256.Sum256([]byte(s.secret.Reveal()))
	return hex.EncodeToString(sum[:8])
}

// String keeps the secret out of logs.
func (secretCredential) String() string { return "engine.ClientCredential{secret}" }

// GoString is String, for %#v.
func (s secretCredential) GoString() string { return s.String() }

// clientAssertionType is RFC 7523's client authentication by JWT.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionFields are the form fields of a client assertion.
func assertionFields(assertion string) url.Values {
	return url.Values{"client_assertion_type": {clientAssertionType}, "client_assertion": {assertion}}
}

// credential is the client's credential: Config.Credential, else one made
// from Config.ClientSecret, else nil (a public client).
func (c *Client) credential() ClientCredential {
	if c.cfg.Credential != nil {
		return c.cfg.Credential
	}
	if !c.cfg.ClientSecret.IsZero() {
		return secretCredential{secret: c.cfg.ClientSecret}
	}
	return nil
}
