// Package passphrase holds the one rule for a new vault passphrase, so the
// command line, the variable ACCTUI_VAULT_PASSPHRASE and the TUI's unlock
// screen accept and refuse the same things.
package passphrase

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// MinLength is the fewest characters a new passphrase may have. It guards
// the file backend's key, which an attacker with the file can try offline.
const MinLength = 8

// ErrTooShort is returned by Check for a passphrase under MinLength.
var ErrTooShort error = tooShortError{}

// tooShortError formats its message when asked, not in a package init that
// every acctui command would pay for.
type tooShortError struct{}

func (tooShortError) Error() string {
	return "the passphrase must have at least " + strconv.Itoa(MinLength) + " characters"
}

// ErrMismatch is returned by Confirm when the second entry differs.
var ErrMismatch = errors.New("the two passphrases differ")

// ErrBlank is returned by Check for a passphrase of only spaces.
var ErrBlank = errors.New("the passphrase is blank")

// Check reports whether p may become a new passphrase. Existing vaults are
// opened with whatever passphrase they were made with; this rule is for new
// ones and for changes.
func Check(p string) error {
	blank := true
	for _, r := range p {
		if r != ' ' && r != '\t' {
			blank = false
			break
		}
	}
	if p != "" && blank {
		return ErrBlank
	}
	if utf8.RuneCountInString(p) < MinLength {
		return ErrTooShort
	}
	return nil
}

// Confirm checks a new passphrase typed twice: the rule first, then that
// the two entries agree, so a typo cannot lock a user out of a vault just
// made.
func Confirm(first, second string) error {
	if err := Check(first); err != nil {
		return err
	}
	if first != second {
		return ErrMismatch
	}
	return nil
}
