package synth

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// WideHeader is the header of the import-benchmark files written by WriteWideCSV and
// WriteWideXLSX.
var WideHeader = []string{"given_name", "family_name", "email", "phone", "street", "postcode", "city", "region", "country", "birth_date", "amount", "tags"}

var isoCountry = [numCountries]string{ctyES: "ES", ctyPL: "PL", ctyAR: "AR", ctyGB: "GB"}

// wideGen draws one clean, realistic person per row from a single seeded stream (no
// duplicates, no households: these files measure import speed, not matching).
type wideGen struct {
	g *gen
	r *rng
}

func newWideGen(rows int, seed uint64) (*wideGen, error) {
	if rows < 0 {
		return nil, fmt.Errorf("synth: rows must not be negative, got %d", rows)
	}
	g, err := newGen(Config{People: max(rows, 1), Seed: seed})
	if err != nil {
		return nil, err
	}
	r := newRNG()
	r.reset(seed, keyWide, 0)
	return &wideGen{g: g, r: r}, nil
}

func (w *wideGen) next(i int) (person, int) {
	r := w.r
	sk := skeleton{idx: i}
	sk.nat = pickNation(r.Float64())
	sk.cty = pickCountry(sk.nat, r.Float64())
	sk.hasEmail = !r.chance(w.g.tune.noEmail)
	p := w.g.newPerson(r, sk, nil)
	return p, amountCents(r)
}

func (w *wideGen) phone(p *person) string {
	return fmtPhone(p.ph, houseStyle(w.r, Contacts, p.sk.cty))
}

// WriteWideCSV writes rows data rows plus a header of the 12 WideHeader columns as
// UTF-8, comma-separated CSV: realistic names with diacritics, addresses, ISO dates
// (birth_date), dot-decimal amounts. The same seed gives the same bytes.
func WriteWideCSV(w io.Writer, rows int, seed uint64) error {
	wg, err := newWideGen(rows, seed)
	if err != nil {
		return err
	}
	c := newCSVWriter(w, ',', false, nil)
	if err := c.row(WideHeader); err != nil {
		return fmt.Errorf("synth: writing wide CSV: %w", err)
	}
	row := make([]string, len(WideHeader))
	for i := range rows {
		p, cents := wg.next(i)
		row[0], row[1], row[2], row[3] = p.given, p.family(), p.email, wg.phone(&p)
		row[4], row[5], row[6], row[7] = p.street, p.postcode, p.pl.city, p.pl.region
		row[8], row[9], row[10] = isoCountry[p.sk.cty], iso(p.birth), centsText(cents)
		row[11] = tags(wg.r, contactTags, 3, ";")
		if err := c.row(row); err != nil {
			return fmt.Errorf("synth: writing wide CSV: %w", err)
		}
	}
	if err := c.flush(); err != nil {
		return fmt.Errorf("synth: writing wide CSV: %w", err)
	}
	return nil
}

func centsText(c int) string {
	b := strconv.AppendInt(nil, int64(c/100), 10)
	b = append(b, '.')
	return string(pad2(b, c%100))
}

// WriteWideXLSX writes the same 12 columns as WriteWideCSV to an XLSX file at path,
// streaming rows (excelize StreamWriter) so memory stays small: header in row 1,
// birth_date as date cells, amount as numbers, the rest as text.
func WriteWideXLSX(path string, rows int, seed uint64) (err error) {
	wg, err := newWideGen(rows, seed)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("synth: writing wide XLSX: %w", cerr)
		}
	}()
	if err := f.SetSheetName("Sheet1", "people"); err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	sw, err := f.NewStreamWriter("people")
	if err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	ymd := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &ymd})
	if err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	hdr := make([]any, len(WideHeader))
	for i, h := range WideHeader {
		hdr[i] = h
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	row := make([]any, len(WideHeader))
	for i := range rows {
		p, cents := wg.next(i)
		row[0], row[1], row[2], row[3] = p.given, p.family(), nilIfEmpty(p.email), nilIfEmpty(wg.phone(&p))
		row[4], row[5], row[6], row[7] = p.street, p.postcode, p.pl.city, p.pl.region
		row[8] = isoCountry[p.sk.cty]
		row[9] = excelize.Cell{StyleID: dateStyle, Value: p.birth.time()}
		row[10] = excelize.Cell{StyleID: moneyStyle, Value: float64(cents) / 100}
		row[11] = nilIfEmpty(tags(wg.r, contactTags, 3, ";"))
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("synth: writing wide XLSX: %w", err)
		}
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("synth: writing wide XLSX: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("synth: writing wide XLSX: %w", err)
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
