package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// segmentStore imports a small list with donations, tags and an opt-out, and dedupes it.
func segmentStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	csv := filepath.Join(dir, "c.csv")
	data := "Nombre,Apellido,Email,Ciudad,Etiquetas,Importe,Fecha,Baja\n" +
		"Ana,García,ana@example.org,Salta,voluntario,150,2025-02-01,no\n" +
		"Jan,Kowalski,jan@example.org,Kraków,,50,2024-05-01,no\n" +
		"Łucja,Nowak,,Salta,volunteer,,,no\n" +
		"Pedro,Ruiz,pedro@example.org,Salta,,200,2025-03-01,sí\n"
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.duckdb")
	for _, args := range [][]string{{"import", csv}, {"dedupe"}} {
		var out, errb bytes.Buffer
		if code := Run(append([]string{"--db", db}, args...), &IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	return db
}

// runCommand runs one command ('padron segment', 'padron report') on db under a root
// of its own with a fresh env, and returns its output.
func runCommand(t *testing.T, newCmd func(*env) *cobra.Command, db string, json bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{io: &IO{In: strings.NewReader(""), Out: &out, Err: &errb}, cfg: viper.New(), ctx: context.Background()}
	e.cfg.Set("db", db)
	e.cfg.Set("json", json)
	e.cfg.Set("actor", "tester")
	cmd := newCmd(e)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

// runSegment runs 'padron segment ARGS' on db.
func runSegment(t *testing.T, db string, json bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCommand(t, newSegmentCmd, db, json, args...)
}

func TestSegmentCommands(t *testing.T) {
	db := segmentStore(t)
	must := func(json bool, args ...string) (string, string) {
		t.Helper()
		out, errs, err := runSegment(t, db, json, args...)
		if err != nil {
			t.Fatalf("segment %v: %v\n%s", args, err, errs)
		}
		return out, errs
	}

	out, _ := must(false, "save", "salta", "--where", `city in ("salta", "Kraków") and has_email`)
	if !strings.Contains(out, "salta: 2 people (1 opted out, left out; --include-opted-out to count them)") {
		t.Errorf("save: %q", out)
	}
	out, _ = must(false, "save", "donors", "--where", `donated_since("2025-01-01") and total_donated >= 100`)
	if !strings.Contains(out, "donors: 1 person (1 opted out") {
		t.Errorf("save donors: %q", out)
	}
	out, _ = must(false, "save", "vol", "--where", `tag("Volunteer") or tag("voluntario")`)
	if !strings.Contains(out, "vol: 2 people") {
		t.Errorf("save vol: %q", out)
	}
	out, _ = must(false, "count", "salta", "--include-opted-out")
	if !strings.Contains(out, "salta: 3 people (opted-out people included)") {
		t.Errorf("count: %q", out)
	}
	out, _ = must(true, "count", "donors")
	if !strings.Contains(out, `"matched": 1`) || !strings.Contains(out, `"opted_out_excluded": 1`) {
		t.Errorf("count --json: %q", out)
	}
	out, _ = must(false, "show", "salta")
	for _, want := range []string{`where:    city in ("salta", "Kraków") and has_email`, "people:   2", "opted out: 1 left out", "by tester"} {
		if !strings.Contains(out, want) {
			t.Errorf("show: no %q in %q", want, out)
		}
	}
	out, errs := must(true, "people", "donors")
	if !strings.Contains(out, `"email": "ana@example.org"`) || strings.Contains(out, "pedro") {
		t.Errorf("people --json: %q", out)
	}
	if !strings.Contains(errs, "donors: 1 person") {
		t.Errorf("people stderr: %q", errs)
	}
	out, _ = must(false, "people", "vol")
	if !strings.Contains(out, "Łucja Nowak") || !strings.Contains(out, "Ana García") {
		t.Errorf("people: %q", out)
	}
	out, _ = must(false, "list")
	if !strings.Contains(out, "donors") || !strings.Contains(out, "salta") || !strings.Contains(out, "vol") {
		t.Errorf("list: %q", out)
	}

	// A name in use needs --replace.
	if _, _, err := runSegment(t, db, false, "save", "vol", "--where", "has_email"); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("save over: %v", err)
	}
	must(false, "save", "vol", "--where", "has_email", "--replace")

	// Mistakes point at their column.
	_, _, err := runSegment(t, db, false, "save", "bad", "--where", `has_email and citty = "Salta"`)
	if err == nil || !strings.Contains(err.Error(), `col 15: unknown field "citty" (did you mean city?)`) ||
		!strings.Contains(err.Error(), "\n                ^") {
		t.Errorf("bad expression: %v", err)
	}
	if code := exitCode(err); code != ExitUsage {
		t.Errorf("bad expression: exit %d", code)
	}

	must(false, "delete", "vol")
	if _, _, err := runSegment(t, db, false, "count", "vol"); err == nil || !strings.Contains(err.Error(), `no segment named "vol"`) {
		t.Errorf("count deleted: %v", err)
	}
	if _, _, err := runSegment(t, db, false, "delete", "vol"); err == nil {
		t.Error("delete twice: no error")
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return ExitError
}

// Every field and function runs against a real store and selects whom it should.
func TestSegmentLanguageOnAStore(t *testing.T) {
	db := segmentStore(t)
	for i, c := range []struct {
		expr string
		want string // count line, opted-out included
	}{
		{`name_like("lucja")`, "1 person"},
		{`name_like("GARCIA ana")`, "1 person"},
		{`source("c.csv")`, "4 people"},
		{`source("otro.csv")`, "0 people"},
		{`last_donation >= "2025-01-01"`, "2 people"},
		{`donations = 0`, "1 person"},
		{`donated_between("2024-01-01", "2024-12-31")`, "1 person"},
		{`total_donated > 100 and not opted_out`, "1 person"},
		{`opted_out`, "1 person"},
		{`city not in ("Salta")`, "1 person"},
		{`city != "KRAKOW"`, "3 people"},
		{`has_address and not has_phone`, "4 people"},
		{`birth_date < "2000-01-01"`, "0 people"},
		{`not (birth_date < "2000-01-01")`, "4 people"},
		{`records = 1 and family_name = "nowak" and given_name = "lucja"`, "1 person"},
		{`email = "ANA@example.org" or country = "AR" or region = "x" or postcode = "1" or phone = "1"`, "1 person"},
	} {
		name := "s" + string(rune('a'+i))
		if _, errs, err := runSegment(t, db, false, "save", name, "--where", c.expr); err != nil {
			t.Errorf("%s: %v %s", c.expr, err, errs)
			continue
		}
		out, _, err := runSegment(t, db, false, "count", name, "--include-opted-out")
		if err != nil || !strings.Contains(out, name+": "+c.want) {
			t.Errorf("%s: %q, %v; want %s", c.expr, out, err, c.want)
		}
	}
}

// The fundraising segments, evaluated --as-of a date, on an imported list where
// the same people give several times.
func TestSegmentFundraisingAsOf(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	data := "Nombre,Apellido,Email,Importe,Fecha\n" +
		"Ana,García,ana@example.org,100,2024-03-01\n" +
		"Jan,Kowalski,jan@example.org,50,2022-05-01\n" +
		"Jan,Kowalski,jan@example.org,50,2023-01-10\n" +
		"Eva,Lis,eva@example.org,20,2025-01-15\n" +
		"Eva,Lis,eva@example.org,20,2025-02-15\n" +
		"Eva,Lis,eva@example.org,20,2025-04-15\n" +
		"Olga,Wójcik,olga@example.org,5000,2020-01-01\n" +
		"Olga,Wójcik,olga@example.org,10,2025-06-01\n" +
		"Piotr,Zając,piotr@example.org,300,2024-12-31\n"
	if err := os.WriteFile(csv, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "t.duckdb")
	for _, args := range [][]string{{"import", csv}, {"dedupe"}} {
		var out, errb bytes.Buffer
		if code := Run(append([]string{"--db", db}, args...), &IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	for _, c := range []struct {
		expr, asOf string
		want       []string // given names selected
	}{
		{`lybunt`, "2025-06-15", []string{"Ana", "Piotr"}},
		{`lybunt`, "2026-03-01", []string{"Eva", "Olga"}},
		{`sybunt`, "2025-06-15", []string{"Jan"}},
		{`lapsed`, "2025-06-15", []string{"Jan"}},
		{`first_time_donor`, "2025-06-15", []string{"Eva", "Piotr"}},
		{`recurring_donor`, "2025-06-15", []string{"Eva"}},
		{`major_donor(0.2)`, "2025-06-15", []string{"Olga"}},
		{`major_donor(0.2)`, "2019-12-31", nil}, // nobody had given yet
		{`rfm_monetary >= 4`, "2025-06-15", []string{"Olga", "Piotr"}},
		{`rfm_recency = 5`, "2025-06-15", []string{"Olga"}},
	} {
		name := "f" + strings.ReplaceAll(c.asOf, "-", "")
		if _, errs, err := runSegment(t, db, false, "save", name, "--where", c.expr, "--replace"); err != nil {
			t.Fatalf("%s: %v %s", c.expr, err, errs)
		}
		out, _, err := runSegment(t, db, true, "people", name, "--as-of", c.asOf)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		var ps []struct {
			GivenName string `json:"given_name"`
		}
		if err := json.Unmarshal([]byte(out), &ps); err != nil {
			t.Fatalf("%s: %v\n%s", c.expr, err, out)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.GivenName)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s --as-of %s: got %v, want %v", c.expr, c.asOf, got, c.want)
		}
		out, _, err = runSegment(t, db, false, "count", name, "--as-of", c.asOf)
		if err != nil || !strings.Contains(out, fmt.Sprintf("%s: %d ", name, len(c.want))) && !(len(c.want) == 1 && strings.Contains(out, name+": 1 person")) {
			t.Errorf("%s count --as-of %s: %q %v", c.expr, c.asOf, out, err)
		}
	}
	out, _, err := runSegment(t, db, false, "show", "f20250615", "--as-of", "2025-06-15")
	if err != nil || !strings.Contains(out, "as of:    2025-06-15") || !strings.Contains(out, "people:   1") {
		t.Errorf("show --as-of: %q %v", out, err)
	}
	if _, _, err := runSegment(t, db, false, "count", "f20250615", "--as-of", "15/06/2025"); err == nil ||
		!strings.Contains(err.Error(), "YYYY-MM-DD") || exitCode(err) != ExitUsage {
		t.Errorf("bad --as-of: %v", err)
	}
}
