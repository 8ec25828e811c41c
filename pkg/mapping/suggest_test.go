package mapping

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// suggestFor infers and suggests a mapping for an eval file.
func suggestFor(t *testing.T, file string) (header []string, guesses []Guess, out []byte) {
	t.Helper()
	header, rows, err := readEvalCSV(filepath.Join(evalDir, file), false)
	if err != nil {
		t.Fatal(err)
	}
	guesses = Infer(SampleColumns(header, rows))
	return header, guesses, Suggest(file, header, guesses)
}

func TestSuggestRoundTrips(t *testing.T) {
	for _, file := range []string{"es_socios_crm.csv", "pl_przelewy_przychodzace.csv", "google_contacts.csv", "us_donors.csv"} {
		header, guesses, out := suggestFor(t, file)
		m, err := Parse(out, "suggested.yaml")
		if err != nil {
			t.Fatalf("%s: suggestion does not parse: %v\n%s", file, err, out)
		}
		if len(m.Columns) != len(header) {
			t.Errorf("%s: %d columns in the mapping for %d in the file", file, len(m.Columns), len(header))
		}
		for i, h := range header {
			c, ok := m.Columns[h]
			if !ok {
				t.Errorf("%s: column %q missing", file, h)
				continue
			}
			want := guesses[i].Field
			if want == "" {
				want = Ignore
			}
			if c.Field != want {
				t.Errorf("%s: %q is %s in the mapping, %s in the guess", file, h, c.Field, want)
			}
			o := guesses[i].Options
			if c.Format != o.Format || c.Decimal != o.Decimal || c.Order != o.Order || c.Country != o.Country {
				t.Errorf("%s: %q options %+v, guessed %+v", file, h, c, o)
			}
		}
		// Every mapped column is required by detect, no ignored one.
		var mapped []string
		for i, g := range guesses {
			if g.Field != "" {
				mapped = append(mapped, header[i])
			}
		}
		if strings.Join(m.Detect.Headers, "|") != strings.Join(mapped, "|") {
			t.Errorf("%s: detect %v, want %v", file, m.Detect.Headers, mapped)
		}
		if !strings.Contains(m.Description, Fingerprint(header)) {
			t.Errorf("%s: description %q lacks the fingerprint", file, m.Description)
		}
	}
}

func TestSuggestIsRecognisedNextTime(t *testing.T) {
	header, guesses, out := suggestFor(t, "de_spenderliste.csv")
	lib, err := NewLibrary(fstest.MapFS{"spender.yaml": {Data: out}})
	if err != nil {
		t.Fatal(err)
	}
	// Next month's export: same columns, another order, another spelling of case.
	next := append([]string(nil), header...)
	next[0], next[len(next)-1] = next[len(next)-1], next[0]
	next[2] = strings.ToUpper(next[2])
	m := lib.Match(next)
	if m == nil || m.Name != "de-spenderliste" {
		t.Fatalf("suggested mapping not detected: %v\n%s", m, out)
	}
	p := lib.Plan(header, nil)
	for i, c := range p.Columns {
		if c.Field != guesses[i].Field {
			t.Errorf("plan maps %q to %q, the guess was %q", header[i], c.Field, guesses[i].Field)
		}
	}
	if Fingerprint(next) != Fingerprint(header) {
		t.Error("fingerprint depends on order or case")
	}
}

func TestSuggestComments(t *testing.T) {
	_, guesses, out := suggestFor(t, "es_voluntarios_formulario.csv")
	s := string(out)
	for _, want := range []string{"padron import --mapping es-voluntarios-formulario.yaml", "Talla de camiseta: ignore",
		"e.g. ", "unmapped, ", "% · ", "header fingerprint"} {
		if !strings.Contains(s, want) {
			t.Errorf("suggestion lacks %q:\n%s", want, s)
		}
	}
	for i, g := range guesses {
		if g.Field != "" && g.Confidence < Confident && !strings.Contains(s, "CHECK") {
			t.Errorf("column %d is below the threshold but nothing is marked CHECK", i+1)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "@") && !strings.Contains(line, "…@") && strings.HasPrefix(strings.TrimSpace(line), "#") {
			t.Errorf("comment shows a whole email address: %s", line)
		}
	}
}

func TestSuggestAwkwardHeaders(t *testing.T) {
	header := []string{"Correo: principal", "# socio", "- Teléfono", "yes", "[Nombre]", "Email", "EMAIL", "", "column_9", "Notas\n internas"}
	cols := make([]ColumnSample, len(header))
	for i, h := range header {
		cols[i] = ColumnSample{Header: h}
	}
	cols[0].Values = []string{"ana@example.org", "luis@example.com"}
	cols[2].Values = []string{"600 123 456", "+48 601 222 333"}
	guesses := Infer(cols)
	out := Suggest("raro.csv", header, guesses)
	m, err := Parse(out, "raro.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if c := m.Columns["Correo: principal"]; c.Field != "email" {
		t.Errorf("Correo: principal → %+v\n%s", c, out)
	}
	if _, ok := m.Columns["EMAIL"]; ok {
		t.Errorf("a repeated header got its own (duplicate) entry:\n%s", out)
	}
	for _, k := range []string{"#8", "#9"} {
		if _, ok := m.Columns[k]; !ok {
			t.Errorf("positional column %s missing:\n%s", k, out)
		}
	}
	for _, h := range m.Detect.Headers {
		if strings.HasPrefix(h, "#") || isPositional(h) {
			t.Errorf("detect requires positional header %q", h)
		}
	}
}

func TestSuggestHeaderless(t *testing.T) {
	header := []string{"column_1", "column_2"}
	guesses := Infer([]ColumnSample{col("column_1", 10, emailVals...), col("column_2", 10, fullVals...)})
	out := Suggest("lista.csv", header, guesses)
	m, err := Parse(out, "lista.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if m.Columns["#1"].Field != "email" || m.Columns["#2"].Field != "full_name" {
		t.Errorf("columns %+v", m.Columns)
	}
	if len(m.Detect.Headers) != 0 {
		t.Errorf("a headerless mapping must not claim every headerless file: %v", m.Detect.Headers)
	}
	lib, err := NewLibrary(fstest.MapFS{"lista.yaml": {Data: out}})
	if err != nil {
		t.Fatal(err)
	}
	if lib.Match([]string{"column_1", "column_2", "column_3"}) != nil {
		t.Error("headerless suggestion detected for another headerless file")
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint([]string{"Nombre", "Correo electrónico", "Teléfono"})
	if a == "" || a != Fingerprint([]string{"TELEFONO", "correo electronico", "nombre"}) {
		t.Error("fingerprint should ignore order, case and accents")
	}
	if a == Fingerprint([]string{"Nombre", "Correo electrónico"}) {
		t.Error("different header sets share a fingerprint")
	}
	if Fingerprint([]string{"column_1", "column_2", ""}) != "" {
		t.Error("positional header has a fingerprint")
	}
}

func TestMappingName(t *testing.T) {
	for in, want := range map[string]string{"exports/Socios CRM 2024.csv": "socios-crm-2024", "darczyńcy.xlsx": "darczyńcy", "...": "suggested", `C:\x\Lista_Final.CSV`: "lista-final"} {
		if got := mappingName(in); got != want {
			t.Errorf("mappingName(%q) = %q, want %q", in, got, want)
		}
	}
}
