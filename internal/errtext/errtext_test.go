package errtext

import "testing"

func TestPublic(t *testing.T) {
	cases := map[string]string{
		"vault: import: open /x: no such file":             "import: open /x: no such file",
		"engine: refresh: cache: parse: bad JSON":          "refresh: bad JSON",
		"acctui: acctui: token failed":                     "token failed",
		"no such account; vault: wrong passphrase":         "no such account; wrong passphrase",
		"the MSAL cache: section AccessToken is not a map": "the MSAL cache: section AccessToken is not a map",
		"vault: ": "vault: ",
	}
	for in, want := range cases {
		if got := Public(in); got != want {
			t.Errorf("Public(%q) = %q, want %q", in, got, want)
		}
	}
}
