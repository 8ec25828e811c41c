package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/padron-org/padron/pkg/store"
)

const secretValue = "ana.nowak.unique@example.org"

func init() { scryptWorkFactor = 10 } // keeps passphrase tests fast; format unchanged

// newStore makes a store with a few rows, one of them a recognisable value.
func newStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "padron.duckdb")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, q := range []string{
		`INSERT INTO counters VALUES ('` + secretValue + `', 7)`,
		`INSERT INTO counters SELECT 'n' || i, i FROM range(5000) t(i)`,
	} {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return st, path
}

// fingerprint describes a store: schema objects and every counter.
func fingerprint(t *testing.T, path string) string {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT count(*) FROM duckdb_views() WHERE NOT internal`,
		`SELECT count(*) FROM duckdb_constraints()`,
		`SELECT count(*) FROM duckdb_tables()`,
		`SELECT max(version) FROM schema_meta`,
		`SELECT count(*), sum(hash(name, value)) FROM counters`,
	} {
		var x, y any
		row := st.DB().QueryRow(q)
		if strings.Contains(q, "sum(") {
			if err := row.Scan(&x, &y); err != nil {
				t.Fatal(err)
			}
		} else if err := row.Scan(&x); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.TrimSpace(strings.Join([]string{q, toS(x), toS(y)}, " ")) + "\n")
	}
	return b.String()
}

func toS(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func backupBytes(t *testing.T, st *store.Store, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Write(context.Background(), st, &buf, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opt  Options
		keys Keys
	}{
		{"plain", Options{}, Keys{}},
		{"x25519", Options{Recipients: []age.Recipient{id.Recipient()}}, Keys{Identities: []age.Identity{id}}},
		{"passphrase", Options{Passphrase: "correct horse"}, Keys{Passphrase: "correct horse"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, path := newStore(t)
			want := fingerprint(t, path)
			c.opt.PadronVersion = "test"
			data := backupBytes(t, st, c.opt)
			// DuckDB compresses strings, so the plain backup is recognised by the DuckDB
			// file's magic and the manifest; the encrypted one must show none of them.
			for _, known := range []string{"DUCK", `"store_sha256"`} {
				if got := bytes.Contains(data, []byte(known)); got != (c.name == "plain") {
					t.Fatalf("%s backup: contains %q = %v", c.name, known, got)
				}
			}
			if c.name != "plain" && bytes.Contains(data, []byte(secretValue)) {
				t.Fatalf("%s backup holds a plaintext value", c.name)
			}
			// Change the store, then restore over it.
			if _, err := st.DB().Exec(`DELETE FROM counters`); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if _, err := Restore(context.Background(), bytes.NewReader(data), path, RestoreOptions{Keys: c.keys}); err == nil {
				t.Fatal("restore over an existing store without Force succeeded")
			}
			res, err := Restore(context.Background(), bytes.NewReader(data), path, RestoreOptions{Keys: c.keys, Force: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Manifest.Tables["counters"] < 5001 || res.Manifest.SchemaVersion != store.SchemaVersion() || res.Manifest.PadronVersion != "test" {
				t.Fatalf("manifest %+v", res.Manifest)
			}
			if res.Previous != path+".before-restore" {
				t.Fatalf("previous kept at %q", res.Previous)
			}
			if got := fingerprint(t, path); got != want {
				t.Fatalf("restored store differs:\n%s\nwant\n%s", got, want)
			}
			for _, p := range []string{path, res.Previous} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Fatalf("%s has mode %v", p, fi.Mode().Perm())
				}
			}
			if _, err := os.Stat(path + ".wal"); err == nil {
				t.Fatal("a .wal was left beside the restored store")
			}
			// The old store is intact beside it.
			prev, err := store.Open(context.Background(), res.Previous)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			prev.DB().QueryRow(`SELECT count(*) FROM counters`).Scan(&n)
			prev.Close()
			if n != 0 {
				t.Fatalf("previous store has %d counters, want 0", n)
			}
		})
	}
}

func TestRestoreIntoNewPath(t *testing.T) {
	st, path := newStore(t)
	data := backupBytes(t, st, Options{})
	dst := filepath.Join(t.TempDir(), "new.duckdb")
	res, err := Restore(context.Background(), bytes.NewReader(data), dst, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != "" {
		t.Fatalf("previous %q for a new store", res.Previous)
	}
	st.Close()
	if fingerprint(t, dst) != fingerprint(t, path) {
		t.Fatal("restored store differs")
	}
}

// refused checks that restoring data fails with want and leaves the store alone.
func refused(t *testing.T, data []byte, keys Keys, want func(error) bool) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "current.duckdb")
	cur, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	cur.DB().Exec(`INSERT INTO counters VALUES ('current', 1)`)
	cur.Close()
	before := fingerprint(t, path)
	_, err = Restore(context.Background(), bytes.NewReader(data), path, RestoreOptions{Keys: keys, Force: true})
	if err == nil || !want(err) {
		t.Fatalf("err = %v", err)
	}
	if fingerprint(t, path) != before {
		t.Fatal("the current store changed")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "current.duckdb" {
			t.Fatalf("left behind: %s", e.Name())
		}
	}
}

func isDamaged(err error) bool { return errors.Is(err, ErrDamaged) }

func TestTamperedAndTruncatedAreRefused(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	st, _ := newStore(t)
	plain := backupBytes(t, st, Options{})
	enc := backupBytes(t, st, Options{Recipients: []age.Recipient{id.Recipient()}})
	keys := Keys{Identities: []age.Identity{id}}
	for _, c := range []struct {
		name string
		data []byte
		keys Keys
	}{{"plain", plain, Keys{}}, {"x25519", enc, keys}} {
		// One flipped byte anywhere: at the start, in the manifest, in the store, at the end.
		for _, at := range []int{0, 20, 60, len(c.data) / 3, len(c.data) / 2, len(c.data) - 40, len(c.data) - 1} {
			bad := append([]byte(nil), c.data...)
			bad[at] ^= 0x01
			t.Run(c.name+"/flip", func(t *testing.T) {
				refused(t, bad, c.keys, func(err error) bool { return err != nil })
			})
		}
		for _, n := range []int{0, 10, len(c.data) / 2, len(c.data) - 1} {
			t.Run(c.name+"/truncated", func(t *testing.T) {
				refused(t, c.data[:n], c.keys, func(err error) bool { return err != nil })
			})
		}
	}
	// A flip inside the plain store's bytes is named as damage.
	bad := append([]byte(nil), plain...)
	bad[len(bad)/2] ^= 0x80
	refused(t, bad, Keys{}, isDamaged)
	refused(t, plain[:len(plain)-100], Keys{}, isDamaged)
}

func TestWrongKeyIsRefused(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	st, _ := newStore(t)
	enc := backupBytes(t, st, Options{Recipients: []age.Recipient{id.Recipient()}})
	var wk *WrongKeyError
	refused(t, enc, Keys{Identities: []age.Identity{other}}, func(err error) bool { return errors.As(err, &wk) })
	refused(t, enc, Keys{Passphrase: "guess"}, func(err error) bool { return errors.As(err, &wk) })
	refused(t, enc, Keys{}, func(err error) bool { return errors.Is(err, ErrNoKey) })
	pass := backupBytes(t, st, Options{Passphrase: "right"})
	refused(t, pass, Keys{Passphrase: "wrong"}, func(err error) bool { return errors.As(err, &wk) })
}

func TestEncryptWriter(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	msg := "person_id,email\n1," + secretValue + "\n"
	for _, c := range []struct {
		name       string
		recipients []string
		pass       string
		keys       Keys
	}{
		{"x25519", []string{id.Recipient().String()}, "", Keys{Identities: []age.Identity{id}}},
		{"passphrase", nil, "s3cret", Keys{Passphrase: "s3cret"}},
	} {
		var buf bytes.Buffer
		w, err := EncryptWriter(&buf, c.recipients, c.pass)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(msg))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(buf.Bytes(), []byte(secretValue)) || !strings.HasPrefix(buf.String(), ageMagic) {
			t.Fatalf("%s: not encrypted", c.name)
		}
		r, err := DecryptReader(&buf, c.keys.Identities, c.keys.Passphrase)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := out.ReadFrom(r); err != nil || out.String() != msg {
			t.Fatalf("%s: decrypted %q, %v", c.name, out.String(), err)
		}
	}
	if _, err := EncryptWriter(&bytes.Buffer{}, []string{"AGE-SECRET-KEY-1XYZ"}, ""); err == nil || strings.Contains(err.Error(), "XYZ") {
		t.Fatalf("bad recipient: %v", err)
	}
	if _, err := EncryptWriter(&bytes.Buffer{}, []string{id.Recipient().String()}, "x"); err == nil {
		t.Fatal("recipients and passphrase together accepted")
	}
	var buf bytes.Buffer
	w, _ := EncryptWriter(&buf, nil, "")
	w.Write([]byte("plain"))
	w.Close()
	if buf.String() != "plain" {
		t.Fatal("no keys: not passed through")
	}
}
