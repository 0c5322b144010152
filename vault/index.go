package vault

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AccountSummary is what the index knows about one home account: enough to
// list accounts and resolve a username without decrypting any record.
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

// index is the decrypted table of contents of a vault file:
//
//	{"size": <record area length>,
//	 "records": [{"id": "<record id>", "off": n, "len": n, "nonce": "<base64>",
//	              "account": {"home_account_id": …, "usernames": […],
//	                          "environments": […], "realms": […]}}, …]}
//
// Records are sorted by id; "account" is absent for the shared record and
// for an account record without Account entries. It is written with
// encoding/json and read with the scanner: a 1 000-account index is a few
// hundred kilobytes, and encoding/json took milliseconds to decode it,
// more than everything else `acctui token` does.
type index struct {
	// Size is the length of the record area, so a truncated file is caught
	// on open, not only when a missing record is read.
	Size    int64       `json:"size"`
	Records []recordRef `json:"records"`

	summaries []AccountSummary // decoded accounts, nil until asked for
}

// recordRef locates one sealed record in the record area.
type recordRef struct {
	ID    string `json:"id"`
	Off   int64  `json:"off"`
	Len   int64  `json:"len"`
	Nonce []byte `json:"nonce"`
	// Account is the record's AccountSummary as JSON, decoded only when
	// accounts are listed, and copied as it is when the record is.
	Account json.RawMessage `json:"account,omitempty"`
}

// parseIndex decodes and checks an index: records sorted by id, unique,
// inside the record area and not overlapping.
func parseIndex(plain []byte, path string) (*index, error) {
	idx := &index{}
	_, err := walkObject(plain, skipSpace(plain, 0), func(name []byte, b []byte, i int) (int, error) {
		if string(name) != "records" {
			end, err := skipValue(b, i)
			if err == nil && string(name) == "size" {
				idx.Size, err = strconv.ParseInt(string(b[i:end]), 10, 64)
			}
			return end, err
		}
		return walkArray(b, i, func(b []byte, i int) (int, error) {
			var ref recordRef
			end, err := walkObject(b, i, func(name []byte, b []byte, i int) (int, error) {
				end, err := skipValue(b, i)
				if err != nil {
					return 0, err
				}
				return end, ref.set(name, b[i:end])
			})
			idx.Records = append(idx.Records, ref)
			return end, err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: index: %v", ErrCorrupt, path, err)
	}
	if idx.Size < 0 {
		return nil, fmt.Errorf("%w: %s: index size %d", ErrCorrupt, path, idx.Size)
	}
	var end int64
	for i, r := range idx.Records {
		if i > 0 && idx.Records[i-1].ID >= r.ID {
			return nil, fmt.Errorf("%w: %s: index records out of order", ErrCorrupt, path)
		}
		if len(r.Nonce) != nonceSize || r.Len < tagSize || r.Off < end || r.Len > idx.Size || r.Off > idx.Size-r.Len {
			return nil, fmt.Errorf("%w: %s: index entry %d out of range", ErrCorrupt, path, i)
		}
		end = r.Off + r.Len
	}
	return idx, nil
}

// set decodes one member of an index record.
func (ref *recordRef) set(name, val []byte) error {
	var err error
	switch string(name) {
	case "id":
		ref.ID, err = stringValue(val)
	case "off":
		ref.Off, err = strconv.ParseInt(string(val), 10, 64)
	case "len":
		ref.Len, err = strconv.ParseInt(string(val), 10, 64)
	case "nonce":
		var s string
		if s, err = stringValue(val); err == nil {
			ref.Nonce, err = base64.StdEncoding.DecodeString(s)
		}
	case "account":
		ref.Account = json.RawMessage(val)
	}
	return err
}

// find returns the record with id.
func (idx *index) find(id string) (recordRef, bool) {
	i, ok := slices.BinarySearchFunc(idx.Records, id, func(r recordRef, id string) int {
		return strings.Compare(r.ID, id)
	})
	if !ok {
		return recordRef{}, false
	}
	return idx.Records[i], true
}

// accounts decodes the account summaries once, in record order.
func (idx *index) accounts(path string) ([]AccountSummary, error) {
	if idx.summaries != nil {
		return idx.summaries, nil
	}
	list := make([]AccountSummary, 0, len(idx.Records))
	for _, r := range idx.Records {
		if len(r.Account) == 0 {
			continue
		}
		s, err := parseSummary(r.Account)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: index entry %q: %v", ErrCorrupt, path, r.ID, err)
		}
		list = append(list, s)
	}
	idx.summaries = list
	return list, nil
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

// marshalIndex encodes an index.
func marshalIndex(size int64, records []recordRef) ([]byte, error) {
	if records == nil {
		records = []recordRef{}
	}
	b, err := json.Marshal(index{Size: size, Records: records})
	if err != nil {
		return nil, fmt.Errorf("vault: index: %w", err)
	}
	return b, nil
}
