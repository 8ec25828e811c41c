package source

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

const (
	polishText  = "Łukasz Wróbel, Gdańsk, Zażółć gęślą jaźń, Świętokrzyska, Źródło"
	spanishText = "Muñoz, Peña, García, Córdoba, ¿Qué?, Ñandú"
)

// encodeText writes s in an encoding with the x/text encoders, failing the test if
// the encoding cannot represent it.
func encodeText(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}

var (
	utf16LEBOM = xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)
	utf16BEBOM = xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)
	utf16LE    = xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)
	utf16BE    = xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)
)

func TestDetectEncoding(t *testing.T) {
	polishCSV := "Nazwisko;Imię;Miasto;Ulica\nWróbel;Łukasz;Gdańsk;Świętokrzyska 5\nŻak;Zofia;Łódź;Źródlana 3\nKąkol;Jerzy;Kraków;Ślusarska 1\n"
	// Polish without the letters where windows-1250 and iso-8859-2 differ: both
	// decode it the same, and the commoner windows-1250 is named.
	polishShared := "Nazwisko;Imię;Miasto\nWróbel;Łukasz;Gdańsk\nŻak;Zofia;Wrocław\nNowak;Józef;Kraków\n"
	spanishCSV := "Apellido;Nombre;Ciudad\nMuñoz;Íñigo;Córdoba\nPeña;Begoña;Cáceres\nIbáñez;José;Logroño\nNúñez;María;León\n"
	spanishVowelsOnly := "Apellido,Nombre\nGarcía,José\nMartín,Ramón\nPérez,Inés\nGómez,Raúl\n"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"ascii", []byte("a,b\n1,2\n"), "utf-8"},
		{"utf-8 polish", []byte(polishText), "utf-8"},
		{"utf-8 spanish", []byte(spanishText), "utf-8"},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), polishText...), "utf-8"},
		{"utf-16le bom", encodeText(t, utf16LEBOM, polishText), "utf-16le"},
		{"utf-16be bom", encodeText(t, utf16BEBOM, polishText), "utf-16be"},
		{"utf-16le no bom", encodeText(t, utf16LE, polishCSV), "utf-16le"},
		{"utf-16be no bom", encodeText(t, utf16BE, polishCSV), "utf-16be"},
		{"polish windows-1250", encodeText(t, charmap.Windows1250, polishText), "windows-1250"},
		{"polish iso-8859-2", encodeText(t, charmap.ISO8859_2, polishText), "iso-8859-2"},
		{"polish csv windows-1250", encodeText(t, charmap.Windows1250, polishCSV), "windows-1250"},
		{"polish csv iso-8859-2", encodeText(t, charmap.ISO8859_2, polishCSV), "iso-8859-2"},
		{"polish shared letters", encodeText(t, charmap.ISO8859_2, polishShared), "windows-1250"},
		{"polish with only ń and ó", encodeText(t, charmap.Windows1250, "Gdańsk;Poznań;Toruń;Kraków\n"), "windows-1250"},
		{"polish capitals", encodeText(t, charmap.Windows1250, "ŁUKASZ WRÓBEL;GDAŃSK\nZOFIA ŻAK;ŁÓDŹ\n"), "windows-1250"},
		{"spanish iso-8859-1", encodeText(t, charmap.ISO8859_1, spanishText), "iso-8859-1"},
		{"spanish windows-1252 euro and quotes", encodeText(t, charmap.Windows1252, spanishText+"; “Socio” 10 €"), "windows-1252"},
		{"spanish csv iso-8859-1", encodeText(t, charmap.ISO8859_1, spanishCSV), "iso-8859-1"},
		{"spanish ñ before vowels is not polish ń", encodeText(t, charmap.ISO8859_1, "Muñoz\nPeña\nEspaña\nAño\nNiño\n"), "iso-8859-1"},
		{"spanish capitals", encodeText(t, charmap.ISO8859_1, "MUÑOZ;PEÑA;ESPAÑA\n"), "iso-8859-1"},
		{"spanish accented vowels only", encodeText(t, charmap.ISO8859_1, spanishVowelsOnly), "iso-8859-1"},
		{"spanish ordinals", encodeText(t, charmap.ISO8859_1, "Calle Mayor 1º 2ª;Nº 5;¡Hola!\n"), "iso-8859-1"},
		{"portuguese", encodeText(t, charmap.ISO8859_1, "São Paulo;Conceição;Gonçalves;João\n"), "iso-8859-1"},
		{"french windows-1252", encodeText(t, charmap.Windows1252, "Cœur;Élodie;François;Hélène\n"), "windows-1252"},
		{"german", encodeText(t, charmap.ISO8859_1, "Müller;Straße;Größe;Jäger\n"), "iso-8859-1"},
		{"utf-8 with a few windows-1252 bytes", append([]byte(strings.Repeat("Peña;Gdańsk;Zażółć\n", 20)), encodeText(t, charmap.Windows1252, "Café;Muñoz\n")...), "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectEncoding(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("DetectEncoding = %q, want %q", got, tt.want)
			}
			// Reading in tiny pieces must not change the answer.
			got, err = DetectEncoding(iotest.HalfReader(bytes.NewReader(tt.data)))
			if err != nil || got != tt.want {
				t.Errorf("DetectEncoding over short reads = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// The context rules that keep Spanish ñ and Polish ń apart (the same byte, 0xF1, in
// Latin-1 and Latin-2) and catch symbols misread inside words.
func TestEncodingContextRules(t *testing.T) {
	better := []struct {
		name string
		good [3]rune
		bad  [3]rune
	}{
		{"ñ before a vowel is Spanish", [3]rune{'u', 'ñ', 'o'}, [3]rune{'u', 'ń', 'o'}},
		{"Ñ before a vowel is Spanish", [3]rune{'E', 'Ñ', 'A'}, [3]rune{'E', 'Ń', 'A'}},
		{"ń before a consonant is Polish", [3]rune{'a', 'ń', 's'}, [3]rune{'a', 'ñ', 's'}},
		{"ń ending a word is Polish", [3]rune{'a', 'ń', ' '}, [3]rune{'a', 'ñ', ' '}},
		{"¿ opens a question", [3]rune{' ', '¿', 'Q'}, [3]rune{' ', 'ż', 'Q'}},
		{"ł inside a word", [3]rune{'a', 'ł', 'o'}, [3]rune{'a', '³', 'o'}},
		{"ż inside a word", [3]rune{'a', 'ż', 'o'}, [3]rune{'a', '¿', 'o'}},
		{"ą inside a word", [3]rune{'g', 'ą', 'c'}, [3]rune{'g', '±', 'c'}},
		{"º after a number", [3]rune{'1', 'º', ' '}, [3]rune{'1', 'ş', ' '}},
		{"lowercase inside a lowercase word", [3]rune{'a', 'ź', 'ń'}, [3]rune{'a', 'Ÿ', 'ń'}},
	}
	for _, tt := range better {
		g, b := scoreRune(tt.good[0], tt.good[1], tt.good[2]), scoreRune(tt.bad[0], tt.bad[1], tt.bad[2])
		if g <= b {
			t.Errorf("%s: %q scores %d, not above %q with %d", tt.name, string(tt.good[:]), g, string(tt.bad[:]), b)
		}
	}
	if s := scoreRune(' ', 'ń', 'o'); s >= 0 {
		t.Errorf("ń before a vowel scores %d, want negative", s)
	}
}

// A multi-byte character across the boundary of two read chunks must not count as
// invalid, and a windows-1252 byte long after the start must still be seen.
func TestDetectEncodingWholeFile(t *testing.T) {
	var utf bytes.Buffer
	for utf.Len() < 3<<20 {
		utf.WriteString("Zażółć gęślą jaźń;Muñoz;")
		utf.WriteString(strings.Repeat("x", utf.Len()%7))
		utf.WriteString("\n")
	}
	if got, _ := DetectEncoding(&utf); got != "utf-8" {
		t.Errorf("large UTF-8 file: got %q", got)
	}

	latin1 := bytes.Repeat(encodeText(t, charmap.ISO8859_1, "Muñoz;Peña;Córdoba\n"), 1<<16)
	if got, _ := DetectEncoding(bytes.NewReader(latin1)); got != "iso-8859-1" {
		t.Errorf("large Latin-1 file: got %q", got)
	}
	late := append(latin1, encodeText(t, charmap.Windows1252, "Cuota: 10 €\n")...)
	if got, _ := DetectEncoding(bytes.NewReader(late)); got != "windows-1252" {
		t.Errorf("Latin-1 file with a euro sign at the end: got %q, want windows-1252", got)
	}
}

// genReader yields n bytes of a repeated line without holding them.
type genReader struct {
	line []byte
	n, i int
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && g.n > 0 {
		c := copy(p[k:min(len(p), k+g.n)], g.line[g.i:])
		k += c
		g.n -= c
		g.i = (g.i + c) % len(g.line)
	}
	return k, nil
}

func TestDetectEncodingMemory(t *testing.T) {
	for _, line := range []string{"Zażółć gęślą jaźń;Gdańsk\n", string(encodeText(t, charmap.Windows1250, "Zażółć gęślą jaźń;Gdańsk\n"))} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := DetectEncoding(&genReader{line: []byte(line), n: 64 << 20}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("DetectEncoding allocated %d bytes for a 64 MiB input", alloc)
		}
	}
}

func TestLookupEncoding(t *testing.T) {
	for alias, want := range map[string]string{
		"utf8": "utf-8", "UTF-8": "utf-8", "utf-16": "utf-16", "UTF-16LE": "utf-16le", "utf16be": "utf-16be",
		"cp1250": "windows-1250", "Windows-1250": "windows-1250", "win1250": "windows-1250",
		"latin2": "iso-8859-2", "ISO_8859-2": "iso-8859-2", "iso8859-2": "iso-8859-2",
		"cp1252": "windows-1252", "windows-1252": "windows-1252",
		"latin1": "iso-8859-1", "ISO-8859-1": "iso-8859-1", "latin-1": "iso-8859-1",
		"latin9": "iso-8859-15", "cp850": "ibm850", "cp852": "ibm852", "macroman": "macintosh",
	} {
		got, err := LookupEncoding(alias)
		if err != nil || got != want {
			t.Errorf("LookupEncoding(%q) = %q, %v; want %q", alias, got, err, want)
		}
	}
	_, err := LookupEncoding("klingon")
	if err == nil || !strings.Contains(err.Error(), `"klingon"`) || !strings.Contains(err.Error(), "windows-1250") || !strings.Contains(err.Error(), "iso-8859-1") {
		t.Errorf("unknown encoding: error %v should name it and list the accepted names", err)
	}
	for _, name := range EncodingNames() {
		if got, err := LookupEncoding(name); err != nil || got != name {
			t.Errorf("canonical name %q does not resolve to itself: %q, %v", name, got, err)
		}
	}
}

func TestEncodingNewDecoder(t *testing.T) {
	tests := []struct {
		name, enc string
		in        []byte
		want      string
	}{
		{"windows-1250", "cp1250", encodeText(t, charmap.Windows1250, polishText), polishText},
		{"iso-8859-2", "latin2", encodeText(t, charmap.ISO8859_2, polishText), polishText},
		{"windows-1252", "windows-1252", encodeText(t, charmap.Windows1252, spanishText+" “€”"), spanishText + " “€”"},
		{"iso-8859-1", "latin1", encodeText(t, charmap.ISO8859_1, spanishText), spanishText},
		{"utf-16le bom", "utf-16le", encodeText(t, utf16LEBOM, polishText), polishText},
		{"utf-16be bom", "utf-16be", encodeText(t, utf16BEBOM, polishText), polishText},
		{"utf-16 bom decides", "utf-16", encodeText(t, utf16BEBOM, polishText), polishText},
		{"utf-8 bom stripped", "utf-8", []byte("\xef\xbb\xbfNombre"), "Nombre"},
		{"utf-8 invalid bytes as windows-1252", "utf8", []byte("Caf\xe9 \x80 Gdańsk \x93x\x94"), "Café € Gdańsk “x”"},
		{"undefined byte is not U+FFFD", "windows-1252", []byte{'a', 0x81, 'b'}, "a\u0081b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time: characters split across reads must survive.
			r, err := NewDecoder(tt.enc, iotest.OneByteReader(bytes.NewReader(tt.in)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := NewDecoder("ebcdic-klingon", bytes.NewReader(nil)); err == nil {
		t.Error("NewDecoder accepted an unknown encoding")
	}
}
