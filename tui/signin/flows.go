package signin

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/tui/backend"
	"acctui/tui/common"
)

// errNoOpener means no way to open a browser was configured.
var errNoOpener = errors.New("no browser opener configured")

// tickMsg redraws the device code's countdown.
type tickMsg struct{ gen int }

// browserURLMsg says the browser sign-in is listening and where to go;
// done delivers its outcome.
type browserURLMsg struct {
	seq     int
	url     string
	openErr error
	done    <-chan resultMsg
}

// deviceCodeMsg carries the identity provider's device code.
type deviceCodeMsg struct {
	seq int
	ctx context.Context
	dc  engine.DeviceCode
	err error
}

// resultMsg is a sign-in's outcome.
type resultMsg struct {
	seq    int
	result engine.Result
	err    error
	// added names an app or identity that was added.
	added string
}

func (m Model) tick() tea.Cmd {
	gen := m.gen
	return m.c.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// flowContext starts a cancellable context for a new flow; Leave cancels it.
func (m *Model) flowContext(timeout time.Duration) (context.Context, int) {
	if m.cancel != nil {
		m.cancel()
	}
	m.seq++
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	m.cancel = cancel
	return ctx, m.seq
}

// startBrowser runs the interactive sign-in. The command returns as soon as
// the URL is known (browserURLMsg), or with the outcome if it ends first.
func (m *Model) startBrowser() tea.Cmd {
	req := m.opts.SignInRequest
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, seq := m.flowContext(timeout + 30*time.Second)
	b := m.c.Backend
	open := m.openBrowser
	return func() tea.Msg {
		urls := make(chan string, 1)
		done := make(chan resultMsg, 1)
		go func() {
			r, err := b.SignInBrowser(ctx, req, func(u string) error {
				select {
				case urls <- u:
				default:
				}
				return nil
			})
			done <- resultMsg{seq: seq, result: r, err: err}
		}()
		select {
		case u := <-urls:
			openErr := errNoOpener
			if open != nil {
				openErr = open(u)
			}
			return browserURLMsg{seq: seq, url: u, openErr: openErr, done: done}
		case r := <-done:
			return r
		}
	}
}

// waitResult waits for a flow started earlier.
func waitResult(seq int, done <-chan resultMsg) tea.Cmd {
	return func() tea.Msg {
		r := <-done
		r.seq = seq
		return r
	}
}

// startDevice asks for a device code.
func (m *Model) startDevice() tea.Cmd {
	req := m.opts.SignInRequest
	ctx, seq := m.flowContext(DeviceFlowTimeout)
	b := m.c.Backend
	return func() tea.Msg {
		callCtx, cancel := context.WithTimeout(ctx, common.CallTimeout)
		defer cancel()
		dc, err := b.StartDeviceCode(callCtx, req)
		return deviceCodeMsg{seq: seq, ctx: ctx, dc: dc, err: err}
	}
}

// pollDevice waits for the user to enter the code.
func (m Model) pollDevice(ctx context.Context, dc engine.DeviceCode) tea.Cmd {
	seq := m.seq
	b := m.c.Backend
	return func() tea.Msg {
		r, err := b.FinishDeviceCode(ctx, dc)
		return resultMsg{seq: seq, result: r, err: err}
	}
}

// signInPassword runs the username/password flow.
func (m *Model) signInPassword(username string, password engine.Secret) tea.Cmd {
	req := m.opts.SignInRequest
	ctx, seq := m.flowContext(common.CallTimeout)
	b := m.c.Backend
	return func() tea.Msg {
		r, err := b.SignInPassword(ctx, req, username, password)
		return resultMsg{seq: seq, result: r, err: err}
	}
}

// signInApp adds an app or managed identity.
func (m *Model) signInApp(req backend.PrincipalRequest, name string) tea.Cmd {
	ctx, seq := m.flowContext(2 * time.Minute)
	b := m.c.Backend
	return func() tea.Msg {
		r, err := b.AddPrincipal(ctx, req)
		return resultMsg{seq: seq, result: r, err: err, added: name}
	}
}
