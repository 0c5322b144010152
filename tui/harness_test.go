package tui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"acctui/engine"
	"acctui/engine/idptest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	// Dates in views are local times; pin the zone so golden files do not
	// depend on the machine.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// epoch is the emulator's (and so every view's) starting time.
var epoch = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)

var graph = []string{"https://graph.microsoft.com/.default"}

// passwords of the emulator's demo users.
var passwords = map[string]string{
	"alice@contoso.example": "demo-alice",
	"bob@contoso.example":   "demo-bob",
	"carol@contoso.example": "demo-carol",
	"dave@fabrikam.example": "demo-dave",
}

// env is an emulator, an engine client of it over a memory store, and the
// real backend on both.
type env struct {
	srv     *idptest.Server
	store   *engine.MemoryStore
	client  *engine.Client
	backend Backend
}

func newEnv(t testing.TB, users ...string) *env {
	t.Helper()
	srv := idptest.Start(t, idptest.Options{TLS: true, DeviceCodeInterval: time.Second, Now: func() time.Time { return epoch }})
	store := engine.NewMemoryStore(nil)
	client, err := engine.New(engine.Config{
		ClientID:   idptest.AzureCLIClientID,
		Authority:  srv.Authority("organizations"),
		HTTPClient: srv.Client(),
		Cache:      store,
		Now:        srv.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, store: store, client: client, backend: NewEngineBackend(client, store, graph, srv.Now)}
	for _, u := range users {
		if _, err := client.AcquireTokenByUsernamePassword(context.Background(), graph, u, engine.Secret(passwords[u])); err != nil {
			t.Fatalf("sign in %s: %v", u, err)
		}
	}
	return e
}

// tickReq is what the test clock's timers return instead of sleeping: the
// harness keeps them until a test fires them.
type tickReq struct {
	d  time.Duration
	fn func(time.Time) tea.Msg
}

func fakeTick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return tickReq{d: d, fn: fn} }
}

// harness drives the root model as the Bubble Tea runtime would, but runs
// every command synchronously, keeps timers pending and records what would
// go to the terminal.
type harness struct {
	t     testing.TB
	env   *env
	m     *model
	ticks []tickReq
	raw   []string
	quit  bool
	// hold, when it matches a message produced by a command, stops the
	// commands that message's Update returns: they wait in held.
	hold func(tea.Msg) bool
	held []tea.Cmd
}

func newHarness(t testing.TB, e *env, w, h int, change ...func(*Options)) *harness {
	t.Helper()
	opts := Options{
		Backend:         e.backend,
		Now:             e.srv.Now,
		Scopes:          graph,
		ClipboardWriter: &fakeClipboard{readable: true},
		tick:            fakeTick,
	}
	for _, c := range change {
		c(&opts)
	}
	if err := opts.check(); err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, env: e, m: newModel(opts)}
	hs.run(hs.m.Init(), false)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// send delivers a message and runs what it asks for.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd, false)
}

func (h *harness) run(cmd tea.Cmd, fromHeld bool) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c, fromHeld)
		}
	case tickReq:
		h.ticks = append(h.ticks, msg)
	case tea.RawMsg:
		h.raw = append(h.raw, fmt.Sprint(msg.Msg))
	case tea.QuitMsg:
		h.quit = true
	default:
		if h.hold != nil && h.hold(msg) {
			_, next := h.m.Update(msg)
			if next != nil {
				h.held = append(h.held, next)
			}
			return
		}
		_, next := h.m.Update(msg)
		h.run(next, fromHeld)
	}
}

// release runs the held commands.
func (h *harness) release() {
	held := h.held
	h.held, h.hold = nil, nil
	for _, c := range held {
		h.run(c, true)
	}
}

// fire runs the pending timers whose duration matches d (0: all).
func (h *harness) fire(d time.Duration) int {
	pending := h.ticks
	h.ticks = nil
	n := 0
	for _, tr := range pending {
		if d != 0 && (tr.d != d || isLive(tr)) {
			h.ticks = append(h.ticks, tr)
			continue
		}
		n++
		h.send(tr.fn(h.env.srv.Now()))
	}
	return n
}

// isLive tells the live list's timer from the screens' ones, which tests
// count and fire by duration.
func isLive(tr tickReq) bool {
	_, ok := tr.fn(time.Time{}).(liveTickMsg)
	return ok
}

// fireLive fires the live list's timer, if armed, and reports whether it was.
func (h *harness) fireLive() bool {
	pending := h.ticks
	h.ticks = nil
	fired := false
	for _, tr := range pending {
		if !isLive(tr) {
			h.ticks = append(h.ticks, tr)
			continue
		}
		fired = true
		h.send(tr.fn(h.env.srv.Now()))
	}
	return fired
}

// liveWaits lists the durations the live list's armed timers wait.
func (h *harness) liveWaits() []time.Duration {
	var d []time.Duration
	for _, tr := range h.ticks {
		if isLive(tr) {
			d = append(d, tr.d)
		}
	}
	return d
}

// pendingTicks counts the screens' timers of duration d.
func (h *harness) pendingTicks(d time.Duration) int {
	n := 0
	for _, tr := range h.ticks {
		if tr.d == d && !isLive(tr) {
			n++
		}
	}
	return n
}

// press sends keys: names such as "enter", "esc", "ctrl+c", "shift+tab",
// or single characters.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types every character of s.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(keyMsg(string(r)))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.Key{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"backspace": {Code: tea.KeyBackspace}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "ctrl+r": {Code: 'r', Mod: tea.ModCtrl},
		"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp}, "space": {Code: tea.KeySpace, Text: " "},
	}
	if key, ok := named[k]; ok {
		return tea.KeyPressMsg(key)
	}
	r := []rune(k)[0]
	if unicode.IsUpper(r) {
		return tea.KeyPressMsg{Code: unicode.ToLower(r), ShiftedCode: r, Text: k, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// view is the frame without colours, lines right-trimmed.
func (h *harness) view() string {
	v := h.m.View()
	lines := strings.Split(ansi.Strip(v.Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

var (
	portRE = regexp.MustCompile(`127\.0\.0\.1:\d{4,5}`)
	utiRE  = regexp.MustCompile(`(uti +)([A-Za-z0-9_-]+)`)
	// issuerHashRE is a generic provider's home account id suffix: a hash
	// of its issuer, whose port changes between runs.
	issuerHashRE = regexp.MustCompile(`([0-9a-f-]{36}\.)[0-9a-f]{16}\b`)
)

// normalise replaces what differs between runs: the emulator's port and
// random token ids, with text of the same width.
func normalise(s string) string {
	s = portRE.ReplaceAllStringFunc(s, func(m string) string {
		return "127.0.0.1:" + strings.Repeat("N", len(m)-len("127.0.0.1:"))
	})
	s = issuerHashRE.ReplaceAllString(s, "${1}hhhhhhhhhhhhhhhh")
	return utiRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := utiRE.FindStringSubmatch(m)
		return sub[1] + strings.Repeat("x", len(sub[2]))
	})
}

// golden compares the view with testdata/<name>.golden.
func (h *harness) golden(name string) {
	h.t.Helper()
	got := normalise(h.view()) + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		h.t.Errorf("view differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// contains fails unless the view holds every text.
func (h *harness) contains(texts ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range texts {
		if !strings.Contains(v, s) {
			h.t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}

// fakeClipboard is a clipboard in memory that can be read back.
type fakeClipboard struct {
	mu       sync.Mutex
	text     string
	writes   int
	readable bool
}

func (f *fakeClipboard) Name() string { return "fake-clip" }

func (f *fakeClipboard) Write(_ context.Context, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
	f.writes++
	return nil
}

func (f *fakeClipboard) Read(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text, nil
}

func (f *fakeClipboard) get() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text
}
