package engine

import (
	"encoding/json"
	"fmt"
	"time"
)

// callOptions are the per-call settings.
type callOptions struct {
	forceRefresh  bool
	claims        string
	authority     string
	correlationID string
	username      string
	loginHint     string
	domainHint    string
	prompt        string
	maxAge        int
	redirectURI   string
	responseMode  string
	state         string
	port          int
	openURL       func(string) error
	timeout       time.Duration
	// expectedHome is the home account id a sign-in must end with.
	expectedHome string
	// expectedUsername is the username a sign-in must end with.
	expectedUsername string
}

// Option changes one call.
type Option func(*callOptions)

// WithForceRefresh skips the cached access token and asks the identity
// provider for a new one (MSAL Python's force_refresh).
func WithForceRefresh() Option { return func(o *callOptions) { o.forceRefresh = true } }

// WithClaims passes a claims challenge (from an interaction_required error
// or a resource's WWW-Authenticate header) in any form ParseClaimsChallenge
// reads; the cached access token is skipped because it cannot satisfy the
// challenge.
func WithClaims(claimsJSON string) Option { return func(o *callOptions) { o.claims = claimsJSON } }

// WithAuthority uses another authority (another tenant) for this call.
func WithAuthority(authority string) Option { return func(o *callOptions) { o.authority = authority } }

// WithCorrelationID sets the client-request-id sent to the identity provider.
func WithCorrelationID(id string) Option { return func(o *callOptions) { o.correlationID = id } }

// WithUsername filters Accounts by username, ignoring case.
func WithUsername(username string) Option { return func(o *callOptions) { o.username = username } }

// WithLoginHint pre-fills the username on the sign-in page.
func WithLoginHint(username string) Option { return func(o *callOptions) { o.loginHint = username } }

// WithExpectedAccount makes a sign-in a re-authentication of that account:
// the account's username becomes the login hint (unless WithLoginHint sets
// one), and an answer with another account's tokens fails with
// *AccountMismatchError and stores nothing.
func WithExpectedAccount(account Account) Option {
	return func(o *callOptions) {
		o.expectedHome = account.HomeAccountID
		if o.loginHint == "" {
			o.loginHint = account.Username
		}
	}
}

// WithExpectedUsername is WithExpectedAccount for a caller that knows only
// the username (a "sign in again as …" prompt): it is the login hint, and
// an answer whose account has another username fails with
// *AccountMismatchError and stores nothing.
func WithExpectedUsername(username string) Option {
	return func(o *callOptions) {
		o.expectedUsername = username
		o.loginHint = username
	}
}

// WithDomainHint names the user's organisation to skip home-realm discovery.
func WithDomainHint(domain string) Option { return func(o *callOptions) { o.domainHint = domain } }

// WithPrompt sets prompt: none, login, select_account, consent or create.
func WithPrompt(prompt string) Option { return func(o *callOptions) { o.prompt = prompt } }

// WithMaxAge asks the user to sign in again if their session is older.
func WithMaxAge(seconds int) Option { return func(o *callOptions) { o.maxAge = seconds } }

// WithRedirectURI sets the redirect URI of an auth-code flow.
func WithRedirectURI(uri string) Option { return func(o *callOptions) { o.redirectURI = uri } }

// WithResponseMode sets response_mode: query (default) or form_post.
func WithResponseMode(mode string) Option { return func(o *callOptions) { o.responseMode = mode } }

// WithState sets the state of an auth-code flow instead of a random one.
func WithState(state string) Option { return func(o *callOptions) { o.state = state } }

// WithPort fixes the loopback port of an interactive sign-in (for SSH
// port forwarding); 0 picks a free one.
func WithPort(port int) Option { return func(o *callOptions) { o.port = port } }

// WithOpenURL is how an interactive sign-in shows its URL: open a browser,
// print it, draw a QR code. It must not block.
func WithOpenURL(open func(url string) error) Option {
	return func(o *callOptions) { o.openURL = open }
}

// WithTimeout bounds how long an interactive sign-in waits for the browser.
func WithTimeout(d time.Duration) Option { return func(o *callOptions) { o.timeout = d } }

func collect(opts []Option) callOptions {
	o := callOptions{maxAge: -1}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// mergeClaims combines a claims challenge with the client's capabilities
// into one claims request, as MSAL does: capabilities go under
// access_token.xms_cc.
func mergeClaims(challenge string, capabilities []string) (string, error) {
	if challenge == "" && len(capabilities) == 0 {
		return "", nil
	}
	merged := map[string]any{}
	if challenge != "" {
		parsed, err := ParseClaimsChallenge(challenge)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal([]byte(parsed), &merged); err != nil {
			return "", fmt.Errorf("engine: the claims challenge is not a JSON object: %w", err)
		}
	}
	if len(capabilities) > 0 {
		accessToken, _ := merged["access_token"].(map[string]any)
		if accessToken == nil {
			accessToken = map[string]any{}
		}
		accessToken["xms_cc"] = map[string]any{"values": capabilities}
		merged["access_token"] = accessToken
	}
	out, err := json.Marshal(merged)
	if err != nil {
		return "", fmt.Errorf("engine: claims: %w", err)
	}
	return string(out), nil
}
