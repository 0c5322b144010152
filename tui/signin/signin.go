// Package signin is the sign-in screen: choose the browser, a device code or
// username and password; then the browser's URL and QR code while waiting
// (cancellable), the device code large with its URL, a QR code and a
// countdown, or the deprecated password form. Errors say what to do next.
package signin

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/overview"
	"acctui/tui/backend"
	"acctui/tui/common"
)

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	Up, Down, Submit, Back, NextField, PrevField key.Binding
	// CopyURL copies the sign-in URL; CopyCode the device code; QR shows
	// or hides the browser sign-in's QR code, which rarely fits the screen.
	CopyURL, CopyCode, QR key.Binding
}

// DeviceFlowTimeout bounds a whole device-code sign-in; the code's own
// expiry usually ends it first.
const DeviceFlowTimeout = 20 * time.Minute

// stage is where the sign-in is.
type stage int

const (
	stageChoose     stage = iota // pick a method
	stageForm                    // username and password form
	stageStarting                // asking for a device code or starting the browser flow
	stageBrowser                 // waiting for the browser
	stageDevice                  // showing a device code, polling
	stagePassword                // password sign-in in flight
	stageAppForm                 // app or managed identity form
	stageAppSigning              // app or identity sign-in in flight
)

// SignedInMsg says a sign-in finished; For is the account it was meant to
// sign in again (empty for a new account), which Result may not be.
type SignedInMsg struct {
	Result engine.Result
	For    overview.Account
	// Added names the app or managed identity added, which has no account.
	Added string
}

// Options configure a sign-in: who (LoginHint), a claims challenge, and why
// it is needed (Reason, shown to the user).
type Options struct {
	backend.SignInRequest
	Reason string
	// For is the account to sign in again, when this is a re-sign-in.
	For overview.Account
}

// Model is the sign-in screen.
type Model struct {
	c           *common.Common
	keys        KeyMap
	openBrowser func(string) error
	showQR      bool

	opts    Options
	choice  int
	stage   stage
	method  common.Method
	err     error
	errFrom common.Method

	url     string
	openErr error
	dc      engine.DeviceCode

	username textinput.Model
	password textinput.Model
	focus    int

	// app is the app or managed identity form (apps.go).
	app appForm

	cancel context.CancelFunc
	seq    int
	gen    int
	vp     viewport.Model
	width  int
	height int
}

// methods are the choices, in order; the last two add accounts that are
// not people.
var methods = []method{
	{common.MethodBrowser, "Browser", "system browser; works with MFA and Conditional Access"},
	{common.MethodDevice, "Device code", "sign in on another device (a phone) with a short code"},
	{common.MethodPassword, "Username and password", "deprecated by Microsoft; cannot do MFA"},
	{common.MethodApp, "App (service principal)", "client id, tenant and a secret or certificate"},
	{common.MethodIdentity, "Managed identity", "this Azure resource's own identity"},
}

// New returns the screen; openBrowser opens a URL in the desktop's browser
// (nil: the user opens it).
func New(c *common.Common, keys KeyMap, openBrowser func(string) error) Model {
	user := textinput.New()
	user.Prompt = "Username: "
	user.Placeholder = "name@contoso.com"
	pass := textinput.New()
	pass.Prompt = "Password: "
	pass.EchoMode = textinput.EchoPassword
	pass.EchoCharacter = '•'
	vp := viewport.New()
	vp.MouseWheelEnabled = true
	vp.KeyMap.Up = keys.Up
	vp.KeyMap.Down = keys.Down
	vp.KeyMap.PageUp = key.NewBinding(key.WithKeys("pgup"))
	vp.KeyMap.PageDown = key.NewBinding(key.WithKeys("pgdown"))
	vp.KeyMap.HalfPageUp = key.NewBinding(key.WithDisabled())
	vp.KeyMap.HalfPageDown = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Left = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Right = key.NewBinding(key.WithDisabled())
	m := Model{c: c, keys: keys, openBrowser: openBrowser, username: user, password: pass, vp: vp, app: newAppForm()}
	m.ApplyStyles()
	return m
}

// Start resets the screen for a new sign-in.
func (m *Model) Start(opts Options) {
	m.Leave()
	m.opts = opts
	m.choice = 0
	m.err = nil
	m.username.SetValue(opts.LoginHint)
	m.password.Reset()
	m.app.reset()
}

// Leave cancels a sign-in in flight and stops the countdown.
func (m *Model) Leave() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.seq++
	m.gen++
	m.stage = stageChoose
	m.url, m.openErr, m.dc = "", nil, engine.DeviceCode{}
	m.showQR = false
	m.password.Reset()
	m.username.Blur()
	m.password.Blur()
	m.app.blur() // what was typed stays for a refusal to be fixed (fail)
}

// ShowDeviceCode shows a device code and starts its countdown. The flow
// calls it when the identity provider answered; tests call it with a fixed
// code.
func (m *Model) ShowDeviceCode(dc engine.DeviceCode) tea.Cmd {
	m.stage = stageDevice
	m.method = common.MethodDevice
	m.dc = dc
	m.gen++
	m.vp.GotoTop()
	m.refresh()
	return m.tick()
}

// Pause stops the countdown while another screen covers this one; the
// sign-in itself goes on.
func (m *Model) Pause() { m.gen++ }

// Resume restarts the countdown when the screen is on top again.
func (m *Model) Resume() tea.Cmd {
	m.gen++
	if m.stage != stageDevice {
		return nil
	}
	m.refresh()
	return m.tick()
}

// ApplyStyles takes the current theme's styles.
func (m *Model) ApplyStyles() {
	m.username.SetStyles(common.InputStyles(m.c))
	m.password.SetStyles(common.InputStyles(m.c))
	m.app.setStyles(common.InputStyles(m.c))
	m.refresh()
}

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.username.SetWidth(max(width-len(m.username.Prompt)-2, 8))
	m.password.SetWidth(max(width-len(m.password.Prompt)-2, 8))
	m.app.setWidth(width)
	m.vp.SetWidth(width)
	m.vp.SetHeight(max(height-2, 1))
	m.refresh()
}

// Typing reports whether the user is typing into the form.
func (m Model) Typing() bool { return m.stage == stageForm || m.stage == stageAppForm }

// Busy says what the screen is waiting for, or "".
func (m Model) Busy() string {
	switch m.stage {
	case stageStarting:
		return "starting the sign-in…"
	case stageBrowser:
		return "waiting for the browser sign-in…"
	case stageDevice:
		if m.cancel != nil {
			return "waiting for the device code sign-in…"
		}
	case stagePassword, stageAppSigning:
		return "signing in…"
	}
	return ""
}

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update drives the sign-in.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.gen != m.gen || m.stage != stageDevice {
			return m, nil
		}
		m.refresh()
		return m, m.tick()
	case browserURLMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.stage = stageBrowser
		m.url, m.openErr = msg.url, msg.openErr
		m.vp.GotoTop()
		m.refresh()
		return m, waitResult(msg.seq, msg.done)
	case deviceCodeMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m.fail(msg.err), nil
		}
		tick := m.ShowDeviceCode(msg.dc)
		return m, tea.Batch(tick, m.pollDevice(msg.ctx, msg.dc))
	case resultMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if m.cancel != nil {
			m.cancel()
			m.cancel = nil
		}
		if msg.err != nil {
			return m.fail(msg.err), nil
		}
		added := msg.added
		m.Leave()
		return m, m.c.Send(SignedInMsg{Result: msg.result, For: m.opts.For, Added: added})
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	}
	switch m.stage {
	case stageForm:
		return m.updateInputs(msg)
	case stageAppForm:
		cmd := m.app.update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch m.stage {
	case stageChoose:
		switch {
		case key.Matches(msg, m.keys.Back):
			return m, m.c.Back()
		case key.Matches(msg, m.keys.Up):
			m.choice = (m.choice + len(m.methods()) - 1) % len(m.methods())
		case key.Matches(msg, m.keys.Down):
			m.choice = (m.choice + 1) % len(m.methods())
		case key.Matches(msg, m.keys.Submit):
			return m.choose(m.methods()[m.choice].method)
		}
		return m, nil
	case stageAppForm:
		return m.appKey(msg)
	case stageForm:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.stage = stageChoose
			m.username.Blur()
			m.password.Blur()
			return m, nil
		case key.Matches(msg, m.keys.NextField), key.Matches(msg, m.keys.PrevField):
			cmd := m.setFocus(1 - m.focus)
			return m, cmd
		case key.Matches(msg, m.keys.Submit):
			if m.focus == 0 {
				cmd := m.setFocus(1)
				return m, cmd
			}
			return m.submitPassword()
		}
		return m.updateInputs(msg)
	default:
		if key.Matches(msg, m.keys.Back) {
			m.Leave()
			m.err = nil
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.CopyURL) && m.shownURL() != "":
			return m, m.c.Send(common.CopyTextMsg{Label: "sign-in URL", Text: m.shownURL()})
		case key.Matches(msg, m.keys.CopyCode) && m.stage == stageDevice && m.dc.UserCode != "":
			return m, m.c.Send(common.CopyTextMsg{Label: "device code", Text: m.dc.UserCode})
		case key.Matches(msg, m.keys.QR) && m.stage == stageBrowser:
			m.showQR = !m.showQR
			m.refresh()
			return m, nil
		}
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	}
}

func (m Model) updateInputs(msg tea.Msg) (Model, tea.Cmd) {
	var c1, c2 tea.Cmd
	m.username, c1 = m.username.Update(msg)
	m.password, c2 = m.password.Update(msg)
	return m, tea.Batch(c1, c2)
}

func (m *Model) setFocus(i int) tea.Cmd {
	m.focus = i
	if i == 0 {
		m.password.Blur()
		return m.username.Focus()
	}
	m.username.Blur()
	return m.password.Focus()
}

// choose starts the chosen method.
func (m Model) choose(method common.Method) (Model, tea.Cmd) {
	m.method = method
	m.err = nil
	switch method {
	case common.MethodPassword:
		m.stage = stageForm
		focus := 0
		if m.username.Value() != "" {
			focus = 1
		}
		cmd := m.setFocus(focus)
		return m, cmd
	case common.MethodDevice:
		m.stage = stageStarting
		cmd := m.startDevice()
		return m, cmd
	case common.MethodApp, common.MethodIdentity:
		m.stage = stageAppForm
		cmd := m.app.open(method == common.MethodIdentity)
		return m, cmd
	default:
		m.stage = stageStarting
		cmd := m.startBrowser()
		return m, cmd
	}
}

func (m Model) submitPassword() (Model, tea.Cmd) {
	user := m.username.Value()
	if user == "" {
		cmd := m.setFocus(0)
		return m, cmd
	}
	if m.password.Value() == "" {
		return m, nil
	}
	pass := engine.Secret(m.password.Value())
	m.password.Reset()
	m.password.Blur()
	m.stage = stagePassword
	cmd := m.signInPassword(user, pass)
	return m, cmd
}

// fail shows an error: the password form stays for a wrong password, every
// other failure goes back to the choice with the advice on top.
func (m Model) fail(err error) Model {
	from := m.method
	m.Leave()
	m.err, m.errFrom = err, from
	if errors.Is(err, context.Canceled) {
		m.err = nil
	}
	if from == common.MethodApp || from == common.MethodIdentity {
		// The form stays, without the secret, for a typo to be fixed.
		m.stage = stageAppForm
		m.app.kept(from == common.MethodIdentity)
		return m
	}
	var ie *engine.Error
	if from == common.MethodPassword && errors.As(err, &ie) && ie.HasCode(50126) {
		m.stage = stageForm
		m.setFocus(1)
		return m
	}
	if from == common.MethodPassword || (from == common.MethodDevice && isConditionalAccess(err)) {
		m.choice = 0 // the browser is what the advice names
	}
	return m
}

func isConditionalAccess(err error) bool {
	var ie *engine.Error
	return errors.As(err, &ie) && (ie.HasCode(530003) || ie.HasCode(53003) || ie.HasCode(530002) || ie.HasCode(53000) || ie.HasCode(53001))
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding {
	switch m.stage {
	case stageChoose:
		return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Submit, m.keys.Back}
	case stageForm, stageAppForm:
		return []key.Binding{m.keys.NextField, m.keys.Submit, m.keys.Back}
	case stageBrowser:
		if m.url != "" {
			return []key.Binding{m.keys.CopyURL, m.keys.QR, m.keys.Back}
		}
	case stageDevice:
		return []key.Binding{m.keys.CopyCode, m.keys.CopyURL, m.keys.Back}
	}
	return []key.Binding{m.keys.Back}
}

// FullHelp lists the keys that work at this step of the sign-in.
func (m Model) FullHelp() [][]key.Binding {
	switch m.stage {
	case stageChoose:
		return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Submit, m.keys.Back}}
	case stageForm, stageAppForm:
		return [][]key.Binding{{m.keys.NextField, m.keys.PrevField, m.keys.Submit, m.keys.Back}}
	case stageBrowser:
		if m.url != "" {
			return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Back}, {m.keys.CopyURL, m.keys.QR}}
		}
	case stageDevice:
		return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Back}, {m.keys.CopyCode, m.keys.CopyURL}}
	}
	return [][]key.Binding{{m.keys.Back}}
}

// shownURL is the URL on screen: the browser sign-in's or the device
// code's verification URL.
func (m Model) shownURL() string {
	switch m.stage {
	case stageBrowser:
		return m.url
	case stageDevice:
		return m.dc.VerificationURI
	}
	return ""
}

// Cover pauses the flow's timers while another screen is on top.
func (m *Model) Cover() { m.Pause() }
