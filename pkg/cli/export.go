package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/crm"
	"github.com/padron-org/padron/pkg/store"
)

// exportOpts are the flags of the export commands that write people or donations.
type exportOpts struct {
	out, format, encoding, delimiter string
	crm                              crm.TargetOptions
}

// target looks up the export's --format: a file format or a CRM's.
func (o exportOpts) target() (crm.Target, crm.Format, error) {
	target, format, err := crm.LookupExport(strings.ToLower(o.format), o.crm)
	if err != nil {
		return crm.Target{}, format, usageError("--format: %v", err)
	}
	return target, format, nil
}

func (o *exportOpts) register(c *cobra.Command) {
	f := c.Flags()
	var formats []string
	for _, x := range crm.Exports() {
		formats = append(formats, x.Name)
	}
	f.StringVar(&o.format, "format", "csv", "file format or CRM: "+strings.Join(formats, ", "))
	f.StringVar(&o.encoding, "encoding", "utf-8", "text encoding of CSV files: "+strings.Join(crm.Encodings(), ", "))
	f.StringVar(&o.delimiter, "delimiter", ",", `field delimiter of CSV files: "," ";" "|" or tab`)
	f.BoolVar(&o.crm.NPSPUnmanaged, "npsp-unmanaged", false, "npsp: field names without the npsp__ prefix (unmanaged NPSP)")
	f.StringVar(&o.crm.SuiteCRMCommitment, "suitecrm-commitment", "", "suitecrm: the SinergiaCRM payment commitment every payment belongs to")
}

func newExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write people, links, donations or a segment to a file, or a CRM's import file",
		Long: `Write what dedupe concluded to a file: CSV (UTF-8, comma-separated, with a header)
unless --format says otherwise. people, donations and segment also write XLSX,
Parquet, and the import files of CiviCRM, Salesforce NPSP and SuiteCRM/SinergiaCRM
(--format civicrm|npsp|suitecrm; see docs/migration.md). CSV cells that a spreadsheet
would run as a formula (starting with = + - @, tab or CR, other than numbers and phone
numbers) get a leading apostrophe; XLSX writes them as text cells. The file is written
whole or not at all, readable by its owner only, and --out - writes to standard output.

Exports hold personal data: with --encrypt-to age1... (repeatable), --recipients-file
FILE or --passphrase (typed twice on the terminal, or env PADRON_PASSPHRASE) the file
is encrypted with age instead, so its content is an age file whatever its name (name
it .age); open it with 'age --decrypt -i KEYFILE' or 'age --decrypt' and the passphrase.`,
		Args: noArgs,
	}
	var links exportOpts
	linksCmd := &cobra.Command{
		Use:   "links --out FILE",
		Short: "One row per record: source_file,record_no,person_id",
		Long: `Write one row per record with exactly the columns source_file,record_no,person_id:
source_file is the imported file's base name and record_no the record's number in
it, as 'padron records' shows them (a name a spreadsheet would run as a formula,
"=x.csv", gets a leading apostrophe). Refuses while records wait for a dedupe run.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExportLinks(e, links.out) },
	}
	var people exportOpts
	peopleCmd := &cobra.Command{
		Use:   "people --out FILE [--format F]",
		Short: "One row per person with the golden fields",
		Long: `Write one row per person. --format csv, xlsx and parquet have padron's columns:
person_id,given_name,family_name,email,phone,city,country,opted_out, then street,
postcode,region,birth_date,national_id,emails,phones,tags,records,sources (lists
separated by "; "), addresses (separated by " | "). --format civicrm, npsp and
suitecrm write that CRM's contact import file, with its own column names; opted-out
people are kept, marked as the CRM marks them (do_not_email, email_opt_out...).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportPeople(e, people, func(st *store.Store, each func(store.PersonView) error) error {
				return st.EachPerson(e.ctx, each)
			})
		},
	}
	var do donationsOpts
	var donations exportOpts
	donationsCmd := &cobra.Command{
		Use:   "donations --out FILE [--format F]",
		Short: "One row per donation with its person",
		Long: `Write one row per donation (see 'padron donations'). --format csv, xlsx and parquet
have padron's columns: person_id,date,amount,currency,source_file,record_no,reference,
then method,score,review_candidate,name,title. Amounts are exact, with a dot decimal
separator. --format civicrm writes CiviCRM's contribution import, npsp NPSP's Data
Import rows (donor and donation), suitecrm SinergiaCRM's payments; those CRMs refuse
a donation without its contact, so donations no person is known for are left out and
counted.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExportDonations(e, donations, do) },
	}
	donationsCmd.Flags().StringVar(&do.person, "person", "", "only this person's (a person id or a record FILE:RECORD_NO)")
	donationsCmd.Flags().BoolVar(&do.filter.Unattributed, "unattributed", false, "only donations no known person was found for")
	donationsCmd.Flags().StringVar(&do.from, "from", "", "only from this date (YYYY-MM-DD)")
	donationsCmd.Flags().StringVar(&do.to, "to", "", "only up to this date, inclusive (YYYY-MM-DD)")
	var seg exportOpts
	var segInclude bool
	segCmd := &cobra.Command{
		Use:   "segment NAME --out FILE [--format F]",
		Short: "One row per person of a saved segment, as export people writes them",
		Long: `Write the people a saved segment selects now (see 'padron segment'), in any format
of 'padron export people'. People who opted out are left out unless
--include-opted-out (a CRM migration may want them, marked); the count goes to stderr.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExportPeople(e, seg, func(st *store.Store, each func(store.PersonView) error) error {
				g, where, params, err := resolveSegment(e, st, args[0], time.Time{})
				if err != nil {
					return err
				}
				c, err := st.EachPersonWhere(e.ctx, where, params, segInclude, each)
				if err == nil {
					e.say("%s", countLine(g.Name, c, segInclude))
				}
				return err
			})
		},
	}
	segCmd.Flags().BoolVar(&segInclude, "include-opted-out", false, "write people who opted out too")
	people.register(peopleCmd)
	donations.register(donationsCmd)
	seg.register(segCmd)
	for _, c := range []struct {
		cmd *cobra.Command
		o   *exportOpts
	}{{linksCmd, &links}, {peopleCmd, &people}, {donationsCmd, &donations}, {segCmd, &seg}} {
		c.cmd.Flags().StringVarP(&c.o.out, "out", "o", "", "file to write (- for standard output)")
		_ = c.cmd.MarkFlagRequired("out")
		cmd.AddCommand(c.cmd)
	}
	registerExportSeal(e, cmd)
	return cmd
}

// writeOut writes a file atomically (temporary file, then rename), owner-only, and
// encrypted with age when an export's --encrypt-to or --passphrase asks for it.
func writeOut(e *env, path string, write func(io.Writer) error) error {
	write, err := sealed(e, write)
	if err != nil {
		return err
	}
	if path == "-" {
		return write(e.io.Out)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	// On disk before the rename, so a crash leaves the old file or the whole new one.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// runExportLinks writes one row per record through the CSV writer every export
// uses, so that file names are neutralised like any other cell.
func runExportLinks(e *env, out string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	format, err := crm.LookupFormat("csv")
	if err != nil {
		return err
	}
	table := crm.Table{Columns: []crm.Column{{Name: "source_file", Kind: crm.Text}, {Name: "record_no", Kind: crm.Int},
		{Name: "person_id", Kind: crm.Int}}, Rows: func(emit func([]string) error) error {
		return st.ExportLinks(e.ctx, func(file string, no int, person int64) error {
			p := ""
			if person != 0 {
				p = strconv.FormatInt(person, 10)
			}
			return emit([]string{file, strconv.Itoa(no), p})
		})
	}}
	n, err := writeTable(e, exportOpts{out: out}, format, table)
	if err != nil {
		return err
	}
	if out != "-" {
		e.say("wrote %d links to %s", n, out)
	}
	return nil
}

// runExportPeople writes the people each yields in the export's target and format.
func runExportPeople(e *env, o exportOpts, each func(*store.Store, func(store.PersonView) error) error) error {
	target, format, err := o.target()
	if err != nil {
		return err
	}
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	table := crm.PeopleTable(target, func(f func(store.PersonView) error) error { return each(st, f) })
	n, err := writeTable(e, o, format, table)
	if err != nil {
		return err
	}
	if o.out != "-" {
		e.say("wrote %d people to %s (%s)", n, o.out, o.format)
	}
	return nil
}

// writeTable writes a table atomically to o.out in format.
func writeTable(e *env, o exportOpts, format crm.Format, t crm.Table) (int, error) {
	n := 0
	err := writeOut(e, o.out, func(w io.Writer) error {
		var err error
		n, err = crm.Write(w, format, t, crm.Options{Encoding: o.encoding, Delimiter: o.delimiter})
		return err
	})
	return n, err
}
