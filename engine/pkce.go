package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// pkceVerifierAlphabet is RFC 7636's unreserved set.
const pkceVerifierAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// randomString returns n characters drawn uniformly from alphabet.
func randomString(n int, alphabet string) string {
	out := make([]byte, n)
	buf := make([]byte, n*2)
	for i := 0; i < n; {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			// reject bytes past the last full multiple to stay uniform
			if int(b) >= 256-256%len(alphabet) {
				continue
			}
			out[i] = alphabet[int(b)%len(alphabet)]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

// newPKCE returns a 43-character verifier and its S256 challenge.
func newPKCE() (verifier, challenge string) {
	verifier = randomString(43, pkceVerifierAlphabet)
	return verifier, pkceChallenge(verifier)
}

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newState and newNonce are the random values that bind a response to
// its request, 16 letters as MSAL Python makes them.
func newState() string { return randomString(16, pkceVerifierAlphabet[:52]) }

func newNonce() string { return randomString(16, pkceVerifierAlphabet[:52]) }

// nonceHash is what goes on the wire: MSAL Python sends sha256(nonce) in
// hex and expects it back in the id_token, so the flow object alone can
// complete the exchange.
func nonceHash(nonce string) string {
	sum := sha256.Sum256([]byte(nonce))
	return hex.EncodeToString(sum[:])
}
