package vault

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"slices"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// importBatchBytes is about how much file data one transaction of an
// import into a new vault writes: bbolt holds a transaction's values and
// then its pages in memory until it commits, some three times the data.
// 4 MB keeps an import of 10 000 accounts near 60 MB of memory (8 MB: 75,
// 16 MB: 100) at no measurable cost in time. A variable so tests can make
// batches small.
var importBatchBytes = 4 << 20

// afterImportBatch, when set (by tests), runs after each batch of an
// import into a new vault is committed.
var afterImportBatch func()

// importJob is the second pass of an import: it reads records back from
// the file as the write asks for them.
type importJob struct {
	path    string
	src     io.ReaderAt
	seed    maphash.Seed
	records map[string][]*importEntry
	whole   []cred // the kept unknown sections, for the shared record
	size    int64  // the entries' bytes in the file
	counts  cache.Counts
	buf     []byte // the reader's, reused
}

// ids are the record ids to write, in the order of their tags, so that
// bbolt appends rather than inserts.
func (j *importJob) ids(lookup []byte) []string {
	ids := slices.Collect(maps.Keys(j.records))
	if _, ok := j.records[sharedID]; !ok && len(j.whole) > 0 {
		ids = append(ids, sharedID)
	}
	tags := make(map[string]tag, len(ids))
	for _, id := range ids {
		tags[id] = recordTag(lookup, id)
	}
	slices.SortFunc(ids, func(a, b string) int { ta, tb := tags[a], tags[b]; return bytes.Compare(ta[:], tb[:]) })
	return ids
}

// readAhead is how many records the reader may have ready before the
// write takes them. A variable so a test can count memory without them.
var readAhead = 64

// readRecord is one record read for the write.
type readRecord struct {
	id    string
	creds creds
	err   error
}

// readAll reads the records ids, in that order, on a goroutine of its own,
// so reading and parsing overlap with sealing and writing. The write
// takes them from next; stop ends the reading early and waits for it, and
// must be called before j.counts is read.
func (j *importJob) readAll(lookup []byte, ids []string) (next <-chan readRecord, stop func()) {
	out := make(chan readRecord, readAhead)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for _, id := range ids {
			nc, err := j.creds(lookup, id)
			select {
			case out <- readRecord{id, nc, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, func() {
		close(quit)
		<-done
	}
}

// creds reads record id's credentials and counts its entries.
func (j *importJob) creds(lookup []byte, id string) (creds, error) {
	list, n, err := importRecordCreds(j.src, j.seed, j.records[id], &j.buf)
	if err != nil {
		return nil, fmt.Errorf("vault: import %s: %w", j.path, err)
	}
	addCounts(&j.counts, n)
	if id == sharedID {
		list = append(list, j.whole...)
	}
	delete(j.records, id) // its entry list can go
	return credsOf(lookup, list), nil
}

// credsBytes is about what cs take in the file.
func credsBytes(cs creds) int {
	n := 0
	for _, c := range cs {
		n += len(c.key) + len(c.val)
	}
	return n
}

// writeImport writes the import under the lock: into a new vault, or
// merged into the existing one in one transaction. It returns the vault's
// Account entries before and after.
func (v *Vault) writeImport(ctx context.Context, j *importJob) (before, after int, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer unlock()
	kind, err := v.prepareWrite(ctx)
	if err != nil {
		return 0, 0, err
	}
	if kind == kindNone {
		after, err = v.importNew(ctx, j)
		return 0, after, err
	}
	err = v.txStore(ctx, true, func(tx *bolt.Tx) error {
		before, after, err = v.importMerge(tx, j)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return before, after, nil
}

// importNew creates the vault from the import, a batch of records per
// transaction, in key order with full pages.
func (v *Vault) importNew(ctx context.Context, j *importJob) (after int, err error) {
	if len(j.records) == 0 && len(j.whole) == 0 {
		return 0, nil
	}
	key, id := newKey()
	dk := dataKey{id: id, key: key}
	if err := v.keys.put(ctx, dk); err != nil {
		return 0, err
	}
	return after, v.createStoreBatches(ctx, dk, 2*j.size, func(update func(func(tx *bolt.Tx) error) error) error {
		ids := j.ids(v.lookup)
		next, stop := j.readAll(v.lookup, ids)
		defer stop()
		var m manifest
		names := nameOps{}
		for left := len(ids); left > 0; {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("vault: %w", err)
			}
			err := update(func(tx *bolt.Tx) error {
				// Keys arrive in ascending order: pages can be filled.
				tx.Bucket(bucketRecords).FillPercent = 1
				tx.Bucket(bucketAccounts).FillPercent = 1
				for written := 0; left > 0 && written < importBatchBytes; left-- {
					r, ok := <-next
					if !ok {
						return fmt.Errorf("vault: import %s: a record was not read", j.path) // a bug
					}
					if r.err != nil {
						return r.err
					}
					written += credsBytes(r.creds)
					if r.id == sharedID {
						if err := v.putShared(tx, creds{}, r.creds); err != nil {
							return err
						}
						m.Shared = len(r.creds)
						continue
					}
					if _, err := v.putAccount(tx, r.id, nil, r.creds, true, names); err != nil {
						return err
					}
					m.Accounts++
					after += countAccountCreds(r.creds)
				}
				if left > 0 {
					return nil
				}
				if err := names.apply(tx); err != nil {
					return err
				}
				m.Generation++
				return v.writeManifest(tx, m)
			})
			if err != nil {
				return err
			}
			if afterImportBatch != nil {
				afterImportBatch()
			}
		}
		return nil
	})
}

// importMerge merges the import into an existing vault in tx, a record at
// a time: a record the vault lacks is stored as it is, one it has is
// merged with cache.Merge (never dropping an entry; the newer wins).
// Records the import does not touch are neither decrypted nor sealed
// again: the counts come from the summaries.
func (v *Vault) importMerge(tx *bolt.Tx, j *importJob) (before, after int, err error) {
	m, err := v.readManifest(tx)
	if err != nil {
		return 0, 0, err
	}
	sh, err := v.sharedCreds(tx, m)
	if err != nil {
		return 0, 0, err
	}
	before = countAccountCreds(sh)
	err = v.eachAccount(tx, m, func(a *account) error {
		before += a.sum.Entries
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	after = before
	ids := j.ids(v.lookup)
	if len(ids) == 0 {
		return before, after, errNoChange
	}
	names := nameOps{}
	next, stop := j.readAll(v.lookup, ids)
	defer stop()
	for range ids {
		got, ok := <-next
		if !ok {
			return 0, 0, fmt.Errorf("vault: import %s: a record was not read", j.path) // a bug
		}
		if got.err != nil {
			return 0, 0, got.err
		}
		id, nc := got.id, got.creds
		if id == sharedID {
			if len(sh) > 0 {
				if nc, err = v.mergedCreds(sh, id, nc); err != nil {
					return 0, 0, err
				}
			}
			if err := v.putShared(tx, sh, nc); err != nil {
				return 0, 0, err
			}
			m.Shared = len(nc)
			after += countAccountCreds(nc) - countAccountCreds(sh)
			continue
		}
		a, err := v.findAccount(tx, id)
		if err != nil {
			return 0, 0, err
		}
		var r *loadedRecord
		if a == nil {
			m.Accounts++
			after += countAccountCreds(nc)
		} else {
			old, err := v.accountCreds(tx, a)
			if err != nil {
				return 0, 0, err
			}
			r = &loadedRecord{acct: a, creds: old}
			if nc, err = v.mergedCreds(old, id, nc); err != nil {
				return 0, 0, err
			}
			after += countAccountCreds(nc) - countAccountCreds(old)
		}
		if _, err := v.putAccount(tx, id, r, nc, false, names); err != nil {
			return 0, 0, err
		}
	}
	if err := names.apply(tx); err != nil {
		return 0, 0, err
	}
	m.Generation++
	return before, after, v.writeManifest(tx, m)
}

// mergedCreds unites a record's stored credentials with imported ones by
// cache.Merge.
func (v *Vault) mergedCreds(old creds, id string, nc creds) (creds, error) {
	frag, err := mergeFragment(old, id, nc.fragment())
	if err != nil {
		return nil, err
	}
	return fragmentCreds(v.lookup, frag)
}
