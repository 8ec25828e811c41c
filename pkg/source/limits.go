package source

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits bound what one file may cost to read, so that a damaged or hostile file (a
// zip bomb, a sheet of a billion cells, a single 20 MB "name") fails fast with a clear
// message instead of exhausting memory or time. A zero field means its default.
//
// The defaults sit far above any real contact list or donation export (the largest
// seen are a few hundred thousand rows of a few dozen columns) and far below what
// would hurt a small office laptop:
//   - MaxFileBytes 2 GiB: a million-row CSV of 30 columns is about 300 MB.
//   - MaxCells 50 million per file: Excel's million rows at 48 columns; reading that
//     many takes about a minute, so a bigger file is a mistake or an attack.
//   - MaxFieldBytes 1 MiB: no name, address or note is longer. Longer values are cut
//     at the limit and the cut recorded as a problem of the row, not refused, since a
//     stray unclosed quote in a CSV makes one legitimately huge value.
//   - MaxUnzipBytes 2 GiB: what an XLSX or ODS may unpack to in total; the sheet XML
//     of Excel's largest real sheets stays below 1 GiB.
//   - MaxZipRatio 200: real sheet XML packs 5 to 50 times smaller; a deflate bomb
//     packs about 1000 times. Only parts over 16 MiB are checked: small parts may
//     pack well legitimately and cost little anyway.
//   - MaxSharedStrings 10 million: one per distinct text of a workbook, kept in
//     memory (each at least 16 bytes).
//   - MaxZipEntries 100,000: a workbook has a few parts per sheet, picture or chart;
//     300,000 empty parts (a 35 MB file) took 9.5 s and 520 MB to open.
type Limits struct {
	MaxFileBytes     int64 // --max-file-size
	MaxCells         int64 // --max-cells: values in all tables of a file
	MaxFieldBytes    int   // --max-field-length: longer values are cut and noted
	MaxUnzipBytes    int64 // --max-unzip-size: unpacked size of a workbook package
	MaxZipRatio      int64 // --max-zip-ratio: unpacked/packed size of a big part
	MaxSharedStrings int64 // --max-shared-strings: entries of an XLSX strings table
	MaxZipEntries    int64 // --max-zip-entries: parts of an XLSX or ODS package
}

const (
	DefaultMaxFileBytes     int64 = 2 << 30
	DefaultMaxCells         int64 = 50_000_000
	DefaultMaxFieldBytes          = 1 << 20
	DefaultMaxUnzipBytes    int64 = 2 << 30
	DefaultMaxZipRatio      int64 = 200
	DefaultMaxSharedStrings int64 = 10_000_000
	DefaultMaxZipEntries    int64 = 100_000
)

// zipRatioMinBytes is the unpacked size from which MaxZipRatio applies; a variable so
// that tests can check the ratio on small packages.
var zipRatioMinBytes int64 = 16 << 20

// DefaultLimits returns the limits with every default filled in.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

// withDefaults fills zero fields with their defaults.
func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxFileBytes, DefaultMaxFileBytes)
	def(&l.MaxCells, DefaultMaxCells)
	def(&l.MaxUnzipBytes, DefaultMaxUnzipBytes)
	def(&l.MaxZipRatio, DefaultMaxZipRatio)
	def(&l.MaxSharedStrings, DefaultMaxSharedStrings)
	def(&l.MaxZipEntries, DefaultMaxZipEntries)
	if l.MaxFieldBytes <= 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	return l
}

// ErrLimit marks errors from a file that exceeds one of the Limits.
var ErrLimit = errors.New("limit exceeded")

// LimitError says which limit a file exceeded, where, and which flag raises it.
type LimitError struct {
	Path  string
	Where string // "sheet \"x\" row 12", "part xl/sharedStrings.xml", or ""
	What  string // what was too big, e.g. "unpacks to 3.0 GiB"
	Limit string // the limit as text, e.g. "2 GiB"; "" when What says it
	Flag  string // e.g. "--max-file-size"
}

func (e *LimitError) Error() string {
	where := e.Path
	if e.Where != "" {
		where += ": " + e.Where
	}
	what := e.What
	if e.Limit != "" {
		what += ", over the limit of " + e.Limit
	}
	return fmt.Sprintf("%s: %s (a damaged or hostile file?): if the file is genuine, raise the limit with %s", where, what, e.Flag)
}

// Unwrap makes a limit error also an ErrUnsupported: the file cannot be read as it is.
func (e *LimitError) Unwrap() []error { return []error{ErrLimit, ErrUnsupported} }

// checkZipEntries applies MaxZipEntries to a package's central directory.
func (l Limits) checkZipEntries(path string, n int) error {
	if int64(n) > l.MaxZipEntries {
		return &LimitError{Path: path, What: fmt.Sprintf("holds %d parts, far beyond any real spreadsheet (damaged file or zip bomb)", n),
			Limit: fmt.Sprintf("%d parts", l.MaxZipEntries), Flag: "--max-zip-entries"}
	}
	return nil
}

// checkZipEntry applies MaxUnzipBytes and MaxZipRatio to one entry of a package,
// given the package's unpacked total so far (this entry included), from the central
// directory alone: archive/zip then enforces the declared sizes while unpacking.
func (l Limits) checkZipEntry(path, name string, size, packed, total uint64) error {
	if size > uint64(l.MaxUnzipBytes) || total > uint64(l.MaxUnzipBytes) {
		return &LimitError{Path: path, What: fmt.Sprintf("unpacks to more than %s, far beyond any real spreadsheet (damaged file or zip bomb)", FormatSize(l.MaxUnzipBytes)),
			Flag: "--max-unzip-size"}
	}
	if size >= uint64(zipRatioMinBytes) && (packed == 0 || size/packed > uint64(l.MaxZipRatio)) {
		return &LimitError{Path: path, What: fmt.Sprintf("part %s unpacks to %s from %s, a ratio over %d:1 that no real spreadsheet has (damaged file or zip bomb)",
			name, FormatSize(int64(size)), FormatSize(int64(packed)), l.MaxZipRatio), Flag: "--max-zip-ratio"}
	}
	return nil
}

// CheckFileSize refuses a file over MaxFileBytes, for readers that open files
// themselves (bank statements).
func (l Limits) CheckFileSize(path string, size int64) error {
	if max := l.withDefaults().MaxFileBytes; size > max {
		return fileTooBig(path, size, max)
	}
	return nil
}

// FormatSize writes a byte count the way ParseSize reads it.
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + " " + units[i]
}

// ParseSize reads a byte count such as "1048576", "20MB", "20 MiB", "1.5GiB" or
// "512k". Decimal units (KB, MB, GB, TB) are powers of 1000 and binary ones (KiB,
// MiB, ...; K, M, G, T alone) powers of 1024.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size: write a number of bytes, or one with a unit such as 20MB or 1GiB", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("%q: unknown unit %q: use B, KB, MB, GB, KiB, MiB or GiB", s, t[i:])
	}
	b := v * mult
	if b >= 1<<62 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(b), nil
}

// limitFile counts the values of every table of a file against MaxCells.
type limitFile struct {
	File
	path  string
	max   int64
	cells *int64
}

// withLimits wraps f so that its tables enforce the per-file limits.
func withLimits(f File, path string, l Limits) File {
	l = l.withDefaults()
	return &limitFile{File: f, path: path, max: l.MaxCells, cells: new(int64)}
}

func (f *limitFile) Open(name string) (Table, error) {
	t, err := f.File.Open(name)
	if err != nil {
		return nil, err
	}
	return &limitTable{Table: t, f: f}, nil
}

type limitTable struct {
	Table
	f   *limitFile
	err error
}

func (t *limitTable) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	r, err := t.Table.Next()
	if err != nil {
		return r, err
	}
	*t.f.cells += int64(len(r.Values))
	if *t.f.cells > t.f.max {
		where := fmt.Sprintf("row %d", r.Pos)
		if n := t.Table.Name(); n != "" {
			where = fmt.Sprintf("sheet %q %s", n, where)
		}
		t.err = &LimitError{Path: t.f.path, Where: where, What: fmt.Sprintf("the file has more than %d cells", t.f.max), Flag: "--max-cells"}
		return Row{}, t.err
	}
	return r, nil
}
