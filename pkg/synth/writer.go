package synth

import (
	"bufio"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// csvWriter writes delimited text the way the imitated systems do: a chosen 8-bit code
// page (characters it cannot hold become '?', as legacy exports do), a delimiter, CRLF
// or LF line ends, quotes only where needed. It is hand-rolled because encoding/csv
// cannot transcode and the benchmark files need millions of rows quickly.
type csvWriter struct {
	w     *bufio.Writer
	delim byte
	crlf  bool
	cm    *charmap.Charmap // nil: UTF-8
	buf   []byte
}

func newCSVWriter(w io.Writer, delim byte, crlf bool, cm *charmap.Charmap) *csvWriter {
	return &csvWriter{w: bufio.NewWriterSize(w, 256<<10), delim: delim, crlf: crlf, cm: cm}
}

func (c *csvWriter) needsQuote(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case c.delim, '"', '\n', '\r':
			return true
		}
	}
	return false
}

func (c *csvWriter) appendText(b []byte, s string) []byte {
	if c.cm == nil {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			b = append(b, s[i])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if x, ok := c.cm.EncodeRune(r); ok {
			b = append(b, x)
		} else {
			b = append(b, '?')
		}
	}
	return b
}

// row writes one record. Fields are written as given; a ragged row is simply a row
// with a different number of fields.
func (c *csvWriter) row(fields []string) error {
	b := c.buf[:0]
	for i, f := range fields {
		if i > 0 {
			b = append(b, c.delim)
		}
		if c.needsQuote(f) {
			b = append(b, '"')
			start := len(b)
			b = c.appendText(b, f)
			// Double any quotes in what was just written.
			if q := countQuotes(b[start:]); q > 0 {
				b = escapeQuotes(b, start, q)
			}
			b = append(b, '"')
		} else {
			b = c.appendText(b, f)
		}
	}
	if c.crlf {
		b = append(b, '\r', '\n')
	} else {
		b = append(b, '\n')
	}
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *csvWriter) flush() error { return c.w.Flush() }

func countQuotes(b []byte) int {
	n := 0
	for _, x := range b {
		if x == '"' {
			n++
		}
	}
	return n
}

func escapeQuotes(b []byte, start, q int) []byte {
	end := len(b)
	b = append(b, make([]byte, q)...)
	j := len(b)
	for i := end - 1; i >= start; i-- {
		j--
		b[j] = b[i]
		if b[i] == '"' {
			j--
			b[j] = '"'
		}
	}
	return b
}
