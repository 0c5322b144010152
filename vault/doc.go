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
// backend. The key id is a random 16-byte value written in the vault file's
// header, so a vault whose key is gone is reported as such (ErrKeyMissing)
// with the item's name, and Reset makes a new key and a new id.
//
// # File format
//
// One file, vault.acctui, 0600 in a 0700 directory, laid out so that a
// single account can be found and read without decrypting the others:
//
//	header     magic, format version (2), flags, key id, generation, and
//	           the nonce and length of the index (52 bytes)
//	index      AES-256-GCM, authenticated with the whole header: a binary
//	           table locating every record by a keyed hash of its id, and
//	           every account by keyed hashes of its home account id and
//	           usernames (case-folded)
//	records    AES-256-GCM, one per home account, each bound to its hash
//	directory  AES-256-GCM: every account's home account id, usernames,
//	           environments and realms, for listing
//
// Each record holds the entries of one home account (its lower-cased
// home_account_id is the record id) as a fragment of the MSAL unified cache
// schema; the shared record, id "", holds everything that belongs to no
// account: app metadata, acctui's discovery metadata, entries without a
// home_account_id and sections acctui does not know. `acctui token
// --account U` decrypts the index (under 100 bytes per account), U's record and
// the shared one; listing accounts decrypts the directory. The byte layout
// is in format.go and table.go. Version 1 files (a JSON index holding the
// directory) are read, and the next write turns them into version 2.
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
// Writers take a lock file (vault.acctui.lock) with a bounded wait, reload
// the file when another process changed it, apply their change and replace
// the file by rename after fsync. Readers take no lock: they hold the file
// they opened, which a rename never changes, so they see the old cache or
// the new one and nothing in between. A file that cannot be read (wrong
// passphrase, missing key, damage, unknown version) is never overwritten;
// Reset moves it aside instead of deleting it.
//
// The vault directory is kept 0700 (a writable one is tightened), and a
// vault or lock file that is a symbolic link is refused, since the rename
// would replace the link. LockAccount is a second, per-account lock
// (refresh-locks/, 64 files shared by keyed hash) that a caller holds
// across a token refresh, so processes that find the same token expiring
// wait, look again and share one refresh.
package vault
