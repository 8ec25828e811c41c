package source

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

const csvName = "csv"

// Limits that keep a pathological row (binary junk, a line of a million delimiters)
// from using unbounded memory; fields past them are dropped with a note.
const (
	maxRowFields      = 1 << 16
	maxRowFieldFactor = 16 // a row holds at most this many maximum-size fields' bytes
)

type csvFormat struct{}

// CSV is the delimited-text format (comma, semicolon, tab or pipe separated), in any
// encoding DetectEncoding knows. It is the text fallback: it accepts any file that
// does not look binary, so it comes last in Formats.
func CSV() Format { return csvFormat{} }

func (csvFormat) Name() string { return csvName }

func (csvFormat) Sniff(p *Probe) bool { return p.Size > 0 && !LooksBinary(p.Head) }

// Open detects the encoding (reading the whole file once, in constant memory) and the
// delimiter unless opts force them.
func (csvFormat) Open(path string, opts Options) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	enc, err := fileEncoding(path, f, opts)
	if err != nil {
		return nil, err
	}

	sample := make([]byte, SniffBytes)
	n, err := io.ReadFull(decodeRaw(enc, f), sample)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sample = bytes.TrimPrefix(sample[:n], utf8BOM)

	delim := opts.Delimiter
	sep, _ := sepLine(sample)
	if sep != 0 {
		sample = nil
	}
	if delim == 0 {
		delim = sep
	}
	if delim == 0 {
		delim = DetectDelimiter(sample)
	}
	if delim <= 0 || delim >= utf8.RuneSelf || delim == '"' || delim == '\r' || delim == '\n' {
		return nil, fmt.Errorf("%s: delimiter %q cannot be used: choose one ASCII character other than a quote or a line break", path, delim)
	}
	return &csvFile{
		textFile: textFile{path: path, kind: "CSV", maxField: opts.maxField(),
			info: Info{Format: csvName, Encoding: enc, Delimiter: delim}},
		skipSep: sep != 0,
	}, nil
}

type csvFile struct {
	textFile
	skipSep bool
}

// Open streams the file's rows. Each call reads the file afresh.
func (c *csvFile) Open(name string) (Table, error) {
	f, err := c.openTable(name)
	if err != nil {
		return nil, err
	}
	t := &csvTable{
		fileTable: fileTable{path: c.path, f: f},
		window:    window{src: decodeRaw(c.info.Encoding, f), buf: make([]byte, 64<<10)},
		delim:     byte(c.info.Delimiter),
		maxField:  c.maxField,
		maxRow:    c.maxField * maxRowFieldFactor,
		line:      1,
	}
	t.stop[t.delim], t.stop['\n'], t.stop['\r'] = true, true, true
	t.qstop['"'], t.qstop['\n'], t.qstop['\r'] = true, true, true
	if t.ensure(3) && bytes.HasPrefix(t.buf[t.r:t.w], utf8BOM) {
		t.r += 3
	}
	if c.skipSep {
		t.ensure(8)
		_, n := sepLine(t.buf[t.r:t.w])
		t.r += n
		t.line++
	}
	return t, nil
}

// csvTable is a streaming parser over the decoded text. It keeps only the current
// record, with each field held to maxField bytes, so memory stays flat on any file.
type csvTable struct {
	fileTable
	window // over the decoded text

	delim    byte
	stop     [256]bool // ends an unquoted field
	qstop    [256]bool // needs attention inside a quoted field
	maxField int
	maxRow   int
	line     int // physical line at buf[r]

	// current record
	rec     []byte // field values back to back
	ends    []int  // end offset of each field in rec
	notes   []string
	dropped int // fields dropped by the row limits
	fstart  int // start of the current field in rec
	flen    int // bytes the current field has, kept or not
	keep    bool
	fix     []byte // rec with invalid UTF-8 repaired
}

// Next returns the next record. Pos is the line the record starts on; a blank line
// is a record with one empty value.
func (t *csvTable) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	if !t.ensure(1) {
		t.err = io.EOF
		if t.rerr != nil {
			t.err = fmt.Errorf("%s: reading after line %d: %w", t.path, t.line, t.rerr)
		}
		return Row{}, t.err
	}
	pos := t.line
	t.rec, t.ends, t.notes, t.dropped = t.rec[:0], t.ends[:0], nil, 0
	for {
		t.fstart, t.flen = len(t.rec), 0
		t.keep = len(t.ends) < maxRowFields && len(t.rec) < t.maxRow
		end := t.field()
		t.endField()
		if end {
			break
		}
	}
	if t.rerr != nil {
		t.err = fmt.Errorf("%s: reading the record that starts on line %d: %w", t.path, pos, t.rerr)
		return Row{}, t.err
	}
	if t.dropped > 0 {
		t.notes = append(t.notes, fmt.Sprintf("row is longer than %d columns or %d bytes: %d more columns dropped", maxRowFields, t.maxRow, t.dropped))
	}
	return t.row(pos), nil
}

// field reads one field and reports whether it ended the record.
func (t *csvTable) field() bool {
	if !t.ensure(1) {
		return true // end of file right after a delimiter: an empty last field
	}
	if t.buf[t.r] == '"' {
		t.r++
		return t.quoted()
	}
	return t.unquoted()
}

// unquoted reads to the next delimiter or line break; quotes in it are kept as text.
func (t *csvTable) unquoted() bool {
	stop := &t.stop
	for {
		if t.r == t.w && !t.fill() {
			return true
		}
		b := t.buf[t.r:t.w]
		i := 0
		for i < len(b) && !stop[b[i]] {
			i++
		}
		t.add(b[:i])
		t.r += i
		if i < len(b) {
			return t.separator()
		}
	}
}

// separator consumes the delimiter or line break at buf[r] and reports whether it
// ended the record. "\r\n", "\n" and a lone "\r" (old Mac exports) end lines.
func (t *csvTable) separator() bool {
	c := t.buf[t.r]
	t.r++
	if c == t.delim {
		return false
	}
	if c == '\r' && t.ensure(1) && t.buf[t.r] == '\n' {
		t.r++
	}
	t.line++
	return true
}

var (
	quoteByte   = []byte{'"'}
	newlineByte = []byte{'\n'}
)

// quoted reads a quoted field after its opening quote. Line breaks inside become
// "\n"; "" is a quote. Text after the closing quote is kept as it stands, as Excel
// does, so one stray quote cannot swallow the following lines.
func (t *csvTable) quoted() bool {
	startLine := t.line
	qstop := &t.qstop
	for {
		if t.r == t.w && !t.fill() {
			t.note(fmt.Sprintf("column %d: closing quote missing; the value runs from line %d to the end of the file", len(t.ends)+1, startLine))
			return true
		}
		b := t.buf[t.r:t.w]
		i := 0
		for i < len(b) && !qstop[b[i]] {
			i++
		}
		t.add(b[:i])
		t.r += i
		if i == len(b) {
			continue
		}
		c := b[i]
		t.r++
		switch c {
		case '"':
			if !t.ensure(1) {
				return true
			}
			next := t.buf[t.r]
			switch {
			case next == '"':
				t.r++
				t.add(quoteByte)
			case t.stop[next]:
				return t.separator()
			default:
				t.note(fmt.Sprintf("column %d: text after the closing quote on line %d kept as it stands", len(t.ends)+1, t.line))
				return t.unquoted()
			}
		case '\r':
			if t.ensure(1) && t.buf[t.r] == '\n' {
				t.r++
			}
			fallthrough
		case '\n':
			t.line++
			t.add(newlineByte)
		}
	}
}

// add appends text to the current field, up to maxField bytes; flen counts it all.
func (t *csvTable) add(s []byte) {
	t.flen += len(s)
	if !t.keep {
		return
	}
	room := t.maxField - (len(t.rec) - t.fstart)
	if room <= 0 {
		return
	}
	if len(s) > room {
		s = s[:room]
	}
	t.rec = append(t.rec, s...)
}

func (t *csvTable) endField() {
	if !t.keep {
		t.dropped++
		t.rec = t.rec[:t.fstart]
		return
	}
	if t.flen > t.maxField {
		f := t.rec[t.fstart:]
		kept := len(f) - partialRuneSuffix(f)
		t.rec = t.rec[:t.fstart+kept]
		t.note(fmt.Sprintf("column %d: value of %d bytes cut to %d bytes (--max-field-length)", len(t.ends)+1, t.flen, kept))
	}
	t.ends = append(t.ends, len(t.rec))
}

func (t *csvTable) note(s string) {
	if t.keep {
		t.notes = append(t.notes, s)
	}
}

// row copies the record out: the importer keeps the values.
func (t *csvTable) row(pos int) Row {
	rec := t.rec
	if !utf8.Valid(rec) {
		rec = t.repair()
	}
	values := make([]string, len(t.ends))
	start := 0
	if len(rec) <= 64<<10 {
		// One allocation for the row; values share it.
		s := string(rec)
		for i, e := range t.ends {
			values[i] = s[start:e]
			start = e
		}
	} else {
		// Separate strings, so keeping one small value does not pin a huge one.
		for i, e := range t.ends {
			values[i] = string(rec[start:e])
			start = e
		}
	}
	return Row{Pos: pos, Values: values, Notes: t.notes}
}

// repair decodes bytes that are not valid UTF-8 as Windows-1252, noting the columns:
// what a UTF-8 file with a few stray legacy bytes most likely meant.
func (t *csvTable) repair() []byte {
	out := t.fix[:0]
	start := 0
	for i, e := range t.ends {
		f := t.rec[start:e]
		if utf8.Valid(f) {
			out = append(out, f...)
		} else {
			from := len(out)
			out = appendUTF8Fallback(out, f)
			t.notes = append(t.notes, fmt.Sprintf("invalid UTF-8 bytes decoded as Windows-1252 in column %d", i+1))
			// A legacy byte becomes up to three in UTF-8: hold the field to the limit.
			if n := len(out) - from; n > t.maxField {
				out = out[:from+len(cutUTF8(string(out[from:]), t.maxField))]
				t.notes = append(t.notes, fmt.Sprintf("column %d: value of %d bytes cut to %d bytes (--max-field-length)",
					i+1, n, len(out)-from))
			}
		}
		t.ends[i] = len(out)
		start = e
	}
	t.fix = out
	return out
}
