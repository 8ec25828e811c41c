package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"

	"filippo.io/age"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/padron-org/padron/pkg/backup"
	"github.com/padron-org/padron/pkg/store"
)

// sealOpts are the encryption flags of backup and of every export.
type sealOpts struct {
	to         []string
	files      []string
	passphrase bool
}

func (s *sealOpts) register(f *pflag.FlagSet) {
	f.StringArrayVar(&s.to, "encrypt-to", nil, "encrypt with age to this public key (age1...); repeat for more")
	f.StringArrayVar(&s.files, "recipients-file", nil, "encrypt with age to the public keys in this file, one a line")
	f.BoolVar(&s.passphrase, "passphrase", false, "encrypt with age and a passphrase, typed twice on the terminal or from env PADRON_PASSPHRASE")
}

func (s *sealOpts) active() bool {
	return s != nil && (len(s.to) > 0 || len(s.files) > 0 || s.passphrase)
}

// keys reads the recipients or the passphrase the flags name.
func (s *sealOpts) keys(e *env) ([]age.Recipient, string, error) {
	if !s.active() {
		return nil, "", nil
	}
	if s.passphrase && (len(s.to) > 0 || len(s.files) > 0) {
		return nil, "", usageError("--passphrase cannot be combined with --encrypt-to or --recipients-file")
	}
	if s.passphrase {
		p, err := readPassphrase(e, true)
		return nil, p, err
	}
	rs, err := backup.ParseRecipients(s.to)
	if err != nil {
		return nil, "", usageError("--encrypt-to: %v", err)
	}
	for _, name := range s.files {
		f, err := os.Open(name)
		if err != nil {
			return nil, "", usageError("--recipients-file: %v", err)
		}
		more, err := backup.ReadRecipientsFile(f)
		f.Close()
		if err != nil {
			return nil, "", usageError("--recipients-file %s: %v", name, err)
		}
		rs = append(rs, more...)
	}
	if len(rs) == 0 {
		return nil, "", usageError("--encrypt-to: no recipients given")
	}
	return rs, "", nil
}

// registerExportSeal adds the encryption flags to export and its subcommands; writeOut
// finds them through the configuration (only export's flags ever fill them).
func registerExportSeal(e *env, export *cobra.Command) {
	s := &sealOpts{}
	f := export.PersistentFlags()
	s.register(f)
	for _, name := range []string{"encrypt-to", "recipients-file", "passphrase"} {
		f.Lookup(name).Usage += " (the output is then an age file: name it .age)"
	}
	e.cfg.Set(exportSealKey, s)
}

const exportSealKey = "export_seal"

// exportSeal is the encryption asked of the running export command, if any.
func exportSeal(e *env) *sealOpts {
	s, _ := e.cfg.Get(exportSealKey).(*sealOpts)
	return s
}

// sealed wraps write so that its bytes are encrypted as the export flags ask.
func sealed(e *env, write func(io.Writer) error) (func(io.Writer) error, error) {
	s := exportSeal(e)
	if !s.active() {
		return write, nil
	}
	rs, pass, err := s.keys(e)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		ew, err := backup.Encrypt(w, rs, pass)
		if err != nil {
			return err
		}
		if err := write(ew); err != nil {
			return err
		}
		return ew.Close()
	}, nil
}

// readPassphrase takes the passphrase from env PADRON_PASSPHRASE or the terminal
// (twice when it is a new one), never from a flag, where it would sit in the shell's
// history and the process list.
func readPassphrase(e *env, confirm bool) (string, error) {
	if p := os.Getenv("PADRON_PASSPHRASE"); p != "" {
		return p, nil
	}
	f, ok := e.io.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError("a passphrase is needed: type it on a terminal, or set PADRON_PASSPHRASE")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.io.Err, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.io.Err)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		return string(b), nil
	}
	p, err := ask("Passphrase: ")
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", usageError("the passphrase is empty")
	}
	if confirm {
		again, err := ask("Passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", usageError("the passphrases differ")
		}
	}
	return p, nil
}

// padronVersion is the version 'padron version' prints.
func padronVersion() string {
	if Version == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return Version
}

type backupOptions struct {
	out  string
	seal sealOpts
}

func newBackupCmd(e *env) *cobra.Command {
	o := &backupOptions{}
	cmd := &cobra.Command{
		Use:   "backup --out FILE [--encrypt-to KEY... | --passphrase]",
		Short: "Write a verified copy of the whole store to one file, optionally encrypted",
		Long: `Write a consistent copy of the whole store (every import, record, person, decision and
log entry) to one file, with a manifest: padron's version, the store's schema version,
when, the copy's SHA-256 and every table's row count. The copy is taken through the
open store, which holds the store's lock, so no other padron writes meanwhile.

The store holds personal data, and so does the backup: encrypt it with age, either to
public keys (--encrypt-to age1..., repeatable, or --recipients-file FILE; make a key
pair with age-keygen and keep the secret key off this computer) or with a passphrase
(--passphrase: typed twice on the terminal, or env PADRON_PASSPHRASE). The file is
written whole or not at all, readable by its owner only.

Check a backup with 'padron restore --check FILE'; restore it with 'padron restore'.

EXIT STATUS
  0  the backup was written
  1  it could not be (the store is in use, a disk error...)
  2  wrong flags or arguments`,
		Example: `  padron backup --out padron-2026-03-01.backup.age --encrypt-to age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
  PADRON_PASSPHRASE=... padron backup --out padron.backup.age --passphrase`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runBackup(e, o) },
	}
	cmd.Flags().StringVarP(&o.out, "out", "o", "", "file to write (- for standard output)")
	o.seal.register(cmd.Flags())
	return cmd
}

func runBackup(e *env, o *backupOptions) error {
	if o.out == "" {
		return usageError("backup needs --out FILE")
	}
	rs, pass, err := o.seal.keys(e)
	if err != nil {
		return err
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	opt := backup.Options{PadronVersion: padronVersion(), Recipients: rs, Passphrase: pass, TempDir: filepath.Dir(st.Path())}
	var m *backup.Manifest
	err = writeOut(e, o.out, func(w io.Writer) error {
		var err error
		m, err = backup.Write(e.ctx, st, w, opt)
		return err
	})
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, m)
	}
	how := "NOT encrypted: keep it as safe as the store"
	switch {
	case pass != "":
		how = "encrypted with a passphrase"
	case len(rs) > 0:
		how = fmt.Sprintf("encrypted to %s", plural(len(rs), "key"))
	}
	e.say("backed up %s to %s: %s, %s, schema %d, %s; %s", st.Path(), o.out, plural(int(m.Tables["records"]), "record"),
		fmt.Sprintf("%d people", m.Tables["people"]), m.SchemaVersion, formatBytes(m.StoreSize), how)
	return nil
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
}

type restoreOptions struct {
	file       string
	force      bool
	check      bool
	identities []string
	passphrase bool
}

func newRestoreCmd(e *env) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore FILE [--force] [--identity KEYFILE]",
		Short: "Replace the store with a backup, after checking it completely",
		Long: `Restore a backup written by 'padron backup' into the store (--db). Before touching the
store, the backup is decrypted (with --identity, an age key file, or the passphrase:
typed on the terminal or env PADRON_PASSPHRASE), every byte is checked against its
checksums, and the copy must open as a padron store of a schema version this padron
knows, with the row counts its manifest lists. Only then is the store replaced, in
one rename. An existing store is only replaced with --force, and is kept beside it
as STORE.before-restore (or .before-restore.2, ...). A damaged, cut or tampered
backup, or a wrong key, is refused and the store left as it was.

--check verifies the backup the same way and prints its manifest, changing nothing.

EXIT STATUS
  0  restored (or, with --check, the backup is sound)
  1  refused: damaged backup, wrong key, store in use, or the store exists without --force
  2  wrong flags or arguments`,
		Example: `  padron restore --identity ~/keys/padron.key padron-2026-03-01.backup.age --force
  padron restore --check padron.backup.age`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return runRestore(e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.force, "force", false, "replace an existing store (kept as STORE.before-restore)")
	f.BoolVar(&o.check, "check", false, "only verify the backup and print its manifest")
	f.StringArrayVarP(&o.identities, "identity", "i", nil, "age key file that opens the backup (repeatable)")
	f.BoolVar(&o.passphrase, "passphrase", false, "the backup was encrypted with a passphrase (asked for anyway when no --identity is given)")
	return cmd
}

func runRestore(e *env, o *restoreOptions) error {
	path := e.cfg.GetString("db")
	if path == "" {
		return usageError("no store: set --db FILE or PADRON_DB")
	}
	var keys backup.Keys
	for _, name := range o.identities {
		f, err := os.Open(name)
		if err != nil {
			return usageError("--identity: %v", err)
		}
		ids, err := backup.ReadIdentities(f)
		f.Close()
		if err != nil {
			return usageError("--identity %s: %v", name, err)
		}
		keys.Identities = append(keys.Identities, ids...)
	}
	f, err := os.Open(o.file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	in := bufio.NewReaderSize(f, 64<<10)
	if backup.IsEncrypted(in) && (o.passphrase || len(keys.Identities) == 0) {
		if keys.Passphrase, err = readPassphrase(e, false); err != nil {
			if len(keys.Identities) == 0 {
				return fmt.Errorf("restore %s: %w", o.file, backup.ErrNoKey)
			}
			return err
		}
	}
	res, err := backup.Restore(e.ctx, in, path, backup.RestoreOptions{Keys: keys, Force: o.force, CheckOnly: o.check})
	if err != nil {
		var exists *backup.ExistsError
		var inUse *store.InUseError
		if errors.As(err, &exists) || errors.As(err, &inUse) {
			return err
		}
		return fmt.Errorf("restore %s: %w; the store was not changed", o.file, err)
	}
	m := res.Manifest
	if e.json() {
		return writeJSON(e.io.Out, res)
	}
	what := fmt.Sprintf("backup of %s by padron %s (schema %d), %s, %s", m.CreatedAt.Format("2006-01-02 15:04 MST"), m.PadronVersion,
		m.SchemaVersion, plural(int(m.Tables["records"]), "record"), fmt.Sprintf("%d people", m.Tables["people"]))
	if o.check {
		enc := "not encrypted"
		if m.Encrypted {
			enc = "encrypted"
		}
		fmt.Fprintf(e.io.Out, "%s: sound (%s, %s)\n%s\nsha256 %s\n", o.file, enc, formatBytes(m.StoreSize), what, m.StoreSHA256)
		var names []string
		for t := range m.Tables {
			names = append(names, t)
		}
		sort.Strings(names)
		for _, t := range names {
			fmt.Fprintf(e.io.Out, "  %-20s %d\n", t, m.Tables[t])
		}
		return nil
	}
	e.say("restored %s into %s: %s", o.file, path, what)
	if res.Previous != "" {
		e.say("the previous store is kept as %s", res.Previous)
	}
	return nil
}
