package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"acctui/engine"

	"github.com/spf13/cobra"
)

// azureDevOpsScope is Azure DevOps' resource (the same application id in
// every organisation), with its default permissions.
const azureDevOpsScope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

// gitRequestLimit bounds what acctui reads of one git request: git sends a
// handful of short lines.
const gitRequestLimit = 64 << 10

func newGitCredentialCommand(a *app) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "git-credential get|store|erase",
		Short: "Git credential helper: Azure DevOps tokens for git over HTTPS",
		Long: `A git credential helper. For https://dev.azure.com and
https://*.visualstudio.com it answers git's "get" with an Azure DevOps
access token of the account (--account, else the active account, else the
only one), from the cache or through the refresh token, never a sign-in.
For any other host it answers nothing, so git asks its next helper.
"store" and "erase" write nothing: the token lives in acctui's vault.

  git config --global credential.https://dev.azure.com.helper '!acctui git-credential'`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"get", "store", "erase"},
		RunE: func(cmd *cobra.Command, args []string) error {
			op := args[0]
			if !slices.Contains(cmd.ValidArgs, op) {
				return usagef("git-credential: operation %q is not one of: get, store, erase", op)
			}
			req, err := readGitRequest(a.stdin)
			if err != nil {
				return err
			}
			if op != "get" {
				// git hands over what it used; acctui keeps nothing of it.
				return nil
			}
			if req["host"] == "" {
				return usagef("git-credential: git sent no host (is this acctui run by git as a credential helper?)")
			}
			if !isAzureDevOps(req["protocol"], req["host"]) {
				return nil
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			result, name, err := a.azureDevOpsToken(ctx, account)
			if err != nil {
				return err
			}
			username := req["username"]
			if username == "" {
				username = name
			}
			if strings.ContainsAny(username, "\n\x00") {
				return errors.New("git-credential: the account's username cannot be sent to git")
			}
			_, err = fmt.Fprintf(a.stdout, "username=%s\npassword=%s\npassword_expiry_utc=%d\n",
				username, result.AccessToken.Reveal(), result.ExpiresOn.Unix())
			return err
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "username or home account id (default: the active account, or the only one)")
	return cmd
}

// readGitRequest reads git's key=value lines up to a blank line or the end.
func readGitRequest(r io.Reader) (map[string]string, error) {
	req := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(r, gitRequestLimit))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, usagef("git-credential: a request line without '=': this is not git's credential protocol")
		}
		req[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("git-credential: reading the request: %w", err)
	}
	return req, nil
}

// isAzureDevOps reports whether git asks for Azure DevOps over HTTPS.
func isAzureDevOps(protocol, host string) bool {
	if protocol != "https" {
		return false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "dev.azure.com" || strings.HasSuffix(host, ".visualstudio.com")
}

// azureDevOpsToken gets an Azure DevOps token for git: of the service
// principal or managed identity account names (or the active one), else
// of the person, silently. name is the username git is given.
func (a *app) azureDevOpsToken(ctx context.Context, account string) (result engine.Result, name string, err error) {
	if p, ok, err := a.principalFor(ctx, account); err != nil || ok {
		if err != nil {
			return engine.Result{}, "", err
		}
		result, err := a.principalToken(ctx, p, a.vault, []string{azureDevOpsScope}, false)
		return result, p.Name(), err
	}
	acct, err := a.accountForToken(ctx, account)
	if err != nil {
		return engine.Result{}, "", err
	}
	client, err := a.engineClient(ctx, "")
	if err != nil {
		return engine.Result{}, "", err
	}
	result, err = client.AcquireTokenSilent(ctx, []string{azureDevOpsScope}, acct)
	return result, acct.Username, err
}
