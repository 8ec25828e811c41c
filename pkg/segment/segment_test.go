package segment

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLex(t *testing.T) {
	toks, err := lex(`tag("a b") AND total_donated>=100.5 or city in ('Kraków',"x\"y") != <> == not -3`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.kind.String()+":"+tk.text)
	}
	want := []string{`name:tag`, `"(":(`, `text:a b`, `")":)`, `"and":and`, `name:total_donated`, `comparison:>=`,
		`number:100.5`, `"or":or`, `name:city`, `"in":in`, `"(":(`, `text:Kraków`, `",":,`, `text:x"y`, `")":)`,
		`comparison:!=`, `comparison:!=`, `comparison:=`, `"not":not`, `number:-3`, `end of expression:`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokens\n got %q\nwant %q", got, want)
	}
	// Columns count characters, not bytes.
	toks, _ = lex(`city = "Kraków" and x`)
	if c := toks[len(toks)-2].col; c != 21 {
		t.Errorf("col of x = %d, want 21", c)
	}
}

func TestParsePrecedence(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`has_email or has_phone and opted_out`, `(has_email or (has_phone and opted_out))`},
		{`has_email and has_phone or opted_out`, `((has_email and has_phone) or opted_out)`},
		{`not has_email and has_phone`, `(not has_email and has_phone)`},
		{`not (has_email and has_phone)`, `not (has_email and has_phone)`},
		{`(has_email or has_phone) and not not opted_out`, `((has_email or has_phone) and not not opted_out)`},
	} {
		n, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if n.String() != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, n, c.want)
		}
	}
}

func TestParseForms(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`city in ("Salta", "Kraków")`, `city in ("Salta", "Kraków")`},
		{`CITY NOT IN ("Salta")`, `city not in ("Salta")`},
		{`total_donated >= 100 and donations > 2`, `(total_donated >= 100 and donations > 2)`},
		{`last_donation < "2024-01-01"`, `last_donation < "2024-01-01"`},
		{`donated_between("2024-01-01", "2024-12-31")`, `donated_between("2024-01-01", "2024-12-31")`},
		{`source("inscripciones_evento.csv") or name_like("garcia")`, `(source("inscripciones_evento.csv") or name_like("garcia"))`},
		{`email == "a@b.c"`, `email = "a@b.c"`},
		{`LYBUNT or sybunt and not lapsed`, `(lybunt or (sybunt and not lapsed))`},
		{`recurring_donor or recurring_donor(12, 4)`, `(recurring_donor or recurring_donor(12, 4))`},
		{`major_donor(0.1) and rfm_monetary >= 4 and first_time_donor`, `((major_donor(0.1) and rfm_monetary >= 4) and first_time_donor)`},
	} {
		n, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if n.String() != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, n, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		in  string
		col int
		msg string
	}{
		{``, 1, "empty expression"},
		{`has_email and citty = "Salta"`, 15, `unknown field "citty" (did you mean city?)`},
		{`tga("x")`, 1, `unknown function "tga" (did you mean tag?)`},
		{`frobnicate`, 1, `unknown field "frobnicate"`},
		{`city = "Salta`, 8, "text is not closed"},
		{`has_email and`, 14, "ends too early"},
		{`has_email has_phone`, 11, `expected "and", "or" or the end, found "has_phone"`},
		{`(has_email`, 1, `"(" is never closed`},
		{`has_email)`, 10, `")" without a matching "("`},
		{`city`, 1, `city is text: compare it, as in city = "..."`},
		{`total_donated`, 1, "total_donated is a number"},
		{`city = 3`, 8, "city is text: put the value in quotes"},
		{`city < "x"`, 6, "compare it with = or != or in"},
		{`total_donated >= "100"`, 18, "is a number: write the value without quotes"},
		{`last_donation > 2024`, 17, "is a date"},
		{`birth_date = "1990-13-01"`, 14, `"1990-13-01" is not a date`},
		{`has_email = "x"`, 11, "has_email is yes/no"},
		{`tag()`, 1, "tag takes 1 value, not 0"},
		{`tag("a", "b")`, 1, "tag takes 1 value, not 2"},
		{`tag(volunteer)`, 5, "put text in quotes"},
		{`tag(3)`, 5, "tag wants text in quotes"},
		{`tag("x"`, 1, `tag( is never closed`},
		{`tag("x" "y")`, 9, `expected "," or ")"`},
		{`tag("  ")`, 5, "tag needs some text"},
		{`donated_since("yesterday")`, 15, `"yesterday" is not a date`},
		{`donated_between("2025-01-01", "2024-01-01")`, 31, "is before"},
		{`city("x")`, 1, "city is a field, not a function"},
		{`tag = "x"`, 1, "tag is a function"},
		{`city in "x"`, 9, `expected "(" after in`},
		{`city in ("a" "b")`, 14, `expected "," or ")"`},
		{`city in ("a", `, 15, `expected a value, found end of expression`},
		{`city in ("a"`, 9, `"(" is never closed`},
		{`has_email in ("a")`, 11, "has_email is yes/no"},
		{`city = "a" & has_email`, 12, "unexpected character '&'"},
		{`has_email ! has_phone`, 11, `"!" alone`},
		{`records > 3x`, 11, "cannot run into letters"},
		{`records > 1.2.3`, 11, "is not a number"},
		{`records > -`, 11, "is not a number"},
		{`"Salta"`, 1, "a value goes after a field"},
		{`and has_email`, 1, "expected a field or function"},
		{`city = `, 8, "expected a value, found end of expression"},
		{`major_donor`, 1, "write major_donor(0.1)"},
		{`major_donor("0.1")`, 13, "wants a number without quotes"},
		{`major_donor(0)`, 13, "above 0 and at most 1"},
		{`major_donor(1.5)`, 13, "above 0 and at most 1"},
		{`major_donor(0.1, 2)`, 1, "major_donor takes 1 value, not 2"},
		{`recurring_donor(6)`, 1, "recurring_donor takes 2 values, not 1"},
		{`recurring_donor(6, 7)`, 20, "from 1 to 6"},
		{`recurring_donor(0, 1)`, 17, "months must be a whole number"},
		{`recurring_donor(2.5, 1)`, 17, "months must be a whole number"},
		{`rfm_monetary >= "4"`, 17, "rfm_monetary is a number"},
		{`rfm_recency`, 1, "rfm_recency is a number"},
		{`lybunt = 1`, 8, "lybunt is yes/no"},
		{`lybnut`, 1, `(did you mean lybunt?)`},
	} {
		_, err := Parse(c.in)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want an Error", c.in, err)
			continue
		}
		if se.Col != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: got %v, want col %d: ...%s...", c.in, se, c.col, c.msg)
		}
	}
	// The message names the column first.
	_, err := Parse(`has_email and citty = "Salta"`)
	if got := err.Error(); got != `col 15: unknown field "citty" (did you mean city?)` {
		t.Errorf("Error() = %q", got)
	}
}

func TestTooDeep(t *testing.T) {
	_, err := Parse(strings.Repeat("(", 500) + "has_email" + strings.Repeat(")", 500))
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("err = %v", err)
	}
	_, err = Parse(strings.Repeat("not ", 500) + "has_email")
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("err = %v", err)
	}
}

func TestCompile(t *testing.T) {
	sql, args, err := Compile(`city in ("Salta", "Kraków") and not opted_out`)
	if err != nil {
		t.Fatal(err)
	}
	want := `(coalesce((strip_accents(lower(replace(replace(coalesce(p.city, ''), 'Ł', 'L'), 'ł', 'l'))) = ` +
		`strip_accents(lower(replace(replace(CAST(? AS VARCHAR), 'Ł', 'L'), 'ł', 'l'))) OR ` +
		`strip_accents(lower(replace(replace(coalesce(p.city, ''), 'Ł', 'L'), 'ł', 'l'))) = ` +
		`strip_accents(lower(replace(replace(CAST(? AS VARCHAR), 'Ł', 'L'), 'ł', 'l')))), false) AND (NOT coalesce(p.opted_out, false)))`
	if sql != want {
		t.Errorf("sql\n got %s\nwant %s", sql, want)
	}
	if !reflect.DeepEqual(args, []any{"Salta", "Kraków"}) {
		t.Errorf("args = %#v", args)
	}

	sql, args, err = Compile(`total_donated >= 100 and donated_between("2024-01-01", "2024-12-31") and records != 2`)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{
		`coalesce((SELECT coalesce(sum(t.amount), 0) FROM transactions t JOIN links l ON l.record_id = t.record_id`,
		`WHERE l.person_id = p.id AND t.kind = 'credit' AND t.excluded IS NULL) >= CAST(? AS DOUBLE), false)`,
		`coalesce(t.booking_date, t.value_date) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE))`,
		`coalesce(p.records <> CAST(? AS DOUBLE), false)`,
	} {
		if !strings.Contains(sql, part) {
			t.Errorf("no %s in\n%s", part, sql)
		}
	}
	if !reflect.DeepEqual(args, []any{100.0, "2024-01-01", "2024-12-31", 2.0}) {
		t.Errorf("args = %#v", args)
	}
}

// The fundraising segments take their dates from the reference date, as parameters.
func TestCompileFundraisingAsOf(t *testing.T) {
	asOf := time.Date(2025, 6, 15, 13, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		expr string
		args []any
	}{
		{`lybunt`, []any{"2025-06-15", "2024-01-01", "2025-01-01"}},
		{`sybunt`, []any{"2025-06-15", "2024-01-01"}},
		{`first_time_donor`, []any{"2025-06-15", "2024-06-15"}},
		{`lapsed`, []any{"2025-06-15", "2023-12-15"}},
		{`recurring_donor`, []any{"2025-06-15", "2025-01-01", 3}},
		{`recurring_donor(12, 4)`, []any{"2025-06-15", "2024-07-01", 4}},
		{`major_donor(0.1)`, []any{"2025-06-15", 0.1}},
		{`rfm_monetary >= 4`, []any{"2025-06-15", 4.0}},
	} {
		sql, args, err := CompileWith(c.expr, Options{AsOf: asOf})
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if !reflect.DeepEqual(args, c.args) {
			t.Errorf("%s: args = %#v, want %#v", c.expr, args, c.args)
		}
		if strings.Count(sql, "?") != len(args) || strings.Contains(sql, "2025") {
			t.Errorf("%s: %s", c.expr, sql)
		}
	}
	// Without a date, today.
	_, args, _ := Compile(`lybunt`)
	if args[0] != time.Now().Format("2006-01-02") {
		t.Errorf("default as-of = %v", args[0])
	}
}

// Values never reach the SQL text: only placeholders do.
func TestCompileNeverPastesValues(t *testing.T) {
	evil := `x'); DROP TABLE people; --`
	for _, expr := range []string{
		`city = "` + evil + `"`, `city in ("` + evil + `")`, `tag("` + evil + `")`, `source("` + evil + `")`,
		`name_like("` + evil + `")`, `email != "` + evil + `"`,
	} {
		sql, args, err := Compile(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if strings.Contains(sql, "DROP") {
			t.Errorf("%s: value pasted into %s", expr, sql)
		}
		if strings.Count(sql, "?") != len(args) {
			t.Errorf("%s: %d placeholders, %d args", expr, strings.Count(sql, "?"), len(args))
		}
	}
}

func TestEveryFieldAndFunctionCompiles(t *testing.T) {
	for _, f := range Fields() {
		var expr string
		switch fields[f] {
		case kText:
			expr = f + ` = "x"`
		case kNumber:
			expr = f + ` > 1`
		case kDate:
			expr = f + ` >= "2020-01-01"`
		case kBool:
			expr = "not " + f
		}
		sql, args, err := Compile(expr)
		if err != nil || sql == "" || strings.Count(sql, "?") != len(args) {
			t.Errorf("%s: %q %v %v", expr, sql, args, err)
		}
	}
	for _, f := range Functions() {
		expr := f + `("2020-01-01")`
		if functions[f] == 2 {
			expr = f + `("2020-01-01", "2021-01-01")`
		}
		switch f {
		case "major_donor":
			expr = f + `(0.1)`
		case "recurring_donor":
			expr = f + `(6, 3)`
		}
		sql, args, err := Compile(expr)
		if err != nil || sql == "" || strings.Count(sql, "?") != len(args) {
			t.Errorf("%s: %q %v %v", expr, sql, args, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`donated_since("2025-01-01") and total_donated >= 100 and has_email and not opted_out and tag("volunteer")`,
		`source("inscripciones_evento.csv")`, `city in ("Salta", "Kraków")`, `(has_email or`, `"\`, `-.`, `not not (`,
		`city not in ("a",)`, "“Salta”", `records >= 1e5`, `lybunt or major_donor(0.1) and rfm_recency >= 4`,
		`recurring_donor(6, 3)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Col < 1 {
				t.Fatalf("%q: bad error %v", s, err)
			}
			return
		}
		sql, args := CompileNode(n)
		if strings.Count(sql, "?") != len(args) {
			t.Fatalf("%q: %d placeholders, %d args", s, strings.Count(sql, "?"), len(args))
		}
		// What prints parses again to the same tree.
		again, err := Parse(n.String())
		if err != nil || again.String() != n.String() {
			t.Fatalf("%q: reprint %q: %v", s, n.String(), err)
		}
	})
}
