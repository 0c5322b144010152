//go:build !unix

package vault

// oNoFollow is 0 where open has no such flag; Lstat checks stand in.
const oNoFollow = 0

// tightenable is false where directory modes are not Unix permissions.
const tightenable = false
