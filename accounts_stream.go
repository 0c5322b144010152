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
	cells  [][3]string
}

func (t *tableAccounts) account(acct overview.Account) error {
	w := t.w
	if t.n > 0 {
		w.WriteByte('\n')
	}
	t.n++
	w.WriteString(safetext.Line(acct.Username))
	if acct.Name != "" {
		w.WriteString("  (" + safetext.Line(acct.Name) + ")")
	}
	w.WriteString("  " + statusText(acct.Status, acct.ExpiresOn, t.now) + activeMark(acct, t.active) + "\n")
	w.WriteString("  " + safetext.Line(t.place(acct.HomeAccountID)) + "  home account " + safetext.Line(acct.HomeAccountID) + "\n")
	t.cells = t.cells[:0]
	var width [3]int
	for _, tok := range acct.Tokens {
		expiry := "-"
		if !tok.ExpiresOn.IsZero() {
			expiry = tok.ExpiresOn.Local().Format("2006-01-02 15:04 MST") + " (" + overview.Relative(tok.ExpiresOn, t.now) + ")"
		}
		row := [3]string{"  " + string(tok.Kind), string(tok.Status), expiry}
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
		t.cells = append(t.cells, row)
	}
	for i, tok := range acct.Tokens {
		for j, c := range t.cells[i] {
			w.WriteString(c)
			w.WriteString(strings.Repeat(" ", width[j]-utf8.RuneCountInString(c)+2))
		}
		scopes := safetext.Line(strings.Join(tok.Scopes, " "))
		if scopes == "" {
			scopes = "-"
		}
		w.WriteString(scopes)
		w.WriteByte('\n')
	}
	return nil
}

func (t *tableAccounts) finish(apps []principalJSON) error {
	printPrincipals(t.w, apps, t.now, t.n > 0)
	return nil
}
