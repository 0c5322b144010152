package tui

import (
	"os"
	"os/signal"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"
)

// sizeKeeper keeps the program's idea of the terminal's size true.
//
// Bubble Tea reads the size once as it starts and subscribes to SIGWINCH
// only later, from a goroutine, so a resize in between is lost: tmux
// attaching a client just after acctui starts left the whole screen laid
// out for the old width, wrapped and half redrawn. Its first size message
// is also sent from a goroutine of its own and can arrive after a newer one.
// So every size message is replaced by the size the terminal has now, and
// SIGWINCH is caught from before the program starts.
type sizeKeeper struct {
	// size reads the terminal's size; an error leaves messages as they are.
	size func() (width, height int, err error)
}

// newSizeKeeper reads the size of the terminal f.
func newSizeKeeper(f *os.File) sizeKeeper {
	return sizeKeeper{size: func() (int, int, error) { return term.GetSize(int(f.Fd())) }}
}

// filter is a tea.WithFilter function: a size message carries the size the
// terminal has when the program handles it.
func (k sizeKeeper) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	if _, ok := msg.(tea.WindowSizeMsg); !ok {
		return msg
	}
	w, h, err := k.size()
	if err != nil || w <= 0 || h <= 0 {
		return msg
	}
	return tea.WindowSizeMsg{Width: w, Height: h}
}

// watch catches SIGWINCH from now on and sends p a size message for each
// (filter fills in the size). Call it before p.Run; stop after it returns.
func (k sizeKeeper) watch(p *tea.Program) (stop func()) {
	if len(resizeSignals) == 0 {
		return func() {}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, resizeSignals...)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-sig:
			}
			w, h, err := k.size()
			if err != nil || w <= 0 || h <= 0 {
				continue
			}
			// Send returns once the program has ended, as its context
			// ends with it.
			p.Send(tea.WindowSizeMsg{Width: w, Height: h})
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
		<-finished
	}
}
