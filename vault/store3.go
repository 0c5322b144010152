package vault

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"

	"acctui/engine/cache"
	"acctui/overview"
	bolt "go.etcd.io/bbolt"
)

// The format 3 file is a bbolt database with these buckets:
//
//	acctui    "format" → "3"; "key_id" → the data key's id (16 bytes, public:
//	          it names the keyring item); "manifest" → sealed {generation,
//	          account and shared record counts}
//	accounts  account tag → sealed summary: the account's own 256-bit key,
//	          then JSON {id, records, entries, account: AccountSummary,
//	          layout, groups: records per realm group}
//	records   account tag ‖ credential tag → one credential (an access,
//	          refresh or ID token or an Account entry), sealed under the
//	          account's key; the credential tag starts with its realm's
//	          group (realmgroup.go), so one tenant's records are adjacent
//	shared    credential tag → one entry of app or discovery metadata, a
//	          token without a home account, or an unknown section whole,
//	          sealed under the data key
//	names     name tag ‖ account tag → nothing: finds accounts by username
//	          or home account id
//
// Tags are HMAC-SHA-256 (cut to 16 bytes) under the lookup key derived
// from the data key (index.go's lookupKey), so keys name no user or tenant.
// Every value is AES-256-GCM, nonce first, with its bucket and key bound in
// as associated data, so no sealed value passes for another. Removing an
// account deletes its summary and with it the only copy of its key: its
// credentials, even on pages bbolt freed but did not overwrite, can no
// longer be opened. (The summary itself may linger on a freed page until it
// is reused or the file is compacted; compaction writes a fresh file.)
var (
	bucketMeta     = []byte("acctui")
	bucketAccounts = []byte("accounts")
	bucketRecords  = []byte("records")
	bucketShared   = []byte("shared")
	bucketNames    = []byte("names")

	metaFormat   = []byte("format")
	metaKeyID    = []byte("key_id")
	metaManifest = []byte("manifest")
)

// manifest counts what the file must hold, so a damaged branch page that
// hides records is an error rather than a smaller vault.
type manifest struct {
	Generation uint64 `json:"generation"`
	Accounts   int    `json:"accounts"`
	Shared     int    `json:"shared"`
}

// summary is an account's summary record, less its key.
type summary struct {
	ID      string          `json:"id"`
	Records int             `json:"records"`
	Entries int             `json:"entries"` // Account entries, for import reports
	Account *AccountSummary `json:"account,omitempty"`
	// Layout is layoutRealm when the records are grouped by realm
	// (realmgroup.go), and Groups then counts them per group.
	Layout int    `json:"layout,omitempty"`
	Groups string `json:"groups,omitempty"`
}

// cred is one credential: an entry of a section, or (in the shared record)
// a section acctui does not know, whole.
type cred struct {
	whole   bool
	section string
	key     string
	val     []byte
	// listed, when set, is what the listing shows of the credential, made
	// by an import's reader from the entry it decoded (listedOf), so the
	// writer neither scans val again nor spends its time on it.
	listed *listedFact
}

// listedFact is a credential's listing entry, or that it has none.
type listedFact struct {
	entry overview.Entry
	ok    bool
}

// name is what a credential's tag is made of.
func (c cred) name() string {
	flag := "e"
	if c.whole {
		flag = "w"
	}
	return flag + c.section + "\x00" + c.key
}

// encodedCap is room enough for a credential's plaintext.
func (c cred) encodedCap() int {
	return 1 + 2*binary.MaxVarintLen32 + len(c.section) + len(c.key) + len(c.val)
}

// sealCred seals c's plaintext under aead in one buffer: the plaintext is
// written where the ciphertext goes and sealed in place, so a write makes
// one copy of each credential, not two.
func sealCred(aead cipher.AEAD, c cred, aad []byte) []byte {
	n := newNonce()
	buf := make([]byte, nonceSize, nonceSize+c.encodedCap()+aead.Overhead())
	copy(buf, n[:])
	plain := c.appendEncoded(buf[nonceSize:nonceSize])
	return aead.Seal(buf, n[:], plain, aad)
}

// appendEncoded appends a credential's plaintext to b: flag, section, key,
// value.
func (c cred) appendEncoded(b []byte) []byte {
	if c.whole {
		b = append(b, 'w')
	} else {
		b = append(b, 'e')
	}
	b = binary.AppendUvarint(b, uint64(len(c.section)))
	b = append(b, c.section...)
	b = binary.AppendUvarint(b, uint64(len(c.key)))
	b = append(b, c.key...)
	return append(b, c.val...)
}

// decodeCred reads what appendEncoded wrote.
func decodeCred(b []byte) (cred, bool) {
	var c cred
	if len(b) < 1 || b[0] != 'e' && b[0] != 'w' {
		return c, false
	}
	c.whole = b[0] == 'w'
	b = b[1:]
	for _, dst := range []*string{&c.section, &c.key} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return c, false
		}
		*dst = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	c.val = b
	return c, true
}

// creds is a record's credentials by tag.
type creds map[tag]cred

// fragmentCreds cuts a fragment (splitCache's output) into credentials.
func fragmentCreds(lookup []byte, frag []byte) (creds, error) {
	out := creds{}
	err := eachMember(frag, func(section string, val []byte) error {
		if !knownSections[section] {
			c := cred{whole: true, section: section, val: val}
			out[credTag(lookup, c)] = c
			return nil
		}
		return eachMember(val, func(key string, entry []byte) error {
			c := cred{section: section, key: key, val: entry}
			out[credTag(lookup, c)] = c
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return out, nil
}

// parse gives the cache the credentials' fragment holds.
func (cs creds) parse() (*cache.Cache, error) {
	entries := map[string][]member{}
	var whole []member
	cs.appendTo(entries, &whole)
	return parseFragment(entries, whole)
}

// appendTo adds the credentials to a document being built.
func (cs creds) appendTo(entries map[string][]member, whole *[]member) {
	for _, c := range cs {
		if c.whole {
			*whole = append(*whole, member{c.section, c.val})
		} else {
			entries[c.section] = append(entries[c.section], member{c.key, c.val})
		}
	}
}

// Associated data of the sealed values.
func recordAAD3(k []byte) []byte  { return append([]byte("acctui v3 record\x00"), k...) }
func sharedAAD3(k []byte) []byte  { return append([]byte("acctui v3 shared\x00"), k...) }
func summaryAAD3(k []byte) []byte { return append([]byte("acctui v3 summary\x00"), k...) }
func manifestAAD3() []byte        { return []byte("acctui v3 manifest") }
func recordKey3(acct, c tag) []byte {
	return append(append(make([]byte, 0, 2*tagLen), acct[:]...), c[:]...)
}

// seal3 seals plain under aead with a fresh nonce, nonce first.
func seal3(aead cipher.AEAD, plain, aad []byte) []byte {
	n := newNonce()
	out := make([]byte, 0, nonceSize+len(plain)+aead.Overhead())
	out = append(out, n[:]...)
	return aead.Seal(out, n[:], plain, aad)
}

// open3 opens what seal3 sealed, into new memory (b may be bbolt's
// read-only map); what names it in the error (made only then: listing
// opens thousands).
func (v *Vault) open3(aead cipher.AEAD, b, aad []byte, what func() string) ([]byte, error) {
	if len(b) < nonceSize+aead.Overhead() {
		return nil, v.damaged(what() + " is too short")
	}
	plain, err := aead.Open(nil, b[:nonceSize], b[nonceSize:], aad)
	if err != nil {
		return nil, v.damaged(what() + " fails authentication")
	}
	v.decrypts.Add(1)
	return plain, nil
}

// account is an account's summary as read: its key and what it says.
type account struct {
	tag  tag
	key  []byte
	aead cipher.AEAD
	sum  summary
}

// readManifest decrypts the manifest.
func (v *Vault) readManifest(tx *bolt.Tx) (manifest, error) {
	var m manifest
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return m, v.damaged("no acctui bucket")
	}
	plain, err := v.open3(v.aead, meta.Get(metaManifest), manifestAAD3(), func() string { return "the manifest" })
	if err != nil {
		return m, err
	}
	if m, err = parseManifest(plain); err != nil {
		return m, v.damaged("the manifest: " + err.Error())
	}
	return m, nil
}

// parseManifest decodes a manifest written by encoding/json with the
// scanner, as parseSummary3 does summaries: every transaction reads the
// manifest, and encoding/json's first decode of a type is costly.
func parseManifest(b []byte) (manifest, error) {
	var m manifest
	err := eachMemberRaw(b, func(name, val []byte) error {
		var err error
		switch string(name) {
		case "generation":
			m.Generation, err = strconv.ParseUint(string(val), 10, 64)
		case "accounts":
			m.Accounts, err = strconv.Atoi(string(val))
		case "shared":
			m.Shared, err = strconv.Atoi(string(val))
		}
		return err
	})
	return m, err
}

// storeKeyID reads the data key's id and checks the format.
func (v *Vault) storeKeyID(tx *bolt.Tx) (keyID, error) {
	var id keyID
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return id, v.damaged("not an acctui vault (no acctui bucket)")
	}
	if f := meta.Get(metaFormat); string(f) != "3" {
		return id, fmt.Errorf("%w: %s has format version %q, this acctui reads versions 1 to 3 (a newer acctui wrote it?)", ErrUnsupportedVersion, v.dbPath, f)
	}
	raw := meta.Get(metaKeyID)
	if len(raw) != keyIDSize {
		return id, v.damaged("the key id")
	}
	copy(id[:], raw)
	for _, b := range [][]byte{bucketAccounts, bucketRecords, bucketShared, bucketNames} {
		if tx.Bucket(b) == nil {
			return id, v.damaged(fmt.Sprintf("no %s bucket", b))
		}
	}
	return id, nil
}

// openAccount decrypts a sealed summary.
func (v *Vault) openAccount(t tag, sealed []byte) (*account, error) {
	return v.openAccountAs(t, sealed, true)
}

// openAccountAs is openAccount; without names the summary's AccountSummary
// is left undecoded (nil): reading credentials needs only the counts, and
// an account in a thousand tenants lists a thousand realms there.
func (v *Vault) openAccountAs(t tag, sealed []byte, names bool) (*account, error) {
	plain, err := v.open3(v.aead, sealed, summaryAAD3(t[:]), func() string { return fmt.Sprintf("account %x", t[:4]) })
	if err != nil {
		return nil, err
	}
	if len(plain) < keySize {
		return nil, v.damaged(fmt.Sprintf("account %x is too short", t[:4]))
	}
	a := &account{tag: t, key: plain[:keySize]}
	if a.sum, err = parseSummary3(plain[keySize:], names); err != nil {
		return nil, v.damaged(fmt.Sprintf("account %x: %v", t[:4], err))
	}
	return a, nil
}

// parseSummary3 decodes a summary written by encoding/json with the
// scanner: listing 10 000 accounts spends its time here.
func parseSummary3(b []byte, names bool) (summary, error) {
	var s summary
	err := eachMemberRaw(b, func(name, val []byte) error {
		var err error
		switch string(name) {
		case "id":
			s.ID, err = stringValue(val)
		case "records":
			s.Records, err = strconv.Atoi(string(val))
		case "entries":
			s.Entries, err = strconv.Atoi(string(val))
		case "account":
			if !names {
				return nil
			}
			var a AccountSummary
			if a, err = parseSummary(val); err == nil {
				s.Account = &a
			}
		case "layout":
			s.Layout, err = strconv.Atoi(string(val))
		case "groups":
			s.Groups, err = stringValue(val)
		}
		return err
	})
	return s, err
}

// cipher returns the AEAD of the account's key, made when first needed:
// listing accounts needs none.
func (a *account) cipher() (cipher.AEAD, error) {
	if a.aead == nil {
		aead, err := newAEAD(a.key)
		if err != nil {
			return nil, err
		}
		a.aead = aead
	}
	return a.aead, nil
}

// sealAccount seals a summary with its key.
func (v *Vault) sealAccount(a *account) ([]byte, error) {
	js, err := json.Marshal(a.sum)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return seal3(v.aead, append(append(make([]byte, 0, keySize+len(js)), a.key...), js...), summaryAAD3(a.tag[:])), nil
}

// newAccount makes an account with a fresh key.
func newAccount(t tag, id string) (*account, error) {
	key := make([]byte, keySize)
	rand.Read(key)
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return &account{tag: t, key: key, aead: aead, sum: summary{ID: id}}, nil
}

// findAccount returns the account with record id, or nil.
func (v *Vault) findAccount(tx *bolt.Tx, id string) (*account, error) {
	return v.findAccountAs(tx, id, true)
}

// findAccountAs is findAccount, decoding the summary's names or not
// (openAccountAs).
func (v *Vault) findAccountAs(tx *bolt.Tx, id string, names bool) (*account, error) {
	t := recordTag(v.lookup, id)
	if err := v.guardKey(tx, bucketAccounts, t[:]); err != nil {
		return nil, err
	}
	sealed := tx.Bucket(bucketAccounts).Get(t[:])
	if sealed == nil {
		return nil, nil
	}
	a, err := v.openAccountAs(t, sealed, names)
	if err == nil && a.sum.ID != id {
		err = v.damaged(fmt.Sprintf("account %x holds another account", t[:4]))
	}
	return a, err
}

// accountCreds decrypts every credential of an account and checks their
// number against its summary.
func (v *Vault) accountCreds(tx *bolt.Tx, a *account) (creds, error) {
	out := creds{}
	if _, err := v.scanCreds(tx, a, nil, out); err != nil {
		return nil, err
	}
	if len(out) != a.sum.Records {
		return nil, v.damaged(fmt.Sprintf("account %x has %d records, its summary says %d", a.tag[:4], len(out), a.sum.Records))
	}
	return out, nil
}

// scanCreds decrypts the account's credentials whose tags start with
// prefix into out and returns how many there were.
func (v *Vault) scanCreds(tx *bolt.Tx, a *account, prefix []byte, out creds) (int, error) {
	aead, err := a.cipher()
	if err != nil {
		return 0, err
	}
	n := 0
	start := append(a.tag[:len(a.tag):len(a.tag)], prefix...)
	if err := v.guardPrefix(tx, bucketRecords, start); err != nil {
		return 0, err
	}
	c := tx.Bucket(bucketRecords).Cursor()
	for k, val := c.Seek(start); k != nil && bytes.HasPrefix(k, start); k, val = c.Next() {
		if len(k) != 2*tagLen {
			return 0, v.damaged("a record key of the wrong length")
		}
		plain, err := v.open3(aead, val, recordAAD3(k), func() string { return fmt.Sprintf("record %x", k[tagLen:tagLen+4]) })
		if err != nil {
			return 0, err
		}
		cr, ok := decodeCred(plain)
		if !ok {
			return 0, v.damaged(fmt.Sprintf("record %x", k[tagLen:tagLen+4]))
		}
		var t tag
		copy(t[:], k[tagLen:])
		out[t] = cr
		n++
	}
	return n, nil
}

// groupCounts decodes the account's count of records per realm group; nil
// when its records are not grouped.
func (v *Vault) groupCounts(a *account) (map[group]int, error) {
	if a.sum.Layout != layoutRealm {
		return nil, nil
	}
	counts, err := decodeGroups(a.sum.Groups)
	if err != nil {
		return nil, v.damaged(fmt.Sprintf("account %x: %v", a.tag[:4], err))
	}
	return counts, nil
}

// grouped reports whether the account's records, all of cs, are where
// their summary's group counts say. A writer that knows no groups (an
// older acctui) moves records to ungrouped tags without dropping the
// mark; the total still matches then, the groups do not.
func (v *Vault) grouped(a *account, cs creds) (bool, error) {
	counts, err := v.groupCounts(a)
	if err != nil || counts == nil {
		return false, err
	}
	return maps.Equal(counts, groupCounts(cs)), nil
}

// groupCreds decrypts the account's credentials of the groups gs. ok is
// false when a group does not hold what the summary counts: the caller
// reads the whole account instead, which tells damage (a wrong total) from
// records an older acctui moved out of their groups.
func (v *Vault) groupCreds(tx *bolt.Tx, a *account, gs []group) (cs creds, ok bool, err error) {
	if a.sum.Layout != layoutRealm {
		return nil, false, nil
	}
	counts, err := countGroups(a.sum.Groups, gs)
	if err != nil {
		return nil, false, v.damaged(fmt.Sprintf("account %x: %v", a.tag[:4], err))
	}
	cs = creds{}
	for _, g := range gs {
		n, err := v.scanCreds(tx, a, g[:], cs)
		if err != nil {
			return nil, false, err
		}
		if n != counts[g] {
			return nil, false, nil
		}
	}
	return cs, true, nil
}

// sharedCreds decrypts the shared record and checks it against the
// manifest.
func (v *Vault) sharedCreds(tx *bolt.Tx, m manifest) (creds, error) {
	if err := v.guardBucket(tx, bucketShared); err != nil {
		return nil, err
	}
	out := creds{}
	c := tx.Bucket(bucketShared).Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if len(k) != tagLen {
			return nil, v.damaged("a shared key of the wrong length")
		}
		plain, err := v.open3(v.aead, val, sharedAAD3(k), func() string { return fmt.Sprintf("shared record %x", k[:4]) })
		if err != nil {
			return nil, err
		}
		cr, ok := decodeCred(plain)
		if !ok {
			return nil, v.damaged(fmt.Sprintf("shared record %x", k[:4]))
		}
		var t tag
		copy(t[:], k)
		out[t] = cr
	}
	if len(out) != m.Shared {
		return nil, v.damaged(fmt.Sprintf("%d shared records, the manifest says %d", len(out), m.Shared))
	}
	return out, nil
}

// eachAccount decrypts every summary, in tag order, and checks their
// number against the manifest.
func (v *Vault) eachAccount(tx *bolt.Tx, m manifest, fn func(a *account) error) error {
	if err := v.guardBucket(tx, bucketAccounts); err != nil {
		return err
	}
	n := 0
	c := tx.Bucket(bucketAccounts).Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if len(k) != tagLen {
			return v.damaged("an account key of the wrong length")
		}
		var t tag
		copy(t[:], k)
		a, err := v.openAccount(t, val)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
		n++
	}
	if n != m.Accounts {
		return v.damaged(fmt.Sprintf("%d accounts, the manifest says %d", n, m.Accounts))
	}
	return nil
}
