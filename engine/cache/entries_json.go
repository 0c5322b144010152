package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Values of the "credential_type" member.
const (
	credAccessToken  = "AccessToken"
	credRefreshToken = "RefreshToken"
	credIDToken      = "IdToken"
)

// quotedCredentialType is strconv.Quote(t) without making the string each
// time an entry is read or written.
func quotedCredentialType(t string) string {
	switch t {
	case credAccessToken:
		return `"` + credAccessToken + `"`
	case credRefreshToken:
		return `"` + credRefreshToken + `"`
	case credIDToken:
		return `"` + credIDToken + `"`
	}
	return strconv.Quote(t)
}

// The field tables below list what MSAL Python writes; always=true marks the
// members it writes unconditionally.

func (at *AccessToken) fields() []field {
	return []field{
		numberField("cached_at", &at.CachedAt),
		textField("client_id", &at.ClientID, true),
		textField("environment", &at.Environment, true),
		numberField("expires_on", &at.ExpiresOn),
		epochField("extended_expires_on", &at.ExtendedExpiresOn),
		textField("home_account_id", &at.HomeAccountID, true),
		textField("key_id", &at.KeyID, false),
		textField("realm", &at.Realm, true),
		epochField("refresh_on", &at.RefreshOn),
		secretField("secret", &at.Secret),
		textField("target", &at.Target, true),
		textField("token_type", &at.TokenType, false),
	}
}

func (rt *RefreshToken) fields() []field {
	return []field{
		textField("client_id", &rt.ClientID, true),
		textField("environment", &rt.Environment, true),
		textField("family_id", &rt.FamilyID, false),
		textField("home_account_id", &rt.HomeAccountID, true),
		numberField("last_modification_time", &rt.LastModificationTime),
		secretField("secret", &rt.Secret),
		textField("target", &rt.Target, true),
	}
}

func (it *IDToken) fields() []field {
	return []field{
		textField("client_id", &it.ClientID, true),
		textField("environment", &it.Environment, true),
		textField("home_account_id", &it.HomeAccountID, true),
		textField("realm", &it.Realm, true),
		secretField("secret", &it.Secret),
	}
}

func (a *Account) fields() []field {
	return []field{
		textField("account_source", &a.AccountSource, false),
		textField("authority_type", &a.AuthorityType, true),
		textField("environment", &a.Environment, true),
		textField("home_account_id", &a.HomeAccountID, true),
		textField("local_account_id", &a.LocalAccountID, true),
		textField("realm", &a.Realm, true),
		textField("username", &a.Username, true),
	}
}

func (m *AppMetadata) fields() []field {
	return []field{
		textField("client_id", &m.ClientID, true),
		textField("environment", &m.Environment, true),
		textField("family_id", &m.FamilyID, false),
	}
}

// encode writes the entry as compact JSON.
func (at *AccessToken) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, credAccessToken, at.fields(), at.Extra)
}

func (rt *RefreshToken) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, credRefreshToken, rt.fields(), rt.Extra)
}

func (it *IDToken) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, credIDToken, it.fields(), it.Extra)
}

func (a *Account) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, "", a.fields(), a.Extra)
}

func (m *AppMetadata) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, "", m.fields(), m.Extra)
}

// UnmarshalJSON reads one entry in the unified schema; members it does not
// model go to Extra.
func (at *AccessToken) UnmarshalJSON(data []byte) error {
	return wrapEntryErr(SectionAccessToken, at.decode(data))
}

func (at *AccessToken) decode(data []byte) error {
	*at = AccessToken{}
	extra, err := decodeFields(data, credAccessToken, at.fields())
	at.Extra = extra
	return err
}

// UnmarshalJSON reads one entry in the unified schema; members it does not
// model go to Extra.
func (rt *RefreshToken) UnmarshalJSON(data []byte) error {
	return wrapEntryErr(SectionRefreshToken, rt.decode(data))
}

func (rt *RefreshToken) decode(data []byte) error {
	*rt = RefreshToken{}
	extra, err := decodeFields(data, credRefreshToken, rt.fields())
	rt.Extra = extra
	return err
}

// UnmarshalJSON reads one entry in the unified schema; members it does not
// model go to Extra.
func (it *IDToken) UnmarshalJSON(data []byte) error {
	return wrapEntryErr(SectionIDToken, it.decode(data))
}

func (it *IDToken) decode(data []byte) error {
	*it = IDToken{}
	extra, err := decodeFields(data, credIDToken, it.fields())
	it.Extra = extra
	return err
}

// UnmarshalJSON reads one entry in the unified schema; members it does not
// model go to Extra.
func (a *Account) UnmarshalJSON(data []byte) error {
	return wrapEntryErr(SectionAccount, a.decode(data))
}

func (a *Account) decode(data []byte) error {
	*a = Account{}
	extra, err := decodeFields(data, "", a.fields())
	a.Extra = extra
	return err
}

// UnmarshalJSON reads one entry in the unified schema; members it does not
// model go to Extra.
func (m *AppMetadata) UnmarshalJSON(data []byte) error {
	return wrapEntryErr(SectionAppMetadata, m.decode(data))
}

func (m *AppMetadata) decode(data []byte) error {
	*m = AppMetadata{}
	extra, err := decodeFields(data, "", m.fields())
	m.Extra = extra
	return err
}

// MarshalJSON writes the entry in the unified schema, secret included,
// because that is the form the cache file needs. Log entries one by one
// (their LogValue redacts); a slice handed to slog's JSON handler goes
// through this method.
func (at AccessToken) MarshalJSON() ([]byte, error) { return marshalEntry(at.encode) }

// MarshalJSON writes the entry in the unified schema, secret included.
func (rt RefreshToken) MarshalJSON() ([]byte, error) { return marshalEntry(rt.encode) }

// MarshalJSON writes the entry in the unified schema, secret included.
func (it IDToken) MarshalJSON() ([]byte, error) { return marshalEntry(it.encode) }

// MarshalJSON writes the entry in the unified schema.
func (a Account) MarshalJSON() ([]byte, error) { return marshalEntry(a.encode) }

// MarshalJSON writes the entry in the unified schema.
func (m AppMetadata) MarshalJSON() ([]byte, error) { return marshalEntry(m.encode) }

func marshalEntry(encode func(*bytes.Buffer) error) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return nil, fmt.Errorf("cache: marshal: %w", err)
	}
	return buf.Bytes(), nil
}

func wrapEntryErr(section string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cache: %s: %w", section, err)
}

// credentialTypeOK reports whether an entry's kept "credential_type" (if
// any) still names the expected kind. An entry of another kind, such as a
// PoP token some SDK filed here, must not be served as a Bearer token.
func credentialTypeOK(extra map[string]json.RawMessage, want string) bool {
	raw, ok := extra["credential_type"]
	if !ok {
		return true
	}
	var got string
	if json.Unmarshal(raw, &got) != nil {
		return false
	}
	return got == "" || strings.EqualFold(got, want)
}

// Compile-time checks that entries stay (un)marshalable.
var (
	_ json.Marshaler   = AccessToken{}
	_ json.Unmarshaler = (*AccessToken)(nil)
)
