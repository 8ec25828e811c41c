package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// All names, addresses and numbers below are invented; example.* domains only.

// crlf joins lines as a vCard file: CRLF after each.
func vcCrlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// qp encodes bytes as quoted-printable, every non-ASCII byte and '=' as =XX.
func vcQp(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x80 || c == '=' || c < 0x20 {
			fmt.Fprintf(&s, "=%02X", c)
		} else {
			s.WriteByte(c)
		}
	}
	return s.String()
}

// qpSoft splits quoted-printable text into lines of about width characters with "="
// soft line breaks, never inside an =XX triplet.
func vcQpSoft(s string, width int) string {
	var out strings.Builder
	n := 0
	for i := 0; i < len(s); {
		tok := 1
		if s[i] == '=' {
			tok = 3
		}
		if n+tok > width {
			out.WriteString("=\r\n")
			n = 0
		}
		out.WriteString(s[i : i+tok])
		n += tok
		i += tok
	}
	return out.String()
}

func vcCp1250(t testing.TB, s string) []byte { return encodeText(t, charmap.Windows1250, s) }

func vcardTestFile(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contactos.vcf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readVCard opens path with the vCard reader and returns its info and every row,
// checking the header row.
func readVCard(t testing.TB, path string, opts Options) (Info, []Row) {
	t.Helper()
	f, err := VCard().Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Tables(); !reflect.DeepEqual(got, []string{""}) {
		t.Fatalf("Tables = %q", got)
	}
	tab, err := f.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	var rows []Row
	for {
		r, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if _, err := tab.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
	if len(rows) == 0 || rows[0].Pos != 1 || !reflect.DeepEqual(rows[0].Values, vcardHeader[:]) {
		t.Fatalf("first row is not the header: %+v", rows)
	}
	return f.Info(), rows
}

// vcCol returns a row's value in the named column.
func vcCol(t testing.TB, r Row, name string) string {
	t.Helper()
	for i, h := range vcardHeader {
		if h == name {
			return r.Values[i]
		}
	}
	t.Fatalf("no column %q", name)
	return ""
}

// vcWant is what one card's row must hold: the named columns, every other column but
// vCard empty, and notes containing the given texts in order.
type vcWant struct {
	pos   int
	cols  map[string]string
	notes []string
}

func checkCards(t *testing.T, rows []Row, want []vcWant) {
	t.Helper()
	if len(rows)-1 != len(want) {
		for _, r := range rows[1:] {
			t.Logf("row %d: %q notes %q", r.Pos, r.Values[:vcRaw], r.Notes)
		}
		t.Fatalf("%d cards, want %d", len(rows)-1, len(want))
	}
	for i, w := range want {
		r := rows[i+1]
		if r.Pos != w.pos {
			t.Errorf("card %d: Pos %d, want %d", i+1, r.Pos, w.pos)
		}
		if len(r.Values) != vcColumns {
			t.Fatalf("card %d: %d values", i+1, len(r.Values))
		}
		for j, h := range vcardHeader[:vcRaw] {
			if got, want := r.Values[j], w.cols[h]; got != want {
				t.Errorf("card %d (line %d) %s = %q, want %q", i+1, r.Pos, h, got, want)
			}
		}
		for h := range w.cols {
			vcCol(t, r, h) // catches misspelt column names in the test
		}
		if !strings.HasPrefix(strings.ToUpper(r.Values[vcRaw]), "BEGIN:VCARD") {
			t.Errorf("card %d: vCard column does not start with BEGIN:VCARD: %q", i+1, r.Values[vcRaw])
		}
		if len(r.Notes) != len(w.notes) {
			t.Errorf("card %d: notes %q, want %d containing %q", i+1, r.Notes, len(w.notes), w.notes)
			continue
		}
		for j, n := range w.notes {
			if !strings.Contains(r.Notes[j], n) {
				t.Errorf("card %d: note %q does not contain %q", i+1, r.Notes[j], n)
			}
		}
		for _, v := range r.Values {
			if !utf8.ValidString(v) {
				t.Errorf("card %d: invalid UTF-8 value %q", i+1, v)
			}
		}
	}
}

func TestVCardRead(t *testing.T) {
	longNote := "Wolontariusz od 2019 r., pomaga w świetlicy; mówi po ukraińsku i rosyjsku. Zażółć gęślą jaźń."
	noteQP := vcQpSoft(vcQp([]byte(longNote)), 20)
	noteLines := strings.Count(noteQP, "\n")
	tests := []struct {
		name    string
		data    string
		want    []vcWant
		noSniff bool // the first line is not BEGIN:VCARD
	}{
		{
			name: "2.1 quoted-printable, charsets, bare types",
			data: vcCrlf(
				"BEGIN:VCARD",
				"VERSION:2.1",
				"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"+vcQp([]byte("Wójcik"))+";"+vcQp([]byte("Łukasz"))+";;;",
				"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"+vcQp([]byte("Łukasz Wójcik")),
				"TEL;CELL:+48 600 000 001",
				"TEL;HOME;PREF:+48 22 000 00 02",
				"EMAIL;INTERNET:lukasz@example.com",
				"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"+noteQP,
				"ADR;HOME;CHARSET=windows-1250;ENCODING=QUOTED-PRINTABLE:;;"+vcQp(vcCp1250(t, "ul. Źródlana 5"))+";"+vcQp(vcCp1250(t, "Łódź"))+";;90-001;Polska",
				"END:VCARD",
				"BEGIN:VCARD",
				"VERSION:2.1",
				"N;CHARSET=WINDOWS-1250;ENCODING=QUOTED-PRINTABLE:"+vcQp(vcCp1250(t, "Gęślą"))+";"+vcQp(vcCp1250(t, "Zofia")),
				"TEL;WORK;VOICE:+48 12 000 00 03",
				"END:VCARD",
			),
			want: []vcWant{
				{pos: 1, cols: map[string]string{
					"Full Name": "Łukasz Wójcik", "Given Name": "Łukasz", "Family Name": "Wójcik",
					"Email": "lukasz@example.com", "Phone": "+48 22 000 00 02; +48 600 000 001",
					"Street": "ul. Źródlana 5", "City": "Łódź", "Postcode": "90-001", "Country": "Polska",
					"Note": longNote,
				}},
				{pos: 11 + noteLines, cols: map[string]string{"Given Name": "Zofia", "Family Name": "Gęślą", "Phone": "+48 12 000 00 03"}},
			},
		},
		{
			name: "2.1 soft line break followed by spaces and a dangling soft break",
			data: vcCrlf(
				"BEGIN:VCARD",
				"VERSION:2.1",
				"FN;ENCODING=QUOTED-PRINTABLE:Ana=",
				"  Mar=C3=ADa",
				"NOTE;QUOTED-PRINTABLE;CHARSET=UTF-8:L=C3=ADnea 1=0D=0AL=C3=ADnea 2=",
				"END:VCARD",
			),
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Ana  María", "Note": "Línea 1\nLínea 2"}}},
		},
		{
			name: "3.0 several emails, phones and addresses, folded lines, escapes",
			data: vcCrlf(
				"BEGIN:VCARD",
				"VERSION:3.0",
				"FN:María José García López",
				"N:García López;María José;;Dra.;",
				"EMAIL;TYPE=INTERNET,HOME:mj.garcia@example.com",
				"EMAIL;TYPE=INTERNET,WORK,pref:mgarcia@example.org",
				"EMAIL;TYPE=INTERNET:otra@exam",
				" ple.net",
				"TEL;TYPE=CELL:+34 600 000 001",
				"TEL;TYPE=WORK,VOICE:+34 910 000 002",
				`ADR;TYPE=HOME:;;Calle Mayor 5\, 2º B;Madrid;Madrid;28013;España`,
				"ADR;TYPE=WORK,pref:;Oficina 3;Avenida de la Paz 10;Sevilla;Andalucía;41001;España",
				"ORG:Asociación Vecinal Ejemplo;Secretaría",
				"TITLE:Secretaria",
				"BDAY:1985-04-12",
				// A fold inside a two-byte character, as some writers cut at 75 bytes.
				`NOTE:Primera línea\nSegunda\, con coma y punto y coma\; fin. Es la`,
				" rga y est\xc3",
				"\t\xa1 plegada.",
				"CATEGORIES:Socios,Voluntarios",
				"UID:4a1f-0001",
				"END:VCARD",
			),
			want: []vcWant{{pos: 1, cols: map[string]string{
				"Full Name": "María José García López", "Given Name": "María José", "Family Name": "García López", "Prefix": "Dra.",
				"Email":  "mgarcia@example.org; mj.garcia@example.com; otra@example.net",
				"Phone":  "+34 600 000 001; +34 910 000 002",
				"Street": "Avenida de la Paz 10, Oficina 3", "City": "Sevilla", "Region": "Andalucía", "Postcode": "41001", "Country": "España",
				"Organization": "Asociación Vecinal Ejemplo, Secretaría", "Title": "Secretaria", "Birthday": "1985-04-12",
				"Note":       "Primera línea\nSegunda, con coma y punto y coma; fin. Es larga y está plegada.\nOther address: Calle Mayor 5, 2º B, 28013 Madrid, Madrid, España",
				"Categories": "Socios, Voluntarios", "UID": "4a1f-0001",
			}}},
		},
		{
			name: "4.0 PREF, tel URIs, birthday without year, quoted parameters",
			data: vcCrlf(
				"BEGIN:VCARD",
				"VERSION:4.0",
				"KIND:individual",
				"FN:Olena Kovalenko",
				"N:Kovalenko;Olena;Ivanivna,Petrivna;;",
				"NICKNAME:Lena,Olenka",
				"EMAIL;TYPE=home:olena.home@example.com",
				"EMAIL;PREF=1;TYPE=work:olena@example.org",
				`TEL;VALUE=uri;TYPE="voice,cell":tel:+380-44-000-0000`,
				`TEL;VALUE=uri;PREF=1;TYPE="voice,work":tel:+34-910-000-003;ext=12`,
				"BDAY:--0412",
				`ADR;GEO="geo:39.47,-0.37";TYPE=home;LABEL="Calle Luna 1\nValencia":;;Calle Luna 1;Valencia;;46001;ES`,
				"UID:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
				"END:VCARD",
			),
			want: []vcWant{{pos: 1, cols: map[string]string{
				"Full Name": "Olena Kovalenko", "Given Name": "Olena", "Family Name": "Kovalenko", "Additional Names": "Ivanivna Petrivna",
				"Nickname": "Lena, Olenka", "Email": "olena@example.org; olena.home@example.com",
				"Phone": "+34-910-000-003 ext. 12; +380-44-000-0000", "Birthday": "--0412",
				"Street": "Calle Luna 1", "City": "Valencia", "Postcode": "46001", "Country": "ES",
				"UID": "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
			}}},
		},
		{
			name: "N only and FN only",
			data: vcCrlf(
				"BEGIN:VCARD", "VERSION:3.0", "FN:Jan Kowalski", "END:VCARD",
				"BEGIN:VCARD", "VERSION:3.0", "N:Nowak;Anna;;;", "END:VCARD",
			),
			want: []vcWant{
				{pos: 1, cols: map[string]string{"Full Name": "Jan Kowalski"}},
				{pos: 5, cols: map[string]string{"Given Name": "Anna", "Family Name": "Nowak"}},
			},
		},
		{
			name: "missing END:VCARD mid-file and at the end",
			data: vcCrlf(
				"BEGIN:VCARD", "VERSION:3.0", "FN:Uno",
				"BEGIN:VCARD", "VERSION:3.0", "FN:Dos", "END:VCARD",
				"BEGIN:VCARD", "VERSION:3.0", "FN:Tres", "EMAIL:tres@example.com",
			),
			want: []vcWant{
				{pos: 1, cols: map[string]string{"Full Name": "Uno"}, notes: []string{"card starting on line 1 has no END:VCARD"}},
				{pos: 4, cols: map[string]string{"Full Name": "Dos"}},
				{pos: 8, cols: map[string]string{"Full Name": "Tres", "Email": "tres@example.com"}, notes: []string{"card starting on line 8 has no END:VCARD"}},
			},
		},
		{
			name: "malformed lines are skipped with a note",
			data: vcCrlf(
				"BEGIN:VCARD",
				"VERSION:3.0",
				"FN:Pedro Ruiz",
				"esta línea no tiene dos puntos",
				"EMAIL:pedro@example.com",
				":valor sin nombre",
				"BAD NAME:x",
				"TEL;TYPE=CELL:600000001",
				"END:VCARD",
			),
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Pedro Ruiz", "Email": "pedro@example.com", "Phone": "600000001"},
				notes: []string{`line 4 is not a vCard property`, `line 6 is not`, `line 7 is not a vCard property (NAME:value) and was skipped: "BAD NAME:x"`}}},
		},
		{
			name: "many malformed lines give a count",
			data: vcCrlf("BEGIN:VCARD", "FN:X", "a", "b", "c", "d", "e", "f", "g", "END:VCARD"),
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "X"},
				notes: []string{"line 3 ", "line 4 ", "line 5 ", "line 6 ", "line 7 ", "2 more lines that are not vCard properties skipped"}}},
		},
		{
			name: "mixed versions, LF line ends, text between cards",
			data: "\n\nBEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:P=C3=A9rez;Luis\nTEL;CELL:611000000\nEND:VCARD\n" +
				"Exportado por AgendaPro\n\n" +
				"begin:vcard\nversion:4.0\nfn:Carmen Díaz\nemail;pref=1:carmen@example.com\nbday:19701231\nend:vcard\n" +
				"BEGIN:VCARD\nVERSION:3.0\nFN:Ewa Lis\nBDAY:1999-02-03T00:00:00Z\nEND:VCARD\n",
			want: []vcWant{
				{pos: 3, cols: map[string]string{"Given Name": "Luis", "Family Name": "Pérez", "Phone": "611000000"},
					notes: []string{`1 line(s) outside any BEGIN:VCARD … END:VCARD ignored, the first on line 8: "Exportado por AgendaPro"`}},
				{pos: 10, cols: map[string]string{"Full Name": "Carmen Díaz", "Email": "carmen@example.com", "Birthday": "1970-12-31"}},
				{pos: 16, cols: map[string]string{"Full Name": "Ewa Lis", "Birthday": "1999-02-03"}},
			},
		},
		{
			name: "lone CR line ends",
			data: "BEGIN:VCARD\rVERSION:3.0\rFN:Rosa Gil\rTEL:600111222\rEND:VCARD\r",
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Rosa Gil", "Phone": "600111222"}}},
		},
		{
			name:    "text before the first card",
			data:    "Contactos exportados\r\n\r\nBEGIN:VCARD\r\nFN:Luz Mar\r\nEND:VCARD\r\n",
			want:    []vcWant{{pos: 3, cols: map[string]string{"Full Name": "Luz Mar"}, notes: []string{`the first on line 1: "Contactos exportados"`}}},
			noSniff: true,
		},
		{
			name: "2.1 AGENT card nested inside a card",
			data: vcCrlf("BEGIN:VCARD", "VERSION:2.1", "FN:Jefa Uno", "AGENT:", "BEGIN:VCARD", "VERSION:2.1", "FN:Asistente", "TEL:600000009", "END:VCARD", "EMAIL:jefa@example.com", "END:VCARD"),
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Jefa Uno", "Email": "jefa@example.com"}}},
		},
		{
			name: "2.1 base64 photo with unindented lines, and an unknown charset",
			data: vcCrlf("BEGIN:VCARD", "VERSION:2.1", "FN:Foto Test", "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD",
				"AAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD", "", "NOTE;CHARSET=X-UNKNOWN:hola", "END:VCARD"),
			want: []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Foto Test", "Note": "hola"}, notes: []string{`NOTE on line 7: unknown CHARSET "X-UNKNOWN"`}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := vcardTestFile(t, []byte(tt.data))
			if got := VCard().Sniff(probeFile(t, "x.vcf", []byte(tt.data))); got == tt.noSniff {
				t.Errorf("Sniff = %v", got)
			}
			info, rows := readVCard(t, path, Options{})
			if info.Format != "vcard" || info.Encoding != "utf-8" {
				t.Errorf("Info = %+v", info)
			}
			checkCards(t, rows, tt.want)
		})
	}
}

// The vCard column keeps the card's text exactly, unknown properties included.
func TestVCardRawText(t *testing.T) {
	card1 := vcCrlf("BEGIN:VCARD", "VERSION:3.0", "FN:Ana Sol", "X-CUSTOM;X-P=1:algo", "item1.URL:https://example.com", " /perfil", "END:VCARD")
	card2 := "BEGIN:VCARD\nVERSION:4.0\nFN:Bea Mar\nEND:VCARD"
	_, rows := readVCard(t, vcardTestFile(t, []byte(card1+card2)), Options{})
	if len(rows) != 3 || rows[1].Values[vcRaw] != card1 || rows[2].Values[vcRaw] != card2 {
		t.Fatalf("raw text: %+v", rows)
	}
}

// Phone and Google/Apple exports, as the programs write them (invented people).
func TestVCardExports(t *testing.T) {
	google := vcCrlf(
		"BEGIN:VCARD",
		"VERSION:3.0",
		"FN:Lucía Fernández",
		"N:Fernández;Lucía;;;",
		"NICKNAME:Lu",
		"EMAIL;TYPE=INTERNET;TYPE=HOME:lucia.fernandez@example.com",
		"EMAIL;TYPE=INTERNET;TYPE=WORK:lfernandez@example.org",
		"TEL;TYPE=CELL:+34 611 22 33 44",
		"TEL;TYPE=HOME:+34 912 34 56 78",
		`ADR;TYPE=HOME:;;Calle del Olmo 7\, 3º izq.;Madrid;Comunidad de Madrid;28012;España`,
		"ORG:Asociación Ejemplo",
		"TITLE:Voluntaria",
		"BDAY:1992-11-03",
		`item1.URL:http\://example.com/lucia`,
		"item1.X-ABLabel:",
		`NOTE:Socia desde 2018.\nPrefiere WhatsApp.`,
		"CATEGORIES:myContacts,Voluntarios 2024",
		"END:VCARD",
		"BEGIN:VCARD",
		"VERSION:3.0",
		"FN:Piotr Zieliński",
		"N:Zieliński;Piotr;;;",
		"EMAIL;TYPE=INTERNET:piotr@example.pl",
		"item1.TEL:+48 500 600 700",
		"item1.X-ABLabel:Komórka służbowa",
		"BDAY:--06-15",
		"CATEGORIES:myContacts",
		"END:VCARD",
	)
	apple := vcCrlf(
		"BEGIN:VCARD",
		"VERSION:3.0",
		"PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
		"N:Nowak;Zofia;Maria;;",
		"FN:Zofia Maria Nowak",
		"ORG:Fundacja Przykład;Dział Pomocy",
		"TITLE:Koordynatorka",
		"item1.EMAIL;type=INTERNET;type=pref:zofia.nowak@example.pl",
		"item2.EMAIL;type=INTERNET:z.nowak@example.org",
		"item2.X-ABLabel:_$!<Other>!$_",
		"TEL;type=CELL;type=VOICE:+48 501 000 002",
		"TEL;type=IPHONE;type=CELL;type=VOICE;type=pref:+48 501 000 001",
		`item3.ADR;type=HOME;type=pref:;;ul. Przykładowa 12 m. 4\nklatka B;Warszawa;mazowieckie;00-950;Polska`,
		"item3.X-ABADR:pl",
		"item4.ADR;type=WORK:;;ul. Biurowa 1;Kraków;;30-001;Polska",
		"item4.X-ABADR:pl",
		"BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-08",
		"NOTE:Kontakt z akcji zimowej.",
		"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a",
		" HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAA",
		" AAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==",
		"END:VCARD",
		"BEGIN:VCARD",
		"VERSION:3.0",
		"PRODID:-//Apple Inc.//Mac OS X 14.4//EN",
		"N:;;;;",
		"FN:Banco de Alimentos Ejemplo",
		"ORG:Banco de Alimentos Ejemplo;",
		"X-ABShowAs:COMPANY",
		"item1.TEL;type=pref:+34 900 000 000",
		"item1.X-ABLabel:_$!<Main>!$_",
		"BDAY;value=date:1990-01-31",
		"END:VCARD",
		"BEGIN:VCARD",
		"VERSION:3.0",
		"PRODID:-//Apple Inc.//Mac OS X 14.4//EN",
		"N:Voluntarios 2024",
		"FN:Voluntarios 2024",
		"X-ADDRESSBOOKSERVER-KIND:group",
		"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:0b3c8c3e-0000-4000-8000-000000000001",
		"END:VCARD",
	)
	tests := []struct {
		name string
		data string
		want []vcWant
	}{
		{"google", google, []vcWant{
			{pos: 1, cols: map[string]string{
				"Full Name": "Lucía Fernández", "Given Name": "Lucía", "Family Name": "Fernández", "Nickname": "Lu",
				"Email": "lucia.fernandez@example.com; lfernandez@example.org", "Phone": "+34 611 22 33 44; +34 912 34 56 78",
				"Street": "Calle del Olmo 7, 3º izq.", "City": "Madrid", "Region": "Comunidad de Madrid", "Postcode": "28012", "Country": "España",
				"Organization": "Asociación Ejemplo", "Title": "Voluntaria", "Birthday": "1992-11-03",
				"Note": "Socia desde 2018.\nPrefiere WhatsApp.", "Categories": "myContacts, Voluntarios 2024",
			}},
			{pos: 19, cols: map[string]string{
				"Full Name": "Piotr Zieliński", "Given Name": "Piotr", "Family Name": "Zieliński",
				"Email": "piotr@example.pl", "Phone": "+48 500 600 700", "Birthday": "--06-15", "Categories": "myContacts",
			}},
		}},
		{"apple", apple, []vcWant{
			{pos: 1, cols: map[string]string{
				"Full Name": "Zofia Maria Nowak", "Given Name": "Zofia", "Family Name": "Nowak", "Additional Names": "Maria",
				"Organization": "Fundacja Przykład, Dział Pomocy", "Title": "Koordynatorka",
				"Email": "zofia.nowak@example.pl; z.nowak@example.org", "Phone": "+48 501 000 001; +48 501 000 002",
				"Street": "ul. Przykładowa 12 m. 4, klatka B", "City": "Warszawa", "Region": "mazowieckie", "Postcode": "00-950", "Country": "Polska",
				"Birthday": "--0308", "Note": "Kontakt z akcji zimowej.\nOther address: ul. Biurowa 1, 30-001 Kraków, Polska",
			}},
			{pos: 23, cols: map[string]string{
				"Full Name": "Banco de Alimentos Ejemplo", "Organization": "Banco de Alimentos Ejemplo",
				"Phone": "+34 900 000 000", "Birthday": "1990-01-31",
			}},
			{pos: 34, cols: map[string]string{"Full Name": "Voluntarios 2024", "Family Name": "Voluntarios 2024"},
				notes: []string{"card is a contact group"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows := readVCard(t, vcardTestFile(t, []byte(tt.data)), Options{})
			checkCards(t, rows, tt.want)
		})
	}
}

func TestVCardEncodings(t *testing.T) {
	windows := vcCrlf(
		"BEGIN:VCARD",
		"VERSION:2.1",
		"N:Núñez;Iñaki",
		"FN:Iñaki Núñez",
		"NOTE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Caf=E9 con le=F1a",
		"EMAIL;PREF;INTERNET:inaki@example.com",
		"END:VCARD",
	)
	polish := vcCrlf(
		"BEGIN:VCARD", "VERSION:2.1", "N:Świątek;Józef", "FN:Józef Świątek", "ADR;HOME:;;ul. Śląska 3;Łódź;;90-002;Polska", "END:VCARD",
		"BEGIN:VCARD", "VERSION:2.1", "N:Wróbel;Łucja", "NOTE:Zażółć gęślą jaźń; źrebię śpi.", "END:VCARD",
	)
	iñaki := map[string]string{"Full Name": "Iñaki Núñez", "Given Name": "Iñaki", "Family Name": "Núñez", "Email": "inaki@example.com", "Note": "Café con leña"}
	józef := map[string]string{"Full Name": "Józef Świątek", "Given Name": "Józef", "Family Name": "Świątek", "Street": "ul. Śląska 3", "City": "Łódź", "Postcode": "90-002", "Country": "Polska"}
	łucja := map[string]string{"Given Name": "Łucja", "Family Name": "Wróbel", "Note": "Zażółć gęślą jaźń; źrebię śpi."}
	tests := []struct {
		name    string
		data    []byte
		opts    Options
		enc     string
		want    []vcWant
		rawWant string
	}{
		{"utf-16le with BOM, as Windows exports", encodeText(t, utf16LEBOM, windows), Options{}, "utf-16le", []vcWant{{pos: 1, cols: iñaki}}, windows},
		{"utf-16be with BOM", encodeText(t, utf16BEBOM, windows), Options{}, "utf-16be", []vcWant{{pos: 1, cols: iñaki}}, windows},
		{"utf-16le without BOM", encodeText(t, utf16LE, windows), Options{}, "utf-16le", []vcWant{{pos: 1, cols: iñaki}}, windows},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, windows...), Options{}, "utf-8", []vcWant{{pos: 1, cols: iñaki}}, windows},
		{"windows-1250 without CHARSET, detected", vcCp1250(t, polish), Options{}, "windows-1250", []vcWant{{pos: 1, cols: józef}, {pos: 7, cols: łucja}}, ""},
		{"windows-1250 forced", vcCp1250(t, polish), Options{Encoding: "cp1250"}, "windows-1250", []vcWant{{pos: 1, cols: józef}, {pos: 7, cols: łucja}}, ""},
		{"raw windows-1250 bytes named by CHARSET in a utf-8 file",
			[]byte(vcCrlf("BEGIN:VCARD", "VERSION:2.1", "N;CHARSET=windows-1250:"+string(vcCp1250(t, "Świątek;Józef")), "FN:Józef Świątek", "NOTE:Zażółć gęślą jaźń", "END:VCARD")),
			Options{}, "utf-8", []vcWant{{pos: 1, cols: map[string]string{"Full Name": "Józef Świątek", "Given Name": "Józef", "Family Name": "Świątek", "Note": "Zażółć gęślą jaźń"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !VCard().Sniff(probeFile(t, "x.vcf", tt.data)) {
				t.Error("Sniff = false")
			}
			info, rows := readVCard(t, vcardTestFile(t, tt.data), tt.opts)
			if info.Encoding != tt.enc {
				t.Errorf("Encoding = %q, want %q", info.Encoding, tt.enc)
			}
			checkCards(t, rows, tt.want)
			if tt.rawWant != "" && rows[1].Values[vcRaw] != tt.rawWant {
				t.Errorf("vCard column %q, want %q", rows[1].Values[vcRaw], tt.rawWant)
			}
		})
	}
}

// Invalid UTF-8 in a value is decoded as Windows-1252 and noted, as in CSV files.
func TestVCardInvalidUTF8(t *testing.T) {
	data := strings.Repeat(vcCrlf("BEGIN:VCARD", "VERSION:3.0", "FN:Zoë Ñandú", "END:VCARD"), 5) +
		vcCrlf("BEGIN:VCARD", "VERSION:3.0", "FN:Jos\xe9 Pe\xf1a", "END:VCARD")
	_, rows := readVCard(t, vcardTestFile(t, []byte(data)), Options{})
	checkCards(t, rows[5:], []vcWant{{pos: 21, cols: map[string]string{"Full Name": "José Peña"}, notes: []string{"FN on line 23: invalid UTF-8 bytes decoded as Windows-1252"}}})
}

func TestVCardSniff(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEND:VCARD\r\n"
	garbage := append([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\n"), randomBytes(4096, 7)...)
	for _, tt := range []struct {
		name string
		head []byte
		want bool
	}{
		{"vcard", []byte(card), true},
		{"lower case, LF", []byte("begin:vcard\nversion:4.0\n"), true},
		{"blank lines and trailing blanks first", []byte("\r\n\r\n  BEGIN:VCARD  \r\n"), true},
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, card...), true},
		{"utf-16le BOM", encodeText(t, utf16LEBOM, card), true},
		{"utf-16be BOM", encodeText(t, utf16BEBOM, card), true},
		{"utf-16le no BOM", encodeText(t, utf16LE, card), true},
		{"csv", []byte("Nombre;Email\nAna;ana@example.com\n"), false},
		{"calendar", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), false},
		{"vcard later in the file", []byte("Contactos\r\nBEGIN:VCARD\r\n"), false},
		{"BEGIN:VCARD then binary", garbage, false},
		{"empty", nil, false},
	} {
		p := &Probe{Path: "x.vcf", Head: tt.head, Size: int64(len(tt.head))}
		if got := VCard().Sniff(p); got != tt.want {
			t.Errorf("%s: Sniff = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A file that starts like a vCard but is binary junk afterwards is not sniffed as one,
// and opening it as a vCard anyway returns the card with notes, never a panic.
func TestVCardBinaryGarbage(t *testing.T) {
	data := append([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Basura\r\n"), randomBytes(64<<10, 11)...)
	path := vcardTestFile(t, data)
	if VCard().Sniff(probeFile(t, "x.vcf", data)) {
		t.Error("Sniff accepted binary junk")
	}
	_, rows := readVCard(t, path, Options{})
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the header and one card", len(rows))
	}
	r := rows[1]
	if r.Pos != 1 || vcCol(t, r, "Full Name") != "Basura" {
		t.Errorf("card: Pos %d, values %q", r.Pos, r.Values[:vcRaw])
	}
	if len(r.Notes) != vcMaxLineNotes+2 || !strings.HasSuffix(r.Notes[vcMaxLineNotes], "more lines that are not vCard properties skipped") ||
		r.Notes[len(r.Notes)-1] != "card starting on line 1 has no END:VCARD" {
		t.Errorf("notes %q", r.Notes)
	}
	for _, v := range r.Values {
		if !utf8.ValidString(v) {
			t.Errorf("invalid UTF-8 value %q", v)
		}
	}
}

// A file of only text that is not a vCard, opened as one, is refused.
func TestVCardNotAVCard(t *testing.T) {
	f, err := VCard().Open(vcardTestFile(t, []byte("Nombre;Email\nAna;ana@example.com\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := f.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if r, err := tab.Next(); err != nil || r.Pos != 1 {
		t.Fatalf("header: %v, %v", r, err)
	}
	if _, err := tab.Next(); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "contactos.vcf") {
		t.Errorf("Next = %v, want an unsupported-file error naming the file", err)
	}
}

func TestVCardFieldLimit(t *testing.T) {
	note := strings.Repeat("ñ", 30) // 60 bytes; the cut must not split a character
	data := vcCrlf("BEGIN:VCARD", "VERSION:3.0", "FN:Ana", "NOTE:"+note, "END:VCARD")
	_, rows := readVCard(t, vcardTestFile(t, []byte(data)), Options{Limits: Limits{MaxFieldBytes: 51}})
	r := rows[1]
	if got := vcCol(t, r, "Note"); got != strings.Repeat("ñ", 25) {
		t.Errorf("Note = %q", got)
	}
	if got := r.Values[vcRaw]; len(got) > 51 || !utf8.ValidString(got) || !strings.HasPrefix(data, got) {
		t.Errorf("vCard column %q", got)
	}
	want := []string{
		`column "Note": value of 60 bytes cut to 50 bytes (--max-field-length)`,
		fmt.Sprintf(`column "vCard": value of %d bytes cut to 51 bytes (--max-field-length)`, len(data)),
	}
	if !reflect.DeepEqual(r.Notes, want) {
		t.Errorf("notes %q, want %q", r.Notes, want)
	}
}

// A card over 16 MiB is an error naming the file and the card's line.
func TestVCardTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grande.vcf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	bw.WriteString(vcCrlf("BEGIN:VCARD", "FN:Primera", "END:VCARD"))
	bw.WriteString("BEGIN:VCARD\r\nFN:Segunda\r\nPHOTO;ENCODING=b:")
	chunk := strings.Repeat("QUFB", 1024)
	for n := 0; n <= vcMaxCardBytes; n += len(chunk) {
		bw.WriteString(chunk)
	}
	bw.WriteString("\r\nEND:VCARD\r\n")
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	vf, err := VCard().Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := vf.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	for i := 0; i < 2; i++ {
		if _, err := tab.Next(); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	_, err = tab.Next()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "16 MiB") {
		t.Fatalf("Next = %v, want an error naming the file, line 4 and the limit", err)
	}
	if _, err2 := tab.Next(); err2 != err {
		t.Errorf("error is not sticky: %v", err2)
	}
}

// 100k cards stream in constant memory.
func TestVCardManyCards(t *testing.T) {
	const cards = 100_000
	path := filepath.Join(t.TempDir(), "muchos.vcf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	for i := 0; i < cards; i++ {
		fmt.Fprintf(bw, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Persona %d\r\nN:Apellido %d;Persona;;;\r\nEMAIL:p%d@example.com\r\nTEL:+34 600 %06d\r\nNOTE:%s\r\nEND:VCARD\r\n", i, i, i, i, strings.Repeat("x", 60))
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)

	vf, err := VCard().Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := vf.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	runtime.GC()
	var before, mid runtime.MemStats
	runtime.ReadMemStats(&before)
	n, last := 0, Row{}
	for {
		r, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		last = r
		if n == cards/2 {
			runtime.GC()
			runtime.ReadMemStats(&mid)
		}
	}
	if n != cards+1 {
		t.Fatalf("%d rows, want %d", n, cards+1)
	}
	if want := 1 + (cards-1)*8; last.Pos != want || vcCol(t, last, "Email") != fmt.Sprintf("p%d@example.com", cards-1) {
		t.Errorf("last card: Pos %d (want %d), %q", last.Pos, want, last.Values[:vcRaw])
	}
	if grew := int64(mid.HeapAlloc) - int64(before.HeapAlloc); grew > st.Size()/8 {
		t.Errorf("heap grew by %d bytes half-way through a %d-byte file: cards are being kept", grew, st.Size())
	}
}

func TestVCardTableErrors(t *testing.T) {
	path := vcardTestFile(t, []byte(vcCrlf("BEGIN:VCARD", "FN:Ana", "END:VCARD")))
	f, err := VCard().Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open("Hoja1"); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open(Hoja1) = %v", err)
	}
	if _, err := VCard().Open(path, Options{Encoding: "klingon"}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("unknown encoding: %v", err)
	}
	tab, err := f.Open("")
	if err != nil {
		t.Fatal(err)
	}
	tab.Close()
	if _, err := tab.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v", err)
	}

	// A read error mid-file is reported with the file and line, after the cards before it.
	rt := &vcardTable{fileTable: fileTable{path: "x.vcf"}, charset: encUTF8, maxField: 100,
		lr: vcLineReader{window: window{src: io.MultiReader(strings.NewReader(vcCrlf("BEGIN:VCARD", "FN:Ana", "END:VCARD", "BEGIN:VCARD", "FN:Be")), iotestErr{}), buf: make([]byte, 16)}}}
	for i := 0; i < 2; i++ {
		if _, err := rt.Next(); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if _, err := rt.Next(); !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "x.vcf") || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("read error: %v; want it wrapped with the file and line", err)
	}
}
