package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/store"
)

func newExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write people, links or donations to a file",
		Long: `Write what dedupe concluded to a CSV file (UTF-8, comma-separated, with a header).
The file is written whole or not at all, readable by its owner only, and --out -
writes to standard output.`,
		Args: noArgs,
	}
	var out string
	links := &cobra.Command{
		Use:   "links --out FILE",
		Short: "One row per record: source_file,record_no,person_id",
		Long: `Write one row per record with exactly the columns source_file,record_no,person_id:
source_file is the imported file's base name and record_no the record's number in
it, as 'padron records' shows them. Refuses while records wait for a dedupe run.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExportLinks(e, out) },
	}
	people := &cobra.Command{
		Use:   "people --out FILE",
		Short: "One row per person with the golden fields",
		Long: `Write one row per person: person_id,given_name,family_name,email,phone,city,country,
opted_out, then street,postcode,region,birth_date,national_id,emails,phones,tags,
records,sources (lists separated by "; "), addresses (separated by " | ").`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExportPeople(e, out) },
	}
	var do donationsOpts
	donations := &cobra.Command{
		Use:   "donations --out FILE",
		Short: "One row per donation with its person",
		Long: `Write one row per donation (see 'padron donations'): person_id,date,amount,currency,
source_file,record_no,reference, then method,score,review_candidate,name,title.
Amounts are exact, with the currency's own decimals.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExportDonations(e, out, do) },
	}
	donations.Flags().StringVar(&do.person, "person", "", "only this person's (a person id or a record FILE:RECORD_NO)")
	donations.Flags().BoolVar(&do.filter.Unattributed, "unattributed", false, "only donations no known person was found for")
	donations.Flags().StringVar(&do.from, "from", "", "only from this date (YYYY-MM-DD)")
	donations.Flags().StringVar(&do.to, "to", "", "only up to this date, inclusive (YYYY-MM-DD)")
	for _, c := range []*cobra.Command{links, people, donations} {
		c.Flags().StringVarP(&out, "out", "o", "", "file to write (- for standard output)")
		_ = c.MarkFlagRequired("out")
		cmd.AddCommand(c)
	}
	return cmd
}

// writeOut writes a file atomically (temporary file, then rename), owner-only.
func writeOut(e *env, path string, write func(io.Writer) error) error {
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
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// exportCSV writes a CSV export of the deduplicated store: the header, then the
// rows each calls write for.
func exportCSV(e *env, out, noun string, header []string, each func(*store.Store, func([]string) error) error) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	n := 0
	err = writeOut(e, out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		if err := each(st, func(row []string) error { n++; return cw.Write(row) }); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	if out != "-" {
		e.say("wrote %d %s to %s", n, noun, out)
	}
	return nil
}

func runExportLinks(e *env, out string) error {
	return exportCSV(e, out, "links", []string{"source_file", "record_no", "person_id"},
		func(st *store.Store, write func([]string) error) error {
			return st.ExportLinks(e.ctx, func(file string, no int, person int64) error {
				p := ""
				if person != 0 {
					p = strconv.FormatInt(person, 10)
				}
				return write([]string{file, strconv.Itoa(no), p})
			})
		})
}

func runExportPeople(e *env, out string) error {
	header := []string{"person_id", "given_name", "family_name", "email", "phone", "city", "country",
		"opted_out", "street", "postcode", "region", "birth_date", "national_id", "emails", "phones", "tags",
		"records", "sources", "addresses"}
	return exportCSV(e, out, "people", header, func(st *store.Store, write func([]string) error) error {
		return st.EachPerson(e.ctx, func(p store.PersonView) error {
			return write([]string{strconv.FormatInt(p.ID, 10), safeCell(p.GivenName), safeCell(p.FamilyName),
				safeCell(p.Email), p.Phone, safeCell(p.City), p.Country, strconv.FormatBool(p.OptedOut),
				safeCell(p.Street), safeCell(p.Postcode), safeCell(p.Region), p.BirthDate, safeCell(p.NationalID),
				safeCell(strings.Join(p.Emails, "; ")), strings.Join(p.Phones, "; "), safeCell(strings.Join(p.Tags, "; ")),
				strconv.Itoa(p.Records), safeCell(strings.Join(p.Sources, "; ")), safeCell(strings.Join(p.Addresses, " | "))})
		})
	})
}

// safeCell keeps a spreadsheet from running a value as a formula (CSV injection):
// text starting with = + - @ gets a leading apostrophe, which Excel and LibreOffice
// hide. Phone numbers (+48...) are exempt: they are written by padron, not by users.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
