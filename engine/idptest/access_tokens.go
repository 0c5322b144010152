package idptest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Microsoft's own APIs accept v1.0 access tokens (their manifests leave
// accessTokenAcceptedVersion empty), so Entra issues v1 tokens for them
// whichever endpoint was asked; an app's own API gets v2 tokens.
var v1Resources = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"https://management.azure.com":              true, // Azure Resource Manager
		"https://management.core.windows.net":       true, // ARM, as the Azure CLI names it
		"https://vault.azure.net":                   true, // Key Vault
		"499b84ac-1321-427f-aa17-267ca6975798":      true, // Azure DevOps
		"https://app.vssps.visualstudio.com":        true, // Azure DevOps, by URL
		"https://storage.azure.com":                 true,
		"https://database.windows.net":              true,
		"https://graph.windows.net":                 true, // Azure AD Graph
		graphResource:                               true,
		"00000003-0000-0000-c000-000000000000":      true, // Microsoft Graph, by app id
		"https://outlook.office.com":                true,
		"https://api.loganalytics.io":               true,
		"https://cognitiveservices.azure.com":       true,
		"https://servicebus.azure.net":              true,
		"https://eventhubs.azure.net":               true,
		"https://ossrdbms-aad.database.windows.net": true,
	}
})

// resourceKey is a resource as the tables above name it: trailing slashes
// vary between callers (the Azure CLI asks for ...windows.net//.default).
func resourceKey(resource string) string { return strings.ToLower(strings.TrimRight(resource, "/")) }

func isV1Resource(resource string) bool { return v1Resources()[resourceKey(resource)] }

func isGraph(resource string) bool {
	k := resourceKey(resource)
	return k == graphResource || k == "00000003-0000-0000-c000-000000000000"
}

// accessTokenLocked makes the access token of a user grant in the shape
// Entra gives the resource: opaque for personal Microsoft accounts, v1 for
// Microsoft's APIs (Graph's with a nonce in its header), v2 otherwise.
func (s *Server) accessTokenLocked(g grant, now time.Time, lifetime time.Duration) (string, error) {
	if g.tenant.ID == ConsumersTenantID {
		// MSA access tokens are encrypted for the resource: to anyone else,
		// including the client, an opaque string.
		return "EwB" + randomToken(180), nil
	}
	amr := []string{"pwd"}
	if g.federated {
		amr = append(amr, "fed")
	}
	if g.mfa {
		amr = append(amr, "mfa")
	}
	claims := map[string]any{
		"aud":  g.scopes.audience(),
		"iat":  now.Unix(),
		"nbf":  now.Unix(),
		"exp":  now.Add(lifetime).Unix(),
		"scp":  g.scopes.scp(g.app),
		"tid":  g.tenant.ID,
		"oid":  g.user.ObjectID,
		"sub":  pairwiseSubject(g.user.ObjectID, g.scopes.resource),
		"name": g.user.Name,
		"amr":  amr,
		"uti":  randomToken(16),
	}
	if capabilities := clientCapabilities(g.claims); len(capabilities) > 0 {
		claims["xms_cc"] = capabilities
	}
	if !isV1Resource(g.scopes.resource) {
		claims["iss"] = s.url + "/" + g.tenant.ID + "/v2.0"
		claims["preferred_username"] = g.user.Username
		claims["upn"] = g.user.Username
		claims["azp"] = g.app.ClientID
		claims["azpacr"] = "0"
		claims["ver"] = "2.0"
		return s.key.sign(claims)
	}
	given, family := splitName(g.user.Name)
	claims["iss"] = "https://sts.windows.net/" + g.tenant.ID + "/"
	claims["appid"] = g.app.ClientID
	claims["appidacr"] = "0"
	claims["acr"] = "1"
	claims["idtyp"] = "user"
	claims["ipaddr"] = "127.0.0.1"
	claims["upn"] = g.user.Username
	claims["unique_name"] = g.user.Username
	claims["given_name"], claims["family_name"] = given, family
	claims["ver"] = "1.0"
	if isGraph(g.scopes.resource) {
		return s.signWithNonce(claims)
	}
	return s.key.sign(claims)
}

// signWithNonce signs a Graph access token as Entra does: the header
// carries a nonce, and the signature covers the header with the nonce's
// SHA-256 in its place, so only Graph (which knows the trick) can check it.
// Clients must treat Graph tokens as opaque.
func (s *Server) signWithNonce(claims map[string]any) (string, error) {
	nonce := randomToken(32)
	sum := sha256.Sum256([]byte(nonce))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: sharedKey, KeyID: s.key.public.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("nonce", base64URL(sum[:])))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	compact, err := obj.CompactSerialize()
	if err != nil {
		return "", err
	}
	parts := strings.SplitN(compact, ".", 3)
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", err
	}
	var header map[string]any
	if err := json.Unmarshal(rawHeader, &header); err != nil {
		return "", err
	}
	header["nonce"] = nonce
	newHeader, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("idptest: graph token header: %w", err)
	}
	return base64URL(newHeader) + "." + parts[1] + "." + parts[2], nil
}

// splitName splits a display name into given and family names.
func splitName(name string) (given, family string) {
	fields := strings.Fields(name)
	if len(fields) < 2 {
		return name, ""
	}
	return strings.Join(fields[:len(fields)-1], " "), fields[len(fields)-1]
}
