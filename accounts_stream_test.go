package main

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"acctui/internal/safetext"
	"acctui/overview"
)

// sampleAccounts are accounts as a listing shows them: several tokens of
// each kind, text from outside acctui with markup, a wide character and
// a control, the active one among them.
func sampleAccounts(now time.Time) []overview.Account {
	var list []overview.Account
	for i := range 4 {
		home := fmt.Sprintf("%08x-0000-4000-8000-000000000000.7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c", i)
		a := overview.Account{HomeAccountID: home, Username: fmt.Sprintf("user%d@contoso.example", i), TenantID: "7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c",
			Environment: "login.microsoftonline.com", Realms: []string{"7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c"}, Status: overview.StatusRefreshable}
		switch i {
		case 1:
			a.Name = "Zoë <b>&amp; \x1b[31mred</b>"
		case 2:
			a.Name = "日本語の名前"
		}
		for j := range i + 1 {
			exp := now.Add(time.Duration(j*37-20) * time.Minute)
			a.Tokens = append(a.Tokens, overview.Token{Kind: overview.KindAccess, ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
				Environment: a.Environment, Realm: a.TenantID, Scopes: []string{"https://graph.microsoft.com/User.Read", fmt.Sprintf("scope%d", j)},
				ExpiresOn: exp, Status: overview.StatusValid})
		}
		if i == 3 { // scopes from outside: a control, an empty one
			a.Tokens[0].Scopes = []string{"https://graph.microsoft.com/.default", "\x1b]52;c;aGk=\x07"}
			a.Tokens[1].Scopes = []string{""}
		}
		if i != 3 {
			a.Tokens = append(a.Tokens, overview.Token{Kind: overview.KindRefresh, ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
				Environment: a.Environment, FamilyID: "1", Status: overview.StatusHeld})
		}
		a.Tokens = append(a.Tokens, overview.Token{Kind: overview.KindID, ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
			Environment: a.Environment, Realm: a.TenantID, ExpiresOn: now.Add(time.Duration(i*50) * time.Hour), Status: overview.StatusValid})
		list = append(list, a)
	}
	list = append(list, overview.Account{HomeAccountID: "no-tokens.tenant", Username: "empty@contoso.example", Status: overview.StatusSignInNeeded})
	return list
}

// tabwriterTable is the table as acctui printed it before it streamed,
// through text/tabwriter: what tableAccounts must print.
func tabwriterTable(accounts []overview.Account, now time.Time, active string, place func(string) string) string {
	var out strings.Builder
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	for i, acct := range accounts {
		if i > 0 {
			out.WriteString("\n")
		}
		name := ""
		if acct.Name != "" {
			name = "  (" + safetext.Line(acct.Name) + ")"
		}
		out.WriteString(safetext.Line(acct.Username) + name + "  " + statusText(acct.Status, acct.ExpiresOn, now) + activeMark(acct, active) + "\n")
		out.WriteString("  " + safetext.Line(place(acct.HomeAccountID)) + "  home account " + safetext.Line(acct.HomeAccountID) + "\n")
		for _, t := range acct.Tokens {
			expiry := "-"
			if !t.ExpiresOn.IsZero() {
				expiry = t.ExpiresOn.Local().Format("2006-01-02 15:04 MST") + " (" + overview.Relative(t.ExpiresOn, now) + ")"
			}
			scopes := safetext.Line(strings.Join(t.Scopes, " "))
			if scopes == "" {
				scopes = "-"
			}
			tw.Write([]byte("  " + string(t.Kind) + "\t" + string(t.Status) + "\t" + expiry + "\t" + scopes + "\n"))
		}
		tw.Flush()
	}
	return out.String()
}

// streamed prints accounts and apps through the writer of format.
func streamed(t *testing.T, format string, accounts []overview.Account, apps []principalJSON, now time.Time, active string, place func(string) string) string {
	t.Helper()
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	aw := newAccountsWriter(format, w, now, active, place)
	for _, a := range accounts {
		if err := aw.account(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := aw.finish(apps); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The streamed formats print what the whole-list code printed: the table
// what text/tabwriter lined up, the JSON what json.Encoder wrote for the
// whole array (escaping included), for no, one and several accounts.
func TestAccountsStreamAsWholeList(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	place := func(home string) string { return "tenant " + tenantOf(home) }
	all := sampleAccounts(now)
	active := all[2].HomeAccountID
	apps := []principalJSON{{Kind: "app", Username: "ci <deploy>", ClientID: "11111111-2222-3333-4444-555555555555", TenantID: "t", Status: "no token"}}
	for _, n := range []int{0, 1, len(all)} {
		accounts := all[:n]
		t.Run(fmt.Sprintf("%d-accounts", n), func(t *testing.T) {
			want := tabwriterTable(accounts, now, active, place)
			var tail bytes.Buffer
			printPrincipals(&tail, apps, now, n > 0)
			if got := streamed(t, accountsTable, accounts, apps, now, active, place); got != want+tail.String() {
				t.Errorf("table:\n%s\nwant:\n%s%s", got, want, tail.String())
			}
			for _, withApps := range [][]principalJSON{nil, apps} {
				var whole []any
				for _, a := range accounts {
					whole = append(whole, accountOut{Account: a, Active: isActive(a, active)})
				}
				for _, p := range withApps {
					whole = append(whole, p)
				}
				if whole == nil {
					whole = []any{}
				}
				var want bytes.Buffer
				if err := writeJSON(&want, whole); err != nil {
					t.Fatal(err)
				}
				if got := streamed(t, accountsJSON, accounts, withApps, now, active, place); got != want.String() {
					t.Errorf("json with %d apps:\n%s\nwant:\n%s", len(withApps), got, want.String())
				}
			}
		})
	}
}
