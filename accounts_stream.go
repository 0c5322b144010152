package main

import (
	"bufio"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"acctui/internal/safetext"
	"acctui/overview"
)

// accountsWriter prints `acctui accounts` in one of its formats as the
// accounts arrive, in order (the vault streams them: 50 000 assembled
// accounts are never held at once), then the apps and identities.
type accountsWriter interface {
	account(overview.Account) error
	finish(apps []principalJSON) error
}

// newAccountsWriter returns the writer of format, printing to w.
func newAccountsWriter(format string, w *bufio.Writer, now time.Time, active string, place func(string) string) accountsWriter {
	switch format {
	case accountsTSV:
		return &tsvAccounts{w: w, active: active}
	case accountsJSON:
		return &jsonAccounts{w: w, active: active}
	default:
		return &tableAccounts{w: w, now: now, active: active, place: place}
	}
}

// tsvAccounts prints one line per account, tab-separated, without a
// header, in README's column order: username, name, tenant_id,
// home_account_id, status, expires_on (RFC 3339 in UTC, empty when no
// access token is valid), active (true or false). Text from outside
// acctui is made one line without tabs, so columns stay columns. Apps
// and identities are not listed.
type tsvAccounts struct {
	w      *bufio.Writer
	active string
}

func (t *tsvAccounts) account(a overview.Account) error {
	expires := ""
	if !a.ExpiresOn.IsZero() {
		expires = a.ExpiresOn.UTC().Format(time.RFC3339)
	}
	for i, f := range []string{a.Username, a.Name, a.TenantID, a.HomeAccountID, string(a.Status), expires, strconv.FormatBool(isActive(a, t.active))} {
		if i > 0 {
			t.w.WriteByte('\t')
		}
		t.w.WriteString(safetext.Line(f))
	}
	return t.w.WriteByte('\n')
}

func (t *tsvAccounts) finish([]principalJSON) error { return nil }

// jsonAccounts prints the array json.Encoder with a two-space indent
// prints for the whole list (people, then apps and identities), an
// element at a time.
type jsonAccounts struct {
	w      *bufio.Writer
	active string
	n      int
}

func (j *jsonAccounts) element(v any) error {
	b, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	if j.n == 0 {
		j.w.WriteString("[\n  ")
	} else {
		j.w.WriteString(",\n  ")
	}
	j.n++
	_, err = j.w.Write(b)
	return err
}

func (j *jsonAccounts) account(a overview.Account) error {
	return j.element(accountOut{Account: a, Active: isActive(a, j.active)})
}

func (j *jsonAccounts) finish(apps []principalJSON) error {
	for _, p := range apps {
		if err := j.element(p); err != nil {
			return err
		}
	}
	if j.n == 0 {
		_, err := j.w.WriteString("[]\n")
		return err
	}
	_, err := j.w.WriteString("\n]\n")
	return err
}

// tableAccounts prints a block per account for people: its name and
// state, where it lives, and a line per token whose columns line up
// within the account (as text/tabwriter with a padding of two would set
// them, without its cost: it was a fifth of listing 10 000 accounts).
type tableAccounts struct {
	w      *bufio.Writer
	now    time.Time
	active string
	place  func(string) string
	n      int
	line   []byte // the block being made
	expiry []byte // the tokens' expiry cells, one after another
	ends   []int  // where each token's expiry cell ends in expiry
	widths [3]int // of the kind, status and expiry columns
}

func (t *tableAccounts) account(acct overview.Account) error {
	b := t.line[:0]
	if t.n > 0 {
		b = append(b, '\n')
	}
	t.n++
	b = append(b, safetext.Line(acct.Username)...)
	if acct.Name != "" {
		b = append(append(append(b, "  ("...), safetext.Line(acct.Name)...), ')')
	}
	b = appendStatusText(append(b, "  "...), acct.Status, acct.ExpiresOn, t.now)
	b = append(append(b, activeMark(acct, t.active)...), '\n')
	b = append(append(b, "  "...), safetext.Line(t.place(acct.HomeAccountID))...)
	b = append(append(append(b, "  home account "...), safetext.Line(acct.HomeAccountID)...), '\n')

	t.expiry, t.ends, t.widths = t.expiry[:0], t.ends[:0], [3]int{}
	for _, tok := range acct.Tokens {
		start := len(t.expiry)
		if tok.ExpiresOn.IsZero() {
			t.expiry = append(t.expiry, '-')
		} else {
			t.expiry = tok.ExpiresOn.Local().AppendFormat(t.expiry, "2006-01-02 15:04 MST")
			t.expiry = append(overview.AppendRelative(append(t.expiry, " ("...), tok.ExpiresOn, t.now), ')')
		}
		t.ends = append(t.ends, len(t.expiry))
		t.widths[0] = max(t.widths[0], 2+utf8.RuneCountInString(string(tok.Kind)))
		t.widths[1] = max(t.widths[1], utf8.RuneCountInString(string(tok.Status)))
		t.widths[2] = max(t.widths[2], utf8.RuneCount(t.expiry[start:]))
	}
	start := 0
	for i, tok := range acct.Tokens {
		exp := t.expiry[start:t.ends[i]]
		start = t.ends[i]
		b = pad(append(append(b, "  "...), tok.Kind...), t.widths[0]-2-utf8.RuneCountInString(string(tok.Kind))+2)
		b = pad(append(b, tok.Status...), t.widths[1]-utf8.RuneCountInString(string(tok.Status))+2)
		b = pad(append(b, exp...), t.widths[2]-utf8.RuneCount(exp)+2)
		b = append(appendScopes(b, tok.Scopes), '\n')
	}
	t.line = b
	_, err := t.w.Write(b)
	return err
}

// pad appends n spaces.
func pad(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// appendScopes appends scopes joined by spaces, made safe to print as
// one line, or "-" for none.
func appendScopes(b []byte, scopes []string) []byte {
	if len(scopes) == 0 {
		return append(b, '-')
	}
	for _, s := range scopes {
		if !safetext.IsClean(s) {
			return append(b, safetext.Line(strings.Join(scopes, " "))...)
		}
	}
	start := len(b)
	for i, s := range scopes {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	if len(b) == start {
		return append(b, '-') // only empty scopes
	}
	return b
}

func (t *tableAccounts) finish(apps []principalJSON) error {
	printPrincipals(t.w, apps, t.now, t.n > 0)
	return nil
}
