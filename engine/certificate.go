package engine

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// assertionLifetime is how long a signed client assertion is good for, as
// in MSAL (10 minutes).
const assertionLifetime = 10 * time.Minute

// CertificateOptions tune a certificate credential.
type CertificateOptions struct {
	// SendX5C puts the certificate chain in the assertion's x5c header, for
	// apps that trust a certificate by subject name and issuer (SN/I)
	// rather than by its thumbprint.
	SendX5C bool
	// RS256 signs with RSASSA-PKCS1-v1_5 and adds the SHA-1 x5t, for
	// identity providers (AD FS) that do not take PS256; the default is
	// PS256 with x5t#S256, as MSAL uses with Entra.
	RS256 bool
}

// certificateCredential signs a client assertion with a certificate's key.
type certificateCredential struct {
	chain []*x509.Certificate
	key   *rsa.PrivateKey
	opts  CertificateOptions
}

// NewCertificateCredential returns a credential that signs client
// assertions with key for the leaf certificate chain[0]. The key must be
// an RSA key that belongs to that certificate.
func NewCertificateCredential(chain []*x509.Certificate, key crypto.PrivateKey, opts CertificateOptions) (ClientCredential, error) {
	if len(chain) == 0 {
		return nil, errors.New("engine: certificate: no certificate given")
	}
	if key == nil {
		return nil, errors.New("engine: certificate: the file has a certificate but no private key")
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("engine: certificate: the private key is %T; Entra takes RSA keys only", key)
	}
	leafKey, ok := chain[0].PublicKey.(*rsa.PublicKey)
	if !ok || !leafKey.Equal(&rsaKey.PublicKey) {
		return nil, errors.New("engine: certificate: the private key does not belong to the certificate")
	}
	return &certificateCredential{chain: chain, key: rsaKey, opts: opts}, nil
}

// ParseCertificate reads a certificate and its private key from PEM
// (certificate blocks and one unencrypted PKCS#8, PKCS#1 or EC key) or
// PKCS#12 (with password). A file without a key is an error: a client
// cannot sign with a certificate alone.
func ParseCertificate(data []byte, password Secret) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return parsePEMCertificate(data)
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, password.Reveal())
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) {
			return nil, nil, errors.New("engine: certificate: the PKCS#12 password is wrong")
		}
		if strings.Contains(err.Error(), "private key missing") {
			return nil, nil, errors.New("engine: certificate: the file has a certificate but no private key")
		}
		return nil, nil, fmt.Errorf("engine: certificate: neither PEM nor a readable PKCS#12 file: %w", err)
	}
	if key == nil {
		return nil, nil, errors.New("engine: certificate: the file has a certificate but no private key")
	}
	return append([]*x509.Certificate{leaf}, cas...), key, nil
}

func parsePEMCertificate(data []byte) ([]*x509.Certificate, crypto.PrivateKey, error) {
	var chain []*x509.Certificate
	var key crypto.PrivateKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var err error
		switch block.Type {
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				chain = append(chain, cert)
			}
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			err = errors.New("the private key is encrypted; give it unencrypted or as PKCS#12")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("engine: certificate: %s block: %w", block.Type, err)
		}
	}
	if len(chain) == 0 {
		return nil, nil, errors.New("engine: certificate: the PEM file has no CERTIFICATE block")
	}
	if key == nil {
		return nil, nil, errors.New("engine: certificate: the file has a certificate but no private key")
	}
	return chain, key, nil
}

func (*certificateCredential) Kind() string { return "certificate" }

func (c *certificateCredential) fingerprint() string { return c.Thumbprint() }

// Thumbprint is the certificate's SHA-256 thumbprint in hex, as the
// Azure portal shows it.
func (c *certificateCredential) Thumbprint() string {
	sum := sha256.Sum256(c.chain[0].Raw)
	return hex.EncodeToString(sum[:])
}

// String names the certificate, never the key.
func (c *certificateCredential) String() string {
	return "engine.ClientCredential{certificate " + c.Thumbprint() + "}"
}

// GoString is String, for %#v.
func (c *certificateCredential) GoString() string { return c.String() }

func (c *certificateCredential) authenticate(_ context.Context, tokenEndpoint, clientID string, now time.Time) (url.Values, error) {
	leaf := c.chain[0]
	if now.After(leaf.NotAfter) {
		return nil, fmt.Errorf("engine: certificate: it expired on %s; upload a new one to the app registration", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return nil, fmt.Errorf("engine: certificate: it is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	assertion, err := c.sign(tokenEndpoint, clientID, now)
	if err != nil {
		return nil, err
	}
	return assertionFields(assertion), nil
}

// sign builds the RFC 7523 client assertion: issuer and subject are the
// client, the audience the token endpoint, and a fresh jti each time.
func (c *certificateCredential) sign(tokenEndpoint, clientID string, now time.Time) (string, error) {
	header := map[string]any{"typ": "JWT"}
	if c.opts.RS256 {
		sum := sha1.Sum(c.chain[0].Raw)
		header["alg"], header["x5t"] = "RS256", base64.RawURLEncoding.EncodeToString(sum[:])
	} else {
		sum := sha256.Sum256(c.chain[0].Raw)
		header["alg"], header["x5t#S256"] = "PS256", base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if c.opts.SendX5C {
		x5c := make([]string, len(c.chain))
		for i, cert := range c.chain {
			x5c[i] = base64.StdEncoding.EncodeToString(cert.Raw)
		}
		header["x5c"] = x5c
	}
	claims := map[string]any{
		"aud": tokenEndpoint, "iss": clientID, "sub": clientID, "jti": newCorrelationID(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(assertionLifetime).Unix(),
	}
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("engine: client assertion: %w", err)
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("engine: client assertion: %w", err)
	}
	signingInput := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	digest := sha256.Sum256([]byte(signingInput))
	var sig []byte
	if c.opts.RS256 {
		sig, err = rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, digest[:])
	} else {
		sig, err = rsa.SignPSS(rand.Reader, c.key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	if err != nil {
		return "", fmt.Errorf("engine: client assertion: sign: %w", err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
