package tui

import (
	"charm.land/bubbles/v2/key"

	"acctui/tui/accounts"
	"acctui/tui/common"
	"acctui/tui/confirm"
	"acctui/tui/detail"
	"acctui/tui/help"
	"acctui/tui/messages"
	"acctui/tui/signin"
	"acctui/tui/token"
	"acctui/tui/unlock"
)

// KeyMap is every key binding of the TUI, in one place: screens receive the
// part they use, the help screen is generated from it, and bubbles' list
// gets our bindings instead of its defaults.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Open   key.Binding
	Back   key.Binding
	Filter key.Binding
	// AcceptFilter and CancelFilter end typing a filter.
	AcceptFilter, CancelFilter key.Binding

	Add          key.Binding
	Refresh      key.Binding
	ForceRefresh key.Binding
	Copy         key.Binding
	Remove       key.Binding
	ViewToken    key.Binding
	Reload       key.Binding
	Sort         key.Binding
	// Use makes the selected account the active one, as `acctui use` does.
	Use key.Binding

	Reveal      key.Binding
	SwitchToken key.Binding

	CopyURL, CopyCode, QR key.Binding

	NextField, PrevField key.Binding
	Submit               key.Binding

	Yes, No key.Binding

	Theme     key.Binding
	Messages  key.Binding
	Help      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
}

// DefaultKeyMap returns the bindings acctui ships with, following terminal
// habits (vi-style movement, / to filter, q to quit).
func DefaultKeyMap() KeyMap {
	b := func(keys []string, helpKey, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown"}, "pgdn", "page down"),
		Home:     b([]string{"home", "g"}, "g/home", "first"),
		End:      b([]string{"end", "G"}, "G/end", "last"),

		Open:         b([]string{"enter"}, "enter", "open"),
		Back:         b([]string{"esc"}, "esc", "back"),
		Filter:       b([]string{"/"}, "/", "filter"),
		AcceptFilter: b([]string{"enter"}, "enter", "apply filter"),
		CancelFilter: b([]string{"esc"}, "esc", "cancel filter"),

		Add:          b([]string{"a"}, "a", "add account"),
		Refresh:      b([]string{"r"}, "r", "refresh (sign in again if needed)"),
		ForceRefresh: b([]string{"R"}, "R", "force refresh"),
		Copy:         b([]string{"c"}, "c", "copy token"),
		Remove:       b([]string{"d"}, "d", "remove"),
		ViewToken:    b([]string{"v"}, "v", "view token"),
		Reload:       b([]string{"ctrl+r"}, "ctrl+r", "reload list"),
		Messages:     b([]string{"m"}, "m", "messages in full"),
		CopyURL:      b([]string{"u"}, "u", "copy URL"),
		CopyCode:     b([]string{"c"}, "c", "copy code"),
		QR:           b([]string{"Q"}, "Q", "QR code"),
		Sort:         b([]string{"o"}, "o", "sort: name, tenant, expiry"),
		Use:          b([]string{"u"}, "u", "make active (acctui use)"),

		Reveal:      b([]string{"s"}, "s", "show/hide value"),
		SwitchToken: b([]string{"tab"}, "tab", "access/ID token"),

		NextField: b([]string{"tab"}, "tab", "next field"),
		PrevField: b([]string{"shift+tab"}, "shift+tab", "previous field"),
		Submit:    b([]string{"enter"}, "enter", "choose/submit"),

		Yes: b([]string{"y"}, "y", "yes, remove"),
		No:  b([]string{"n", "esc"}, "n/esc", "no, keep"),

		Theme:     b([]string{"t"}, "t", "next theme"),
		Help:      b([]string{"?"}, "?", "help"),
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit, even while typing"),
	}
}

// Sections groups the bindings for the help screen.
func (k KeyMap) Sections() []help.Section {
	return []help.Section{
		{Title: "Moving", Bindings: []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}},
		{Title: "Accounts", Bindings: []key.Binding{k.Open, k.Filter, k.Add, k.Refresh, k.ForceRefresh, k.Copy, k.ViewToken, k.Use, k.Remove, k.Reload, k.Sort}},
		{Title: "Filter", Bindings: []key.Binding{k.AcceptFilter, k.CancelFilter}},
		{Title: "Token", Bindings: []key.Binding{k.Reveal, k.SwitchToken, k.Copy}},
		{Title: "Sign-in", Bindings: []key.Binding{k.Submit, k.NextField, k.PrevField, k.CopyURL, k.CopyCode, k.QR}},
		{Title: "Confirm", Bindings: []key.Binding{k.Yes, k.No}},
		{Title: "Everywhere", Bindings: []key.Binding{k.Back, k.Theme, k.Messages, k.Help, k.Quit, k.ForceQuit}},
	}
}

// ShortHelp lists the global keys (help.KeyMap).
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit}
}

// FullHelp lists every binding by section (help.KeyMap).
func (k KeyMap) FullHelp() [][]key.Binding {
	sections := k.Sections()
	out := make([][]key.Binding, len(sections))
	for i, s := range sections {
		out[i] = s.Bindings
	}
	return out
}

func (k KeyMap) accounts() accounts.KeyMap {
	return accounts.KeyMap{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Home: k.Home, End: k.End,
		Filter: k.Filter, ClearFilter: k.withHelp(k.Back, "clear filter"), AcceptFilter: k.AcceptFilter, CancelFilter: k.CancelFilter,
		Open: k.Open, Add: k.Add, Refresh: k.withHelp(k.Refresh, "refresh"), ForceRefresh: k.ForceRefresh,
		Copy: k.Copy, Remove: k.Remove, ViewToken: k.ViewToken, Reload: k.Reload, Sort: k.Sort, Use: k.Use,
	}
}

func (k KeyMap) detail() detail.KeyMap {
	return detail.KeyMap{
		ScrollKeys: k.scroll(), Back: k.Back,
		Refresh: k.withHelp(k.Refresh, "refresh"), ForceRefresh: k.ForceRefresh, Copy: k.Copy, Remove: k.Remove, ViewToken: k.ViewToken,
		Use: k.Use,
	}
}

func (k KeyMap) signin() signin.KeyMap {
	return signin.KeyMap{Up: k.Up, Down: k.Down, Submit: k.Submit, Back: k.Back, NextField: k.NextField, PrevField: k.PrevField,
		CopyURL: k.CopyURL, CopyCode: k.CopyCode, QR: k.QR}
}

func (k KeyMap) token() token.KeyMap {
	return token.KeyMap{
		ScrollKeys: k.scroll(), Back: k.Back,
		Reveal: k.Reveal, Switch: k.SwitchToken, Copy: k.Copy,
	}
}

func (k KeyMap) confirm() confirm.KeyMap { return confirm.KeyMap{Yes: k.Yes, No: k.No} }

func (k KeyMap) help() help.KeyMap {
	return help.KeyMap{ScrollKeys: k.scroll(), Back: k.Back}
}

func (k KeyMap) unlock() unlock.KeyMap {
	return unlock.KeyMap{Submit: k.withHelp(k.Submit, "unlock")}
}

// scroll are the keys of a scrolling view.
func (k KeyMap) scroll() common.ScrollKeys {
	return common.ScrollKeys{Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown,
		Home: k.withHelp(k.Home, "top"), End: k.withHelp(k.End, "bottom")}
}

// withHelp is b with another description, for a key that reads differently
// on one screen.
func (k KeyMap) withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

func (k KeyMap) messages() messages.KeyMap {
	return messages.KeyMap{ScrollKeys: k.scroll(), Back: k.Back}
}
