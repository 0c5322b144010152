package vault

// SetImportBatches makes an import into a new vault commit every n bytes
// of the file and call after each commit, until restore is called.
func SetImportBatches(n int, after func()) (restore func()) {
	oldN, oldAfter := importBatchBytes, afterImportBatch
	importBatchBytes, afterImportBatch = n, after
	return func() { importBatchBytes, afterImportBatch = oldN, oldAfter }
}

// SetImportReadAhead sets how many records, and how many bytes of them,
// an import reads ahead of its write until restore is called.
func SetImportReadAhead(n, bytes int) (restore func()) {
	old, oldBytes := readAhead, readAheadBytes
	readAhead, readAheadBytes = n, bytes
	return func() { readAhead, readAheadBytes = old, oldBytes }
}

// SetImportCopyBytes makes a merge of an import larger than n bytes go
// into a copy of the vault, until restore is called.
func SetImportCopyBytes(n int64) (restore func()) {
	old := importCopyBytes
	importCopyBytes = n
	return func() { importCopyBytes = old }
}
