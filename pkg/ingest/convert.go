package ingest

import (
	"fmt"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/source"
	"github.com/padron-org/padron/pkg/store"
)

// converter turns one table's rows into records, following a plan.
type converter struct {
	file      string
	sheet     string
	plan      mapping.Plan
	width     int      // columns in the header
	checkLen  bool     // report short rows (text formats, where every field is written)
	regions   []string // for national phone numbers, tried in order after the row's country
	source    string
	constants map[string]mapping.Const
	cols      []colConv
}

type colConv struct {
	index  int
	header string
	field  mapping.Field
	spec   mapping.Column
	layout string // Go date layout, "" for automatic
	mark   normalize.DecimalMark
	order  normalize.NameOrder
	values map[string]string // folded value -> replacement
}

func newConverter(file, sheet string, plan mapping.Plan, checkLen bool, defaultCountry, sourceLabel string) *converter {
	c := &converter{file: file, sheet: sheet, plan: plan, width: len(plan.Columns), checkLen: checkLen, source: sourceLabel}
	if m := plan.Mapping; m != nil {
		c.constants = m.Constants
		if m.Source != "" {
			c.source = m.Source
		}
	}
	// The command line's default comes before the mapping's.
	for _, list := range []string{defaultCountry, mappingCountry(plan.Mapping)} {
		for _, cc := range strings.Split(list, ",") {
			if cc != "" && !contains(c.regions, cc) {
				c.regions = append(c.regions, cc)
			}
		}
	}
	if v, ok := c.constants["source"]; ok {
		c.source = v[0]
	}
	var phones []colConv
	for _, p := range plan.Columns {
		if p.Field == "" {
			continue
		}
		f, _ := mapping.FieldByName(p.Field)
		cc := colConv{index: p.Index, header: p.Header, field: f, spec: p.Spec}
		if p.Spec.Format != "" {
			cc.layout, _ = normalize.DateLayout(p.Spec.Format) // validated with the mapping
		}
		switch p.Spec.Decimal {
		case "comma":
			cc.mark = normalize.DecimalComma
		case "dot":
			cc.mark = normalize.DecimalDot
		}
		switch p.Spec.Order {
		case "given_first":
			cc.order = normalize.NameGivenFirst
		case "family_first":
			cc.order = normalize.NameFamilyFirst
		}
		if len(p.Spec.Values) > 0 {
			cc.values = map[string]string{}
			for k, v := range p.Spec.Values {
				cc.values[normalize.Fold(k)] = v
			}
		}
		// Phones last: they need the row's country, whichever column holds it.
		if f.Kind == mapping.KindPhone {
			phones = append(phones, cc)
		} else {
			c.cols = append(c.cols, cc)
		}
	}
	c.cols = append(c.cols, phones...)
	return c
}

// item is one converted row, ready for the store.
type item struct {
	rec   store.Record
	probs []store.Problem
}

func (c *converter) problem(it *item, col *colConv, value, reason string) {
	p := store.Problem{Sheet: c.sheet, Pos: it.rec.Pos, RecordNo: it.rec.RecordNo, Value: value, Reason: reason}
	if col != nil {
		p.Column, p.Field = col.header, col.field.Name
	}
	it.probs = append(it.probs, p)
}

// convert fills it.rec from a raw row. It never fails: a bad value is left out of the
// record and reported as a problem; the raw row always keeps it.
func (c *converter) convert(row source.Row, recordNo int, it *item) {
	r := &it.rec
	r.Sheet, r.RecordNo, r.Pos, r.Raw, r.Source = c.sheet, recordNo, row.Pos, row.Values, c.source
	for _, n := range row.Notes {
		c.problem(it, nil, "", n)
	}
	if n := len(row.Values); n > c.width && anyFilled(row.Values[c.width:]) {
		c.problem(it, nil, "", rowLenReason(n, c.width, "the extra values are kept in the raw row"))
	} else if c.checkLen && n < c.width {
		c.problem(it, nil, "", rowLenReason(n, c.width, "the missing values are left empty"))
	}
	for i := range c.cols {
		col := &c.cols[i]
		if col.index >= len(row.Values) {
			continue
		}
		v := strings.TrimSpace(row.Values[col.index])
		if v == "" {
			continue
		}
		if col.values != nil {
			if nv, ok := col.values[normalize.Fold(v)]; ok {
				if col.field.Name == "opt_out" && it.rec.OptReason == "" {
					if b, err := normalize.Bool(nv); err == nil && b {
						// The tool's own word ("unsubscribed", "blocklisted"); for a
						// plain true/yes, the column that said it ("EMAIL_BLACKLISTED").
						it.rec.OptReason = v
						if _, err := normalize.Bool(v); err == nil {
							it.rec.OptReason = col.header
						}
					}
				}
				v = strings.TrimSpace(nv)
			}
			if v == "" {
				continue // translated to nothing: a placeholder such as Outlook's 0/0/00
			}
		}
		c.setField(it, col, v, row.Type(col.index))
	}
	c.applyConstants(r)
	if r.GivenName == "" && r.FamilyName == "" && r.FullName != "" {
		r.GivenName, r.FamilyName = normalize.SplitFullName(r.FullName, c.fullNameOrder())
	}
	if r.GivenName != "" || r.FamilyName != "" {
		r.NameKey = normalize.Fold(strings.TrimSpace(r.GivenName + " " + r.FamilyName))
	} else if r.FullName != "" {
		r.NameKey = normalize.Fold(r.FullName)
	}
}

func (c *converter) fullNameOrder() normalize.NameOrder {
	for _, col := range c.cols {
		if col.field.Name == "full_name" {
			return col.order
		}
	}
	return normalize.NameAuto
}

func anyFilled(vs []string) bool {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

func rowLenReason(n, width int, what string) string {
	return fmt.Sprintf("row has %d values but the header has %d columns; %s", n, width, what)
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func join(dst *string, v, sep string) {
	if *dst == "" {
		*dst = v
	} else {
		*dst += sep + v
	}
}

func (c *converter) setField(it *item, col *colConv, v string, t source.CellType) {
	r := &it.rec
	switch col.field.Name {
	case "given_name": // first + middle name columns
		join(&r.GivenName, normalize.CleanName(v), " ")
	case "family_name": // first + second surname columns
		join(&r.FamilyName, normalize.CleanName(v), " ")
	case "full_name":
		setOnce(&r.FullName, normalize.CleanName(v))
	case "email":
		for _, part := range normalize.SplitMulti(v) {
			e, err := normalize.Email(part)
			if err != nil {
				c.problem(it, col, part, err.Error())
				continue
			}
			r.Emails = appendNew(r.Emails, e)
		}
	case "phone":
		regions := c.phoneRegions(col, r.Country)
		for _, part := range normalize.SplitMulti(v) {
			p, err := phone(part, regions)
			if err != nil {
				c.problem(it, col, part, err.Error())
				continue
			}
			r.Phones = appendNew(r.Phones, p)
		}
	case "street":
		join(&r.Street, normalize.CleanName(v), " ")
	case "postcode":
		setOnce(&r.Postcode, strings.ToUpper(normalize.CleanName(v)))
	case "city":
		setOnce(&r.City, normalize.CleanName(v))
	case "region":
		setOnce(&r.Region, normalize.CleanName(v))
	case "country":
		cc, err := normalize.Country(v)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		setOnce(&r.Country, cc)
	case "birth_date":
		d, err := c.date(col, v, t)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		if r.BirthDate.IsZero() {
			r.BirthDate = d
		}
	case "date":
		d, err := c.date(col, v, t)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		if r.Date.IsZero() {
			r.Date = d
		}
	case "national_id":
		id, err := normalize.NationalID(peselCell(v, t))
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		setOnce(&r.NationalID, id)
	case "organization":
		setOnce(&r.Org, normalize.CleanName(v))
	case "occupation":
		setOnce(&r.Occupation, normalize.CleanName(v))
	case "tags":
		for _, tag := range splitTags(v) {
			r.Tags = appendNew(r.Tags, tag)
		}
	case "notes":
		join(&r.Notes, strings.TrimSpace(v), "\n")
	case "opt_out", "consent":
		b, err := normalize.Bool(v)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		if col.field.Name == "opt_out" {
			if r.OptOut == nil || b { // any column saying "out" wins
				r.OptOut = &b
			}
		} else if r.Consent == nil {
			r.Consent = &b
		}
	case "opt_out_reason":
		setOnce(&r.OptReason, v)
	case "opt_out_date":
		d, err := c.date(col, v, t)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		if r.OptDate.IsZero() {
			r.OptDate = d
		}
	case "external_id":
		setOnce(&r.ExternalID, v)
	case "amount", "debit", "credit":
		mark := col.mark
		if t == source.CellNumber {
			mark = normalize.DecimalDot
		}
		a, err := normalize.ParseAmount(v, mark)
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		cents := a.Cents
		switch {
		case col.field.Name == "debit" && cents > 0:
			cents = -cents // money out, however the bank signs it
		case col.field.Name == "credit" && cents < 0:
			cents = -cents
		}
		// Of a debit and a credit column, the one with money in it (the other is
		// often 0,00).
		if r.Amount == nil || (*r.Amount == 0 && cents != 0) {
			r.Amount = &cents
			if r.Currency == "" {
				r.Currency = a.Currency
			}
		}
	case "currency":
		cur, ok := currency(v)
		if !ok {
			c.problem(it, col, v, "not a currency code (use ISO 4217 such as PLN, EUR, ARS)")
			return
		}
		r.Currency = cur
	case "iban":
		// A Polish account number without its country (NRB, 26 digits) is an IBAN.
		iban, err := normalize.IBAN(money.Account(v))
		if err != nil {
			c.problem(it, col, v, err.Error())
			return
		}
		setOnce(&r.IBAN, iban)
	case "reference":
		join(&r.Reference, strings.TrimSpace(v), " ")
	}
}

// peselCell puts back the leading zero a spreadsheet drops from a PESEL typed as a
// number (everyone born 1900–1909 or 2000–2009), when that makes a valid PESEL.
func peselCell(v string, t source.CellType) string {
	if t != source.CellNumber || len(v) != 10 || strings.Trim(v, "0123456789") != "" {
		return v
	}
	if kind, ok := normalize.NationalIDKind("0" + v); ok && kind == normalize.IDPESEL {
		return "0" + v
	}
	return v
}

func mappingCountry(m *mapping.Mapping) string {
	if m == nil {
		return ""
	}
	return m.DefaultCountry
}

// phoneRegions lists the countries a national number is tried in: the column's, the
// row's own country, then the defaults.
func (c *converter) phoneRegions(col *colConv, rowCountry string) []string {
	if col.spec.Country == "" && rowCountry == "" {
		return c.regions
	}
	var out []string
	for _, cc := range append(strings.Split(col.spec.Country, ","), rowCountry) {
		if cc != "" && !contains(out, cc) {
			out = append(out, cc)
		}
	}
	for _, cc := range c.regions {
		if !contains(out, cc) {
			out = append(out, cc)
		}
	}
	return out
}

// phone reads a number in the first region where it is valid; the error names the
// first region's reason.
func phone(v string, regions []string) (string, error) {
	if len(regions) == 0 {
		p, err := normalize.Phone(v, "")
		if err != nil && !strings.Contains(err.Error(), "region") && !strings.HasPrefix(strings.TrimSpace(v), "+") {
			return "", fmt.Errorf("%w (no country known for national numbers: set --default-country or the mapping's default_country)", err)
		}
		return p, err
	}
	var first error
	for _, r := range regions {
		p, err := normalize.Phone(v, r)
		if err == nil {
			return p, nil
		}
		if first == nil {
			first = err
		}
	}
	return "", first
}

func (c *converter) date(col *colConv, v string, t source.CellType) (time.Time, error) {
	if t == source.CellDate && len(v) >= 10 {
		if d, err := time.Parse("2006-01-02", v[:10]); err == nil {
			return d, nil
		}
	}
	if col.spec.MinYear != 0 {
		return normalize.DateSince(v, col.layout, t == source.CellNumber, col.spec.MinYear)
	}
	return normalize.Date(v, col.layout, t == source.CellNumber)
}

func (c *converter) applyConstants(r *store.Record) {
	for field, vals := range c.constants {
		switch field {
		case "tags":
			for _, v := range vals {
				r.Tags = appendNew(r.Tags, v)
			}
		case "currency":
			if r.Currency == "" {
				r.Currency = strings.ToUpper(vals[0])
			}
		case "country":
			if r.Country == "" {
				if cc, err := normalize.Country(vals[0]); err == nil {
					r.Country = cc
				}
			}
		case "organization":
			setOnce(&r.Org, vals[0])
		case "city":
			setOnce(&r.City, vals[0])
		case "region":
			setOnce(&r.Region, vals[0])
		case "notes":
			join(&r.Notes, vals[0], "\n")
		case "opt_out":
			if b, err := normalize.Bool(vals[0]); err == nil && (r.OptOut == nil || b) {
				r.OptOut = &b
			}
		case "opt_out_reason":
			setOnce(&r.OptReason, vals[0])
		}
	}
}

func appendNew(l []string, v string) []string {
	for _, x := range l {
		if x == v {
			return l
		}
	}
	return append(l, v)
}

func splitTags(v string) []string {
	var out []string
	v = strings.ReplaceAll(v, ":::", ";") // Google Contacts' label separator
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '\n' }) {
		// "* myContacts", "* starred": Google's system labels, not the organisation's.
		if t = strings.TrimSpace(t); t != "" && !strings.HasPrefix(t, "* ") {
			out = append(out, t)
		}
	}
	return out
}

var currencySymbols = map[string]string{"zł": "PLN", "zl": "PLN", "€": "EUR", "£": "GBP", "us$": "USD", "ar$": "ARS"}

func currency(v string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(v))
	if c, ok := currencySymbols[l]; ok {
		return c, true
	}
	if len(l) == 3 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' && l[2] >= 'a' && l[2] <= 'z' {
		return strings.ToUpper(l), true
	}
	return "", false
}
