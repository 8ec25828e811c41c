package segment

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSegment runs lex, parse and compile on arbitrary text. It must never panic; an
// error is a *Error pointing inside the expression (or just past its end) with a
// message; a compiled condition has one parameter per placeholder and never holds the
// expression's text, which goes in parameters only.
func FuzzSegment(f *testing.F) {
	for _, s := range []string{
		`has_email`, `not (has_email or has_phone) and opted_out`, `city in ("Salta", 'Kraków')`,
		`total_donated >= 100.5 and donations > -2`, `last_donation < "2024-01-01"`,
		`donated_between("2024-01-01", "2024-12-31")`, `recurring_donor(12, 3)`, `major_donor(0.1)`,
		`name_like("garcia") or source("x.csv")`, `tag("a b") AND city != "x\"y"`, `email == "a@b.c"`,
		`city = "Robert'); DROP TABLE people;--"`, `(((((((((has_email)))))))))`, `!`, `"`, `1e999999`,
		`city in (`, `has_email and`, "\xff\xfe", `donated_between("2024-12-31", "2024-01-01")`,
		strings.Repeat("not ", 150) + "has_email", strings.Repeat("has_email or ", 50) + "has_phone",
	} {
		f.Add(s)
	}
	asOf := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src string) {
		where, args, err := CompileWith(src, Options{AsOf: asOf})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %v (%T) is not a *Error", src, err, err)
			}
			if e.Col < 1 || e.Col > utf8.RuneCountInString(src)+1 {
				t.Fatalf("%q: error at col %d, outside the expression: %v", src, e.Col, e)
			}
			if strings.TrimSpace(e.Msg) == "" {
				t.Fatalf("%q: empty error message", src)
			}
			return
		}
		if n := strings.Count(where, "?"); n != len(args) {
			t.Fatalf("%q: %d placeholders, %d args:\n%s", src, n, len(args), where)
		}
		if strings.TrimSpace(where) == "" {
			t.Fatalf("%q: empty condition", src)
		}
	})
}

// TestHostileSize: a chain of 40,000 or-ed conditions took 22 s to compile (quadratic
// string building) and nested the SQL as deep; size bounds now refuse such input at
// once, with the column where it goes too far.
func TestHostileSize(t *testing.T) {
	for _, c := range []struct {
		src  string
		col  int
		want string
	}{
		{strings.Repeat("has_email or ", 5000) + "has_phone", 1001*13 - 2, "more than 1000 conditions joined by and/or"},
		{strings.Repeat("has_email and ", 1001) + "has_phone", 1001*14 - 3, "more than 1000 conditions"},
		{`city in (` + strings.Repeat(`"a", `, 10000) + `"b")`, 10 + 10000*5, "more than 10000 values in one in (...)"},
		{"city = \"" + strings.Repeat("ż", 40000) + "\"", 8 + 32764 + 1, "expression longer than 64 KiB"},
	} {
		_, _, err := Compile(c.src)
		var e *Error
		if !errors.As(err, &e) || e.Col != c.col || !strings.Contains(e.Msg, c.want) {
			t.Errorf("%.40q...: error %v, want col %d %q", c.src, err, c.col, c.want)
		}
	}
	// Up to the bounds, expressions still compile.
	if _, _, err := Compile(strings.Repeat("has_email or ", 1000) + "has_phone"); err != nil {
		t.Error(err)
	}
}
