package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"acctui/vault/internal/dbusguard"
	"github.com/99designs/keyring"
)

// keyStore fetches and stores data keys in the configured keyring backend.
// It is used under the Vault's mutex.
type keyStore struct {
	opts *Options
	// wallet is the KWallet wallet: Options.Collection when the caller set
	// it, else KDE's default wallet.
	wallet string
	// backend is the resolved backend, "" until first needed.
	backend string
}

// dataKey is an unlocked data key.
type dataKey struct {
	id         keyID
	key        []byte
	fromKernel bool
}

// itemName is the keyring item that holds the data key with id.
func itemName(id keyID) string { return "vault-key-" + id.String() }

// kernelName is the kernel keyring description of the cached data key.
func (k *keyStore) kernelName(id keyID) string { return k.opts.ServiceName + ":" + itemName(id) }

// load returns the data key with id: from the kernel keyring cache when it
// is on and holds it, else from the backend (caching it in the kernel
// keyring afterwards when the backend is the file backend).
func (k *keyStore) load(ctx context.Context, id keyID) (dataKey, error) {
	if dk, ok := k.fromKernel(id); ok {
		return dk, nil
	}
	key, err := k.get(ctx, id)
	if err != nil {
		return dataKey{}, err
	}
	k.cacheInKernel(id, key)
	return dataKey{id: id, key: key}, nil
}

// fromKernel returns the data key with id from the kernel keyring cache,
// when the cache is on and holds it. It never prompts or waits on a
// backend: two system calls.
func (k *keyStore) fromKernel(id keyID) (dataKey, bool) {
	if k.opts.KeyctlCache <= 0 {
		return dataKey{}, false
	}
	key, err := kernelGet(k.kernelName(id))
	if err != nil || len(key) != keySize {
		return dataKey{}, false
	}
	return dataKey{id: id, key: key, fromKernel: true}, true
}

// cacheInKernel keeps a key unlocked through the file backend in the
// kernel keyring. It is best effort: a kernel without keyctl (or a seccomp
// filter refusing it) only means the next run asks again.
func (k *keyStore) cacheInKernel(id keyID, key []byte) {
	if k.opts.KeyctlCache > 0 && k.backend == BackendFile {
		_ = kernelPut(k.kernelName(id), key, k.opts.KeyctlCache)
	}
}

// forgetKernel drops a cached key from the kernel keyring.
func (k *keyStore) forgetKernel(id keyID) {
	if k.opts.KeyctlCache > 0 {
		_ = kernelForget(k.kernelName(id))
	}
}

// get reads the data key with id from the backend, bypassing the kernel
// keyring cache.
func (k *keyStore) get(ctx context.Context, id keyID) ([]byte, error) {
	backend, err := k.resolve(ctx)
	if err != nil {
		return nil, err
	}
	name := itemName(id)
	pass := ""
	if backend == BackendFile {
		// Look before asking: a missing item must not cost a prompt.
		st, err := os.Stat(filepath.Join(k.opts.FileDir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, k.missing(backend, id)
		}
		if err == nil && st.Size() == 0 {
			return nil, fmt.Errorf("%w: keyring item %s in %s is empty (a write that failed?); %s starts over and keeps the old file",
				ErrCorrupt, name, k.opts.FileDir, k.opts.reset())
		}
		pass, err = k.passphrase(ctx, fmt.Sprintf("Passphrase of the acctui vault (%s)", k.opts.FileDir))
		if err != nil {
			return nil, err
		}
	}
	ring, err := k.open(ctx, backend, pass)
	if err != nil {
		return nil, err
	}
	item, err := call(ctx, k.opts.Timeout, backend, opReadKey, func() (keyring.Item, error) { return ring.Get(name) })
	switch {
	case errors.Is(err, keyring.ErrKeyNotFound):
		return nil, k.missing(backend, id)
	case errors.Is(err, ErrBackendTimeout), ctx.Err() != nil:
		return nil, err
	case err != nil && backend == BackendFile && !errors.As(err, new(*fs.PathError)):
		// Once the item could be read, the file backend fails only when
		// the key does not unwrap: the passphrase does not open it.
		return nil, fmt.Errorf("%w for %s", ErrWrongPassphrase, filepath.Join(k.opts.FileDir, name))
	case err != nil:
		return nil, backendError(backend, "read the data key", err)
	}
	if len(item.Data) != keySize {
		return nil, fmt.Errorf("%w: keyring item %s in %s holds %d bytes, not a %d-byte key",
			ErrCorrupt, name, backend, len(item.Data), keySize)
	}
	return item.Data, nil
}

// missing is the error for a data key the backend does not have.
func (k *keyStore) missing(backend string, id keyID) error {
	where := backend + " keyring"
	switch backend {
	case BackendFile:
		where += " " + k.opts.FileDir
	case BackendPass:
		where += " under " + k.opts.ServiceName + "/"
	}
	return fmt.Errorf("%w: no item %s in the %s (made with another backend? %s starts over and keeps the old file)",
		ErrKeyMissing, itemName(id), where, k.opts.reset())
}

// put stores a new data key in the backend.
func (k *keyStore) put(ctx context.Context, dk dataKey) error {
	backend, err := k.resolve(ctx)
	if err != nil {
		return err
	}
	pass := ""
	if backend == BackendFile {
		pass, err = k.passphrase(ctx, fmt.Sprintf("New passphrase for the acctui vault (%s)", k.opts.FileDir))
		if err != nil {
			return err
		}
		removeEmptyItems(k.opts.FileDir)
	}
	if err := k.set(ctx, backend, pass, itemName(dk.id), dk); err != nil {
		if backend == BackendFile {
			removeEmptyItems(k.opts.FileDir)
		}
		return err
	}
	if backend == BackendFile {
		// The library writes the item without fsync; the vault file that
		// needs it is about to be written with one.
		item := filepath.Join(k.opts.FileDir, itemName(dk.id))
		if err := syncFile(item); err != nil {
			// No vault file names this new key yet: nothing is lost.
			os.Remove(item)
			return err
		}
	}
	k.cacheInKernel(dk.id, dk.key)
	return nil
}

// removeEmptyItems deletes zero-byte key items from the file backend's
// directory: what a first write that failed (a full disk) leaves behind.
// An empty item can hold no key, and one left there would later read as a
// wrong passphrase. It runs under the vault's lock.
func removeEmptyItems(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), "vault-key-") {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() == 0 {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// set writes one item holding dk's key under name.
func (k *keyStore) set(ctx context.Context, backend, pass, name string, dk dataKey) error {
	ring, err := k.open(ctx, backend, pass)
	if err != nil {
		return err
	}
	item := keyring.Item{
		Key:         name,
		Data:        dk.key,
		Label:       "acctui vault key " + dk.id.String(),
		Description: "Data key of the acctui token vault",
	}
	_, err = call(ctx, k.opts.Timeout, backend, "store the data key", func() (struct{}, error) { return struct{}{}, ring.Set(item) })
	if err != nil && !errors.Is(err, ErrBackendTimeout) && ctx.Err() == nil {
		return backendError(backend, "store the data key", err)
	}
	return err
}

// rewrap stores the data key with id under a new passphrase (file backend
// only). The item is written beside the old one and renamed over it, so a
// crash leaves the old passphrase or the new one working, never neither.
func (k *keyStore) rewrap(ctx context.Context, id keyID, newPass string) error {
	backend, err := k.resolve(ctx)
	if err != nil {
		return err
	}
	if backend != BackendFile {
		return fmt.Errorf("vault: change passphrase: the %s keyring has no passphrase of acctui's own: %w", backend, errors.ErrUnsupported)
	}
	if newPass == "" {
		return errors.New("vault: change passphrase: the new passphrase is empty")
	}
	key, err := k.get(ctx, id) // with the current passphrase, not the kernel cache
	if err != nil {
		return err
	}
	name := itemName(id)
	tmp := name + ".new"
	if err := k.set(ctx, backend, newPass, tmp, dataKey{id: id, key: key}); err != nil {
		return err
	}
	if err := syncFile(filepath.Join(k.opts.FileDir, tmp)); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(k.opts.FileDir, tmp), filepath.Join(k.opts.FileDir, name)); err != nil {
		return fmt.Errorf("vault: change passphrase: %w", err)
	}
	return syncDir(k.opts.FileDir)
}

// passphrase returns the file backend's passphrase: the PassphraseEnv
// variable, else the Passphrase callback, else ErrNoPassphrase.
func (k *keyStore) passphrase(ctx context.Context, prompt string) (string, error) {
	env := k.opts.PassphraseEnv
	if env != "" {
		if p := k.opts.Getenv(env); p != "" {
			return p, nil
		}
	}
	if k.opts.Passphrase == nil {
		if env != "" {
			return "", fmt.Errorf("%w: set %s or run on a terminal", ErrNoPassphrase, env)
		}
		return "", ErrNoPassphrase
	}
	p, err := k.opts.Passphrase(ctx, prompt)
	if err != nil {
		return "", fmt.Errorf("vault: passphrase: %w", err)
	}
	if p == "" {
		return "", fmt.Errorf("vault: passphrase: empty (%w)", ErrNoPassphrase)
	}
	return p, nil
}

// open opens the backend, which is always the only allowed one: the
// library never chooses. pass is the file backend's passphrase.
func (k *keyStore) open(ctx context.Context, backend, pass string) (keyring.Keyring, error) {
	prompt := func(string) (string, error) { return "", ErrNoPassphrase }
	if pass != "" {
		prompt = keyring.FixedStringPrompt(pass)
	}
	cfg := keyring.Config{
		AllowedBackends:          []keyring.BackendType{keyring.BackendType(backend)},
		ServiceName:              k.opts.ServiceName,
		KeychainTrustApplication: true,
		FilePasswordFunc:         prompt,
		FileDir:                  k.opts.FileDir,
		KeyCtlScope:              "user",
		KeyCtlPerm:               keyctlPerm(),
		KWalletAppID:             k.opts.ServiceName,
		KWalletFolder:            k.opts.ServiceName,
		LibSecretCollectionName:  k.opts.Collection,
		PassDir:                  k.opts.PassDir,
		PassCmd:                  k.opts.PassCmd,
		PassPrefix:               k.opts.ServiceName,
		WinCredPrefix:            k.opts.ServiceName,
	}
	if backend == BackendKWallet {
		cfg.ServiceName = k.wallet
	}
	if (backend == BackendKWallet || backend == BackendSecretService) && dbusguard.Deferred {
		return nil, ErrDBusDeferred
	}
	if (backend == BackendKWallet || backend == BackendSecretService) && !godbusFindsBus() {
		// Without a bus the library's D-Bus client would run dbus-launch
		// and leave a daemon behind (see internal/dbusguard).
		return nil, fmt.Errorf("vault: the %s keyring needs a D-Bus session bus and there is none (DBUS_SESSION_BUS_ADDRESS is unset); %s",
			backend, suggestion(backend))
	}
	ring, err := call(ctx, k.opts.Timeout, backend, "open", func() (keyring.Keyring, error) { return keyring.Open(cfg) })
	switch {
	case errors.Is(err, keyring.ErrNoAvailImpl):
		return nil, fmt.Errorf("vault: the %s keyring is not available on this system; %s", backend, suggestion(backend))
	case err != nil && !errors.Is(err, ErrBackendTimeout) && ctx.Err() == nil:
		return nil, backendError(backend, "open", err)
	}
	return ring, err
}

// backendError wraps a backend's failure with its name and a way out.
func backendError(backend, op string, err error) error {
	return fmt.Errorf("vault: the %s keyring failed to %s: %w; %s", backend, op, err, suggestion(backend))
}

// suggestion names another backend to try.
func suggestion(backend string) string {
	if backend == BackendFile {
		return "check the keyring directory's permissions, or try --vault-backend pass"
	}
	return "try another backend, e.g. --vault-backend file"
}

// opReadKey is call's name for reading the data key.
const opReadKey = "read the data key"

// call runs f with a deadline. A backend that hangs (a D-Bus service
// waiting for a prompt no one sees, a pass that waits for pinentry) is left
// behind in its goroutine: the keyring library takes no context, and a late
// answer is harmless because nothing reads it.
//
// The keyctl backend opens and stores on a thread of its own (see
// ownThread); reading makes no key, so it needs none.
func call[T any](ctx context.Context, timeout time.Duration, backend, op string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		if backend == BackendKeyctl && op != opReadKey {
			ownThread()
		}
		v, err := f()
		done <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("%w: the %s keyring did not %s within %s; %s",
			ErrBackendTimeout, backend, op, timeout, suggestion(backend))
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("vault: %s keyring: %s: %w", backend, op, ctx.Err())
	}
}
