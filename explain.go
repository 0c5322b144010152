package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
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
	msg := oneLine(err.Error())
	if hint := nextStep(err); hint != "" {
		msg += "; " + hint
	}
	return msg, code
}

// nextStep says what to do about an error, where something can be done.
func nextStep(err error) string {
	var ie *engine.Error
	var throttled *engine.ThrottledError
	var network *engine.NetworkError
	switch {
	case errors.As(err, &throttled):
		return fmt.Sprintf("the identity provider asked clients to wait; retry after %s", throttled.RetryAfter.Round(time.Second))
	case errors.As(err, &ie):
		return nextStepForAADSTS(ie)
	case errors.Is(err, errUnknownAccount):
		return "see the accounts with: acctui accounts"
	case errors.Is(err, engine.ErrNoToken):
		return "sign in with: acctui login"
	case errors.Is(err, engine.ErrDeviceCodeExpired):
		return "the code was not used in time; run acctui login --method device again"
	case errors.Is(err, engine.ErrTimeout):
		return "no answer from the browser in time; run acctui login again (or use --method device)"
	case errors.As(err, &network):
		return "check the network, the authority URL (--authority) and --ca-file"
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "check ACCTUI_VAULT_PASSPHRASE, or start over with acctui vault reset (the old vault is kept)"
	case errors.Is(err, vault.ErrNoPassphrase):
		return "set ACCTUI_VAULT_PASSPHRASE or run acctui on a terminal"
	case errors.Is(err, vault.ErrKeyMissing):
		return "the vault's key is gone from the keyring; acctui vault reset starts a new vault and keeps the old file"
	case errors.Is(err, vault.ErrCorrupt), errors.Is(err, vault.ErrUnsupportedVersion):
		return "the vault file was left untouched; acctui vault reset moves it aside and starts a new one"
	case errors.Is(err, context.DeadlineExceeded):
		return "it took too long; check the network and retry"
	}
	return ""
}

func nextStepForAADSTS(e *engine.Error) string {
	login := "acctui login --method browser (or --method device)"
	if e.Claims != "" {
		// The challenge must travel with the next sign-in; it holds policy
		// ids, not secrets.
		claims := "'" + strings.ReplaceAll(oneLine(e.Claims), "'", `'\''`) + "'"
		login = "acctui login --method browser --claims " + claims + " (or --method device), or pass --claims " + claims + " to acctui token"
	}
	switch {
	case e.HTTPStatus == 429 || e.RetryAfter > 0:
		wait := e.RetryAfter
		if wait <= 0 {
			wait = time.Minute // what the engine assumes for a bare 429
		}
		return fmt.Sprintf("the identity provider asked clients to wait; retry after %s", wait.Round(time.Second))
	case e.HasCode(50126):
		return "check the username and password"
	case (e.HasCode(50076) || e.HasCode(50079)) && e.GrantType == "password":
		return "this account needs multi-factor authentication, which password sign-in cannot do: sign in with " + login
	case e.Claims != "":
		return "the identity provider asks for more (a claims challenge): sign in with " + login
	case e.HasCode(65001) || e.SubError == "consent_required":
		return "consent is needed: sign in with acctui login --method browser"
	case e.HasCode(50057):
		return "the account is disabled; contact the tenant's administrator"
	case e.HasCode(50020):
		return "the account is not in this tenant: pass --tenant with the account's own tenant"
	case e.HasCode(700016):
		return "check --client-id and the tenant (--tenant or --authority)"
	case e.HasCode(90002):
		return "check the tenant name or id"
	case e.HasCode(70011), e.HasCode(28000), e.HasCode(1002012):
		return "check --scope (one resource per request, such as https://graph.microsoft.com/.default)"
	case e.HasCode(530003), e.HasCode(53003):
		return "a Conditional Access policy blocked this sign-in method; use acctui login --method browser on a compliant device"
	case e.Code == "invalid_grant" || engine.IsInteractionRequired(e):
		return "sign in again with " + login
	case e.HTTPStatus >= 500:
		return "the identity provider had a problem; retry later"
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
