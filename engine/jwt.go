package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxJWTLength bounds what is parsed: Entra tokens are a few KiB.
const maxJWTLength = 64 << 10

// acceptedAlgorithms lists every JWS algorithm a token may carry; decoding
// without verification does not depend on it, go-jose only insists on a list.
var acceptedAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512,
}

// DecodedJWT is a token's header and claims, read WITHOUT checking the
// signature: for display and for reading an id_token received straight
// from the identity provider over TLS, as MSAL does.
type DecodedJWT struct {
	Header map[string]any
	Claims map[string]any
}

// DecodeClaimsUnverified reads a JWT's header and claims without verifying
// its signature. Never use the result to make an access decision.
func DecodeClaimsUnverified(token string) (DecodedJWT, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return DecodedJWT{}, errors.New("engine: empty token")
	}
	if len(token) > maxJWTLength {
		return DecodedJWT{}, fmt.Errorf("engine: token longer than %d bytes", maxJWTLength)
	}
	if strings.Count(token, ".") != 2 {
		return DecodedJWT{}, errors.New("engine: not a JWT (want three dot-separated parts; encrypted tokens cannot be decoded)")
	}
	parsed, err := jwt.ParseSigned(token, acceptedAlgorithms)
	if err != nil {
		return DecodedJWT{}, fmt.Errorf("engine: not a readable JWT: %s", sanitizeJoseError(err))
	}
	claims := map[string]any{}
	if err := parsed.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return DecodedJWT{}, fmt.Errorf("engine: JWT claims are not a JSON object: %s", sanitizeJoseError(err))
	}
	header := map[string]any{"alg": parsed.Headers[0].Algorithm}
	if kid := parsed.Headers[0].KeyID; kid != "" {
		header["kid"] = kid
	}
	for k, v := range parsed.Headers[0].ExtraHeaders {
		header[string(k)] = v
	}
	return DecodedJWT{Header: header, Claims: claims}, nil
}

// sanitizeJoseError keeps a parser's message but never a token fragment.
func sanitizeJoseError(err error) string {
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return msg
}

// claimString reads a string claim.
func claimString(claims map[string]any, name string) string {
	s, _ := claims[name].(string)
	return s
}

// claimInt reads a numeric claim such as exp.
func claimInt(claims map[string]any, name string) (int64, bool) {
	switch v := claims[name].(type) {
	case float64:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}
