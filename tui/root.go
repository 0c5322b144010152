package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"acctui/themes"
	"acctui/tui/accounts"
	"acctui/tui/clipboard"
	"acctui/tui/common"
	"acctui/tui/confirm"
	"acctui/tui/copier"
	"acctui/tui/detail"
	"acctui/tui/help"
	"acctui/tui/messages"
	"acctui/tui/signin"
	"acctui/tui/statusbar"
	"acctui/tui/token"
	"acctui/tui/unlock"
)

// screen names a screen of the TUI.
type screen int

const (
	screenUnlock screen = iota
	screenAccounts
	screenDetail
	screenSignIn
	screenToken
	screenConfirm
	screenHelp
	screenMessages
)

// page is one row of the screen table: its header title and the screen.
type page struct {
	title string
	s     common.Screen
}

// model is the root: it routes messages to the screen on top, keeps the
// stack of screens below it, and owns the clipboard, the spinner, the status
// line and quitting.
type model struct {
	opts Options
	c    *common.Common
	keys KeyMap

	active screen
	stack  []screen
	// pages is the one table of screens; the typed fields below are the
	// same screens, for the calls that start them (Show, Start, Ask).
	pages map[screen]page

	unlock   unlock.Model
	accounts accounts.Model
	detail   detail.Model
	signin   signin.Model
	token    token.Model
	confirm  confirm.Model
	help     help.Model
	messages messages.Model

	clip *copier.Model

	width, height int

	themeName string
	dark      bool
	// palette is the theme in use; its Background becomes the terminal's.
	palette themes.Theme

	busy string
	bar  *statusbar.Model
	// statusH is how many lines the status bar took when the screens were
	// last sized.
	statusH int

	// heldKeys were typed while the screen on top was still loading what
	// they act on.
	heldKeys []tea.KeyPressMsg

	live live

	// needsSignIn holds the home account ids (lower case) whose silent
	// calls were refused in this session.
	needsSignIn map[string]bool

	pendingSelect string
	quitting      bool
}

func newModel(opts Options) *model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.tick == nil {
		opts.tick = tea.Tick
	}
	if opts.ClipboardClear == 0 {
		opts.ClipboardClear = DefaultClipboardClear
	}
	m := &model{opts: opts, keys: DefaultKeyMap(), themeName: opts.Theme, dark: true, needsSignIn: map[string]bool{}}
	if _, ok := themes.Get(m.themeName); !ok {
		m.themeName = themes.DefaultName
	}
	m.palette = themes.Resolve(m.themeName, opts.NoColor, m.dark)
	m.c = &common.Common{
		Styles:  themes.NewStyles(m.palette),
		Backend: opts.Backend,
		Now:     opts.Now,
		Tick:    opts.tick,
		NoColor: opts.NoColor,
		Scopes:  opts.Scopes,
	}
	m.unlock = unlock.New(m.c, m.keys.unlock(), opts.Unlock)
	m.accounts = accounts.New(m.c, m.keys.accounts())
	m.detail = detail.New(m.c, m.keys.detail())
	m.signin = signin.New(m.c, m.keys.signin(), opts.OpenBrowser)
	m.token = token.New(m.c, m.keys.token())
	m.confirm = confirm.New(m.c, m.keys.confirm())
	m.help = help.New(m.c, m.keys.help(), m.keys.Sections())
	m.messages = messages.New(m.c, m.keys.messages())
	m.pages = map[screen]page{
		screenUnlock:   {"Unlock", &m.unlock},
		screenAccounts: {"Accounts", &m.accounts},
		screenDetail:   {"Account", &m.detail},
		screenSignIn:   {"Sign in", &m.signin},
		screenToken:    {"Token", &m.token},
		screenConfirm:  {"Remove", &m.confirm},
		screenHelp:     {"Help", &m.help},
		screenMessages: {"Messages", &m.messages},
	}
	m.bar = statusbar.New(m.c, m.busyText, m.keys.Messages.Help().Key)
	m.active = screenAccounts
	if opts.NeedsUnlock {
		m.active = screenUnlock
	}
	w, err := opts.ClipboardWriter, error(nil)
	if w == nil {
		mode, modeErr := clipboard.ParseMode(opts.Clipboard)
		w, err = clipboard.Choose(mode, clipboard.SystemEnv(nil))
		if modeErr != nil {
			err = modeErr
		}
	}
	m.clip = copier.New(m.c, w, err, opts.ClipboardClear, m.setStatus)
	m.clip.SetInstead(m.copyInstead)
	return m
}

// Init loads the accounts, or waits for the passphrase, and asks the
// terminal for its background colour when the theme adapts to it.
func (m *model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if !m.opts.NoColor && themes.Adaptive(m.themeName) {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.active != screenUnlock {
		cmds = append(cmds, m.accounts.Load())
	}
	cmds = append(cmds, m.bar.Spin())
	return tea.Batch(cmds...)
}

// Update routes a message and starts the spinner when something is busy.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.update(msg), m.drainOutbox()}
	if len(m.heldKeys) > 0 && !m.holdsKeys() {
		cmds = append(cmds, m.releaseKeys())
	}
	cmds = append(cmds, m.armLive())
	cmds = append(cmds, m.bar.Spin())
	cmd := tea.Batch(cmds...)
	if n := len(m.statusLines()); n != m.statusH && m.width > 0 {
		// A message that wraps takes room from the screen's body.
		m.statusH = n
		m.setSize(m.width, m.height)
	}
	return m, cmd
}

func (m *model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		if m.dark != msg.IsDark() {
			m.dark = msg.IsDark()
			m.applyTheme()
		}
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseClickMsg:
		// Screens count rows from the top of the body, below the header.
		msg.Y--
		return m.forward(msg)
	case common.StatusMsg:
		m.setStatus(msg.Kind, msg.Text)
		return nil
	case common.BackMsg:
		return m.pop()
	case unlock.UnlockedMsg:
		m.active, m.stack = screenAccounts, nil
		m.setStatus(common.StatusOK, "vault unlocked")
		return m.accounts.Load()
	case accounts.LoadedMsg:
		return m.accountsLoaded(msg)
	case accounts.MatchesMsg:
		return m.accounts.Update(msg)
	case common.ReloadAccountsMsg:
		return m.accounts.Load()
	case liveTickMsg:
		return m.liveTick(msg)
	case stampMsg:
		return m.stamped(msg)
	case common.OpenAccountMsg:
		cmd := m.detail.Show(msg.Account)
		m.syncDetailActive()
		return tea.Batch(m.push(screenDetail), cmd)
	case common.ViewTokenMsg:
		cmd := m.token.Show(msg.Account)
		return tea.Batch(m.push(screenToken), cmd)
	case common.AddAccountMsg:
		m.signin.Start(signin.Options{})
		return m.push(screenSignIn)
	case signin.SignedInMsg:
		return m.signedIn(msg)
	case common.SignInAgainMsg:
		return m.signInAgain(msg)
	case common.RemoveAccountMsg:
		m.confirm.Ask(msg.Account)
		return m.push(screenConfirm)
	case confirm.ConfirmedMsg:
		return tea.Batch(m.pop(), m.remove(msg.Account))
	case removedMsg:
		return m.removed(msg)
	case common.RefreshMsg:
		return m.refresh(msg)
	case refreshedMsg:
		return m.refreshed(msg)
	case common.UseAccountMsg:
		return m.useAccount(msg.Account)
	case activeSetMsg:
		return m.activeSet(msg)
	case common.CopyAccessTokenMsg:
		return m.copyAccessToken(msg.Account)
	case tokenForCopyMsg:
		return m.tokenForCopy(msg)
	case common.CopySecretMsg:
		return m.clip.Copy(msg.Label, msg.Secret)
	case common.CopyTextMsg:
		return m.clip.CopyText(msg.Label, msg.Text)
	}
	if cmd, ok := m.clip.Update(msg); ok {
		return cmd
	}
	if cmd, ok := m.bar.Update(msg); ok {
		return cmd
	}
	return m.forward(msg)
}

// handleKey takes the global keys and passes the rest to the screen. While
// the user types (a filter, a passphrase, a form) only ctrl+c is global.
func (m *model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.holdsKeys() && !key.Matches(msg, m.keys.Back) {
		m.heldKeys = append(m.heldKeys, msg)
		return nil
	}
	if !m.typing() {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case key.Matches(msg, m.keys.Help):
			if m.active == screenHelp {
				return m.pop()
			}
			m.help.Show(m.helpFor(m.active))
			return m.push(screenHelp)
		case key.Matches(msg, m.keys.Messages):
			if m.active == screenMessages {
				return m.pop()
			}
			m.messages.Show(m.bar.History())
			return m.push(screenMessages)
		case key.Matches(msg, m.keys.Theme):
			return m.cycleTheme()
		}
	}
	return m.forward(msg)
}

// helpFor lists the keys that work on screen s, then the global ones it
// does not list itself (esc says what it does there once), for the help
// screen.
func (m *model) helpFor(s screen) []help.Section {
	var sections []help.Section
	listed := map[string]bool{}
	if f, ok := m.screen(s).(interface{ FullHelp() [][]key.Binding }); ok {
		var bindings []key.Binding
		for _, group := range f.FullHelp() {
			for _, b := range group {
				if b.Enabled() {
					bindings = append(bindings, b)
					listed[b.Help().Key] = true
				}
			}
		}
		sections = append(sections, help.Section{Title: m.pages[s].title, Bindings: bindings})
	}
	var global []key.Binding
	for _, b := range []key.Binding{m.keys.Back, m.keys.Theme, m.keys.Messages, m.keys.Help, m.keys.Quit, m.keys.ForceQuit} {
		if !listed[b.Help().Key] {
			global = append(global, b)
		}
	}
	return append(sections, help.Section{Title: "Everywhere", Bindings: global})
}

// holdsKeys reports whether the screen on top is loading what the next
// keys act on.
func (m *model) holdsKeys() bool {
	h, ok := m.screen(m.active).(common.KeyHolder)
	return ok && h.HoldsKeys()
}

// releaseKeys replays held keys in order, until the screen holds again.
func (m *model) releaseKeys() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.heldKeys) > 0 && !m.holdsKeys() {
		k := m.heldKeys[0]
		m.heldKeys = m.heldKeys[1:]
		cmds = append(cmds, m.handleKey(k), m.drainOutbox())
	}
	return tea.Batch(cmds...)
}

// drainOutbox does what screens asked for during this Update, now, before
// the next key is read.
func (m *model) drainOutbox() tea.Cmd {
	var cmds []tea.Cmd
	for out := m.c.TakeOutbox(); len(out) > 0; out = m.c.TakeOutbox() {
		for _, o := range out {
			cmds = append(cmds, m.update(o))
		}
	}
	return tea.Batch(cmds...)
}

// forward gives a message to the screen on top.
func (m *model) forward(msg tea.Msg) tea.Cmd {
	return m.screen(m.active).Update(msg)
}

// screen is the table's screen for s.
func (m *model) screen(s screen) common.Screen { return m.pages[s].s }

func (m *model) typing() bool {
	t, ok := m.screen(m.active).(common.Typer)
	return ok && t.Typing()
}

func (m *model) quit() tea.Cmd {
	m.quitting = true
	m.shutdown()
	return tea.Quit
}

// shutdown cancels flows in flight and forgets secrets.
func (m *model) shutdown() {
	for _, p := range m.pages {
		if l, ok := p.s.(common.Leaver); ok {
			l.Leave()
		}
	}
	m.clip.Forget()
}

// push puts a screen on top; the one below is covered.
func (m *model) push(s screen) tea.Cmd {
	if m.active == s {
		return nil
	}
	m.cover(m.active)
	m.stack = append(m.stack, m.active)
	m.active = s
	m.clearStatus()
	return nil
}

// pop closes the screen on top and uncovers the one below.
func (m *model) pop() tea.Cmd {
	if len(m.stack) == 0 {
		return nil
	}
	m.close(m.active)
	m.heldKeys = nil // they were meant for the screen that closed
	m.clearStatus()
	m.active = m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return m.uncover(m.active)
}

// home closes every screen above the accounts list.
func (m *model) home() tea.Cmd {
	m.heldKeys = nil
	if len(m.stack) > 0 {
		m.clearStatus()
	}
	for m.active != screenAccounts && len(m.stack) > 0 {
		m.close(m.active)
		m.active = m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
	}
	return nil
}

// cover pauses what must not run under another screen: the detail
// countdown, a shown token.
func (m *model) cover(s screen) {
	if c, ok := m.screen(s).(common.Coverable); ok {
		c.Cover()
	}
}

// uncover resumes a screen that is on top again.
func (m *model) uncover(s screen) tea.Cmd {
	if r, ok := m.screen(s).(common.Resumer); ok {
		return r.Resume()
	}
	return nil
}

// close ends a screen that leaves the stack.
func (m *model) close(s screen) {
	if l, ok := m.screen(s).(common.Leaver); ok {
		l.Leave()
	}
}

func (m *model) setSize(w, h int) {
	m.width, m.height = w, h
	m.statusH = len(m.statusLines())
	bodyH := max(h-2-m.statusH, 1)
	for _, p := range m.pages {
		p.s.SetSize(w, bodyH)
	}
}

func (m *model) cycleTheme() tea.Cmd {
	if m.opts.NoColor {
		m.setStatus(common.StatusInfo, "NO_COLOR is set: colours stay off")
		return nil
	}
	names := themes.Names()
	next := names[0]
	for i, n := range names {
		if n == m.themeName {
			next = names[(i+1)%len(names)]
		}
	}
	m.themeName = next
	m.applyTheme()
	save := m.opts.SaveTheme
	if save == nil {
		m.setStatus(common.StatusInfo, "theme: "+next)
		return nil
	}
	m.setStatus(common.StatusInfo, "theme: "+next+" (remembered in the config file)")
	return func() tea.Msg {
		if err := save(next); err != nil {
			return common.StatusMsg{Kind: common.StatusWarn, Text: "theme: " + next + ", but it could not be remembered: " + err.Error()}
		}
		return nil
	}
}

func (m *model) applyTheme() {
	m.palette = themes.Resolve(m.themeName, m.opts.NoColor, m.dark)
	m.c.Styles = themes.NewStyles(m.palette)
	m.bar.ApplyStyles()
	for _, p := range m.pages {
		if st, ok := p.s.(common.Styler); ok {
			st.ApplyStyles()
		}
	}
}

func (m *model) setStatus(kind common.StatusKind, text string) { m.bar.Set(kind, text) }

// clearStatus ends the status line's message when the user moves to
// another screen (the messages screen keeps it).
func (m *model) clearStatus() { m.bar.Clear() }

// busyText says what is in progress, from the root, the clipboard or the
// screen on top.
func (m *model) busyText() string {
	if m.busy != "" {
		return m.busy
	}
	if b := m.clip.Busy(); b != "" {
		return b
	}
	if b, ok := m.screen(m.active).(common.Busier); ok {
		return b.Busy()
	}
	return ""
}

// copyInstead says how to get at what a copy failed to deliver, with a key
// that works on the screen the user is on.
func (m *model) copyInstead() string {
	switch m.active {
	case screenToken:
		return "press " + m.keys.Reveal.Help().Key + " to show the token instead"
	case screenSignIn:
		return "copy it from the screen instead"
	}
	return "press " + m.keys.ViewToken.Help().Key + " to see the token instead"
}
