package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/padron-org/padron/pkg/normalize"
)

// Mapping maps a source's columns to canonical fields.
type Mapping struct {
	Name           string `yaml:"name"`
	Description    string `yaml:"description,omitempty"`
	Source         string `yaml:"source,omitempty"` // label stored on every record
	DefaultCountry string `yaml:"default_country,omitempty"`
	// Kind "statement" says the file is a bank's export of an account: every row is a
	// transaction (credits, debits and fees), its name the counterparty's.
	Kind string `yaml:"kind,omitempty"`
	// Account is the organisation's own account the export is of, when the file does
	// not say: it tells overlapping exports of different accounts apart.
	Account   string            `yaml:"account,omitempty"`
	Detect    Detect            `yaml:"detect,omitempty"`
	Columns   map[string]Column `yaml:"columns"`
	Constants map[string]Const  `yaml:"constants,omitempty"`

	Origin string `yaml:"-"` // "built-in" or the file it was read from
}

// Detect says when a mapping applies to a file without being named.
type Detect struct {
	// Headers must all be present (compared case-, accent- and punctuation-blind).
	// Empty means: every column the mapping names.
	Headers []string `yaml:"headers,omitempty"`
}

// Column says what one column becomes. In YAML either a field name (`Imię: given_name`)
// or a map with options.
type Column struct {
	Field   string            `yaml:"field"`
	Format  string            `yaml:"format,omitempty"`  // dates: dd.mm.yyyy, mm/dd/yyyy, ...
	Decimal string            `yaml:"decimal,omitempty"` // amounts: comma, dot, auto
	Country string            `yaml:"country,omitempty"` // phones: region for national numbers
	Order   string            `yaml:"order,omitempty"`   // full_name: auto, given_first, family_first
	Values  map[string]string `yaml:"values,omitempty"`  // translate values before parsing
	// MinYear is the earliest year a date column accepts (default 1880: earlier years
	// in contact data are typing errors); lower it for historical records.
	MinYear int `yaml:"min_year,omitempty"`
}

// Mapping kinds.
const (
	KindContacts  = "contacts"
	KindStatement = "statement"
)

// IsStatement says whether a table read with this plan is a bank's account export:
// its mapping says so, or it has separate debit and credit columns.
func (p *Plan) IsStatement() bool {
	if p.Mapping != nil && p.Mapping.Kind == KindStatement {
		return true
	}
	for _, c := range p.Columns {
		if c.Field == "debit" || c.Field == "credit" {
			return true
		}
	}
	return false
}

// Ignore is the field value that explicitly leaves a column unmapped.
const Ignore = "ignore"

// UnmarshalYAML accepts the short form "column: field".
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Field = n.Value
		return nil
	}
	type plain Column
	return n.Decode((*plain)(c))
}

// MarshalYAML writes the short form when the column has no options.
func (c Column) MarshalYAML() (any, error) {
	if c.Format == "" && c.Decimal == "" && c.Country == "" && c.Order == "" && len(c.Values) == 0 && c.MinYear == 0 {
		return c.Field, nil
	}
	type plain Column
	return plain(c), nil
}

// Const is a constant value for every record: a string or a list of strings.
type Const []string

// UnmarshalYAML accepts a scalar or a sequence.
func (c *Const) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = Const{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*c = l
	return nil
}

// Parse reads a mapping from YAML and validates it.
func Parse(data []byte, origin string) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", origin, err)
	}
	m.Origin = origin
	if m.Name == "" {
		m.Name = strings.TrimSuffix(filepath.Base(origin), filepath.Ext(origin))
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", origin, err)
	}
	return &m, nil
}

// Load reads a mapping file.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	return Parse(data, path)
}

// Validate checks fields, options and constants, naming every mistake.
func (m *Mapping) Validate() error {
	var errs []error
	if len(m.Columns) == 0 {
		errs = append(errs, errors.New("no columns: list the file's columns under 'columns:'"))
	}
	switch m.Kind {
	case "", KindContacts, KindStatement:
	default:
		errs = append(errs, fmt.Errorf("kind %q: use %s (the default) or %s", m.Kind, KindContacts, KindStatement))
	}
	if m.DefaultCountry != "" {
		if ccs, err := Countries(m.DefaultCountry); err != nil {
			errs = append(errs, fmt.Errorf("default_country: %w", err))
		} else {
			m.DefaultCountry = strings.Join(ccs, ",")
		}
	}
	for _, col := range m.sortedColumns() {
		c := m.Columns[col]
		if c.Field == Ignore {
			continue
		}
		f, ok := FieldByName(c.Field)
		if !ok {
			errs = append(errs, fmt.Errorf("column %q: unknown field %q (fields: %s, or %s)", col, c.Field, strings.Join(FieldNames(), ", "), Ignore))
			continue
		}
		if c.Format != "" {
			if f.Kind != KindDate {
				errs = append(errs, fmt.Errorf("column %q: format applies to dates, not %s", col, c.Field))
			} else if _, err := normalize.DateLayout(c.Format); err != nil {
				errs = append(errs, fmt.Errorf("column %q: format %q: %w", col, c.Format, err))
			}
		}
		if c.MinYear != 0 && (c.MinYear < 1 || c.MinYear > 2100) {
			errs = append(errs, fmt.Errorf("column %q: min_year %d: use a year from 1 to 2100", col, c.MinYear))
		}
		switch c.Decimal {
		case "", "auto", "comma", "dot":
		default:
			errs = append(errs, fmt.Errorf("column %q: decimal %q: use comma, dot or auto", col, c.Decimal))
		}
		switch c.Order {
		case "", "auto", "given_first", "family_first":
		default:
			errs = append(errs, fmt.Errorf("column %q: order %q: use auto, given_first or family_first", col, c.Order))
		}
		if c.Country != "" {
			if ccs, err := Countries(c.Country); err != nil {
				errs = append(errs, fmt.Errorf("column %q: country: %w", col, err))
			} else {
				c.Country = strings.Join(ccs, ",")
				m.Columns[col] = c
			}
		}
	}
	for field, v := range m.Constants {
		if !constantFields[field] {
			errs = append(errs, fmt.Errorf("constant %q: constants can set %s", field, strings.Join(sortedKeys(constantFields), ", ")))
		}
		if len(v) == 0 {
			errs = append(errs, fmt.Errorf("constant %q: no value", field))
		} else if field == "opt_out" {
			if _, err := normalize.Bool(v[0]); err != nil {
				errs = append(errs, fmt.Errorf("constant opt_out: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

func (m *Mapping) sortedColumns() []string {
	cols := make([]string, 0, len(m.Columns))
	for c := range m.Columns {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	return cols
}

// Countries reads a comma-separated list of countries (names or codes) as ISO codes,
// in order: national phone numbers are tried against each until one is valid.
func Countries(list string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cc, err := normalize.Country(part)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", part, err)
		}
		out = append(out, cc)
	}
	return out, nil
}

// YAML renders the mapping as YAML.
func (m *Mapping) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// Library is the set of mappings padron knows: built-ins plus the user's own.
type Library struct {
	list  []*Mapping
	known map[string]bool // HeaderKey of every column any mapping names
}

// NewLibrary loads the built-in mappings from fsys (every *.yaml) and then every
// *.yaml in dirs; a user's mapping with a built-in's name replaces it.
func NewLibrary(fsys fs.FS, dirs ...string) (*Library, error) {
	lib := &Library{}
	if fsys != nil {
		if err := lib.AddFS(fsys, ".", "built-in"); err != nil {
			return nil, err
		}
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			m, err := Load(n)
			if err != nil {
				return nil, err
			}
			lib.add(m)
		}
	}
	return lib, nil
}

// AddFS adds every *.yaml in dir of fsys, marking them with origin.
func (l *Library) AddFS(fsys fs.FS, dir, origin string) error {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return err
		}
		m, err := Parse(data, n)
		if err != nil {
			return fmt.Errorf("%s %w", origin, err)
		}
		m.Origin = origin
		l.add(m)
	}
	return nil
}

func (l *Library) add(m *Mapping) {
	replaced := false
	for i, o := range l.list {
		if o.Name == m.Name {
			l.list[i], replaced = m, true
		}
	}
	if !replaced {
		l.list = append(l.list, m)
	}
	l.known = map[string]bool{}
	for _, m := range l.list {
		for c := range m.Columns {
			l.known[HeaderKey(c)] = true
		}
	}
}

// All lists the mappings by name.
func (l *Library) All() []*Mapping {
	out := append([]*Mapping(nil), l.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get finds a mapping by name.
func (l *Library) Get(name string) (*Mapping, bool) {
	for _, m := range l.list {
		if m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// Resolve finds a mapping by name, or loads it from a path (anything with a slash or
// a .yaml/.yml suffix).
func (l *Library) Resolve(nameOrPath string) (*Mapping, error) {
	if m, ok := l.Get(nameOrPath); ok {
		return m, nil
	}
	if strings.ContainsRune(nameOrPath, os.PathSeparator) || strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") {
		return Load(nameOrPath)
	}
	names := make([]string, 0, len(l.list))
	for _, m := range l.All() {
		names = append(names, m.Name)
	}
	return nil, fmt.Errorf("no mapping named %q (known: %s); give a path to a .yaml file for your own", nameOrPath, strings.Join(names, ", "))
}

// Match returns the mapping whose detect headers all appear in header, preferring
// the one that names the most of the file's columns; nil if none applies.
func (l *Library) Match(header []string) *Mapping {
	have := make(map[string]bool, len(header))
	for _, h := range header {
		have[HeaderKey(h)] = true
	}
	var best *Mapping
	bestScore := 0
	for _, m := range l.All() {
		req := m.Detect.Headers
		if len(req) == 0 {
			for c := range m.Columns {
				if !strings.HasPrefix(c, "#") && !strings.Contains(c, "*") {
					req = append(req, c)
				}
			}
		}
		if len(req) == 0 {
			continue
		}
		ok := true
		for _, h := range req {
			if !have[HeaderKey(h)] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		score := 0
		for c := range m.Columns {
			if strings.Contains(c, "*") {
				g := newGlob(c)
				for _, h := range header {
					if g.match(h) {
						score++
					}
				}
			} else if have[HeaderKey(c)] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = m, score
		}
	}
	return best
}

// HeaderKey is how headers are compared: case-, accent- and punctuation-blind.
func HeaderKey(h string) string { return strings.ReplaceAll(normalize.Fold(h), " ", "") }

// constantFields are the fields a mapping can set to one value for every record.
var constantFields = map[string]bool{"source": true, "tags": true, "currency": true, "country": true,
	"organization": true, "city": true, "region": true, "notes": true, "opt_out": true, "opt_out_reason": true}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// KnowsHeader reports whether any mapping in the library names this column.
func (l *Library) KnowsHeader(h string) bool { return l.known[HeaderKey(h)] }
