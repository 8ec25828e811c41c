//go:build unix

package store

import "syscall"

// ownerOnlyFiles makes the files DuckDB creates on its own (the .wal, re-created after
// every checkpoint, and the .tmp spill folder) owner-only like the store: they hold
// the same personal data, and DuckDB has no setting for their mode. Stricter bits the
// user already had are kept.
func ownerOnlyFiles() {
	if old := syscall.Umask(0o077); old&^0o077 != 0 {
		syscall.Umask(old | 0o077)
	}
}
