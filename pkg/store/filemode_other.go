//go:build !unix

package store

// ownerOnlyFiles: outside Unix, files inherit the folder's access list.
func ownerOnlyFiles() {}
