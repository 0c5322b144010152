package idptest

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// The sign-in pages are small and plain; html/template escapes everything
// they echo (login hints, app names, error text). Every form carries the
// interaction id in a hidden "ctx" field and names its button "action", so
// a test's HTTP client can drive them as a person would. The primary
// button comes first in every form, since Enter in a field submits with
// the first button (the layout still shows it on the right).
// layoutSource is parsed on first use: the emulator is linked into the
// acctui binary, and a script's `acctui token` should not pay for it.
const layoutSource = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - acctui identity emulator</title>
<style>
body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:600}
.note{color:#555;font-size:.9rem}.err{color:#a80000;font-weight:600}
label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
.buttons{margin-top:1.4rem;display:flex;gap:.6rem;flex-direction:row-reverse;justify-content:flex-start}
button{padding:.5rem 1.4rem;font-size:1rem;border:1px solid #8a8a8a;background:#fff;cursor:pointer}
button.primary{background:#0067b8;color:#fff;border-color:#0067b8}
.code{font-family:monospace;font-size:1.4rem;letter-spacing:.2rem}
.account{display:block;width:100%;text-align:left;margin:.3rem 0}
footer{max-width:26rem;margin:0 auto;color:#777;font-size:.75rem}
</style></head><body><main>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
{{if .Text}}<p>{{.Text}}</p>{{end}}
{{template "body" .}}
</main><footer>acctui identity emulator: a local test server, not Microsoft. Never enter real credentials here.</footer></body></html>`

var pageBodies = map[string]string{
	"message": ``,
	"signin": `<p class="note">to continue to {{.AppName}}{{if .DomainHint}} (organisation: {{.DomainHint}}){{end}}</p>
<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<label for="login">Email or username</label><input type="text" id="login" name="login" value="{{.LoginHint}}" autocomplete="username" autocapitalize="none" spellcheck="false" autofocus>
<label for="passwd">Password</label><input type="password" id="passwd" name="passwd" autocomplete="current-password">
<div class="buttons"><button class="primary" name="action" value="signin">Sign in</button><button name="action" value="cancel">Cancel</button></div>
</form>`,
	"adfs": `<p class="note">{{.DomainHint}}: sign in with your organizational account</p>
<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="wctx" value="{{.Ctx}}">
<input type="hidden" name="AuthMethod" value="FormsAuthentication">
<label for="userNameInput">User ID</label><input type="text" id="userNameInput" name="UserName" value="{{.LoginHint}}" autocomplete="username" autocapitalize="none" spellcheck="false">
<label for="passwordInput">Password</label><input type="password" id="passwordInput" name="Password" autocomplete="current-password" autofocus>
<div class="buttons"><button class="primary" name="action" value="signin">Sign in</button></div>
</form>`,
	"mfa": `<p>{{.Username}}: approve the sign-in request. This emulator stands in for the Authenticator app: approving here completes multi-factor authentication.</p>
<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<div class="buttons"><button class="primary" name="action" value="mfa">Approve</button><button name="action" value="cancel">Deny</button></div>
</form>`,
	"consent": `<p>{{.AppName}} wants to sign you in as {{.Username}} and:</p>
<ul>{{range .Permissions}}<li>{{.}}</li>{{end}}<li>Maintain access to data you have given it access to</li></ul>
<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<div class="buttons"><button class="primary" name="action" value="consent">Accept</button><button name="action" value="cancel">Cancel</button></div>
</form>`,
	"select": `<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="ctx" value="{{.Ctx}}">
{{range .Accounts}}<button class="account" name="action" value="pick:{{.OID}}">{{.Name}} &lt;{{.Username}}&gt;</button>{{end}}
<button class="account" name="action" value="other">Use another account</button>
<div class="buttons"><button name="action" value="cancel">Cancel</button></div>
</form>`,
	"device-entry": `<p>Enter the code displayed on your app or device.</p>
<form id="idp-form" method="post" action="/devicelogin">
<label for="otc">Code</label><input type="text" id="otc" name="otc" value="{{.UserCode}}" class="code" autocomplete="off" autofocus>
<div class="buttons"><button class="primary" name="action" value="next">Next</button></div>
</form>`,
	"device-confirm": `<p>Are you trying to sign in to <strong>{{.AppName}}</strong> as {{.Username}}? Only continue if you started the sign-in on a device or app you trust.</p>
<form id="idp-form" method="post" action="{{.Action}}">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<div class="buttons"><button class="primary" name="action" value="confirm">Continue</button><button name="action" value="cancel">Cancel</button></div>
</form>`,
	"form-post": `<p>Returning to the application…</p>
<form id="idp-form" method="post" action="{{.Action}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<noscript><div class="buttons"><button class="primary" type="submit">Continue</button></div></noscript>
</form><script>document.getElementById("idp-form").submit()</script>`,
}

// pageTemplates holds one parsed template per page, each sharing the layout.
var pageTemplates = sync.OnceValue(func() map[string]*template.Template {
	layout := template.Must(template.New("layout").Parse(layoutSource))
	out := map[string]*template.Template{}
	for name, body := range pageBodies {
		t := template.Must(layout.Clone())
		template.Must(t.New("body").Parse(body))
		out[name] = t
	}
	return out
})

type pageAccount struct{ OID, Name, Username string }

type pageData struct {
	Title, Text, Error    string
	Action, Ctx           string
	AppName, Username     string
	LoginHint, DomainHint string
	UserCode              string
	Permissions           []string
	Accounts              []pageAccount
	Fields                map[string]string
}

func renderPage(w http.ResponseWriter, status int, name string, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *")
	w.WriteHeader(status)
	_ = pageTemplates()[name].Execute(w, data)
}

func (s *Server) loginAction(ia *interaction) string {
	return "/" + url.PathEscape(ia.segment) + "/login"
}

func (s *Server) renderSignIn(w http.ResponseWriter, ia *interaction, errText string) {
	renderPage(w, http.StatusOK, "signin", pageData{
		Title: "Sign in", Error: errText, Action: s.loginAction(ia), Ctx: ia.id,
		AppName: ia.app.Name, LoginHint: ia.loginHint, DomainHint: ia.domainHint,
	})
}

func (s *Server) renderMFA(w http.ResponseWriter, ia *interaction) {
	renderPage(w, http.StatusOK, "mfa", pageData{
		Title: "Approve sign in request", Action: s.loginAction(ia), Ctx: ia.id, Username: ia.user.Username,
	})
}

func (s *Server) renderConsent(w http.ResponseWriter, ia *interaction) {
	renderPage(w, http.StatusOK, "consent", pageData{
		Title: "Permissions requested", Action: s.loginAction(ia), Ctx: ia.id, AppName: ia.app.Name,
		Username: ia.user.Username, Permissions: ia.scopes.resourceScope,
	})
}

func (s *Server) renderSelectAccount(w http.ResponseWriter, ia *interaction, sess *browserSession) {
	var accounts []pageAccount
	for _, su := range sess.users {
		if user, _ := s.dir.userByOID(su.oid); user != nil {
			accounts = append(accounts, pageAccount{OID: user.ObjectID, Name: user.Name, Username: user.Username})
		}
	}
	renderPage(w, http.StatusOK, "select", pageData{
		Title: "Pick an account", Action: s.loginAction(ia), Ctx: ia.id, Accounts: accounts,
	})
}

func (s *Server) renderDeviceEntry(w http.ResponseWriter, code, errText string) {
	renderPage(w, http.StatusOK, "device-entry", pageData{Title: "Enter code", Error: errText, UserCode: code})
}

func (s *Server) renderDeviceConfirm(w http.ResponseWriter, ia *interaction) {
	renderPage(w, http.StatusOK, "device-confirm", pageData{
		Title: "Are you trying to sign in?", Action: s.loginAction(ia), Ctx: ia.id,
		AppName: ia.app.Name, Username: ia.user.Username,
	})
}

func (s *Server) renderMessage(w http.ResponseWriter, status int, title, text string) {
	renderPage(w, status, "message", pageData{Title: title, Text: text})
}

func (s *Server) renderErrorPage(w http.ResponseWriter, status int, code int, message string) {
	renderPage(w, status, "message", pageData{Title: "Sorry, but we're having trouble signing you in.",
		Error: "AADSTS" + strconv.Itoa(code) + ": " + message})
}

func (s *Server) renderFormPost(w http.ResponseWriter, redirectURI string, params url.Values) {
	fields := map[string]string{}
	for k := range params {
		fields[k] = params.Get(k)
	}
	renderPage(w, http.StatusOK, "form-post", pageData{Title: "Working…", Action: redirectURI, Fields: fields})
}
