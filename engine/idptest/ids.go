package idptest

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// cryptoSHA256 is the hash used for JWK thumbprints.
const cryptoSHA256 = crypto.SHA256

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// randomToken returns n random bytes, base64url encoded: opaque secrets such
// as refresh tokens, codes and device codes.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("idptest: random: " + err.Error())
	}
	return base64URL(b)
}

// randomGUID returns a random version-4 GUID.
func randomGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("idptest: random: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// userCode returns a device-flow user code in Entra's style: nine
// upper-case letters and digits without look-alikes.
func userCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 9)
	if _, err := rand.Read(b); err != nil {
		panic("idptest: random: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// pairwiseSubject is the id_token sub: Entra's is unique per user and app.
func pairwiseSubject(oid, clientID string) string {
	h := sha256.Sum256([]byte(oid + "|" + clientID))
	return base64URL(h[:])
}
