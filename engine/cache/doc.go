// Package cache is MSAL's unified token cache schema as plain data: typed
// entries, canonical keys, in-memory indexes and a deterministic JSON form.
// It does no I/O and no network; the vault persists the bytes and the engine
// decides what to fetch.
//
// The JSON form is the one MSAL Python (1.21+), MSAL Go, MSAL .NET and the
// Azure CLI's msal_token_cache.json share: a top-level object with the
// sections "AccessToken", "RefreshToken", "IdToken", "Account" and
// "AppMetadata", each mapping a key to an entry. Timestamps are decimal epoch
// seconds written as JSON strings.
//
// Entries are identified by their fields, not by the key they were stored
// under, because the MSAL libraries disagree about keys while agreeing about
// fields. Parse therefore re-keys every entry under the key MSAL Python would
// compute, so that MSAL Python (and with it the Azure CLI) can later update or
// delete what acctui wrote. Unknown fields and unknown top-level sections are
// kept verbatim so a round trip through acctui loses nothing another client
// stored.
//
// A Cache is not safe for concurrent use; the engine guards it with a mutex.
package cache
