package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
)

// Status describes a vault for `acctui vault status`.
type Status struct {
	// Backend is the keyring backend in use ("auto" resolved).
	Backend string `json:"backend"`
	// Path is the file that holds the vault: vault.db (format 3, beside
	// the stub vault.acctui), or vault.acctui for format 1 and 2.
	Path string `json:"path"`
	// LockPath is the lock file beside it.
	LockPath string `json:"lock_path"`
	// Exists reports whether the vault file exists; the fields below are
	// zero when it does not.
	Exists bool `json:"exists"`
	// Accounts is the number of accounts, from the index.
	Accounts int `json:"accounts"`
	// KeyID is the hex id of the data key, which names its keyring item
	// vault-key-<KeyID>.
	KeyID string `json:"key_id,omitempty"`
	// FormatVersion is the file's format version.
	FormatVersion int `json:"format_version,omitempty"`
	// Generation counts the writes the file has seen.
	Generation uint64 `json:"generation,omitempty"`
	// Size is the file's size in bytes.
	Size int64 `json:"size,omitempty"`
	// Free is the size of the file's free pages (format 3): space bbolt
	// reuses for later writes, and that a write compacts away once it is
	// over a megabyte and half the file.
	Free int64 `json:"free_bytes"`
	// Modified is the file's modification time.
	Modified time.Time `json:"modified,omitzero"`
	// KeyFromKernel reports that the data key came from the kernel keyring
	// cache (Options.KeyctlCache) rather than from the backend.
	KeyFromKernel bool `json:"key_from_kernel"`
}

// Status reports on the vault. When the file exists but cannot be opened
// (a wrong passphrase, a missing key, damage) it returns what it could
// learn from the header together with the error.
func (v *Vault) Status(ctx context.Context) (Status, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := Status{Path: v.dataPath(), LockPath: v.lockPath}
	backend, err := v.keys.resolve(ctx)
	if err != nil {
		return st, err
	}
	st.Backend = backend
	info, err := os.Stat(st.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("vault: %w", err)
	}
	st.Exists, st.Size, st.Modified = true, info.Size(), info.ModTime()
	kind, err := v.kindOf()
	if err != nil {
		return st, err
	}
	if kind == kindStore {
		return v.storeStatus(ctx, st)
	}
	if hdr, err := readHeader(v.path); err == nil {
		st.KeyID, st.FormatVersion, st.Generation = hdr.keyID.String(), int(hdr.version), hdr.generation
	}
	if err := v.refresh(ctx); err != nil {
		return st, err
	}
	if !v.snap.exists {
		st.Exists = false // removed since the stat
		return st, nil
	}
	accounts, err := v.accounts()
	if err != nil {
		return st, err
	}
	st.Accounts = len(accounts)
	st.KeyID, st.FormatVersion, st.Generation = v.snap.hdr.keyID.String(), int(v.snap.hdr.version), v.snap.hdr.generation
	st.Size, st.Modified = v.snap.info.Size(), v.snap.info.ModTime()
	st.KeyFromKernel = v.key.fromKernel
	return st, nil
}

// readHeader reads just the header of the vault file at path.
func readHeader(path string) (header, error) {
	f, err := os.Open(path)
	if err != nil {
		return header{}, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	b := make([]byte, headerSize)
	n, _ := f.ReadAt(b, 0)
	return parseHeader(b[:n], path)
}

// Accounts lists the vault's accounts, sorted by home account id, from the
// directory alone: no record is decrypted.
func (v *Vault) Accounts(ctx context.Context) ([]AccountSummary, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	kind, err := v.kindOf()
	if err != nil || kind == kindNone {
		return nil, err
	}
	if kind == kindStore {
		return v.storeAccounts(ctx)
	}
	if err := v.refresh(ctx); err != nil {
		return nil, err
	}
	if !v.snap.exists {
		return nil, nil
	}
	list, err := v.accounts()
	if err != nil {
		return nil, err
	}
	return cloneSummaries(list), nil
}

// accounts returns the decoded summaries of the current snapshot.
func (v *Vault) accounts() ([]AccountSummary, error) {
	if _, err := v.directory(); err != nil {
		return nil, err
	}
	return v.snap.idx.accounts(v.path)
}

// ResolveAccount returns the accounts whose home account id or one of whose
// usernames equals usernameOrHomeID, ignoring case, sorted by home account
// id. A username can name several accounts (a work account and a guest
// account of another cloud), so the caller decides what more than one
// means. The index's name tags find the candidates; only their records are
// decrypted (a hinted read of the account needs them next anyway), and
// their own Account entries confirm the match.
func (v *Vault) ResolveAccount(ctx context.Context, usernameOrHomeID string) ([]AccountSummary, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	kind, err := v.kindOf()
	if err != nil || kind == kindNone {
		return nil, err
	}
	if kind == kindStore {
		return v.storeResolve(ctx, usernameOrHomeID)
	}
	if err := v.refresh(ctx); err != nil {
		return nil, err
	}
	if !v.snap.exists {
		return nil, nil
	}
	var out []AccountSummary
	for _, n := range v.snap.idx.named(nameTag(v.lookup, usernameOrHomeID)) {
		data, err := v.record(v.snap.idx.record(int(n)))
		if err != nil {
			return nil, err
		}
		s, ok := summarize(data)
		if ok && (strings.EqualFold(s.HomeAccountID, usernameOrHomeID) || containsFold(s.Usernames, usernameOrHomeID)) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b AccountSummary) int { return strings.Compare(a.HomeAccountID, b.HomeAccountID) })
	return out, nil
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// cloneSummaries copies summaries so callers cannot change the index.
func cloneSummaries(list []AccountSummary) []AccountSummary {
	out := make([]AccountSummary, len(list))
	for i, s := range list {
		out[i] = AccountSummary{
			HomeAccountID: s.HomeAccountID,
			Usernames:     append([]string(nil), s.Usernames...),
			Environments:  append([]string(nil), s.Environments...),
			Realms:        append([]string(nil), s.Realms...),
		}
	}
	return out
}
