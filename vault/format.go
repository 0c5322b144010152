package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// The vault file, all integers big-endian:
//
//	offset size field
//	     0    8 magic "ACCTUIVT"
//	     8    2 format version (2; version 1 files are read and rewritten
//	            as version 2 by the next write)
//	    10    2 flags (0; a reader refuses a file with unknown flags)
//	    12   16 key id: names the keyring item "vault-key-<hex key id>"
//	    28    8 generation: +1 on every write
//	    36   12 index nonce
//	    48    4 index length n (ciphertext with its 16-byte GCM tag)
//	    52    n index: AES-256-GCM(index), AAD = bytes 0..51 || "index"
//	  52+n    … record area: the sealed records back to back, then the
//	            sealed directory, at the offsets (relative to 52+n), lengths
//	            and nonces the index lists
//
// Version 2's index is a small binary table (table.go) that locates every
// record by a keyed hash of its id and every account by keyed hashes of its
// usernames, so finding one account's record touches a few kilobytes per
// thousand accounts. What listing accounts needs (home account ids,
// usernames, environments, realms) is in the directory, sealed on its own
// and decrypted only when asked for. Record AAD = bytes 0..27 || "record" ||
// record tag; directory AAD = bytes 0..27 || "directory". Version 1's index
// was JSON holding the directory, and its record AAD ended in the record id.
//
// A record's AAD takes the header's identity (magic, version, flags, key id)
// but not its generation or index nonce, so a record that did not change can
// be copied into the next file without re-sealing. It is still bound to one
// file version: the index, authenticated together with the whole header,
// names the nonce of every record, and a nonce is drawn at random for each
// sealing, so no other ciphertext of that record passes as this one.
const (
	magic         = "ACCTUIVT"
	formatVersion = 2
	// formatVersion1 is the JSON-index format, still read.
	formatVersion1 = 1
	headerSize     = 52
	identitySize   = 28 // magic, version, flags, key id
	keyIDSize      = 16
	keySize        = 32
	nonceSize      = 12
	tagSize        = 16
	// maxIndexSize caps the index a reader accepts before authenticating it,
	// so a damaged length cannot make it allocate gigabytes.
	maxIndexSize = 256 << 20
)

// keyID identifies a data key; it is public and stored in the header.
type keyID [keyIDSize]byte

// String is the hex form used in keyring item names.
func (id keyID) String() string { return hex.EncodeToString(id[:]) }

// header is the fixed-size start of the vault file.
type header struct {
	version    uint16
	flags      uint16
	keyID      keyID
	generation uint64
	indexNonce [nonceSize]byte
	indexLen   uint32
}

// parseHeader checks magic and version and decodes the header. b may be
// shorter than headerSize when the file is truncated.
func parseHeader(b []byte, path string) (header, error) {
	var h header
	n := min(len(b), len(magic))
	if n == 0 || string(b[:n]) != magic[:n] {
		return h, fmt.Errorf("%w: %s is not an acctui vault file", ErrCorrupt, path)
	}
	if len(b) >= 10 {
		h.version = binary.BigEndian.Uint16(b[8:])
		if h.version != formatVersion && h.version != formatVersion1 {
			return h, fmt.Errorf("%w: %s has format version %d, this acctui reads versions %d and %d (a newer acctui wrote it?)",
				ErrUnsupportedVersion, path, h.version, formatVersion1, formatVersion)
		}
	}
	if len(b) < headerSize {
		return h, fmt.Errorf("%w: %s is truncated (%d bytes)", ErrCorrupt, path, len(b))
	}
	h.flags = binary.BigEndian.Uint16(b[10:])
	if h.flags != 0 {
		return h, fmt.Errorf("%w: %s has unknown flags %#04x", ErrUnsupportedVersion, path, h.flags)
	}
	copy(h.keyID[:], b[12:28])
	h.generation = binary.BigEndian.Uint64(b[28:])
	copy(h.indexNonce[:], b[36:48])
	h.indexLen = binary.BigEndian.Uint32(b[48:])
	if h.indexLen < tagSize || h.indexLen > maxIndexSize {
		return h, fmt.Errorf("%w: %s: index length %d out of range", ErrCorrupt, path, h.indexLen)
	}
	return h, nil
}

// indexAAD is the additional data of the index: the whole header.
func indexAAD(hdr []byte) []byte {
	return append(append(make([]byte, 0, headerSize+5), hdr[:headerSize]...), "index"...)
}

// recordAAD is the additional data of a record: the header's identity part
// and what names the record (its tag; in version 1 its id).
func recordAAD(hdr []byte, name []byte) []byte {
	b := make([]byte, 0, identitySize+6+len(name))
	b = append(b, hdr[:identitySize]...)
	b = append(b, "record"...)
	return append(b, name...)
}

// directoryAAD is the additional data of the directory.
func directoryAAD(hdr []byte) []byte {
	b := make([]byte, 0, identitySize+9)
	b = append(b, hdr[:identitySize]...)
	return append(b, "directory"...)
}

// newAEAD returns AES-256-GCM under key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("vault: data key has %d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return cipher.NewGCM(block)
}

// newNonce draws a random GCM nonce.
func newNonce() [nonceSize]byte {
	var n [nonceSize]byte
	rand.Read(n[:])
	return n
}

// newKey draws a random data key and key id.
func newKey() ([]byte, keyID) {
	key := make([]byte, keySize)
	rand.Read(key)
	var id keyID
	rand.Read(id[:])
	return key, id
}
