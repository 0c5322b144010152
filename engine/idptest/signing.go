package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// signingKey is the RS256 key every token is signed with, published at
// /{tenant}/discovery/v2.0/keys.
type signingKey struct {
	signer jose.Signer
	public jose.JSONWebKey
}

var (
	// sharedKeyOnce lets every server in one process reuse a key: RSA
	// generation dominates a test server's start-up otherwise.
	sharedKeyOnce sync.Once
	sharedKey     *rsa.PrivateKey
	sharedKeyErr  error
)

func newSigningKey() (*signingKey, error) {
	sharedKeyOnce.Do(func() { sharedKey, sharedKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if sharedKeyErr != nil {
		return nil, fmt.Errorf("idptest: signing key: %w", sharedKeyErr)
	}
	public := jose.JSONWebKey{Key: &sharedKey.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := public.Thumbprint(cryptoSHA256)
	if err != nil {
		return nil, fmt.Errorf("idptest: signing key: %w", err)
	}
	public.KeyID = base64URL(thumb)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: sharedKey, KeyID: public.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("idptest: signer: %w", err)
	}
	return &signingKey{signer: signer, public: public}, nil
}

// sign makes a compact JWS of the claims.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	return jwt.Signed(k.signer).Claims(claims).Serialize()
}

// jwks is the public key set document.
func (k *signingKey) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public}}
}
