package source

import (
	"strings"
	"testing"
)

func rowsOf(lines ...string) []Row {
	out := make([]Row, len(lines))
	for i, l := range lines {
		var vals []string
		if l != "" {
			vals = strings.Split(l, "|")
		}
		out[i] = Row{Pos: i + 1, Values: vals}
	}
	return out
}

func TestFindHeader(t *testing.T) {
	known := func(s string) bool {
		switch strings.ToLower(s) {
		case "nombre", "apellidos", "email", "imię", "nazwisko", "kwota":
			return true
		}
		return false
	}
	tests := []struct {
		name string
		rows []Row
		want int
	}{
		{"plain header", rowsOf("Nombre|Apellidos|Email", "Ana|García|ana@example.org", "Luis|Pérez|l@example.org"), 0},
		{"title and blank rows above", rowsOf("Lista de voluntarios 2024", "", "Nombre|Apellidos|Email", "Ana|García|ana@example.org"), 2},
		{"two title lines", rowsOf("Fundacja Przykład", "Darczyńcy — stan na 31.12.2024", "", "Imię|Nazwisko|Kwota", "Jan|Kowalski|150,00"), 3},
		{"unknown names still a header", rowsOf("Col A|Col B|Col C", "1|2|3", "4|5|6"), 0},
		{"header with a year among names", rowsOf("Name|City|Street|Zone|2024", "Ana|Salta|Belgrano 1|N|50", "Jo|Jujuy|San Martín 2|S|20"), 0},
		{"headerless: data in the first row", rowsOf("Ana|García|ana@example.org", "Luis|Pérez|l@example.org"), -1},
		{"headerless numbers", rowsOf("Jan Kowalski|600123456|150,00", "Anna Nowak|601222333|20,00"), -1},
		{"all blank", rowsOf("", ""), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FindHeader(tt.rows, known); got != tt.want {
				t.Fatalf("FindHeader = %d, want %d", got, tt.want)
			}
		})
	}
}
