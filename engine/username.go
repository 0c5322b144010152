package engine

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// maxUsernameLength bounds a sign-in name: a UPN is at most 113
// characters, an email address 254.
const maxUsernameLength = 256

// ErrInvalidUsername means a username cannot be a sign-in name: it holds
// control or invisible formatting characters (newlines, escape sequences,
// bidi overrides), is not UTF-8, or is too long. It is refused before any
// request, rather than answered with network advice.
var ErrInvalidUsername = errors.New("engine: invalid username: it contains control or invisible characters, or is too long")

// CheckUsername refuses a username no identity provider would accept.
func CheckUsername(username string) error {
	if !utf8.ValidString(username) || len(username) > maxUsernameLength {
		return ErrInvalidUsername
	}
	for _, r := range username {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return ErrInvalidUsername
		}
	}
	return nil
}
