// Package segment is padron's filter language over people: a small expression such as
//
//	donated_since("2025-01-01") and total_donated >= 100 and has_email and tag("volunteer")
//
// parsed by hand and compiled to a SQL condition over the people table (aliased p),
// with every value passed as a parameter, never pasted into the SQL. Errors carry the
// 1-based column they point at. It never prints; docs/segments.md documents the
// language for the people who write it.
package segment

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a mistake in an expression, at a 1-based column (in characters).
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

func errAt(col int, format string, args ...any) *Error {
	return &Error{Col: col, Msg: fmt.Sprintf(format, args...)}
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tOp // = != < <= > >=
	tAnd
	tOr
	tNot
	tIn
)

func (k tokKind) String() string {
	switch k {
	case tEOF:
		return "end of expression"
	case tIdent:
		return "name"
	case tString:
		return "text"
	case tNumber:
		return "number"
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tComma:
		return `","`
	case tOp:
		return "comparison"
	case tAnd:
		return `"and"`
	case tOr:
		return `"or"`
	case tNot:
		return `"not"`
	case tIn:
		return `"in"`
	}
	return "?"
}

type token struct {
	kind tokKind
	text string // identifier (lower-cased), string value, number text or operator
	col  int    // 1-based, in characters
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return fmt.Sprintf("text %q", t.text)
	case tIdent:
		return fmt.Sprintf("%q", t.text)
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

var keywords = map[string]tokKind{"and": tAnd, "or": tOr, "not": tNot, "in": tIn}

// lex splits an expression into tokens, ending with tEOF.
func lex(src string) ([]token, error) {
	var toks []token
	col := 1 // column of src[i]
	i := 0
	next := func() (rune, int) {
		r, n := utf8.DecodeRuneInString(src[i:])
		return r, n
	}
	for i < len(src) {
		r, n := next()
		start := col
		switch {
		case unicode.IsSpace(r):
			i += n
			col++
		case r == '(' || r == ')' || r == ',':
			k := map[rune]tokKind{'(': tLParen, ')': tRParen, ',': tComma}[r]
			toks = append(toks, token{kind: k, text: string(r), col: start})
			i += n
			col++
		case r == '=' || r == '<' || r == '>' || r == '!':
			op := string(r)
			i += n
			col++
			if i < len(src) && src[i] == '=' {
				op += "="
				i++
				col++
			} else if r == '<' && i < len(src) && src[i] == '>' {
				op = "!="
				i++
				col++
			} else if r == '=' && i < len(src) && src[i] == '=' {
				i++
				col++
			}
			if op == "!" {
				return nil, errAt(start, `"!" alone is not an operator: write "not" or "!="`)
			}
			if op == "==" {
				op = "="
			}
			toks = append(toks, token{kind: tOp, text: op, col: start})
		case r == '"' || r == '\'' || r == '“' || r == '”':
			quote := r
			if quote == '“' {
				quote = '”'
			}
			i += n
			col++
			var b strings.Builder
			closed := false
			for i < len(src) {
				c, m := next()
				if c == quote || (quote == '”' && c == '“') {
					i += m
					col++
					closed = true
					break
				}
				if c == '\\' && i+m < len(src) {
					i += m
					col++
					c, m = next()
				}
				b.WriteRune(c)
				i += m
				col++
			}
			if !closed {
				return nil, errAt(start, "text is not closed: add a %c at the end", quote)
			}
			toks = append(toks, token{kind: tString, text: b.String(), col: start})
		case r >= '0' && r <= '9' || r == '-' || r == '.':
			j := i
			if r == '-' {
				j++
			}
			digits, dots := 0, 0
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				if src[j] == '.' {
					dots++
				} else {
					digits++
				}
				j++
			}
			if digits == 0 || dots > 1 {
				return nil, errAt(start, "%q is not a number", src[i:max(j, i+n)])
			}
			if j < len(src) {
				if c, _ := utf8.DecodeRuneInString(src[j:]); isIdentRune(c) {
					return nil, errAt(start, "a number cannot run into letters: put a space after %q", src[i:j])
				}
			}
			toks = append(toks, token{kind: tNumber, text: src[i:j], col: start})
			col += j - i
			i = j
		case isIdentStart(r):
			j := i
			c := col
			for j < len(src) {
				x, m := utf8.DecodeRuneInString(src[j:])
				if !isIdentRune(x) {
					break
				}
				j += m
				c++
			}
			word := strings.ToLower(src[i:j])
			k := tIdent
			if kw, ok := keywords[word]; ok {
				k = kw
			}
			toks = append(toks, token{kind: k, text: word, col: start})
			i, col = j, c
		default:
			return nil, errAt(start, "unexpected character %q", r)
		}
	}
	toks = append(toks, token{kind: tEOF, col: col})
	return toks, nil
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentRune(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
