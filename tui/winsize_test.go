//go:build unix

package tui

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// fakeTerminal is a terminal whose size the test sets.
type fakeTerminal struct{ width, height atomic.Int64 }

func (f *fakeTerminal) keeper() sizeKeeper {
	return sizeKeeper{size: func() (int, int, error) {
		w, h := int(f.width.Load()), int(f.height.Load())
		if w == 0 {
			return 0, 0, errors.New("not a terminal")
		}
		return w, h, nil
	}}
}

// TestSizeMessagesCarryTheTerminalsSizeNow: a size message that arrives
// after the terminal changed again (Bubble Tea's first one is sent from a
// goroutine of its own) carries the size the terminal has now; other
// messages, and sizes that cannot be read, pass as they are.
func TestSizeMessagesCarryTheTerminalsSizeNow(t *testing.T) {
	term := &fakeTerminal{}
	term.width.Store(72)
	term.height.Store(22)
	k := term.keeper()
	if got := k.filter(nil, tea.WindowSizeMsg{Width: 100, Height: 30}); got != (tea.WindowSizeMsg{Width: 72, Height: 22}) {
		t.Fatalf("a stale size became %#v, want the terminal's 72×22", got)
	}
	key := tea.KeyPressMsg{Code: 'j', Text: "j"}
	if got := k.filter(nil, key); got != tea.Msg(key) {
		t.Fatalf("a key became %#v", got)
	}
	term.width.Store(0)
	if got := k.filter(nil, tea.WindowSizeMsg{Width: 100, Height: 30}); got != (tea.WindowSizeMsg{Width: 100, Height: 30}) {
		t.Fatalf("with the size unreadable the message became %#v", got)
	}
}

// resizingModel plays the terminal being resized while the program starts:
// on the first size message it resizes the terminal and sends SIGWINCH, and
// it quits on the second.
type resizingModel struct {
	term *fakeTerminal
	seen *[]tea.WindowSizeMsg
}

func (r resizingModel) Init() tea.Cmd { return nil }
func (r resizingModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	size, ok := msg.(tea.WindowSizeMsg)
	if !ok {
		return r, nil
	}
	*r.seen = append(*r.seen, size)
	if len(*r.seen) > 1 {
		return r, tea.Quit
	}
	r.term.width.Store(72)
	r.term.height.Store(22)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGWINCH); err != nil {
		panic(err)
	}
	return r, nil
}
func (r resizingModel) View() tea.View { return tea.NewView("") }

// TestResizeWhileTheProgramStartsIsSeen: a resize whose SIGWINCH comes
// before Bubble Tea listens for it (it starts listening only after the first
// frame, and not at all without a terminal, as here) still reaches the model
// with the new size. Without watch the signal is ignored and the program
// waits for a size that never comes.
func TestResizeWhileTheProgramStartsIsSeen(t *testing.T) {
	term := &fakeTerminal{}
	term.width.Store(100)
	term.height.Store(30)
	k := term.keeper()
	var seen []tea.WindowSizeMsg
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := tea.NewProgram(resizingModel{term: term, seen: &seen}, tea.WithContext(ctx),
		tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithFilter(k.filter))
	stop := k.watch(p)
	defer stop()
	if _, err := p.Run(); err != nil {
		t.Fatalf("the program ended with %v; it saw %v", err, seen)
	}
	want := []tea.WindowSizeMsg{{Width: 100, Height: 30}, {Width: 72, Height: 22}}
	if len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Fatalf("the model saw %v, want %v", seen, want)
	}
}
