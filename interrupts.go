package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts cancels the command's context on SIGINT, SIGTERM or SIGHUP,
// from the moment it is armed. Commands that wait (sign-in, the TUI,
// prompts) arm it when they start; token, accounts, decode and version
// arm it only before a network request or a prompt, because Go's signal
// handling starts three threads, about 11% of a cached `acctui token`,
// which has nothing to wait for. Before arming, a signal ends the process
// the default way; nothing is half-written then (the vault replaces its
// file by rename).
type interrupts struct {
	once   sync.Once
	cancel context.CancelFunc
	ch     chan os.Signal
	done   chan struct{}
}

func newInterrupts(cancel context.CancelFunc) *interrupts {
	return &interrupts{cancel: cancel, done: make(chan struct{})}
}

// arm starts watching for the signals; later calls do nothing.
func (i *interrupts) arm() {
	i.once.Do(func() {
		i.ch = make(chan os.Signal, 1)
		signal.Notify(i.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			select {
			case <-i.ch:
				i.cancel()
			case <-i.done:
			}
		}()
	})
}

// stop gives the signals back their default behaviour.
func (i *interrupts) stop() {
	i.once.Do(func() {}) // no arming after this
	if i.ch != nil {
		signal.Stop(i.ch)
		close(i.done)
	}
}

// armingTransport arms interrupts before its first request, so Ctrl-C
// ends a request that hangs.
type armingTransport struct {
	arm  func()
	next http.RoundTripper
}

func (t armingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.arm()
	return t.next.RoundTrip(r)
}
