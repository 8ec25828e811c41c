// Package store keeps padron's data in one DuckDB file: import batches, records with
// their raw rows and provenance, and problems found on the way. It never prints.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// Store is an open padron store.
type Store struct {
	db     *sql.DB
	path   string
	golden map[string]GoldenRule // survivorship rules by field; absent: most frequent
}

// InUseError says another process holds the store.
type InUseError struct {
	Path string
	PID  string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("store %s is in use by process %s: wait for it to finish, or use another --db", e.Path, e.PID)
}

var lockPID = regexp.MustCompile(`\(PID (\d+)\)`)

// Open opens (creating if needed) the store at path and brings its schema up to date.
// An empty path opens a private in-memory store.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, migrations)
}

func open(ctx context.Context, path string, migs []migration) (*Store, error) {
	_, statErr := os.Stat(path)
	isNew := path != "" && errors.Is(statErr, os.ErrNotExist)
	ownerOnlyFiles()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, openError(path, err) // duckdb-go opens the file, and meets the lock, here
	}
	// One connection: DuckDB is in-process, and a single connection keeps explicit
	// transactions and appenders on the same session.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	// Records carry their order in id and record_no, and every listing sorts by them:
	// letting DuckDB store a load's rows in any order makes the load a quarter faster.
	if _, err := db.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if isNew {
		// The store holds personal data: owner-only from the start.
		_ = os.Chmod(path, 0o600)
	}
	if err := registerBulk(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := migrate(ctx, db, migs); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// openError names a lock held by another process as an InUseError.
func openError(path string, err error) error {
	if m := lockPID.FindStringSubmatch(err.Error()); m != nil {
		return &InUseError{Path: path, PID: m[1]}
	}
	return fmt.Errorf("open store %s: %w", path, err)
}

// SetMemoryLimit caps DuckDB's own memory (e.g. "512MB"); beyond it DuckDB spills to
// a temporary folder beside the store.
func (s *Store) SetMemoryLimit(limit string) error {
	if _, err := s.db.Exec("SET memory_limit = " + quoteLiteral(limit)); err != nil {
		return fmt.Errorf("memory limit %q: %w", limit, err)
	}
	return nil
}

// Close checkpoints and closes the store.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the database for packages that query it directly (reports, matching).
func (s *Store) DB() *sql.DB { return s.db }

// Path is the store's file, empty for an in-memory store.
func (s *Store) Path() string { return s.path }
