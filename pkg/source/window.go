package source

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// window is a read buffer over a stream that the text readers (CSV, vCard) scan in
// place: buf[r:w] is unread; fill slides it down and reads more.
type window struct {
	src  io.Reader
	buf  []byte
	r, w int
	eof  bool
	rerr error // read error other than io.EOF, reported once the data before it is used up
}

// fill reads more, keeping the unread part, and reports whether any is unread.
func (b *window) fill() bool {
	if b.r > 0 {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	for !b.eof && b.w < len(b.buf) {
		n, err := b.src.Read(b.buf[b.w:])
		b.w += n
		if err != nil {
			b.eof = true
			if err != io.EOF {
				b.rerr = err
			}
		}
		if n > 0 {
			break
		}
	}
	return b.r < b.w
}

// ensure tries to have n unread bytes and reports whether it has them.
func (b *window) ensure(n int) bool {
	for b.w-b.r < n && !b.eof {
		b.fill()
	}
	return b.w-b.r >= n
}

// fileTable is the part of a one-table text reader that owns the file: its name for
// errors, the open file, and the sticky result of Next once the table is finished.
type fileTable struct {
	path string
	f    *os.File
	err  error
}

func (t *fileTable) Name() string { return "" }

func (t *fileTable) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	if t.err == nil {
		t.err = errors.New(t.path + ": table is closed")
	}
	return err
}

// fileEncoding is the encoding of a text file: forced by opts, or detected by reading
// all of f once. f is left at its start.
func fileEncoding(path string, f *os.File, opts Options) (string, error) {
	if opts.Encoding != "" {
		enc, err := LookupEncoding(opts.Encoding)
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		return enc, nil
	}
	enc, err := DetectEncoding(f)
	if err != nil {
		return "", fmt.Errorf("%s: detecting the text encoding: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return enc, nil
}

// textFile is an opened one-table text file (CSV, vCard): each Open of its table reads
// the file afresh, so it holds nothing open itself.
type textFile struct {
	path     string
	kind     string // for messages: "CSV", "vCard"
	info     Info
	maxField int
}

func (t *textFile) Info() Info       { return t.info }
func (t *textFile) Tables() []string { return []string{""} }
func (t *textFile) Close() error     { return nil }

// openTable checks the table name and opens the file for a new read.
func (t *textFile) openTable(name string) (*os.File, error) {
	if name != "" {
		return nil, fmt.Errorf("%s: no table %q: a %s file has one table, named \"\"", t.path, name, t.kind)
	}
	return os.Open(t.path)
}
