package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AppCertificate is a self-signed certificate with its RSA key, as a
// developer makes one for an app registration.
type AppCertificate struct {
	Certificate *x509.Certificate
	Key         *rsa.PrivateKey
}

// NewAppCertificate makes a certificate for subject valid from notBefore
// to notAfter.
func NewAppCertificate(subject string, notBefore, notAfter time.Time) (*AppCertificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("idptest: certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, fmt.Errorf("idptest: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: subject},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("idptest: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("idptest: certificate: %w", err)
	}
	return &AppCertificate{Certificate: cert, Key: key}, nil
}

// CertificatePEM is the public certificate, as uploaded to the app.
func (c *AppCertificate) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw})
}

// KeyPEM is the private key in PKCS#8 PEM.
func (c *AppCertificate) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// FederatedIssuer is another identity provider (a Kubernetes cluster, a
// CI system) whose tokens an app trusts through a federated identity
// credential.
type FederatedIssuer struct {
	Issuer string
	key    *rsa.PrivateKey
	kid    string
}

// NewFederatedIssuer makes an issuer with its own signing key.
func NewFederatedIssuer(issuer string) (*FederatedIssuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("idptest: issuer key: %w", err)
	}
	return &FederatedIssuer{Issuer: issuer, key: key, kid: randomToken(8)}, nil
}

// JWKS is the issuer's public key set.
func (f *FederatedIssuer) JWKS() json.RawMessage {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: f.kid, Algorithm: string(jose.RS256), Use: "sig"}}}
	raw, err := json.Marshal(set)
	if err != nil {
		panic(err) // an RSA public key always marshals
	}
	return raw
}

// Credential is a federated identity credential trusting this issuer's
// tokens about subject, for the default audience.
func (f *FederatedIssuer) Credential(name, subject string) FederatedCredential {
	return FederatedCredential{Name: name, Issuer: f.Issuer, Subject: subject, JWKS: f.JWKS()}
}

// Token issues a token about subject for audience, valid until exp.
func (f *FederatedIssuer) Token(subject, audience string, now, exp time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: f.key, KeyID: f.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("idptest: issuer signer: %w", err)
	}
	return jwt.Signed(signer).Claims(map[string]any{
		"iss": f.Issuer, "sub": subject, "aud": audience, "iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"jti": randomToken(12),
	}).Serialize()
}
