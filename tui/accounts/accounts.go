// Package accounts is the TUI's home screen: the filterable list of signed-in
// accounts, each with a status badge that reads without colour.
package accounts

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/paginator"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/tui/common"
)

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	// Filter starts filtering; ClearFilter drops an applied filter;
	// AcceptFilter and CancelFilter end typing one.
	Filter, ClearFilter, AcceptFilter, CancelFilter           key.Binding
	Open, Add, Refresh, ForceRefresh, Copy, Remove, ViewToken key.Binding
	// Reload reads the list again from the vault; Sort cycles the order.
	Reload, Sort key.Binding
	// Use makes the selected account the active one (acctui use).
	Use key.Binding
}

// LoadedMsg (the accounts-loaded message) carries a fresh account list
// and the active account's home account id ("" when none is). ActiveKnown
// is false when the active account could not be read: the mark then stays
// where it was.
type LoadedMsg struct {
	Accounts    []overview.Account
	Active      string
	ActiveKnown bool
	Err         error
}

// Model is the accounts screen.
type Model struct {
	c       *common.Common
	keys    KeyMap
	list    list.Model
	loading bool
	loaded  bool
	sortBy  SortOrder
	// all is the list as loaded, before sorting.
	all []overview.Account
	// active is the active account's home account id, or "".
	active string
	err    error
	width  int
	height int
	// filterGen numbers the list's commands as they are made, and
	// filterSeen is the number of the newest filter matches taken
	// (filtergen.go).
	filterGen, filterSeen uint64
	// reselect is the selection to restore when they arrive, after the
	// items changed under an applied filter.
	reselect *pendingSelection
}

// New returns the screen, empty until a LoadedMsg arrives (see Load).
func New(c *common.Common, keys KeyMap) Model {
	l := list.New(nil, delegate{c: c}, 0, 0)
	l.Title = "Accounts"
	l.SetShowTitle(false)
	// The screen draws its own count ("2 of 4 accounts").
	l.SetShowStatusBar(false)
	l.Filter = substringFilter
	l.SetShowHelp(false)
	l.SetStatusBarItemName("account", "accounts")
	l.DisableQuitKeybindings()
	l.InfiniteScrolling = false
	// Page numbers ("2/77"), not dots: they read without colour, and the
	// dots of a long list cost time on every resize.
	l.Paginator.Type = paginator.Arabic
	l.FilterInput.Prompt = "Filter: "
	l.KeyMap = list.KeyMap{
		CursorUp:             keys.Up,
		CursorDown:           keys.Down,
		NextPage:             keys.PageDown,
		PrevPage:             keys.PageUp,
		GoToStart:            keys.Home,
		GoToEnd:              keys.End,
		Filter:               keys.Filter,
		ClearFilter:          keys.ClearFilter,
		CancelWhileFiltering: keys.CancelFilter,
		AcceptWhileFiltering: keys.AcceptFilter,
		ShowFullHelp:         key.NewBinding(key.WithDisabled()),
		CloseFullHelp:        key.NewBinding(key.WithDisabled()),
		Quit:                 key.NewBinding(key.WithDisabled()),
		ForceQuit:            key.NewBinding(key.WithDisabled()),
	}
	m := Model{c: c, keys: keys, list: l}
	m.ApplyStyles()
	return m
}

// Load starts reading the account list and the active account; the answer
// comes as LoadedMsg.
func (m *Model) Load() tea.Cmd {
	m.loading = true
	b := m.c.Backend
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (LoadedMsg, error) {
			list, err := b.Accounts(ctx)
			if err != nil {
				return LoadedMsg{}, err
			}
			active, activeErr := b.ActiveAccount(ctx)
			return LoadedMsg{Accounts: list, Active: active, ActiveKnown: activeErr == nil}, nil
		},
		func(msg LoadedMsg, err error) tea.Msg {
			msg.Err = err
			return msg
		})
}

// ApplyStyles takes the current theme's styles into the list's own parts.
func (m *Model) ApplyStyles() {
	s := m.c.Styles
	ls := list.Styles{
		TitleBar:                    lipgloss.NewStyle(),
		Title:                       s.Title,
		Spinner:                     s.Spinner,
		DefaultFilterCharacterMatch: s.Accent.Underline(true),
		StatusBar:                   s.Muted,
		StatusEmpty:                 s.Muted,
		StatusBarActiveFilter:       s.Accent,
		StatusBarFilterCount:        s.Muted,
		NoItems:                     s.Muted,
		PaginationStyle:             s.Muted,
		HelpStyle:                   s.Muted,
		ActivePaginationDot:         s.Accent.SetString("•"),
		InactivePaginationDot:       s.Muted.SetString("·"),
		ArabicPagination:            s.Muted,
		DividerDot:                  s.Muted.SetString(" • "),
	}
	ls.Filter = common.InputStyles(m.c)
	m.list.Styles = ls
	m.list.FilterInput.SetStyles(ls.Filter)
}

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.list.SetSize(width, max(height-1, 1))
}

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update handles keys, the mouse wheel and LoadedMsg.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case MatchesMsg:
		return m.takeMatches(msg)
	case LoadedMsg:
		m.loading = false
		m.err = msg.Err
		if msg.Err != nil {
			return m, nil
		}
		first := !m.loaded
		m.loaded = true
		if msg.ActiveKnown {
			m.active = msg.Active
		}
		cmd := m.setAccounts(msg.Accounts)
		if first && m.active != "" {
			// With several accounts, the one to start on is the active one.
			m.SelectID(m.active)
		}
		return m, cmd
	case tea.MouseClickMsg:
		return m, m.click(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.list.CursorUp()
		case tea.MouseWheelDown:
			m.list.CursorDown()
		}
		return m, nil
	case tea.KeyPressMsg:
		if !m.list.SettingFilter() {
			if cmd, ok := m.action(msg); ok {
				return m, cmd
			}
		}
		if m.list.SettingFilter() && key.Matches(msg, m.keys.AcceptFilter) && len(m.list.VisibleItems()) == 0 {
			// The list would drop a filter that matches nothing; keep it
			// applied, so the user sees "0 of N" and can change it.
			if text := m.list.FilterInput.Value(); text != "" {
				m.list.SetFilterText(text)
				m.filterSeen = m.filterGen // matches still on their way are older
				m.reselect = nil
				return m, nil
			}
		}
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.Update(msg)
	return m, m.numbered(cmd)
}

// action turns a key into a request to the root, when it is one.
func (m *Model) action(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if key.Matches(msg, m.keys.Add) {
		return m.c.Send(common.AddAccountMsg{}), true
	}
	if key.Matches(msg, m.keys.Reload) {
		return m.c.Send(common.ReloadAccountsMsg{}), true
	}
	if key.Matches(msg, m.keys.Sort) {
		m.sortBy = (m.sortBy + 1) % sortOrders
		// an applied filter is computed again over the new order
		return m.setAccounts(m.all), true
	}
	acct, ok := m.Selected()
	if !ok {
		return nil, false
	}
	switch {
	case key.Matches(msg, m.keys.Open):
		return m.c.Send(common.OpenAccountMsg{Account: acct}), true
	case key.Matches(msg, m.keys.Refresh):
		return m.c.Send(common.RefreshMsg{Account: acct}), true
	case key.Matches(msg, m.keys.ForceRefresh):
		return m.c.Send(common.RefreshMsg{Account: acct, Force: true}), true
	case key.Matches(msg, m.keys.Copy):
		return m.c.Send(common.CopyAccessTokenMsg{Account: acct}), true
	case key.Matches(msg, m.keys.Remove):
		return m.c.Send(common.RemoveAccountMsg{Account: acct}), true
	case key.Matches(msg, m.keys.ViewToken):
		return m.c.Send(common.ViewTokenMsg{Account: acct}), true
	case key.Matches(msg, m.keys.Use):
		return m.c.Send(common.UseAccountMsg{Account: acct}), true
	}
	return nil, false
}

// setAccounts replaces the list, keeping the selection on the same account.
func (m *Model) setAccounts(accounts []overview.Account) tea.Cmd {
	m.all = accounts
	selected, _ := m.Selected()
	index := m.list.Index()
	sorted := sortAccounts(accounts, m.sortBy)
	items := make([]list.Item, len(sorted))
	for i, a := range sorted {
		items[i] = item{acct: a, active: m.IsActive(a.HomeAccountID)}
	}
	cmd := m.numbered(m.list.SetItems(items))
	if cmd != nil && m.list.FilterState() != list.Unfiltered {
		m.awaitMatches(selected.HomeAccountID, index)
		return cmd
	}
	if selected.HomeAccountID != "" {
		m.SelectID(selected.HomeAccountID)
	}
	return cmd
}

// SelectID moves the selection to the account with that home account id,
// if it is visible.
func (m *Model) SelectID(homeAccountID string) {
	if m.reselect != nil { // the filter's matches are on their way
		m.reselect.id = homeAccountID
		return
	}
	for i, it := range m.list.VisibleItems() {
		if strings.EqualFold(it.(item).acct.HomeAccountID, homeAccountID) {
			m.list.Select(i)
			return
		}
	}
}

// SetActive marks the account with that home account id as the active one
// ("" marks none), after the user made it active.
func (m *Model) SetActive(homeAccountID string) tea.Cmd {
	if strings.EqualFold(m.active, homeAccountID) {
		return nil
	}
	m.active = homeAccountID
	return m.setAccounts(m.all)
}

// Active is the active account's home account id, or "".
func (m Model) Active() string { return m.active }

// IsActive reports whether the account is the active one.
func (m Model) IsActive(homeAccountID string) bool {
	return m.active != "" && strings.EqualFold(m.active, homeAccountID)
}

// Selected is the account under the cursor.
func (m Model) Selected() (overview.Account, bool) {
	it, ok := m.list.SelectedItem().(item)
	if !ok {
		return overview.Account{}, false
	}
	return it.acct, true
}

// Account finds a loaded account by home account id.
func (m Model) Account(homeAccountID string) (overview.Account, bool) {
	for _, it := range m.list.Items() {
		if a := it.(item).acct; strings.EqualFold(a.HomeAccountID, homeAccountID) {
			return a, true
		}
	}
	return overview.Account{}, false
}

// Len is the number of loaded accounts.
func (m Model) Len() int { return len(m.list.Items()) }

// Typing reports whether the user is typing a filter, when single-letter
// keys must reach the input instead of acting.
func (m Model) Typing() bool { return m.list.SettingFilter() }

// Busy says what the screen is waiting for, or "".
func (m Model) Busy() string {
	if m.loading {
		return "loading accounts…"
	}
	return ""
}

// View draws the screen.
func (m Model) View() string {
	s := m.c.Styles
	switch {
	case m.err != nil && !m.loaded:
		msg, next := common.Explain(m.err, "")
		out := common.Title(s, "Accounts", m.width) + "\n\n" + s.ErrorText.Render(common.Wrap("Could not read the accounts: "+msg, m.width))
		if next != "" {
			out += "\n" + s.Text.Render(common.Wrap("→ "+next, m.width))
		}
		return common.Fit(out, m.height)
	case !m.loaded:
		return common.Fit(common.Title(s, "Accounts", m.width)+"\n\n"+s.Muted.Render("Loading accounts…"), m.height)
	case m.Len() == 0:
		out := common.Title(s, "Accounts", m.width) + "\n\n" +
			s.Text.Render(common.Wrap("No accounts yet.", m.width)) + "\n" +
			s.Muted.Render(common.Wrap("Press "+m.keys.Add.Help().Key+" to sign in to one.", m.width))
		return common.Fit(out, m.height)
	case m.nothingMatches():
		// The list itself would say "No accounts.", which reads as if
		// there were none at all.
		out := m.countLine() + "\n\n" +
			s.Text.Render(common.Wrap("No account matches “"+safetext.Line(m.list.FilterInput.Value())+"”.", m.width)) + "\n" +
			s.Muted.Render(common.Wrap(m.keys.ClearFilter.Help().Key+" clears the filter; "+m.keys.Filter.Help().Key+" changes it.", m.width))
		return common.Fit(out, m.height)
	}
	return common.Fit(m.countLine()+"\n"+m.list.View(), m.height)
}

// nothingMatches reports whether an applied filter hides every account.
func (m Model) nothingMatches() bool {
	return m.list.FilterState() == list.FilterApplied && len(m.list.VisibleItems()) == 0
}

// countLine says how many accounts show of how many, the filter and the
// order: "2 of 4 accounts · filter “con” · by name".
func (m Model) countLine() string {
	s := m.c.Styles
	total, shown := m.Len(), len(m.list.VisibleItems())
	noun := "accounts"
	if total == 1 {
		noun = "account"
	}
	text := fmt.Sprintf("%d %s", total, noun)
	if m.list.FilterState() != list.Unfiltered {
		text = fmt.Sprintf("%d of %d %s", shown, total, noun)
		if m.list.FilterState() == list.FilterApplied {
			text += " · filter “" + safetext.Line(m.list.FilterInput.Value()) + "”"
		}
	}
	text += " · by " + m.sortBy.String()
	if p := m.list.Paginator; p.TotalPages > 1 {
		text += fmt.Sprintf(" · page %d/%d", p.Page+1, p.TotalPages)
	}
	return s.Muted.Render(common.Truncate(text, m.width))
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding {
	if m.list.SettingFilter() {
		return []key.Binding{m.keys.AcceptFilter, m.keys.CancelFilter}
	}
	if m.Len() == 0 {
		return []key.Binding{m.keys.Add}
	}
	if m.nothingMatches() {
		return []key.Binding{m.keys.ClearFilter, m.keys.Filter, m.keys.Add}
	}
	kb := []key.Binding{m.keys.Open, m.keys.Filter, m.keys.Add, m.keys.Refresh, m.keys.Copy, m.keys.Remove, m.keys.Use}
	if m.list.IsFiltered() {
		kb = append([]key.Binding{m.keys.ClearFilter}, kb...)
	}
	return kb
}

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{m.keys.Up, m.keys.Down, m.keys.PageUp, m.keys.PageDown, m.keys.Home, m.keys.End},
		{m.keys.Open, m.keys.Filter, m.keys.ClearFilter, m.keys.Sort},
		{m.keys.Add, m.keys.Refresh, m.keys.ForceRefresh, m.keys.Copy, m.keys.ViewToken, m.keys.Use, m.keys.Remove, m.keys.Reload},
	}
}
