package source

// The XLSX reader. excelize opens the package: it enforces the unzip limits, spills
// big parts to disk and parses the workbook and styles. Sheet rows are then read by a
// small streaming parser over the worksheet XML, because excelize's Rows iterator
// hands out only formatted strings: it does not expose a cell's type or style, so it
// cannot tell the text "1" from the number 1 or TRUE, and renders dates in their
// display format (built-in format 14 as mm-dd-yy). The parser keeps both, so dates
// come out as ISO text whatever the display format.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"
	"github.com/xuri/nfp"
)

// Limits are variables so that tests can exercise the paths for big files.
var (
	// xlsxXMLMemLimit is the largest worksheet or shared-strings part excelize keeps in
	// memory; bigger ones are unpacked to Options.TempDir.
	xlsxXMLMemLimit int64 = 64 << 20
	// xlsxPartMemLimit bounds every other part, which excelize always unpacks into
	// memory; no real styles, workbook or picture part comes near it.
	xlsxPartMemLimit int64 = 256 << 20
)

// Excel's own sheet limits: a reference beyond them means a damaged file.
const (
	xlsxMaxRows = 1 << 20
	xlsxMaxCols = 1 << 14
)

const xlsxDamagedReason = "damaged or truncated XLSX file: export it again"

// xlsxDamaged builds the error for a file that cannot be read as it is; cause says
// what was wrong, for whoever debugs it.
func xlsxDamaged(path string, cause error) error {
	return fmt.Errorf("%w (%w)", &UnsupportedError{Path: path, Reason: xlsxDamagedReason}, cause)
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

type xlsxFormat struct{}

// XLSX reads Excel 2007+ workbooks (.xlsx, .xlsm).
func XLSX() Format { return xlsxFormat{} }

func (xlsxFormat) Name() string { return "xlsx" }

// Sniff accepts zip packages with a workbook part. Damaged zips and encrypted
// workbooks are left to Detect, which explains them; Open explains them too when the
// format is forced.
func (xlsxFormat) Sniff(p *Probe) bool {
	if !bytes.HasPrefix(p.Head, zipMagic) {
		return false
	}
	names, err := p.ZipEntries()
	if err != nil {
		return false
	}
	for _, n := range names {
		if strings.EqualFold(xlsxPartName(n), "xl/workbook.xml") {
			return true
		}
	}
	return false
}

// oleEncrypted reports whether an OLE compound file holds an encrypted Office
// package (an .xlsx saved with a password).
func oleEncrypted(path string) (found bool) {
	defer func() {
		if recover() != nil { // mscfb on a damaged file
			found = false
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r, err := mscfb.New(f)
	if err != nil {
		return false
	}
	for i := 0; i < 1000; i++ { // a real directory has a handful of entries
		e, err := r.Next()
		if err != nil {
			return false
		}
		if e.Name == "EncryptedPackage" {
			return true
		}
	}
	return false
}

func (xlsxFormat) Open(path string, o Options) (File, error) {
	if err := xlsxCheckOLE(path); err != nil {
		return nil, err
	}
	zr, err := zip.OpenReader(path)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) { // no part is ever written out by name
		return nil, xlsxDamaged(path, err)
	}
	x := &xlsxFile{path: path, opts: o, zr: zr, parts: make(map[string]*zip.File, len(zr.File))}
	if err := x.checkSizes(); err != nil {
		zr.Close()
		return nil, err
	}
	if err := x.open(); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// xlsxCheckOLE explains OLE compound files, which are not zip packages: either a
// password-protected workbook or an old .xls one.
func xlsxCheckOLE(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	head := make([]byte, len(oleMagic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, oleMagic) {
		return nil // short files fail as damaged zips below
	}
	if oleEncrypted(path) {
		return &UnsupportedError{path, "is password-protected: open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), save and import it again"}
	}
	return &UnsupportedError{path, "is not an XLSX file (it looks like an Excel 97-2003 .xls workbook): open it and save it as .xlsx"}
}

// xlsxFile is an opened workbook.
type xlsxFile struct {
	path  string
	opts  Options
	zr    *zip.ReadCloser
	parts map[string]*zip.File // by lower-cased part name
	ef    *excelize.File

	sheets   []xlsxSheet
	tables   []string
	date1904 bool
	kinds    []dateKind // per cell style (xf) index

	sstPart string
	sstDone bool
	sstErr  error
	sst     []string
}

type xlsxSheet struct {
	name, part string
}

// xlsxPartName normalises a zip entry name the way excelize does.
func xlsxPartName(name string) string { return strings.ReplaceAll(name, `\`, "/") }

// checkSizes refuses zip bombs from the central directory alone: archive/zip then
// enforces the declared sizes while unpacking.
func (x *xlsxFile) checkSizes() error {
	lim := x.opts.limits()
	if err := lim.checkZipEntries(x.path, len(x.zr.File)); err != nil {
		return err
	}
	var total uint64
	for _, zf := range x.zr.File {
		name := xlsxPartName(zf.Name)
		lower := strings.ToLower(name)
		size := zf.UncompressedSize64
		total += size
		spills := strings.HasPrefix(lower, "xl/worksheets/sheet") || lower == "xl/sharedstrings.xml"
		if err := lim.checkZipEntry(x.path, name, size, zf.CompressedSize64, total); err != nil {
			return err
		}
		if !spills && size > uint64(xlsxPartMemLimit) {
			return &UnsupportedError{x.path, fmt.Sprintf("part %s unpacks to %d MiB, far beyond any real spreadsheet (damaged file or zip bomb): export it again", name, size>>20)}
		}
		x.parts[lower] = zf
	}
	return nil
}

func (x *xlsxFile) open() (err error) {
	defer func() {
		if r := recover(); r != nil { // excelize on malformed parts
			err = xlsxDamaged(x.path, fmt.Errorf("excelize: %v", r))
		}
	}()
	ef, err := excelize.OpenFile(x.path, excelize.Options{
		UnzipSizeLimit:    x.opts.limits().MaxUnzipBytes,
		UnzipXMLSizeLimit: xlsxXMLMemLimit,
		TmpDir:            x.opts.TempDir,
	})
	if ef != nil {
		x.ef = ef // even on error, so Close removes its temp files
	}
	if err != nil {
		return xlsxDamaged(x.path, err)
	}
	if ef.WorkBook == nil {
		return xlsxDamaged(x.path, errors.New("no workbook part"))
	}
	if props, err := ef.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	rels, err := x.rels("_rels/.rels")
	if err != nil {
		return xlsxDamaged(x.path, err)
	}
	wb := "xl/workbook.xml"
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wb = xlsxTarget("", r.Target)
			break
		}
	}
	rels, err = x.rels(path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"))
	if err != nil {
		return xlsxDamaged(x.path, err)
	}
	byID := make(map[string]xlsxRel, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			x.sstPart = xlsxTarget(wb, r.Target)
		}
	}
	if x.sstPart == "" && x.parts["xl/sharedstrings.xml"] != nil {
		x.sstPart = "xl/sharedStrings.xml"
	}
	for _, s := range ef.WorkBook.Sheets.Sheet {
		r, ok := byID[s.ID]
		if !ok || !strings.HasSuffix(r.Type, "/worksheet") {
			continue // chart, dialog and macro sheets hold no rows
		}
		x.sheets = append(x.sheets, xlsxSheet{name: s.Name, part: xlsxTarget(wb, r.Target)})
		if s.State != "veryHidden" { // only code can show those; they are not the user's data
			x.tables = append(x.tables, s.Name)
		}
	}
	x.kinds = xlsxStyleKinds(ef)
	return nil
}

type xlsxRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads a relationships part; a missing one means no relationships.
func (x *xlsxFile) rels(name string) ([]xlsxRel, error) {
	if x.parts[strings.ToLower(name)] == nil {
		return nil, nil
	}
	rc, err := x.part(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var doc struct {
		Rels []xlsxRel `xml:"Relationship"`
	}
	dec := xml.NewDecoder(rc)
	dec.CharsetReader = x.ef.CharsetReader
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc.Rels, nil
}

// xlsxTarget resolves a relationship target against the part that holds it.
func xlsxTarget(from, target string) string {
	target = xlsxPartName(target)
	if strings.HasPrefix(target, "/") {
		return target[1:]
	}
	return path.Join(path.Dir(from), target)
}

// The readers handed to xml.Decoder implement io.ByteReader, so that the decoder
// reads from them directly instead of adding a buffer of its own.
type bytesReadCloser struct{ *bytes.Reader }

func (bytesReadCloser) Close() error { return nil }

type bufReadCloser struct {
	*bufio.Reader
	io.Closer
}

// part opens a package part. excelize has already unpacked it into memory unless it
// spilled to disk, in which case it is streamed from the zip again.
func (x *xlsxFile) part(name string) (io.ReadCloser, error) {
	zf := x.parts[strings.ToLower(name)]
	if zf == nil {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	key := xlsxPartName(zf.Name)
	if strings.EqualFold(key, "xl/sharedStrings.xml") {
		key = "xl/sharedStrings.xml" // excelize's spelling
	}
	if v, ok := x.ef.Pkg.Load(key); ok {
		if b, ok := v.([]byte); ok {
			// excelize ignores read errors while unpacking, so check what it kept.
			if uint64(len(b)) != zf.UncompressedSize64 || crc32.ChecksumIEEE(b) != zf.CRC32 {
				return nil, fmt.Errorf("part %s: %w", name, zip.ErrChecksum)
			}
			return bytesReadCloser{bytes.NewReader(b)}, nil
		}
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	return bufReadCloser{bufio.NewReaderSize(rc, 64<<10), rc}, nil
}

func (x *xlsxFile) Info() Info { return Info{Format: "xlsx"} }

// Tables lists the worksheets in workbook order, hidden ones included.
func (x *xlsxFile) Tables() []string { return append([]string(nil), x.tables...) }

func (x *xlsxFile) Open(name string) (Table, error) {
	if x.ef == nil {
		return nil, fmt.Errorf("%s: file closed", x.path)
	}
	var sh *xlsxSheet
	for i := range x.sheets {
		if x.sheets[i].name == name {
			sh = &x.sheets[i]
			break
		}
	}
	if sh == nil { // Excel's sheet names are case-insensitive
		for i := range x.sheets {
			if strings.EqualFold(x.sheets[i].name, name) {
				sh = &x.sheets[i]
				break
			}
		}
	}
	if sh == nil {
		quoted := make([]string, len(x.tables))
		for i, t := range x.tables {
			quoted[i] = strconv.Quote(t)
		}
		return nil, fmt.Errorf("%s: no sheet named %q; the sheets are %s", x.path, name, strings.Join(quoted, ", "))
	}
	if err := x.loadStrings(); err != nil {
		return nil, err
	}
	rc, err := x.part(sh.part)
	if err != nil {
		return nil, xlsxDamaged(x.path, fmt.Errorf("sheet %q: %w", sh.name, err))
	}
	dec := xml.NewDecoder(rc)
	dec.CharsetReader = x.ef.CharsetReader
	return &xlsxTable{f: x, name: sh.name, rc: rc, dec: dec, max: x.opts.maxField(), next: 1}, nil
}

func (x *xlsxFile) Close() error {
	var err error
	if x.ef != nil {
		err = x.ef.Close() // removes excelize's temp files
		x.ef = nil
	}
	if x.zr != nil {
		if cerr := x.zr.Close(); err == nil {
			err = cerr
		}
		x.zr = nil
	}
	return err
}

// loadStrings reads the shared strings table once, on the first sheet opened.
func (x *xlsxFile) loadStrings() error {
	if x.sstDone {
		return x.sstErr
	}
	x.sstDone = true
	if x.sstPart == "" || x.parts[strings.ToLower(x.sstPart)] == nil {
		return nil
	}
	x.sstErr = x.readStrings()
	if x.sstErr != nil && !errors.Is(x.sstErr, ErrLimit) {
		x.sstErr = xlsxDamaged(x.path, fmt.Errorf("shared strings: %w", x.sstErr))
	}
	return x.sstErr
}

func (x *xlsxFile) readStrings() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unexpected content: %v", r)
		}
	}()
	rc, err := x.part(x.sstPart)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	dec.CharsetReader = x.ef.CharsetReader
	maxStrings := x.opts.limits().MaxSharedStrings
	var (
		buf              []byte
		inSI, inT, inRPh bool
		ended            bool
	)
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			if !ended {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "sst":
				for _, a := range el.Attr {
					if a.Name.Local == "uniqueCount" {
						if n, err := strconv.Atoi(a.Value); err == nil && n > 0 {
							x.sst = make([]string, 0, min(n, 1<<20)) // the count is only a hint
						}
					}
				}
			case "si":
				inSI, buf = true, buf[:0]
			case "rPh": // phonetic reading, not part of the text
				inRPh = true
			case "t":
				inT = inSI && !inRPh
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "si":
				if int64(len(x.sst)) >= maxStrings {
					return &LimitError{Path: x.path, Where: "part " + x.sstPart,
						What: fmt.Sprintf("the shared strings table has more than %d entries", maxStrings), Flag: "--max-shared-strings"}
				}
				x.sst = append(x.sst, xstringUnescape(string(buf)))
				inSI = false
			case "rPh":
				inRPh = false
			case "t":
				inT = false
			case "sst":
				ended = true
			}
		case xml.CharData:
			if inT {
				buf = append(buf, el...)
			}
		}
	}
}

// dateKind says how a cell style shows numbers.
type dateKind uint8

const (
	kindNumber   dateKind = iota
	kindDate              // a date; the time is added when the value has one
	kindDateTime          // shows a time, so the time is always written
)

// xlsxStyleKinds classifies every cell style (xf) by its number format, once per
// workbook, so that streaming needs one slice lookup per cell.
func xlsxStyleKinds(ef *excelize.File) []dateKind {
	ss := ef.Styles
	if ss == nil || ss.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	byID := map[int]dateKind{}
	kinds := make([]dateKind, len(ss.CellXfs.Xf))
	for i, xf := range ss.CellXfs.Xf {
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		k, ok := byID[id]
		if !ok {
			if code, ok := custom[id]; ok { // a file may redefine built-in ids
				k = numFmtKind(code)
			} else {
				k = builtinNumFmtKind(id)
			}
			byID[id] = k
		}
		kinds[i] = k
	}
	return kinds
}

// builtinNumFmtKind knows the built-in date and time formats, whose codes depend on
// the locale and are not stored in the file.
func builtinNumFmtKind(id int) dateKind {
	switch {
	case id >= 14 && id <= 17: // dates
		return kindDate
	case id >= 18 && id <= 22, id >= 45 && id <= 47: // times, 22 is date and time
		return kindDateTime
	case id >= 27 && id <= 36, id >= 50 && id <= 58: // East Asian locales' dates
		return kindDate
	}
	return kindNumber
}

// numFmtKind classifies a format code by its positive section, using the tokenizer
// excelize formats with: date and time tokens outside quotes, brackets and escapes.
func numFmtKind(code string) (k dateKind) {
	defer func() {
		if recover() != nil {
			k = kindNumber
		}
	}()
	p := nfp.NumberFormatParser()
	sections := p.Parse(code)
	if len(sections) == 0 || sections[0].Type == nfp.TokenSectionText {
		return kindNumber
	}
	for _, tok := range sections[0].Items {
		switch tok.TType {
		case nfp.TokenTypeElapsedDateTimes:
			k = kindDateTime
		case nfp.TokenTypeDateTimes:
			switch v := strings.ToLower(tok.TValue); {
			case strings.HasPrefix(v, "h"), strings.HasPrefix(v, "s"), strings.Contains(v, "/"): // hours, seconds, AM/PM
				k = kindDateTime
			case k == kindNumber:
				k = kindDate
			}
		}
	}
	return k
}

// xlsxTable streams the rows of one worksheet.
type xlsxTable struct {
	f    *xlsxFile
	name string
	rc   io.ReadCloser
	dec  *xml.Decoder
	max  int

	next       int // Pos of the next row returned
	lastRow    int // number of the last <row> read, for rows without one
	pending    Row // a row read ahead while the blank rows before it are returned
	hasPending bool
	err        error // sticky: io.EOF or the damage found
	inData     bool

	vals  []string // the row being read
	types []CellType

	// the cell being read
	col                           int
	style                         int
	typ                           string
	inCell, inV, inIS, inT, inRPh bool
	hasF, hasV                    bool // a formula, a value (a formula's saved result)
	vbuf, tbuf                    []byte
}

func (t *xlsxTable) Name() string { return t.name }

func (t *xlsxTable) Close() error {
	if t.rc == nil {
		return nil
	}
	err := t.rc.Close()
	t.rc = nil
	if t.err == nil {
		t.err = errors.New("table closed")
	}
	return err
}

// Next returns the next row. Excel writes no element for a blank row, so blank rows
// are made up from the gaps in row numbers; the last written row ends the sheet.
func (t *xlsxTable) Next() (Row, error) {
	if t.hasPending {
		if t.pending.Pos > t.next {
			t.next++
			return Row{Pos: t.next - 1}, nil
		}
		t.hasPending = false
		t.next = max(t.next, t.pending.Pos+1)
		return t.pending, nil
	}
	if t.err != nil {
		return Row{}, t.err
	}
	row, err := t.readRow()
	if err != nil {
		if err != io.EOF {
			err = xlsxDamaged(t.f.path, fmt.Errorf("sheet %q: %w", t.name, err))
		}
		t.err = err
		return Row{}, err
	}
	if row.Pos > t.next {
		t.pending, t.hasPending = row, true
		t.next++
		return Row{Pos: t.next - 1}, nil
	}
	t.next = max(t.next, row.Pos+1)
	return row, nil
}

// readRow parses up to the end of the next <row>.
func (t *xlsxTable) readRow() (row Row, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unexpected content: %v", r)
		}
	}()
	inRow := false
	for {
		tok, err := t.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the sheet's XML stopped before its end
			}
			return Row{}, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "sheetData":
				t.inData = true
			case "row":
				if !t.inData {
					break
				}
				pos := t.lastRow + 1
				for _, a := range el.Attr {
					if a.Name.Local == "r" {
						if pos, err = strconv.Atoi(a.Value); err != nil {
							return Row{}, fmt.Errorf("row number %q: %w", a.Value, err)
						}
					}
				}
				if pos < 1 || pos > xlsxMaxRows {
					return Row{}, fmt.Errorf("row number %d out of range", pos)
				}
				inRow, t.lastRow, t.col = true, pos, 0
				row = Row{Pos: pos}
				t.vals, t.types = t.vals[:0], t.types[:0]
			case "c":
				if inRow {
					if err := t.startCell(el); err != nil {
						return Row{}, err
					}
				}
			case "v":
				t.inV, t.hasV = t.inCell, t.hasV || t.inCell
			case "f":
				t.hasF = t.hasF || t.inCell
			case "is":
				t.inIS = t.inCell
			case "rPh": // phonetic reading, not part of the text
				t.inRPh = true
			case "t":
				t.inT = t.inIS && !t.inRPh
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "v":
				t.inV = false
			case "t":
				t.inT = false
			case "rPh":
				t.inRPh = false
			case "is":
				t.inIS = false
			case "c":
				if t.inCell {
					if err := t.endCell(&row); err != nil {
						return Row{}, err
					}
				}
			case "row":
				if inRow {
					t.finishRow(&row)
					return row, nil
				}
			case "sheetData", "worksheet":
				// Read to the end of the part so that a streamed zip entry checks
				// its CRC; the rest is usually small.
				if _, err := io.Copy(io.Discard, t.rc); err != nil {
					return Row{}, err
				}
				return Row{}, io.EOF
			}
		case xml.CharData:
			if t.inV {
				t.vbuf = append(t.vbuf, el...)
			} else if t.inT {
				t.tbuf = append(t.tbuf, el...)
			}
		}
	}
}

func (t *xlsxTable) startCell(el xml.StartElement) error {
	t.inCell, t.inV, t.inIS, t.inT, t.inRPh = true, false, false, false, false
	t.hasF, t.hasV = false, false
	t.vbuf, t.tbuf = t.vbuf[:0], t.tbuf[:0]
	t.typ, t.style = "", 0
	col := t.col + 1
	for _, a := range el.Attr {
		switch a.Name.Local {
		case "r":
			if c := xlsxColumn(a.Value); c > 0 {
				col = c
			}
		case "s":
			t.style, _ = strconv.Atoi(a.Value)
		case "t":
			t.typ = a.Value
		}
	}
	if col > xlsxMaxCols {
		return fmt.Errorf("cell %s%d beyond the last column", xlsxColumnName(col), t.lastRow)
	}
	t.col = col
	return nil
}

func (t *xlsxTable) endCell(row *Row) error {
	t.inCell = false
	val, typ, err := t.cellValue()
	if err != nil {
		return fmt.Errorf("cell %s%d: %w", xlsxColumnName(t.col), t.lastRow, err)
	}
	if val == "" {
		if t.hasF && !t.hasV {
			// Written by a program that does not calculate: the value is unknown,
			// not empty.
			row.Notes = append(row.Notes, fmt.Sprintf("column %s: formula without a saved result; open the file in Excel or LibreOffice and save it again", xlsxColumnName(t.col)))
		}
		return nil
	}
	if len(val) > t.max {
		row.Notes = append(row.Notes, fmt.Sprintf("column %s: value of %d bytes cut to %d bytes (--max-field-length)", xlsxColumnName(t.col), len(val), t.max))
		val = cutUTF8(val, t.max)
	}
	i := t.col - 1
	for len(t.vals) <= i {
		t.vals = append(t.vals, "")
		t.types = append(t.types, CellText)
	}
	t.vals[i], t.types[i] = val, typ
	return nil
}

// finishRow hands the row its own slices, without trailing empty cells.
func (t *xlsxTable) finishRow(row *Row) {
	n := len(t.vals)
	for n > 0 && t.vals[n-1] == "" {
		n--
	}
	if n == 0 {
		return
	}
	row.Values = append([]string(nil), t.vals[:n]...)
	row.Types = append([]CellType(nil), t.types[:n]...)
}

// cellValue turns the cell just read into text and a type.
func (t *xlsxTable) cellValue() (string, CellType, error) {
	v := t.vbuf
	switch t.typ {
	case "s":
		if len(v) == 0 {
			return "", CellText, nil
		}
		i, ok := atoiBytes(v)
		if !ok || i >= len(t.f.sst) {
			return "", CellText, fmt.Errorf("shared string %q does not exist", v)
		}
		return t.f.sst[i], CellText, nil
	case "inlineStr":
		if len(t.tbuf) > 0 {
			return xstringUnescape(string(t.tbuf)), CellText, nil
		}
		return xstringUnescape(string(v)), CellText, nil
	case "str": // a formula's text result
		return xstringUnescape(string(v)), CellText, nil
	case "b":
		switch string(v) {
		case "":
			return "", CellBool, nil
		case "1", "true":
			return "TRUE", CellBool, nil
		case "0", "false":
			return "FALSE", CellBool, nil
		}
		return string(v), CellText, nil
	case "e":
		return string(v), CellError, nil
	case "d": // ISO 8601 text, written by some tools instead of a serial number
		s := string(v)
		if d, ok := isoDateCell(s); ok {
			return d, CellDate, nil
		}
		return s, CellText, nil
	}
	if len(v) == 0 {
		return "", CellText, nil
	}
	s := string(v)
	if t.style >= 0 && t.style < len(t.f.kinds) && t.f.kinds[t.style] != kindNumber {
		if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			if d, ok := excelDate(n, t.f.date1904, t.f.kinds[t.style]); ok {
				return d, CellDate, nil
			}
		}
	}
	if n, ok := excelNumber(s); ok {
		return n, CellNumber, nil
	}
	return s, CellText, nil
}

// atoiBytes parses a non-negative index without allocating.
func atoiBytes(b []byte) (int, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// excelNumber writes a stored number the way Excel shows it in General format:
// rounded to 15 significant digits, dot decimal, no exponent for ordinary numbers.
func excelNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if plainDecimal(s) {
		return s, true // already what the slow path would produce
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return formatExcelNumber(f), true
}

func formatExcelNumber(f float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'e', 14, 64), 64)
	if r == 0 {
		return "0"
	}
	if a := math.Abs(r); a >= 1e-15 && a < 1e21 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	return strconv.FormatFloat(r, 'g', -1, 64)
}

// plainDecimal reports whether s is a number already in its shortest form with at
// most 15 digits, such as "150.1" or "600123456", which rounding leaves alone.
func plainDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start, digits, dot := i, 0, -1
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && dot < 0:
			dot = i
		default:
			return false
		}
	}
	if digits == 0 || digits > 15 {
		return false
	}
	intPart := s[start:]
	if dot >= 0 {
		intPart = s[start:dot]
		frac := s[dot+1:]
		if len(intPart) == 0 || len(frac) == 0 || frac[len(frac)-1] == '0' {
			return false
		}
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return false
	}
	if s[0] == '-' && strings.Trim(s[1:], "0.") == "" { // "-0"
		return false
	}
	return true
}

var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC) // serials from 61 on
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// excelDate writes a date serial as ISO text, rounded to the second as Excel shows
// it. ok is false where no date can be (negative, after 9999), and the value then
// stays a number.
func excelDate(serial float64, date1904 bool, kind dateKind) (string, bool) {
	if !(serial >= 0 && serial < 2958466) {
		return "", false
	}
	secs := int64(math.Round(serial * 86400))
	days, sec := int(secs/86400), secs%86400
	var d time.Time
	switch {
	case date1904:
		d = excelEpoch1904.AddDate(0, 0, days)
	case days >= 61:
		d = excelEpoch1900.AddDate(0, 0, days)
	case days == 60: // Lotus 1-2-3's 29 February 1900, which Excel keeps
		d = time.Date(1900, 2, 29, 0, 0, 0, 0, time.UTC) // normalised to 1 March below
	default:
		d = excelEpoch1900.AddDate(0, 0, days+1)
	}
	if d.Year() > 9999 {
		return "", false
	}
	b := make([]byte, 0, len("2006-01-02 15:04:05"))
	if days == 60 && !date1904 {
		b = append(b, "1900-02-29"...)
	} else {
		b = d.AppendFormat(b, "2006-01-02")
	}
	if kind == kindDateTime || sec != 0 {
		b = append(b, ' ')
		b = d.Add(time.Duration(sec)*time.Second).AppendFormat(b, "15:04:05")
	}
	return string(b), true
}

// isoDateCell converts the ISO 8601 text of a t="d" cell.
func isoDateCell(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		d, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if d = d.Round(time.Second); d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 {
			return d.Format("2006-01-02"), true
		}
		return d.Format("2006-01-02 15:04:05"), true
	}
	return "", false
}

// xstringUnescape decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot hold (such as a carriage return), and _x005F_ for a literal underscore.
func xstringUnescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if r, ok := xstringEscape(s, i); ok {
			i += 7
			if utf16.IsSurrogate(r) {
				if r2, ok := xstringEscape(s, i); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						i += 7
						continue
					}
				}
			}
			b.WriteRune(r)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func xstringEscape(s string, i int) (rune, bool) {
	if i+7 > len(s) || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// xlsxColumn returns the 1-based column of a cell reference such as "AB12", 0 if it
// has no column letters; values over 3 letters come back beyond xlsxMaxCols.
func xlsxColumn(ref string) int {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a') + 1
		default:
			return col
		}
		if i >= 3 {
			return xlsxMaxCols + 1
		}
	}
	return col
}

// xlsxColumnName writes a 1-based column number as letters, for messages.
func xlsxColumnName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
