package cache

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printing path shows instead of a secret.
const redacted = "[redacted]"

// Secret is a token value (access, refresh or ID token). It prints as
// "[redacted]" through fmt and log/slog so a stray log line or error message
// cannot leak it, yet it marshals to JSON as the real value because the cache
// file has to hold it. Use Reveal when the value is really wanted.
type Secret string

// Reveal returns the secret value. Call it only where the token is sent or
// shown on purpose.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]" so %#v does not show the value either.
func (s Secret) GoString() string { return redacted }

// Format writes "[redacted]" for every verb; without it %x or %q would
// bypass String and print the bytes.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue makes log/slog print "[redacted]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes the real value: the cache file must contain it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(string(s)) }

// UnmarshalJSON reads a JSON string.
func (s *Secret) UnmarshalJSON(data []byte) error {
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("cache: secret: %w", err)
	}
	*s = Secret(v)
	return nil
}
