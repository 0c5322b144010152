package main

import (
	"context"
	"fmt"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/termqr"

	"github.com/spf13/cobra"
)

type loginOptions struct {
	method        string
	scopes        []string
	username      string
	passwordStdin bool
	noBrowser     bool
	port          int
	tenant        string
	claims        string
	timeout       time.Duration
	principal     principalLoginOptions
}

func newLoginCommand(a *app) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in by browser, device code or username/password",
		Long: `Sign in and keep the account's tokens in the encrypted vault.

  --method browser   opens the system browser (the URL and a QR code are
                     printed too); the answer comes back to 127.0.0.1
  --method device    shows a code to enter at the verification page on any
                     device (default over SSH)
  --method password  username and password (ROPC). Microsoft deprecates
                     this flow; it fails for accounts that need MFA.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.principal.clientIDGiven = a.s.ClientID != defaultClientID
			return a.login(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.method, "method", "", "browser, device or password (default: browser; device over SSH)")
	f.StringArrayVar(&o.scopes, "scope", nil, "scope to consent to; repeatable (default "+defaultScope+")")
	f.StringVar(&o.username, "username", "", "username (login hint for browser sign-in)")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from stdin (password method)")
	f.BoolVar(&o.noBrowser, "no-browser", false, "print the URL instead of opening a browser")
	f.IntVar(&o.port, "port", 0, "fixed loopback port for the browser's answer (for SSH -L forwarding)")
	f.StringVar(&o.tenant, "tenant", "", "tenant id or domain (default: the authority's)")
	f.StringVar(&o.claims, "claims", "", "claims challenge to satisfy: JSON (from an interaction_required error), or a WWW-Authenticate header value or its claims=")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait for the sign-in")
	addPrincipalLoginFlags(f, &o.principal)
	return cmd
}

func (a *app) login(ctx context.Context, o loginOptions) error {
	if o.principal.isPrincipalLogin() {
		return a.loginPrincipal(ctx, o)
	}
	if o.method == "" {
		o.method = "browser"
		if a.getenv("SSH_CONNECTION") != "" {
			o.method = "device"
		}
	}
	if len(o.scopes) == 0 {
		o.scopes = a.defaultScopes()
	}
	scopes := splitScopes(o.scopes)
	if o.passwordStdin && o.method != "password" {
		return usagef("--password-stdin goes with --method password")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout+30*time.Second)
	defer cancel()
	client, err := a.engineClient(ctx, o.tenant)
	if err != nil {
		return err
	}
	if err := a.refuseWeakNewVault(ctx, a.vault); err != nil {
		return err
	}
	var result engine.Result
	switch o.method {
	case "browser":
		result, err = a.loginBrowser(ctx, client, scopes, o)
	case "device":
		result, err = a.loginDevice(ctx, client, scopes, o)
	case "password":
		result, err = a.loginPassword(ctx, client, scopes, o)
	default:
		return usagef("--method %q: want browser, device or password", o.method)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Signed in as %s (%s).\n", safetext.Line(result.Account.Username), safetext.Line(a.accountPlace(result.Account.HomeAccountID)))
	return nil
}

func (a *app) loginBrowser(ctx context.Context, client *engine.Client, scopes []string, o loginOptions) (engine.Result, error) {
	opts := []engine.Option{
		engine.WithPort(o.port), engine.WithTimeout(o.timeout), engine.WithPrompt("select_account"),
		engine.WithOpenURL(func(url string) error {
			// The URL is built from the authority's metadata, which the
			// identity provider serves.
			fmt.Fprintf(a.stderr, "Sign in at this URL (it only works from this machine's browser):\n\n%s\n\n", safetext.Line(url))
			fmt.Fprint(a.stderr, termqr.Render(url, a.colorOn(a.stderr)))
			if !o.noBrowser {
				if err := openBrowser(url, a.getenv); err != nil {
					fmt.Fprintf(a.stderr, "Could not open a browser (%s); open the URL yourself.\n", safetext.Line(err.Error()))
				} else {
					fmt.Fprintln(a.stderr, "A browser window was opened.")
				}
			}
			fmt.Fprintln(a.stderr, "Waiting for the sign-in to finish...")
			return nil
		}),
	}
	if o.username != "" {
		opts = append(opts, engine.WithLoginHint(o.username))
	}
	if o.claims != "" {
		opts = append(opts, engine.WithClaims(o.claims))
	}
	if a.s.RedirectURI != "" {
		opts = append(opts, engine.WithRedirectURI(a.s.RedirectURI))
	}
	return client.AcquireTokenInteractive(ctx, scopes, opts...)
}

func (a *app) loginDevice(ctx context.Context, client *engine.Client, scopes []string, o loginOptions) (engine.Result, error) {
	var opts []engine.Option
	if o.claims != "" {
		opts = append(opts, engine.WithClaims(o.claims))
	}
	dc, err := client.InitiateDeviceFlow(ctx, scopes, opts...)
	if err != nil {
		return engine.Result{}, err
	}
	if err := checkVerificationURI(dc.VerificationURI); err != nil {
		return engine.Result{}, err
	}
	fmt.Fprintf(a.stderr, "%s\n\n  Code: %s\n\n", safetext.Line(dc.Message), safetext.Line(dc.UserCode))
	fmt.Fprint(a.stderr, termqr.Render(dc.VerificationURI, a.colorOn(a.stderr)))
	fmt.Fprintf(a.stderr, "Scan to open %s; the code expires at %s.\n", dc.VerificationURI, dc.ExpiresOn.Local().Format("15:04:05 MST"))
	fmt.Fprintln(a.stderr, "Waiting for the sign-in to finish...")
	return client.AcquireTokenByDeviceFlow(ctx, dc)
}

func (a *app) loginPassword(ctx context.Context, client *engine.Client, scopes []string, o loginOptions) (engine.Result, error) {
	fmt.Fprintln(a.stderr, "Warning: Microsoft deprecates username/password sign-in (ROPC); it cannot do MFA. Prefer --method browser or device.")
	if o.username == "" {
		return engine.Result{}, usagef("--method password needs --username")
	}
	var password string
	var err error
	switch {
	case o.passwordStdin:
		password, err = readStdinSecret(a.stdin)
	case a.stdinTTY:
		password, err = readSecretLine(ctx, a.stderr, "Password for "+safetext.Line(o.username)+": ")
	default:
		return engine.Result{}, usageError{errNoTerminal("a password (use --password-stdin)")}
	}
	if err != nil {
		return engine.Result{}, err
	}
	if password == "" {
		return engine.Result{}, usagef("the password is empty")
	}
	var opts []engine.Option
	if o.claims != "" {
		opts = append(opts, engine.WithClaims(o.claims))
	}
	return client.AcquireTokenByUsernamePassword(ctx, scopes, o.username, engine.Secret(password), opts...)
}
