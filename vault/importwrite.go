package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/semaphore"
)

// importBatchBytes is about how much file data one transaction of an
// import into a new vault writes: bbolt holds a transaction's values and
// then its pages in memory until it commits, some three times the data.
// 4 MB keeps an import of 10 000 accounts near 60 MB of memory (8 MB: 75,
// 16 MB: 100) at no measurable cost in time. A variable so tests can make
// batches small.
var importBatchBytes = 4 << 20

// afterImportBatch, when set (by tests), runs after each batch of an
// import into a new vault, or into a copy of the vault, is committed.
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

// readAhead and readAheadBytes bound what the reader may have ready before
// the write takes it: records, and the bytes of their credentials. The
// write stops taking records while it commits a batch, some tens of
// milliseconds, in which the reader readies several hundred; with 64 it
// stopped after a few and the write then waited for it (10 000 accounts:
// each side waited 170-250 ms of a 1.1 s import; with 512, 1.11 -> 1.00 s
// median in alternating rounds, the same peak memory). The byte bound
// keeps records of thousands of tokens from piling up. Variables so a
// test can count memory without them.
var (
	readAhead      = 512
	readAheadBytes = 8 << 20
)

// readRecord is one record read for the write.
type readRecord struct {
	id    string
	creds creds
	err   error
	size  int64 // what it holds of readAheadBytes
}

// readAll reads the records ids, in that order, on a goroutine of its own,
// so reading and parsing overlap with sealing and writing. The write
// takes them from next and hands each record's size back to done once it
// no longer needs the record; stop ends the reading early and waits for
// it, and must be called before j.counts is read.
func (j *importJob) readAll(lookup []byte, ids []string) (next <-chan readRecord, done func(readRecord), stop func()) {
	out := make(chan readRecord, readAhead)
	ctx, cancel := context.WithCancel(context.Background())
	budget := semaphore.NewWeighted(int64(readAheadBytes))
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(out)
		for _, id := range ids {
			nc, err := j.creds(lookup, id)
			// a record larger than the whole budget waits for all of it
			size := min(int64(credsBytes(nc)), int64(readAheadBytes))
			if budget.Acquire(ctx, size) != nil {
				return
			}
			select {
			case out <- readRecord{id, nc, err, size}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return out, func(r readRecord) { budget.Release(r.size) }, func() {
		cancel()
		<-finished
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
// merged into the existing one, all or nothing. It returns the vault's
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
	if j.size > importCopyBytes {
		return v.importMergeCopy(ctx, j)
	}
	err = v.txStore(ctx, true, func(tx *bolt.Tx) error {
		before, after, err = v.importMerge(ctx, func(fn func(*bolt.Tx) error) error { return fn(tx) }, j, math.MaxInt)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return before, after, nil
}

// importCopyBytes is the size of an import (its entries' bytes in the
// file) above which a merge goes into a copy of the vault, in batches,
// rather than into the vault in one transaction. A transaction holds every
// page it changes in memory until it commits, and a large import's
// accounts, spread over the whole key space, change nearly every page:
// merging 10 000 accounts into a vault of 10 000 in one held 450 MB, into
// 40 000 nearly 1 GB. A variable so tests can make it small.
var importCopyBytes int64 = 8 << 20

// importMergeCopy merges a large import into a copy of the vault (bbolt's
// Compact, its transactions bounded too) in batches, and renames the copy
// over the vault: all or nothing, as one transaction is, in memory that
// does not grow with the vault.
func (v *Vault) importMergeCopy(ctx context.Context, j *importJob) (before, after int, err error) {
	// The data key is loaded (and the file read as a store) first.
	if err := v.txStore(ctx, false, func(*bolt.Tx) error { return nil }); err != nil {
		return 0, 0, err
	}
	var size int64
	if st, err := os.Stat(v.dbPath); err == nil {
		size = st.Size()
	}
	copyVault := func(dst *bolt.DB) error {
		src, err := v.openStore(ctx, false, false)
		if err != nil {
			return err
		}
		defer src.Close()
		return v.guarded(func() error { return v.copyStore(dst, src) })
	}
	err = v.replaceStore(ctx, size+2*j.size, copyVault, func(update func(func(tx *bolt.Tx) error) error) error {
		before, after, err = v.importMerge(ctx, update, j, importBatchBytes)
		return err
	})
	if errors.Is(err, errNoChange) {
		return before, after, nil
	}
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
		var m manifest
		names := nameOps{}
		put := func(tx *bolt.Tx, r readRecord) error {
			// Keys arrive in ascending order: pages can be filled.
			tx.Bucket(bucketRecords).FillPercent = 1
			tx.Bucket(bucketAccounts).FillPercent = 1
			if r.id == sharedID {
				m.Shared = len(r.creds)
				return v.putShared(tx, creds{}, r.creds)
			}
			if _, err := v.putAccount(tx, r.id, nil, r.creds, true, names); err != nil {
				return err
			}
			m.Accounts++
			after += countAccountCreds(r.creds)
			return nil
		}
		return v.inBatches(ctx, j, update, importBatchBytes, put, v.importFinish(names, &m))
	})
}

// importFinish is the end of an import's last transaction: the name
// changes and the manifest m.
func (v *Vault) importFinish(names nameOps, m *manifest) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		if err := names.apply(tx); err != nil {
			return err
		}
		m.Generation++
		return v.writeManifest(tx, *m)
	}
}

// inBatches reads the import's records and hands each to put in the
// transactions update runs, a new one after about batch bytes of
// records, then runs finish in the last; it looks at ctx before each.
func (v *Vault) inBatches(ctx context.Context, j *importJob, update func(func(tx *bolt.Tx) error) error, batch int,
	put func(tx *bolt.Tx, r readRecord) error, finish func(tx *bolt.Tx) error) error {
	ids := j.ids(v.lookup)
	next, done, stop := j.readAll(v.lookup, ids)
	defer stop()
	for left := len(ids); left > 0; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("vault: %w", err)
		}
		err := update(func(tx *bolt.Tx) error {
			for written := 0; left > 0 && written < batch; left-- {
				r, ok := <-next
				if !ok {
					return fmt.Errorf("vault: import %s: a record was not read", j.path) // a bug
				}
				if r.err != nil {
					return r.err
				}
				written += credsBytes(r.creds)
				err := put(tx, r)
				done(r)
				if err != nil {
					return err
				}
			}
			if left > 0 {
				return nil
			}
			return finish(tx)
		})
		if err != nil {
			return err
		}
		if afterImportBatch != nil && batch < math.MaxInt {
			afterImportBatch()
		}
	}
	return nil
}

// copyStore copies every bucket of src into dst in key order, with full
// pages, committing about every importBatchBytes. It reads src with
// pread (scanBucket) rather than through bbolt's map, as Compact would:
// through the map each page read also maps its cached neighbours, and a
// copy of a 750 MB vault held most of the file in memory.
func (v *Vault) copyStore(dst, src *bolt.DB) error {
	srcTx, err := src.Begin(false)
	if err != nil {
		return err
	}
	defer srcTx.Rollback()
	var names [][]byte
	if err := srcTx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, bytes.Clone(name))
		return nil
	}); err != nil {
		return err
	}
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	for _, name := range names {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		b.FillPercent = 1
		size := 0
		err = v.scanBucket(srcTx, name, func(k, val []byte) error {
			if size >= importBatchBytes {
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = dst.Begin(true); err != nil {
					return err
				}
				b = tx.Bucket(name)
				b.FillPercent = 1
				size = 0
			}
			size += len(k) + len(val)
			// bbolt keeps what Put is given until the commit; the scan's
			// buffer is reused
			return b.Put(bytes.Clone(k), bytes.Clone(val))
		})
		if err != nil {
			return err
		}
	}
	return tx.Commit()
}

// importMerge merges the import into an existing vault, a record at a
// time, in the transactions update runs (a new one after about batch
// bytes of records): a record the vault lacks is stored as it is, one it
// has is merged with cache.Merge (never dropping an entry; the newer
// wins). Records the import does not touch are neither decrypted nor
// sealed again: the counts come from the summaries.
func (v *Vault) importMerge(ctx context.Context, update func(func(tx *bolt.Tx) error) error, j *importJob, batch int) (before, after int, err error) {
	var m manifest
	var sh creds
	err = update(func(tx *bolt.Tx) error {
		if m, err = v.readManifest(tx); err != nil {
			return err
		}
		if sh, err = v.sharedCreds(tx, m); err != nil {
			return err
		}
		before = countAccountCreds(sh)
		return v.eachAccount(tx, m, func(a *account) error {
			before += a.sum.Entries
			return nil
		})
	})
	if err != nil {
		return 0, 0, err
	}
	after = before
	if len(j.records) == 0 && len(j.whole) == 0 {
		return before, after, errNoChange
	}
	names := nameOps{}
	put := func(tx *bolt.Tx, r readRecord) error {
		n, err := v.mergeRecord(tx, &m, &sh, r.id, r.creds, names)
		after += n
		return err
	}
	if err := v.inBatches(ctx, j, update, batch, put, v.importFinish(names, &m)); err != nil {
		return 0, 0, err
	}
	return before, after, nil
}

// mergeRecord merges one imported record into the vault in tx and returns
// by how many Account entries it changed the count.
func (v *Vault) mergeRecord(tx *bolt.Tx, m *manifest, sh *creds, id string, nc creds, names nameOps) (int, error) {
	var err error
	if id == sharedID {
		if len(*sh) > 0 {
			if nc, err = v.mergedCreds(*sh, id, nc); err != nil {
				return 0, err
			}
		}
		if err := v.putShared(tx, *sh, nc); err != nil {
			return 0, err
		}
		m.Shared = len(nc)
		delta := countAccountCreds(nc) - countAccountCreds(*sh)
		*sh = nc
		return delta, nil
	}
	a, err := v.findAccount(tx, id)
	if err != nil {
		return 0, err
	}
	var r *loadedRecord
	delta := countAccountCreds(nc)
	if a == nil {
		m.Accounts++
	} else {
		old, err := v.accountCreds(tx, a)
		if err != nil {
			return 0, err
		}
		r = &loadedRecord{acct: a, creds: old}
		if nc, err = v.mergedCreds(old, id, nc); err != nil {
			return 0, err
		}
		delta = countAccountCreds(nc) - countAccountCreds(old)
	}
	if _, err := v.putAccount(tx, id, r, nc, false, names); err != nil {
		return 0, err
	}
	return delta, nil
}

// mergedCreds unites a record's stored credentials with imported ones by
// cache.Merge.
func (v *Vault) mergedCreds(old creds, id string, nc creds) (creds, error) {
	frag, err := mergeFragment(old, id, nc)
	if err != nil {
		return nil, err
	}
	return fragmentCreds(v.lookup, frag)
}
