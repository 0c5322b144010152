package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/remedy"
	"acctui/vault"
)

// errInteraction marks a failure that a sign-in fixes (exit 4).
type interactionError struct{ err error }

func (e interactionError) Error() string { return e.err.Error() }
func (e interactionError) Unwrap() error { return e.err }

// explain turns an error into the one line a person reads and the exit
// code a script branches on: 2 usage, 4 interaction required, 1 otherwise.
func explain(err error) (string, int) {
	code := exitFailure
	var usage usageError
	var interaction interactionError
	switch {
	case errors.As(err, &usage):
		code = exitUsage
	case errors.As(err, &interaction), engine.IsInteractionRequired(err):
		code = exitInteractionRequired
	}
	// The message quotes identity providers, files and arguments: it is
	// made safe for the terminal here, once, for every command.
	msg := safetext.Compact(err.Error())
	if hint := nextStep(err); hint != "" {
		msg += "; " + safetext.Line(hint)
	}
	return msg, code
}

// nextStep says what to do about an error, where something can be done.
func nextStep(err error) string {
	switch {
	case errors.Is(err, errUnknownAccount):
		return "see the accounts with: acctui accounts"
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "check ACCTUI_VAULT_PASSPHRASE, or start over with acctui vault reset (the old vault is kept)"
	case errors.Is(err, vault.ErrNoPassphrase):
		return "set ACCTUI_VAULT_PASSPHRASE or run acctui on a terminal"
	case errors.Is(err, vault.ErrKeyMissing):
		return "the vault's key is gone from the keyring; acctui vault reset starts a new vault and keeps the old file"
	case errors.Is(err, vault.ErrCorrupt), errors.Is(err, vault.ErrUnsupportedVersion):
		return "the vault file was left untouched; acctui vault reset moves it aside and starts a new one"
	}
	flow := flowOf(err)
	return adviceFor(remedy.For(err, flow), flow == remedy.FlowSilent)
}

// flowOf tells which flow an error came from, by the grant it refused.
func flowOf(err error) remedy.Flow {
	var ie *engine.Error
	if !errors.As(err, &ie) {
		return remedy.FlowOther
	}
	switch ie.GrantType {
	case "password":
		return remedy.FlowPassword
	case "urn:ietf:params:oauth:grant-type:device_code":
		return remedy.FlowDevice
	case "authorization_code":
		return remedy.FlowBrowser
	case "refresh_token":
		return remedy.FlowSilent
	}
	return remedy.FlowOther
}

// adviceFor words a remedy as commands to run. inVault says the account
// is in the vault (a silent call failed), so acctui token --claims can
// answer a claims challenge for it.
func adviceFor(r remedy.Remedy, inVault bool) string {
	login := loginCommand(r.Claims, inVault)
	switch r.Kind {
	case remedy.Wait:
		return fmt.Sprintf("the identity provider asked clients to wait; retry after %s", r.Wait.Round(time.Second))
	case remedy.CheckPassword:
		return "check the username and password"
	case remedy.UseBrowserOrDevice:
		return "this account needs multi-factor authentication or consent, which password sign-in cannot do: sign in with " + login
	case remedy.UseBrowser:
		return "a Conditional Access policy blocks device code sign-in for this account: use acctui login --method browser"
	case remedy.CompliantDevice:
		return "a Conditional Access policy blocked this sign-in: use acctui login --method browser on a compliant device, or ask your administrator"
	case remedy.AccountDisabled:
		return "the account is disabled; contact the tenant's administrator"
	case remedy.UnknownApp:
		return "check --client-id and the tenant (--tenant or --authority)"
	case remedy.UnknownTenant:
		return "check the tenant name or id"
	case remedy.WrongTenant:
		return "the account is not in this tenant: pass --tenant with the account's own tenant"
	case remedy.BadScope:
		return "check --scope (one resource per request, such as https://graph.microsoft.com/.default)"
	case remedy.Consent:
		return "consent is needed: sign in with acctui login --method browser"
	case remedy.ClaimsChallenge:
		return "the identity provider asks for more (a claims challenge): sign in with " + login
	case remedy.SignInAgain:
		return "sign in again with " + login
	case remedy.CodeExpired:
		return "the code was not used in time; run acctui login --method device again"
	case remedy.Declined:
		return "the sign-in was declined; run acctui login again if that was a mistake"
	case remedy.BrowserTimeout:
		return "no answer from the browser in time; run acctui login again (or use --method device)"
	case remedy.Network:
		return "check the network, the authority URL (--authority) and --ca-file"
	case remedy.TooSlow:
		return "it took too long; check the network and retry"
	case remedy.ServerProblem:
		return "the identity provider had a problem; retry later"
	}
	return ""
}

// loginCommand is the sign-in to suggest, carrying a claims challenge when
// there is one (it holds policy ids, not secrets).
func loginCommand(claims string, inVault bool) string {
	if claims == "" {
		return "acctui login --method browser (or --method device)"
	}
	quoted := "'" + strings.ReplaceAll(safetext.Compact(claims), "'", `'\''`) + "'"
	login := "acctui login --method browser --claims " + quoted + " (or --method device)"
	if !inVault {
		return login
	}
	return login + ", or pass --claims " + quoted + " to acctui token"
}
