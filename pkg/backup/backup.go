// Package backup writes and restores whole copies of a padron store, optionally
// encrypted with age, and encrypts other files (exports) the same way. It never prints.
//
// A backup file is, before any encryption:
//
//	padron-backup 1\n
//	<length of the manifest in bytes, decimal>\n
//	<manifest: JSON, see Manifest>
//	<the store: a DuckDB file of manifest.store_size bytes>
//	<SHA-256 of every byte above: 32 bytes>
//
// Every byte is covered by the final checksum, so a changed or cut file is refused
// whether or not it is encrypted; age adds authentication when it is.
package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/padron-org/padron/pkg/store"
)

const (
	magic         = "padron-backup 1\n"
	formatName    = "padron-backup"
	formatVersion = 1
	maxManifest   = 1 << 20
)

// Manifest describes a backup: who wrote it, what it holds and its checksum.
type Manifest struct {
	Format        string           `json:"format"`
	FormatVersion int              `json:"format_version"`
	PadronVersion string           `json:"padron_version"`
	SchemaVersion int              `json:"schema_version"`
	CreatedAt     time.Time        `json:"created_at"`
	StoreSize     int64            `json:"store_size"`
	StoreSHA256   string           `json:"store_sha256"`
	Tables        map[string]int64 `json:"tables"`    // rows per table
	Encrypted     bool             `json:"encrypted"` // on reading: whether this file was
}

// ErrDamaged marks a backup that was changed, cut short or is not a padron backup.
var ErrDamaged = errors.New("backup is damaged, cut short or was changed")

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// Options for writing a backup.
type Options struct {
	PadronVersion string
	Recipients    []age.Recipient // encrypt to these age public keys...
	Passphrase    string          // ...or with this passphrase; neither: plain
	TempDir       string          // where the copy is made before packing (default: the system's)
	Now           func() time.Time
}

// Write packs a consistent copy of the open store into w. The store's single
// connection holds DuckDB's file lock, so no other process writes while it runs.
func Write(ctx context.Context, st *store.Store, w io.Writer, opt Options) (*Manifest, error) {
	if st.Path() == "" {
		return nil, errors.New("backup: the store is in memory")
	}
	ew, err := Encrypt(w, opt.Recipients, opt.Passphrase)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opt.TempDir, ".padron-backup-*") // 0700: the copy is personal data
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "store.duckdb")
	m, err := snapshot(ctx, st.DB(), copyPath)
	if err != nil {
		return nil, fmt.Errorf("backup: copy the store: %w", err)
	}
	m.Format, m.FormatVersion, m.PadronVersion = formatName, formatVersion, opt.PadronVersion
	m.CreatedAt = time.Now().UTC()
	if opt.Now != nil {
		m.CreatedAt = opt.Now().UTC()
	}
	m.Encrypted = len(opt.Recipients) > 0 || opt.Passphrase != ""
	f, err := os.Open(copyPath)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	sum := sha256.New()
	if m.StoreSize, err = io.Copy(sum, f); err != nil {
		return nil, fmt.Errorf("backup: read the copy: %w", err)
	}
	m.StoreSHA256 = hex.EncodeToString(sum.Sum(nil))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	all := sha256.New()
	out := io.MultiWriter(ew, all)
	if _, err := fmt.Fprintf(out, "%s%d\n", magic, len(js)); err != nil {
		return nil, fmt.Errorf("backup: write: %w", err)
	}
	if _, err := out.Write(js); err != nil {
		return nil, fmt.Errorf("backup: write: %w", err)
	}
	if n, err := io.Copy(out, f); err != nil || n != m.StoreSize {
		return nil, fmt.Errorf("backup: write the store (%d of %d bytes): %w", n, m.StoreSize, err)
	}
	if _, err := ew.Write(all.Sum(nil)); err != nil {
		return nil, fmt.Errorf("backup: write: %w", err)
	}
	if err := ew.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish: %w", err)
	}
	return m, nil
}

// snapshot copies the database behind db into a new DuckDB file at path, with
// ATTACH + COPY FROM DATABASE on the store's own connection, and counts rows on both
// sides. A logical copy rather than the file's bytes: it needs no checkpoint or WAL
// juggling, holds no freed blocks (where forgotten people's data may linger), and
// reading every row proves the store readable before we call it a backup.
func snapshot(ctx context.Context, db *sql.DB, path string) (*Manifest, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var src string
	if err := conn.QueryRowContext(ctx, `SELECT current_database()`).Scan(&src); err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := conn.QueryRowContext(ctx, `SELECT max(version) FROM schema_meta`).Scan(&m.SchemaVersion); err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	before, err := countRows(ctx, conn, src)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `ATTACH `+quoteLiteral(path)+` AS padron_backup_copy`); err != nil {
		return nil, err
	}
	attached := true
	defer func() {
		if attached {
			_, _ = conn.ExecContext(context.Background(), `DETACH padron_backup_copy`)
		}
	}()
	if _, err := conn.ExecContext(ctx, `COPY FROM DATABASE `+quoteIdent(src)+` TO padron_backup_copy`); err != nil {
		return nil, err
	}
	after, err := countRows(ctx, conn, "padron_backup_copy")
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `DETACH padron_backup_copy`); err != nil {
		return nil, err
	}
	attached = false
	// DETACH checkpoints the copy; rows left in a .wal would be missing from the file.
	if _, err := os.Stat(path + ".wal"); err == nil {
		return nil, errors.New("the copy kept a write-ahead log after DETACH")
	}
	if err := sameCounts(before, after); err != nil {
		return nil, fmt.Errorf("the copy differs from the store: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, err
	}
	m.Tables = after
	return m, nil
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// countRows counts the rows of every base table of a database's main schema.
func countRows(ctx context.Context, q queryer, database string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' AND NOT temporary ORDER BY table_name`, database)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(database)+`.main.`+quoteIdent(n)).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}

func sameCounts(want, got map[string]int64) error {
	for t, n := range want {
		g, ok := got[t]
		if !ok {
			return fmt.Errorf("table %s is missing", t)
		}
		if g != n {
			return fmt.Errorf("table %s has %d rows, want %d", t, g, n)
		}
	}
	for t := range got {
		if _, ok := want[t]; !ok {
			return fmt.Errorf("unexpected table %s", t)
		}
	}
	return nil
}

// Keys open an encrypted backup: age identities, a passphrase, or both.
type Keys struct {
	Identities []age.Identity
	Passphrase string
}

// Extract reads a backup from r, decrypting it if needed, writes its store to dst (a
// new file, owner-only) and checks every checksum. The file at dst is only a
// verified copy when the error is nil; on error the caller removes it.
func Extract(r io.Reader, dst string, keys Keys) (*Manifest, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	encrypted := IsEncrypted(br)
	if encrypted {
		dr, err := DecryptReader(br, keys.Identities, keys.Passphrase)
		if err != nil {
			return nil, err
		}
		src = bufio.NewReaderSize(dr, 64<<10)
	}
	all := sha256.New()
	tr := io.TeeReader(src, all)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(tr, head); err != nil || string(head) != magic {
		if encrypted {
			return nil, damaged("not a padron backup inside the encryption")
		}
		return nil, damaged("not a padron backup (nor an age-encrypted one)")
	}
	n, err := readLength(tr)
	if err != nil {
		return nil, err
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(tr, js); err != nil {
		return nil, damaged("manifest cut short: %v", readErr(err))
	}
	m := &Manifest{}
	if err := json.Unmarshal(js, m); err != nil {
		return nil, damaged("manifest: %v", err)
	}
	if m.Format != formatName || m.FormatVersion != formatVersion {
		return nil, damaged("manifest names format %q version %d; this padron reads %s %d", m.Format, m.FormatVersion, formatName, formatVersion)
	}
	if m.StoreSize <= 0 {
		return nil, damaged("manifest gives no store size")
	}
	m.Encrypted = encrypted
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	storeSum := sha256.New()
	n64, err := io.CopyN(io.MultiWriter(f, storeSum), tr, m.StoreSize)
	if cerr := f.Close(); err == nil && cerr != nil {
		return nil, fmt.Errorf("restore: write %s: %w", dst, cerr)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("restore: write %s: %w", dst, err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, damaged("store cut short after %d of %d bytes", n64, m.StoreSize)
		}
		return nil, damaged("store unreadable after %d of %d bytes: %v", n64, m.StoreSize, err)
	}
	want := all.Sum(nil)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(src, got); err != nil {
		return nil, damaged("final checksum missing: %v", readErr(err))
	}
	if !bytes.Equal(got, want) {
		return nil, damaged("checksum does not match the contents")
	}
	if _, err := src.Read(make([]byte, 1)); err != io.EOF {
		if err == nil {
			return nil, damaged("extra bytes after the end")
		}
		return nil, damaged("%v", readErr(err))
	}
	if hex.EncodeToString(storeSum.Sum(nil)) != m.StoreSHA256 {
		return nil, damaged("the store's SHA-256 differs from the manifest's")
	}
	return m, nil
}

// readErr names a cut-short read plainly.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of file")
	}
	return err
}

func readLength(r io.Reader) (int, error) {
	var digits []byte
	b := make([]byte, 1)
	for len(digits) <= 8 {
		if _, err := io.ReadFull(r, b); err != nil {
			return 0, damaged("header cut short: %v", readErr(err))
		}
		if b[0] == '\n' {
			n, err := strconv.Atoi(string(digits))
			if err != nil || n <= 0 || n > maxManifest {
				return 0, damaged("bad manifest length %q", digits)
			}
			return n, nil
		}
		digits = append(digits, b[0])
	}
	return 0, damaged("bad manifest length")
}

// CheckStore opens an extracted store read-only and checks it against its manifest:
// it opens, its schema is one this padron knows, and every table has its rows.
func CheckStore(ctx context.Context, path string, m *Manifest) error {
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return fmt.Errorf("the backup's store does not open: %w", err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_meta`).Scan(&v); err != nil {
		return fmt.Errorf("the backup's store does not open as a padron store: %w", err)
	}
	if v != m.SchemaVersion {
		return damaged("store schema version %d, manifest says %d", v, m.SchemaVersion)
	}
	if v > store.SchemaVersion() {
		return &store.NewerStoreError{Have: v, Know: store.SchemaVersion()}
	}
	var name string
	if err := db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		return err
	}
	counts, err := countRows(ctx, db, name)
	if err != nil {
		return fmt.Errorf("the backup's store: %w", err)
	}
	if err := sameCounts(m.Tables, counts); err != nil {
		return damaged("%v", err)
	}
	return nil
}

// ExistsError refuses to replace a store without being told to.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("store %s exists: add --force to replace it (it is kept as %s.before-restore)", e.Path, e.Path)
}

// RestoreOptions for Restore.
type RestoreOptions struct {
	Keys
	Force     bool // replace an existing store, keeping it beside
	CheckOnly bool // verify only; the store is not touched
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	Manifest *Manifest `json:"manifest"`
	Previous string    `json:"previous,omitempty"` // where the replaced store was kept; empty if there was none
}

// Restore verifies the backup in r completely (checksums, that it opens, its schema
// version, its row counts) and only then replaces the store at path with it, by
// rename. The replaced store is kept as path.before-restore (or .before-restore.N).
// On any error the store at path is as it was.
func Restore(ctx context.Context, r io.Reader, path string, opt RestoreOptions) (*RestoreResult, error) {
	if path == "" {
		return nil, errors.New("restore: no store path")
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists && !opt.Force && !opt.CheckOnly {
		return nil, &ExistsError{Path: path}
	}
	// The copy is made beside the store so that the final rename stays on one
	// filesystem, in a private folder since it is personal data.
	dir, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".restore-*")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "store.duckdb")
	m, err := Extract(r, tmp, opt.Keys)
	if err != nil {
		return nil, err
	}
	if err := CheckStore(ctx, tmp, m); err != nil {
		return nil, err
	}
	res := &RestoreResult{Manifest: m}
	if opt.CheckOnly {
		return res, nil
	}
	// Open it as padron would: an older schema is upgraded now, not half-way later.
	st, err := store.Open(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("the backup's store does not open: %w", err)
	}
	if err := st.Close(); err != nil {
		return nil, fmt.Errorf("the backup's store: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if !exists {
		// Link refuses to overwrite a store that appeared meanwhile.
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, os.ErrExist) {
				return nil, &ExistsError{Path: path}
			}
			return nil, fmt.Errorf("restore: %w", err)
		}
		return res, nil
	}
	prev, err := swap(ctx, path, tmp)
	if err != nil {
		return nil, err
	}
	res.Previous = prev
	return res, nil
}

// swap replaces the store at path with the file at tmp while holding the old store
// open (so its lock keeps other padron processes out), after a checkpoint so that
// nothing of it lives in its .wal and closing it writes nothing.
func swap(ctx context.Context, path, tmp string) (string, error) {
	old, err := store.Open(ctx, path)
	if err != nil {
		return "", err
	}
	closed := false
	defer func() {
		if !closed {
			old.Close()
		}
	}()
	if _, err := old.DB().ExecContext(ctx, `FORCE CHECKPOINT`); err != nil {
		return "", fmt.Errorf("restore: checkpoint the current store: %w", err)
	}
	if fi, err := os.Stat(path + ".wal"); err == nil && fi.Size() > 0 {
		return "", fmt.Errorf("restore: the current store's %s.wal is not empty after a checkpoint; nothing was changed", path)
	}
	prev := path + ".before-restore"
	for i := 2; ; i++ {
		if _, err := os.Lstat(prev); errors.Is(err, os.ErrNotExist) {
			break
		}
		prev = path + ".before-restore." + strconv.Itoa(i)
	}
	if err := os.Rename(path, prev); err != nil {
		return "", fmt.Errorf("restore: keep the current store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		// Put the old store back: it must stay as it was.
		if rerr := os.Rename(prev, path); rerr != nil {
			return "", fmt.Errorf("restore: %w; and moving the store back failed too: it is at %s (%v)", err, prev, rerr)
		}
		return "", fmt.Errorf("restore: %w", err)
	}
	closed = true
	if err := old.Close(); err != nil {
		return prev, fmt.Errorf("restore: close the previous store (kept at %s): %w", prev, err)
	}
	return prev, nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
