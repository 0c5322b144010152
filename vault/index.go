package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// AccountSummary is what the directory knows about one home account: enough
// to list accounts and resolve a username without decrypting any record.
type AccountSummary struct {
	// HomeAccountID is the account's home_account_id, "<oid>.<tid>" for
	// Entra ID accounts.
	HomeAccountID string `json:"home_account_id"`
	// Usernames are the account's usernames (one per tenant it signed in
	// to, usually all the same), sorted.
	Usernames []string `json:"usernames,omitempty"`
	// Environments are the cloud hosts it has Account entries for, sorted.
	Environments []string `json:"environments,omitempty"`
	// Realms are the tenants it has Account entries for, sorted.
	Realms []string `json:"realms,omitempty"`
}

// index is the decrypted table of contents of a vault file, whichever
// format version wrote it.
type index struct {
	version uint16
	size    int64     // length of the record area
	table   []byte    // the version 2 table (table.go); version 1 is converted
	nrec    int       // record entries in table, sorted by tag
	nname   int       // name entries in table, sorted by tag, then record
	dir     recordRef // where the directory is sealed (version 2)
	// v1IDs are the record ids of a version 1 file, which its record AAD
	// holds; nil for version 2.
	v1IDs map[tag]string

	// entries is the directory, sorted by id: nil until it is decrypted
	// (version 1 keeps it in the index itself).
	entries   []dirEntry
	summaries []AccountSummary // decoded accounts, nil until asked for
}

// dirEntry is one account record in the directory: its id and, when the
// record holds Account entries, its AccountSummary as JSON (decoded only
// when accounts are listed, and copied as it is when the record is).
type dirEntry struct {
	ID      string          `json:"id"`
	Account json.RawMessage `json:"account,omitempty"`
}

// parseDirectory decodes a directory written by marshalDirectory with the
// scanner (encoding/json took milliseconds for a thousand accounts) and
// checks that its ids are sorted and unique.
func parseDirectory(plain []byte, path string) ([]dirEntry, error) {
	entries := []dirEntry{}
	_, err := walkObject(plain, skipSpace(plain, 0), func(name []byte, b []byte, i int) (int, error) {
		if string(name) != "records" {
			return skipValue(b, i)
		}
		return walkArray(b, i, func(b []byte, i int) (int, error) {
			var e dirEntry
			end, err := walkObject(b, i, func(name []byte, b []byte, i int) (int, error) {
				end, err := skipValue(b, i)
				if err != nil {
					return 0, err
				}
				switch string(name) {
				case "id":
					e.ID, err = stringValue(b[i:end])
				case "account":
					e.Account = json.RawMessage(b[i:end])
				}
				return end, err
			})
			entries = append(entries, e)
			return end, err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: directory: %v", ErrCorrupt, path, err)
	}
	for i, e := range entries {
		if e.ID == sharedID || i > 0 && entries[i-1].ID >= e.ID {
			return nil, fmt.Errorf("%w: %s: directory ids out of order", ErrCorrupt, path)
		}
	}
	return entries, nil
}

// accounts decodes the account summaries of the directory once, in id
// order. The directory must have been loaded.
func (idx *index) accounts(path string) ([]AccountSummary, error) {
	if idx.summaries != nil {
		return idx.summaries, nil
	}
	list := make([]AccountSummary, 0, len(idx.entries))
	for _, e := range idx.entries {
		if len(e.Account) == 0 {
			continue
		}
		s, err := parseSummary(e.Account)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: directory entry %q: %v", ErrCorrupt, path, e.ID, err)
		}
		list = append(list, s)
	}
	idx.summaries = list
	return list, nil
}

// appendNames adds the names of account s, record number rec: its home
// account id and usernames.
func appendNames(names []nameRef, key []byte, rec uint32, s AccountSummary) []nameRef {
	names = append(names, nameRef{nameTag(key, s.HomeAccountID), rec})
	for _, u := range s.Usernames {
		names = append(names, nameRef{nameTag(key, u), rec})
	}
	return names
}

// sortNames puts names in table order, dropping repeats (a username that
// equals the home account id, or two that differ only in case).
func sortNames(names []nameRef) []nameRef {
	slices.SortFunc(names, compareNames)
	return slices.Compact(names)
}

// parseSummary decodes an AccountSummary written by encoding/json.
func parseSummary(b []byte) (AccountSummary, error) {
	var s AccountSummary
	err := eachMemberRaw(b, func(name, val []byte) error {
		var err error
		switch string(name) {
		case "home_account_id":
			s.HomeAccountID, err = stringValue(val)
		case "usernames":
			s.Usernames, err = stringArray(val)
		case "environments":
			s.Environments, err = stringArray(val)
		case "realms":
			s.Realms, err = stringArray(val)
		}
		return err
	})
	return s, err
}

// parseIndexV1 decodes and checks a version 1 index, JSON of the form
//
//	{"size": <record area length>,
//	 "records": [{"id": "<record id>", "off": n, "len": n, "nonce": "<base64>",
//	              "account": {AccountSummary}}, …]}
//
// with records sorted by id, unique, inside the record area and not
// overlapping, and turns it into the version 2 shape: tags under key,
// directory and names filled in.
func parseIndexV1(plain []byte, path string, key []byte) (*index, error) {
	type v1Record struct {
		dirEntry
		off, len int64
		nonce    []byte
	}
	var size int64
	var recs []v1Record
	_, err := walkObject(plain, skipSpace(plain, 0), func(name []byte, b []byte, i int) (int, error) {
		if string(name) != "records" {
			end, err := skipValue(b, i)
			if err == nil && string(name) == "size" {
				size, err = strconv.ParseInt(string(b[i:end]), 10, 64)
			}
			return end, err
		}
		return walkArray(b, i, func(b []byte, i int) (int, error) {
			var r v1Record
			end, err := walkObject(b, i, func(name []byte, b []byte, i int) (int, error) {
				end, err := skipValue(b, i)
				if err != nil {
					return 0, err
				}
				val := b[i:end]
				switch string(name) {
				case "id":
					r.ID, err = stringValue(val)
				case "off":
					r.off, err = strconv.ParseInt(string(val), 10, 64)
				case "len":
					r.len, err = strconv.ParseInt(string(val), 10, 64)
				case "nonce":
					var s string
					if s, err = stringValue(val); err == nil {
						r.nonce, err = base64.StdEncoding.DecodeString(s)
					}
				case "account":
					r.Account = json.RawMessage(val)
				}
				return end, err
			})
			recs = append(recs, r)
			return end, err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: index: %v", ErrCorrupt, path, err)
	}
	if size < 0 {
		return nil, fmt.Errorf("%w: %s: index size %d", ErrCorrupt, path, size)
	}
	var records []recordRef
	entries := []dirEntry{}
	var end int64
	for i, r := range recs {
		if i > 0 && recs[i-1].ID >= r.ID {
			return nil, fmt.Errorf("%w: %s: index records out of order", ErrCorrupt, path)
		}
		if len(r.nonce) != nonceSize || r.len < tagSize || r.off < end || r.len > size || r.off > size-r.len {
			return nil, fmt.Errorf("%w: %s: index entry %d out of range", ErrCorrupt, path, i)
		}
		end = r.off + r.len
		ref := recordRef{tag: recordTag(key, r.ID), id: r.ID, off: r.off, len: r.len}
		copy(ref.nonce[:], r.nonce)
		records = append(records, ref)
		if r.ID != sharedID {
			entries = append(entries, r.dirEntry)
		}
	}
	slices.SortFunc(records, func(a, b recordRef) int { return bytes.Compare(a.tag[:], b.tag[:]) })
	ids := make(map[tag]string, len(records))
	number := make(map[tag]uint32, len(records))
	for i, r := range records {
		ids[r.tag], number[r.tag] = r.id, uint32(i)
	}
	var names []nameRef
	for _, e := range entries {
		if len(e.Account) == 0 {
			continue
		}
		s, err := parseSummary(e.Account)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: index entry %q: %v", ErrCorrupt, path, e.ID, err)
		}
		names = appendNames(names, key, number[recordTag(key, e.ID)], s)
	}
	// The table's directory span is unused: version 1 has no directory
	// blob, its entries are known already.
	names = sortNames(names)
	idx := &index{version: formatVersion1, size: size, table: marshalTable(size, records, names, recordRef{}),
		nrec: len(records), nname: len(names), v1IDs: ids, entries: entries}
	return idx, nil
}
