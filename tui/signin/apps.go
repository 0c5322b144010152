package signin

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/tui/backend"
	"acctui/tui/common"
)

// The app form's fields, in order; a managed identity has only the first.
const (
	fieldClientID = iota
	fieldTenant
	fieldSecret
	fieldCertificate
	fieldCertificatePassword
	fieldCount
)

// appForm asks for a service principal (client id, tenant, and a secret or
// a certificate file) or a managed identity (an optional client id). The
// secret and the certificate's password are typed masked and forgotten as
// soon as they are sent.
type appForm struct {
	identity bool
	inputs   [fieldCount]textinput.Model
	focus    int
}

func newAppForm() appForm {
	var f appForm
	prompts := [fieldCount]string{"Client ID:   ", "Tenant:      ", "Secret:      ", "Certificate: ", "Password:    "}
	placeholders := [fieldCount]string{"application id", "tenant id or domain", "client secret (or a certificate below)",
		"path to a PEM or PKCS#12 file", "PKCS#12 password, if any"}
	for i := range f.inputs {
		in := textinput.New()
		in.Prompt, in.Placeholder = prompts[i], placeholders[i]
		if i == fieldSecret || i == fieldCertificatePassword {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		f.inputs[i] = in
	}
	return f
}

// methods are the choices: apps and identities only for a new account, not
// when an account is signed in again.
func (m Model) methods() []method {
	if m.opts.LoginHint != "" || m.opts.For.HomeAccountID != "" {
		return methods[:len(methods)-2]
	}
	return methods
}

// method is one way to sign in.
type method struct {
	method common.Method
	name   string
	about  string
}

func (f *appForm) setStyles(st textinput.Styles) {
	for i := range f.inputs {
		f.inputs[i].SetStyles(st)
	}
}

func (f *appForm) setWidth(width int) {
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(width-len(f.inputs[i].Prompt)-2, 8))
	}
}

// fields is how many fields the form shows.
func (f appForm) fields() int {
	if f.identity {
		return 1
	}
	return fieldCount
}

// open shows an empty form for an app or an identity.
func (f *appForm) open(identity bool) tea.Cmd {
	f.reset()
	f.identity = identity
	if identity {
		f.inputs[fieldClientID].Placeholder = "empty for the system-assigned identity"
	} else {
		f.inputs[fieldClientID].Placeholder = "application id"
	}
	return f.setFocus(0)
}

// kept shows the form again after a refusal: what was typed stays, but
// the secret and the password are typed again.
func (f *appForm) kept(identity bool) {
	f.identity = identity
	f.inputs[fieldSecret].Reset()
	f.inputs[fieldCertificatePassword].Reset()
	if identity {
		f.setFocus(fieldClientID)
	} else {
		f.setFocus(fieldSecret)
	}
}

// blur leaves every field.
func (f *appForm) blur() {
	for i := range f.inputs {
		f.inputs[i].Blur()
	}
}

// reset empties every field.
func (f *appForm) reset() {
	for i := range f.inputs {
		f.inputs[i].Reset()
		f.inputs[i].Blur()
	}
	f.focus = 0
}

func (f *appForm) setFocus(i int) tea.Cmd {
	f.focus = i
	var cmd tea.Cmd
	for j := range f.inputs {
		if j == i {
			cmd = f.inputs[j].Focus()
		} else {
			f.inputs[j].Blur()
		}
	}
	return cmd
}

func (f *appForm) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

func (f appForm) value(i int) string { return strings.TrimSpace(f.inputs[i].Value()) }

// complete reports whether the form can be sent.
func (f appForm) complete() bool {
	if f.identity {
		return true
	}
	return f.value(fieldClientID) != "" && f.value(fieldTenant) != "" &&
		(f.inputs[fieldSecret].Value() != "" || f.value(fieldCertificate) != "")
}

// request takes what was typed; the secrets leave the inputs.
func (f *appForm) request() (backend.PrincipalRequest, string) {
	req := backend.PrincipalRequest{ManagedIdentity: f.identity, ClientID: f.value(fieldClientID)}
	name := "managed identity " + req.ClientID
	if req.ClientID == "" {
		name = "the system-assigned managed identity"
	}
	if !f.identity {
		req.Tenant = f.value(fieldTenant)
		req.Secret = engine.Secret(f.inputs[fieldSecret].Value())
		req.CertificatePath = f.value(fieldCertificate)
		req.CertificatePassword = engine.Secret(f.inputs[fieldCertificatePassword].Value())
		name = "app " + req.ClientID
	}
	f.inputs[fieldSecret].Reset()
	f.inputs[fieldCertificatePassword].Reset()
	f.blur()
	return req, safetext.Line(name)
}

// appKey handles a key on the form: tab moves between fields; enter sends
// the form once it is complete, else moves on.
func (m Model) appKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	n := m.app.fields()
	switch {
	case key.Matches(msg, m.keys.Back):
		m.stage = stageChoose
		m.app.reset()
		return m, nil
	case key.Matches(msg, m.keys.NextField):
		cmd := m.app.setFocus((m.app.focus + 1) % n)
		return m, cmd
	case key.Matches(msg, m.keys.PrevField):
		cmd := m.app.setFocus((m.app.focus + n - 1) % n)
		return m, cmd
	case key.Matches(msg, m.keys.Submit):
		if !m.app.complete() {
			cmd := m.app.setFocus((m.app.focus + 1) % n)
			return m, cmd
		}
		req, name := m.app.request()
		m.stage = stageAppSigning
		cmd := m.signInApp(req, name)
		return m, cmd
	}
	cmd := m.app.update(msg)
	return m, cmd
}

// appView draws the form.
func (m Model) appView(w int) string {
	s := m.c.Styles
	var b strings.Builder
	if m.app.identity {
		b.WriteString(s.Text.Render(common.Wrap("Sign in as this Azure resource's managed identity. Leave the client id empty for the system-assigned one.", w)) + "\n\n")
	} else {
		b.WriteString(s.Text.Render(common.Wrap("Sign in as an app (service principal): its client id, its tenant, and a client secret or a certificate file. The credential is kept in the vault.", w)) + "\n\n")
	}
	for i := 0; i < m.app.fields(); i++ {
		b.WriteString(m.app.inputs[i].View() + "\n")
	}
	return b.String()
}
