package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// given records which options were passed, so a call can refuse the
	// ones it would otherwise ignore.
	given optionSet
}

// Option changes one call. Each With… function says which calls read it;
// a call given an option it does not read fails with ErrOptionNotRead
// rather than ignoring it (WithPort on a silent call is a mistake, not a
// preference).
type Option func(*callOptions)

// ErrOptionNotRead means a call was given an option it does not read.
var ErrOptionNotRead = errors.New("engine: option not read by this call")

// optionSet is a set of options, one bit each.
type optionSet uint32

const (
	optForceRefresh optionSet = 1 << iota
	optClaims
	optAuthority
	optCorrelationID
	optUsername
	optLoginHint
	optExpectedAccount
	optExpectedUsername
	optDomainHint
	optPrompt
	optMaxAge
	optRedirectURI
	optResponseMode
	optState
	optPort
	optOpenURL
	optTimeout
)

// optionNames are the names errors give the options.
var optionNames = []string{
	"WithForceRefresh", "WithClaims", "WithAuthority", "WithCorrelationID", "WithUsername",
	"WithLoginHint", "WithExpectedAccount", "WithExpectedUsername", "WithDomainHint",
	"WithPrompt", "WithMaxAge", "WithRedirectURI", "WithResponseMode", "WithState",
	"WithPort", "WithOpenURL", "WithTimeout",
}

// The options each call reads. They are one list per entry point so that
// a new option, or a new call, has to say where it belongs.
const (
	// redeemOptions are read by every call that redeems a grant.
	redeemOptions = optAuthority | optCorrelationID | optClaims | optExpectedAccount | optExpectedUsername
	// authorizeOptions shape an authorization URL.
	authorizeOptions = optAuthority | optClaims | optLoginHint | optDomainHint | optPrompt | optMaxAge

	silentOptions            = optAuthority | optCorrelationID | optClaims | optForceRefresh
	accountsOptions          = optAuthority | optUsername
	authCodeFlowOptions      = authorizeOptions | optRedirectURI | optResponseMode | optState | optExpectedAccount | optExpectedUsername
	authorizationURLOptions  = authorizeOptions | optRedirectURI | optResponseMode | optState
	interactiveOptions       = authorizeOptions | optExpectedAccount | optExpectedUsername | optRedirectURI | optPort | optOpenURL | optTimeout
	authorizationCodeOptions = redeemOptions
	deviceFlowOptions        = redeemOptions
	usernamePasswordOptions  = redeemOptions
	refreshTokenOptions      = redeemOptions
	clientCredentialOptions  = optAuthority | optCorrelationID | optClaims | optForceRefresh
	managedIdentityOptions   = optForceRefresh
)

// option makes an Option that records itself as given.
func option(which optionSet, set func(*callOptions)) Option {
	return func(o *callOptions) {
		o.given |= which
		set(o)
	}
}

// WithForceRefresh skips the cached access token and asks the identity
// provider for a new one (MSAL Python's force_refresh). Read by
// AcquireTokenSilent, AcquireTokenForClient and
// ManagedIdentityClient.AcquireToken.
func WithForceRefresh() Option {
	return option(optForceRefresh, func(o *callOptions) { o.forceRefresh = true })
}

// WithClaims passes a claims challenge (from an interaction_required error
// or a resource's WWW-Authenticate header) in any form ParseClaimsChallenge
// reads; the cached access token is skipped because it cannot satisfy the
// challenge. Read by every call except Accounts and
// ManagedIdentityClient.AcquireToken.
func WithClaims(claimsJSON string) Option {
	return option(optClaims, func(o *callOptions) { o.claims = claimsJSON })
}

// WithAuthority uses another authority (another tenant) for this call.
// Read by every call except ManagedIdentityClient.AcquireToken.
func WithAuthority(authority string) Option {
	return option(optAuthority, func(o *callOptions) { o.authority = authority })
}

// WithCorrelationID sets the client-request-id sent to the identity
// provider. Read by the calls that send a token request themselves:
// AcquireTokenSilent, AcquireTokenByUsernamePassword,
// AcquireTokenByRefreshToken, AcquireTokenByAuthorizationCode,
// AcquireTokenForClient and InitiateDeviceFlow.
func WithCorrelationID(id string) Option {
	return option(optCorrelationID, func(o *callOptions) { o.correlationID = id })
}

// WithUsername filters Accounts by username, ignoring case. Read by
// Accounts.
func WithUsername(username string) Option {
	return option(optUsername, func(o *callOptions) { o.username = username })
}

// WithLoginHint pre-fills the username on the sign-in page. Read by the
// calls that build an authorization URL: InitiateAuthCodeFlow,
// AuthorizationRequestURL and AcquireTokenInteractive.
func WithLoginHint(username string) Option {
	return option(optLoginHint, func(o *callOptions) { o.loginHint = username })
}

// WithExpectedAccount makes a sign-in a re-authentication of that account:
// the account's username becomes the login hint (unless WithLoginHint sets
// one), and an answer with another account's tokens fails with
// *AccountMismatchError and stores nothing. Read by every sign-in except
// AuthorizationRequestURL, whose redemption has no flow to remember it.
func WithExpectedAccount(account Account) Option {
	return option(optExpectedAccount, func(o *callOptions) {
		o.expectedHome = account.HomeAccountID
		if o.loginHint == "" {
			o.loginHint = account.Username
		}
	})
}

// WithExpectedUsername is WithExpectedAccount for a caller that knows only
// the username (a "sign in again as …" prompt): it is the login hint, and
// an answer whose account has another username fails with
// *AccountMismatchError and stores nothing. Read by the same calls as
// WithExpectedAccount.
func WithExpectedUsername(username string) Option {
	return option(optExpectedUsername, func(o *callOptions) {
		o.expectedUsername = username
		o.loginHint = username
	})
}

// WithDomainHint names the user's organisation to skip home-realm
// discovery. Read by the calls that build an authorization URL.
func WithDomainHint(domain string) Option {
	return option(optDomainHint, func(o *callOptions) { o.domainHint = domain })
}

// WithPrompt sets prompt: none, login, select_account, consent or create.
// Read by the calls that build an authorization URL.
func WithPrompt(prompt string) Option {
	return option(optPrompt, func(o *callOptions) { o.prompt = prompt })
}

// WithMaxAge asks the user to sign in again if their session is older.
// Read by the calls that build an authorization URL.
func WithMaxAge(seconds int) Option {
	return option(optMaxAge, func(o *callOptions) { o.maxAge = seconds })
}

// WithRedirectURI sets the redirect URI of an auth-code flow. Read (and
// required) by InitiateAuthCodeFlow and AuthorizationRequestURL; read by
// AcquireTokenInteractive as an exact loopback redirect to listen on.
func WithRedirectURI(uri string) Option {
	return option(optRedirectURI, func(o *callOptions) { o.redirectURI = uri })
}

// WithResponseMode sets response_mode: query (default) or form_post. Read
// by InitiateAuthCodeFlow and AuthorizationRequestURL.
func WithResponseMode(mode string) Option {
	return option(optResponseMode, func(o *callOptions) { o.responseMode = mode })
}

// WithState sets the state of an auth-code flow instead of a random one.
// Read by InitiateAuthCodeFlow and AuthorizationRequestURL.
func WithState(state string) Option {
	return option(optState, func(o *callOptions) { o.state = state })
}

// WithPort fixes the loopback port of an interactive sign-in (for SSH
// port forwarding); 0 picks a free one. Read by AcquireTokenInteractive.
func WithPort(port int) Option {
	return option(optPort, func(o *callOptions) { o.port = port })
}

// WithOpenURL is how an interactive sign-in shows its URL: open a browser,
// print it, draw a QR code. It must not block. Read (and required) by
// AcquireTokenInteractive.
func WithOpenURL(open func(url string) error) Option {
	return option(optOpenURL, func(o *callOptions) { o.openURL = open })
}

// WithTimeout bounds how long an interactive sign-in waits for the
// browser. Read by AcquireTokenInteractive.
func WithTimeout(d time.Duration) Option {
	return option(optTimeout, func(o *callOptions) { o.timeout = d })
}

// collect applies opts without checking which were given.
func collect(opts []Option) callOptions {
	o := callOptions{maxAge: -1}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// collectFor applies opts for the named call, which reads only the
// options in reads: any other is an error naming it, never ignored.
func collectFor(call string, reads optionSet, opts []Option) (callOptions, error) {
	o := collect(opts)
	if extra := o.given &^ reads; extra != 0 {
		var names []string
		for i, name := range optionNames {
			if extra&(1<<i) != 0 {
				names = append(names, name)
			}
		}
		return o, fmt.Errorf("%w: %s does not read %s", ErrOptionNotRead, call, strings.Join(names, ", "))
	}
	return o, nil
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
