package source

import "testing"

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		name, sample string
		want         rune
	}{
		{"comma", "nombre,apellido,email\nAna,Pérez,ana@example.org\nLuis,Gómez,luis@example.org\n", ','},
		{"semicolon", "nombre;apellido;email\nAna;Pérez;ana@example.org\n", ';'},
		{"tab", "nombre\tapellido\nAna\tPérez\nLuis\tGómez\n", '\t'},
		{"pipe", "id|nombre|nota\n1|Pérez, Ana|hola, qué tal\n2|Gómez, Luis|bien, gracias\n", '|'},
		{"semicolon with decimal commas", "Kowalski;Jan;150,00\nNowak;Anna;20,50\nWiśniewska;Ewa;7,25\n", ';'},
		{"semicolon with decimal commas and header", "Nazwisko;Imię;Kwota\nKowalski;Jan;150,00\nNowak;Anna;20,50\n", ';'},
		{"tab with commas in names", "Nombre\tCiudad\nPérez, Ana\tMadrid\nGómez, Luis\tSevilla\n", '\t'},
		{"quoted delimiters", "\"Pérez; Ana\",Madrid,\"a;b;c\"\n\"Gómez; Luis\",Sevilla,\"x;y;z\"\n", ','},
		{"quoted commas", "\"Pérez, Ana\";Madrid;\"a,b,c\"\n\"Gómez, Luis\";Sevilla;\"x,y,z\"\n", ';'},
		{"quoted newlines", "nombre,notas\n\"Ana\",\"línea 1\nlínea;2;3\nlínea;4\"\n\"Luis\",\"a\"\n", ','},
		{"escaped quotes", "a;\"dijo \"\"hola, adiós\"\"\";c\nd;\"e,f\";g\n", ';'},
		{"single column", "nombre\nAna\nLuis\n", ','},
		{"single column with a stray comma", "nombre\nAna\nPérez, Luis\nEva\nJuan\n", ','},
		{"title rows", "Listado de socios 2024\n\n\nApellido;Nombre;Ciudad\nPérez;Ana;Madrid\nGómez;Luis;Sevilla\n", ';'},
		{"title row with a comma", "Socios, junio 2024\n\nApellido;Nombre;Ciudad\nPérez;Ana;Madrid\n", ';'},
		{"title padded like excel", "Listado;;\n;;\nApellido;Nombre;Ciudad\nPérez;Ana;Madrid\n", ';'},
		{"crlf", "a;b;c\r\n1;2;3\r\n", ';'},
		{"lone cr", "a,b,c\r1,2,3\r", ','},
		{"no final newline", "a;b;c", ';'},
		{"cut last record ignored", "a;b;c\n1;2;3\n4;5;6\n7,8,9,1,2", ';'},
		{"ragged but mostly three", "a;b;c\n1;2;3\n4;5\n6;7;8;9\n1;2;3\n", ';'},
		{"empty", "", ','},
		{"blank lines only", "\n\n  \n", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectDelimiter([]byte(tt.sample)); got != tt.want {
				t.Errorf("DetectDelimiter = %q, want %q", got, tt.want)
			}
		})
	}
}

// Only the first records count, so a long file costs no more than a short one.
func TestDetectDelimiterLooksAtFirstRecords(t *testing.T) {
	s := ""
	for i := 0; i < delimiterSampleRecords; i++ {
		s += "a;b;c\n"
	}
	for i := 0; i < 10*delimiterSampleRecords; i++ {
		s += "a,b,c,d\n"
	}
	if got := DetectDelimiter([]byte(s)); got != ';' {
		t.Errorf("got %q, want ';' from the first %d records", got, delimiterSampleRecords)
	}
}

func TestDelimiterSepLine(t *testing.T) {
	tests := []struct {
		in   string
		d    rune
		size int
	}{
		{"sep=;\na;b\n", ';', 6},
		{"sep=,\r\na,b\n", ',', 7},
		{"SEP=|", '|', 5},
		{"sep=\t\n", '\t', 6},
		{"sep=;;\n", 0, 0},
		{"separador;x\n", 0, 0},
		{"a;b\n", 0, 0},
	}
	for _, tt := range tests {
		d, n := sepLine([]byte(tt.in))
		if d != tt.d || n != tt.size {
			t.Errorf("sepLine(%q) = %q, %d; want %q, %d", tt.in, d, n, tt.d, tt.size)
		}
	}
}
