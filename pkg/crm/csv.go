package crm

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// textEncoding is one CSV encoding.
type textEncoding struct {
	name    string
	aliases []string
	bom     []byte            // written first, for UTF-8 with BOM
	enc     encoding.Encoding // nil for UTF-8
	cm      *charmap.Charmap  // single-byte: what each rune must fit in
}

// encodings lists the CSV encodings. UTF-16 writes its BOM through its encoder.
var encodings = []textEncoding{
	{name: "utf-8", aliases: []string{"utf8"}},
	// Excel opens a UTF-8 CSV as the system code page unless it starts with a BOM.
	{name: "utf-8-bom", aliases: []string{"utf8-bom", "utf-8-sig"}, bom: []byte{0xEF, 0xBB, 0xBF}},
	{name: "windows-1250", aliases: []string{"cp1250"}, enc: charmap.Windows1250, cm: charmap.Windows1250},
	{name: "windows-1252", aliases: []string{"cp1252"}, enc: charmap.Windows1252, cm: charmap.Windows1252},
	{name: "iso-8859-1", aliases: []string{"latin1", "iso8859-1"}, enc: charmap.ISO8859_1, cm: charmap.ISO8859_1},
	{name: "iso-8859-2", aliases: []string{"latin2", "iso8859-2"}, enc: charmap.ISO8859_2, cm: charmap.ISO8859_2},
	{name: "utf-16le", aliases: []string{"utf16le", "utf-16"}, enc: unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)},
}

// Encodings lists the CSV encodings' names.
func Encodings() []string {
	names := make([]string, len(encodings))
	for i, e := range encodings {
		names[i] = e.name
	}
	return names
}

func lookupEncoding(name string) (textEncoding, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		return encodings[0], nil
	}
	for _, e := range encodings {
		if e.name == n {
			return e, nil
		}
		for _, a := range e.aliases {
			if a == n {
				return e, nil
			}
		}
	}
	return textEncoding{}, fmt.Errorf("unknown encoding %q: use one of %s", name, strings.Join(Encodings(), ", "))
}

// ErrUnrepresentable says a character has no code in the chosen encoding. padron
// refuses rather than write '?' or drop it: a silently mangled name or email cannot
// be repaired after the CRM import.
var ErrUnrepresentable = errors.New("character not in encoding")

func delimiter(d string) (rune, error) {
	switch d {
	case "", ",":
		return ',', nil
	case ";":
		return ';', nil
	case "\t", "tab", `\t`:
		return '\t', nil
	case "|":
		return '|', nil
	}
	return 0, fmt.Errorf("unknown delimiter %q: use one of , ; tab |", d)
}

type csvWriter struct {
	cols []Column
	enc  textEncoding
	tw   io.WriteCloser // the encoder, when not UTF-8
	cw   *csv.Writer
	row  int
	buf  []string
}

func newCSV(w io.Writer, cols []Column, o Options) (Writer, error) {
	enc, err := lookupEncoding(o.Encoding)
	if err != nil {
		return nil, err
	}
	comma, err := delimiter(o.Delimiter)
	if err != nil {
		return nil, err
	}
	cw := &csvWriter{cols: cols, enc: enc, buf: make([]string, len(cols))}
	if len(enc.bom) > 0 {
		if _, err := w.Write(enc.bom); err != nil {
			return nil, err
		}
	}
	out := w
	if enc.enc != nil {
		cw.tw = transform.NewWriter(w, enc.enc.NewEncoder())
		out = cw.tw
	}
	cw.cw = csv.NewWriter(out)
	cw.cw.Comma = comma
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	if err := cw.write(header); err != nil {
		return nil, err
	}
	return cw, nil
}

func (w *csvWriter) Write(row []string) error {
	w.row++
	for i, s := range row {
		w.buf[i] = Neutralize(s)
	}
	return w.write(w.buf)
}

// write checks every cell against the encoding before any byte of the row is
// encoded, so that the error can name the row and the column.
func (w *csvWriter) write(row []string) error {
	for i, s := range row {
		if !utf8.ValidString(s) {
			return &CellError{Row: w.row, Column: w.cols[i].Name, Err: errors.New("text is not valid UTF-8")}
		}
		if w.enc.cm == nil {
			continue
		}
		// A name typed with a combining accent (e + U+0301) fits Latin-1 once
		// composed; composing changes no visible character.
		if !norm.NFC.IsNormalString(s) {
			s = norm.NFC.String(s)
			row[i] = s
		}
		for _, r := range s {
			if _, ok := w.enc.cm.EncodeRune(r); !ok {
				return &CellError{Row: w.row, Column: w.cols[i].Name,
					Err: fmt.Errorf("%w: %q (%U) cannot be written in %s; choose utf-8 or utf-8-bom, or another encoding that has it",
						ErrUnrepresentable, r, r, w.enc.name)}
			}
		}
	}
	if err := w.cw.Write(row); err != nil {
		return fmt.Errorf("row %d: %w", w.row, err)
	}
	return nil
}

func (w *csvWriter) Close() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	if w.tw != nil {
		return w.tw.Close()
	}
	return nil
}
