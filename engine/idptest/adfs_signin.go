package idptest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A federated user signs in in the browser at AD FS, not on Entra's page:
// Entra sends the browser to AD FS's passive endpoint (WS-Federation,
// /adfs/ls/?wa=wsignin1.0), AD FS checks the password and posts a token
// back to Entra, which goes on with the sign-in (MFA, consent, the code).

const wsFedTokenLifetime = 5 * time.Minute

// wsFedResult is a token AD FS posted back to Entra for one sign-in.
type wsFedResult struct {
	interaction string
	user        *User
	tenant      *Tenant
	expires     time.Time
}

// redirectToADFS sends the browser to the user's AD FS. Callers hold s.mu.
func (s *Server) redirectToADFS(w http.ResponseWriter, ia *interaction, fed *FederatedDomain, username string) {
	q := url.Values{"wa": {"wsignin1.0"}, "wtrealm": {cloudAudienceURN}, "wctx": {ia.id}, "username": {username}}
	w.Header().Set("Location", s.adfsPassiveURL(fed)+"?"+q.Encode())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}

func (s *Server) adfsPassiveURL(fed *FederatedDomain) string {
	return "/sts/" + strings.ToLower(fed.Domain) + "/adfs/ls/"
}

// handleADFSSignInPage is GET /sts/{domain}/adfs/ls/: AD FS's form.
func (s *Server) handleADFSSignInPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fed, _ := s.dir.federatedDomainByName(r.PathValue("domain"))
	q := r.URL.Query()
	ia := s.state.pending[q.Get("wctx")]
	if fed == nil || q.Get("wa") != "wsignin1.0" || ia == nil {
		renderPage(w, http.StatusBadRequest, "message", pageData{Title: "An error occurred",
			Error: "MSIS7012: An error occurred while processing the request. Contact your administrator for details."})
		return
	}
	s.renderADFS(w, fed, ia.id, q.Get("username"), "")
}

// handleADFSSignIn is POST /sts/{domain}/adfs/ls/: AD FS checks the
// password and posts its token back to Entra.
func (s *Server) handleADFSSignIn(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	fed, tenant := s.dir.federatedDomainByName(r.PathValue("domain"))
	if err := r.ParseForm(); err != nil || fed == nil {
		http.NotFound(w, r)
		return
	}
	ctx, username := r.PostForm.Get("wctx"), r.PostForm.Get("UserName")
	ia := s.state.pending[ctx]
	if ia == nil || s.nowLocked().Sub(ia.created) > interactionTimeout {
		renderPage(w, http.StatusBadRequest, "message", pageData{Title: "An error occurred",
			Error: "MSIS7012: The sign-in request has expired. Start the sign-in again from the application."})
		return
	}
	user, userTenant := s.dir.user(username)
	if user == nil || userTenant != tenant || !strings.HasSuffix(strings.ToLower(user.Username), "@"+strings.ToLower(fed.Domain)) ||
		r.PostForm.Get("Password") != user.Password || user.Disabled {
		s.renderADFS(w, fed, ctx, username, "Incorrect user ID or password. Type the correct user ID and password, and try again.")
		return
	}
	token := randomToken(32)
	s.state.wsfed[token] = &wsFedResult{interaction: ctx, user: user, tenant: tenant, expires: s.nowLocked().Add(wsFedTokenLifetime)}
	s.state.issued = append(s.state.issued, token)
	s.renderFormPost(w, s.loginAction(ia), url.Values{"wa": {"wsignin1.0"}, "wresult": {token}, "wctx": {ctx},
		"ctx": {ctx}, "action": {"wsfed"}})
}

// acceptWSFedLocked takes AD FS's token for a pending sign-in: the user is
// authenticated, and the sign-in goes on as after a password.
func (s *Server) acceptWSFedLocked(w http.ResponseWriter, r *http.Request, ia *interaction) {
	res := s.state.wsfed[r.PostForm.Get("wresult")]
	delete(s.state.wsfed, r.PostForm.Get("wresult"))
	if res == nil || res.interaction != ia.id || s.nowLocked().After(res.expires) {
		s.renderSignIn(w, ia, "AADSTS50008: SAML token is invalid.")
		return
	}
	if oerr := userAllowed(ia.segment, ia.tenant, res.tenant); oerr != nil {
		s.renderSignIn(w, ia, "AADSTS"+strconv.Itoa(oerr.code)+": "+oerr.message)
		return
	}
	ia.user, ia.userTenant, ia.authTime, ia.mfaDone = res.user, res.tenant, s.nowLocked(), false
	s.continueInteraction(w, r, ia)
}

func (s *Server) renderADFS(w http.ResponseWriter, fed *FederatedDomain, ctx, username, errText string) {
	renderPage(w, http.StatusOK, "adfs", pageData{Title: "Sign In", Error: errText, Action: s.adfsPassiveURL(fed),
		Ctx: ctx, LoginHint: username, DomainHint: fed.Domain})
}
