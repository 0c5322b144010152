// Package vault keeps acctui's token cache on disk: encrypted, locked
// against concurrent writers and replaced atomically, so that a crash, a
// second acctui process or a wrong passphrase never costs an account.
//
// # Envelope encryption
//
// A random 256-bit data key seals the cache with AES-256-GCM. The data key
// itself lives in an OS keyring through github.com/99designs/keyring, as
// the item "vault-key-<key id>": the macOS Keychain, the Windows Credential
// Manager, the Secret Service (GNOME Keyring, KWallet 5.97+), KWallet, pass,
// the kernel keyring (keyctl) or the library's passphrase-protected file
// backend. The key id is a random 16-byte value stored in the clear in the
// vault file, so a vault whose key is gone is reported as such
// (ErrKeyMissing) with the item's name, and Reset makes a new key and a new
// id. Each account's credentials are sealed under a key of its own, itself
// sealed under the data key in the account's summary.
//
// # File format
//
// Format 3 (issue 15): vault.db, 0600 in a 0700 directory, is a
// go.etcd.io/bbolt database (a copy-on-write B+tree: a commit writes the
// pages it changed and then a meta page, with fsync, so a crash leaves the
// last commit). store3.go lists its buckets: one sealed record per
// credential (access, refresh or ID token, Account entry), tagged by its
// tenant's group and then its name (realmgroup.go), one sealed summary per
// account (its key, usernames, environments, realms and record counts per
// group), the listing (listing3.go: what `acctui accounts` and the TUI
// show of each credential, never a secret, grouped by tenant), shared
// records (app and discovery metadata, the active account, unknown
// sections), a name index, and a sealed manifest counting them. Keys are
// keyed hashes, values AES-256-GCM bound to their key. `acctui token
// --account U --tenant T` decrypts the manifest, U's summary, U's
// credentials in T, its home tenant and those without a tenant, and the
// shared records; listing accounts decrypts the listing only; a refresh
// re-seals one token and its listing group and writes a few pages.
// Removing an account deletes its summary and with it its key.
//
// Formats 1 and 2 (one sealed file, vault.acctui, "ACCTUIVT" header;
// format.go, table.go) are still read, and the first write converts them:
// vault.db is written and synced, and only then is vault.acctui replaced by
// a stub, the old header's magic with version 3 (stub.go), so a crash
// leaves the old vault or the new one (the old file is also kept as
// vault.acctui.v2.bak until then). A format 1 or 2 file at vault.acctui is
// the vault whatever vault.db holds. An older acctui reads the stub's
// version first and refuses the vault as written by a newer acctui,
// writing nothing (TestOlderReleaseRefusesFormat3 runs the previous
// release's code against it). `vault status` names vault.db; `vault reset`
// moves both files aside.
//
// # Kernel keyring cache
//
// The file backend asks for a passphrase on every run, which scripts cannot
// answer. With Options.KeyctlCache > 0 the unlocked data key is kept in the
// Linux kernel's per-user keyring ("<service>:vault-key-<key id>") for that
// long, and later runs take it from there without a passphrase. That is a
// trade: for its lifetime any process running as the same user can read the
// key (the kernel grants the user, not one program, read access) and with it
// decrypt the vault; the key is never written to disk, and it is gone at the
// timeout, when the user's last session ends, or at reboot. Leave it at 0 on
// machines where other programs of the same user are not trusted.
//
// # The active account
//
// SetActiveAccount marks one account as the one commands use when several
// match. The mark is an entry of the shared record's metadata section, so
// it is sealed with the cache and cannot disagree with it; a write that
// removes the account's last Account entry drops it, and an import never
// sets it.
//
// # Concurrency and crash safety
//
// Writers take a lock file (vault.acctui.lock) with a bounded wait, then
// bbolt's exclusive lock on vault.db; readers take bbolt's shared lock
// only, and both wait at most Options.LockTimeout. Writers hold the lock
// file first and readers never take it, so the two cannot deadlock, and an
// older acctui, which takes the same lock file, never writes under a
// conversion. Writes compact the file when its free pages pass a megabyte
// and half the file (compact.go); Status reports them. A file that cannot
// be read (wrong passphrase, missing key, damage, unknown version) is never
// written: the key is unlocked and the records authenticated before a
// write commits, meta and free list pages and the root and acctui bucket
// trees (pagewalk.go: a page pointer cycle would overflow bbolt's
// recursion) are checked before bbolt maps the file, the pages an
// operation follows in the big buckets before bbolt follows them
// (pathguard.go), and bbolt's panics on
// damaged pages become ErrCorrupt naming `acctui vault reset`, which moves
// the file aside instead of deleting it.
//
// The vault directory is kept 0700 (a writable one is tightened), and a
// vault or lock file that is a symbolic link is refused. LockAccount is a
// second, per-account lock (refresh-locks/, 64 files shared by keyed hash)
// that a caller holds across a token refresh, so processes that find the
// same token expiring wait, look again and share one refresh.
package vault
